"""Reliability of the engine: switches per thread and task, concurrent backward,
exact and float gradients, errors that name the operation, singular points."""
import asyncio
import threading

import pytest

from autograd import Value, detect_anomaly, grad, is_grad_enabled, no_grad, record_scopes, scope
from autograd.scope import recording_scopes

TIMEOUT = 10     # seconds; only reached if a test is broken, never part of the sequencing


def run_threads(*functions):
    """run each function in its own thread; re-raise the first error any of them met."""
    errors = []

    def guarded(f):
        try:
            f()
        except BaseException as error:      # noqa: B902 - handed back to the test
            errors.append(error)
    threads = [threading.Thread(target=guarded, args=(f,)) for f in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a test thread is stuck"
    if errors:
        raise errors[0]


# ------------------------------------------------------------------ 1. switches per thread and task

def test_overlapping_no_grad_in_two_asyncio_tasks_restores_recording():
    # task 1 enters first and leaves first, while task 2 is still inside: with one
    # process-wide switch, task 1 switched recording back on under task 2, and task 2's
    # exit then switched it off for good
    seen = {}

    async def main():
        in1, in2, out1 = asyncio.Event(), asyncio.Event(), asyncio.Event()

        async def first():
            with no_grad():
                in1.set()
                await in2.wait()
            out1.set()

        async def second():
            await in1.wait()
            with no_grad():
                in2.set()
                await out1.wait()
                seen['second, after first left'] = is_grad_enabled()
            seen['second, after its own block'] = is_grad_enabled()

        await asyncio.wait_for(asyncio.gather(first(), second()), TIMEOUT)
    asyncio.run(main())
    assert seen == {'second, after first left': False, 'second, after its own block': True}
    assert is_grad_enabled()
    x = Value(2.0)
    assert not (x * x).is_leaf()


def test_the_repro_from_the_report_asyncio_gather_with_sleeps():
    async def t(d):
        with no_grad():
            await asyncio.sleep(d)

    async def main():
        await asyncio.gather(t(.01), t(.02))
    asyncio.run(main())
    assert is_grad_enabled()


def test_a_thread_training_while_another_evaluates_under_no_grad():
    inside, trained = threading.Event(), threading.Event()
    result = {}

    def evaluator():
        with no_grad():
            inside.set()
            assert trained.wait(TIMEOUT)
            result['evaluator records'] = is_grad_enabled()

    def trainer():
        assert inside.wait(TIMEOUT)
        w, x = Value(3.0), Value(-2.0)
        loss = w * x + w * w          # d/dw = x + 2w = 4, d/dx = w = 3
        loss.backward()
        result['trainer grads'] = (w.grad, x.grad)
        trained.set()

    run_threads(evaluator, trainer)
    assert result == {'evaluator records': False, 'trainer grads': (4.0, 3.0)}


def test_threads_leaving_no_grad_in_the_other_order_leave_each_other_alone():
    # A enters, B enters, A leaves, B checks, B leaves: the global-switch bug's order
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with no_grad():
            a_in.set()
            assert b_in.wait(TIMEOUT)
        seen['A after'] = is_grad_enabled()
        a_out.set()

    def b():
        assert a_in.wait(TIMEOUT)
        with no_grad():
            b_in.set()
            assert a_out.wait(TIMEOUT)
            x = Value(1.0)
            seen['B inside, A gone'] = (is_grad_enabled(), (x + x).is_leaf())
        seen['B after'] = is_grad_enabled()

    run_threads(a, b)
    assert seen == {'A after': True, 'B inside, A gone': (False, True), 'B after': True}
    assert is_grad_enabled()


def test_detect_anomaly_in_one_thread_does_not_check_another():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def checker():
        with detect_anomaly():
            inside.set()
            assert done.wait(TIMEOUT)
            with pytest.raises(FloatingPointError):
                Value(float('inf'))

    def other():
        assert inside.wait(TIMEOUT)
        seen['inf leaf outside anomaly mode'] = Value(float('inf')).data
        done.set()

    run_threads(checker, other)
    assert seen == {'inf leaf outside anomaly mode': float('inf')}


def test_record_scopes_notes_only_its_own_threads_nodes():
    inside, done = threading.Event(), threading.Event()
    made = {}

    def recorder():
        with record_scopes() as scopes:
            inside.set()
            assert done.wait(TIMEOUT)
            with scope('mine'):
                made['mine'] = Value(1.0) + Value(2.0)
        made['scopes'] = scopes

    def other():
        assert inside.wait(TIMEOUT)
        made['other recording scopes'] = recording_scopes()
        with scope('not noted'):
            made['other'] = Value(1.0) * Value(2.0)
        done.set()

    run_threads(recorder, other)
    assert made['other recording scopes'] is False
    assert made['scopes'] == {made['mine']: ('mine',)}


def test_a_new_thread_starts_recording_even_inside_no_grad():
    seen = []
    with no_grad():
        run_threads(lambda: seen.append(is_grad_enabled()))
        assert not is_grad_enabled()
    assert seen == [True]

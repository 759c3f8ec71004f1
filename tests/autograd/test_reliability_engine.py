"""Reliability of the engine: switches per thread and task, concurrent backward,
exact and float gradients, errors that name the operation, singular points."""
import asyncio
import json
import math
import os
import re
import subprocess
import sys
import threading
from fractions import Fraction

import pytest

from autograd import (Value, backward, detect_anomaly, grad, gradcheck, graph_nodes, is_grad_enabled,
                      no_grad, record_scopes, scope)
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


# ------------------------------------------------------------------ 2. backward() from two threads

def tanh_chain():
    a, b = Value(0.5, label='a'), Value(-1.5, label='b')
    h = a * b
    for _ in range(30):
        h = (h + a).tanh() * b
    return a, b, h


def pause_once_inside_backward(after_lines, paused, resume):
    """a sys.settrace function: after `after_lines` lines run in autograd/backward.py
    (mid-walk, marks in .grad), stop until `resume` is set or a second has passed."""
    count = [0]

    def local(frame, event, arg):
        if event == 'line':
            count[0] += 1
            if count[0] == after_lines:
                paused.set()
                resume.wait(1.0)      # on a correct engine the other thread waits for us: go on
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.endswith(os.path.join('autograd', 'backward.py')) else None
    return tracer


def test_two_threads_differentiating_one_graph_take_turns():
    # thread 1 is stopped half-way through backward(); thread 2 then calls backward()
    # on the same graph. Sharing the walk's marks, this raised TypeError or gave nan.
    a, b, out = tanh_chain()
    ga, gb = grad(out, [a, b])            # one pass, without touching .grad
    paused, second_done = threading.Event(), threading.Event()

    def first():
        sys.settrace(pause_once_inside_backward(100, paused, second_done))
        try:
            out.backward()
        finally:
            sys.settrace(None)

    def second():
        assert paused.wait(TIMEOUT)
        out.backward()
        second_done.set()

    run_threads(first, second)
    assert a.grad == pytest.approx(2 * ga, rel=1e-12) and b.grad == pytest.approx(2 * gb, rel=1e-12)
    a1, b1, out1 = tanh_chain()
    out1.backward()                       # the intermediates hold one pass, as after two calls in a row
    for n, n1 in zip(graph_nodes(out), graph_nodes(out1)):
        if not n.is_leaf():
            assert n.grad == n1.grad


def test_many_threads_hammering_backward_on_one_graph():
    a, b, out = tanh_chain()
    ga, gb = grad(out, [a, b])
    start = threading.Barrier(4)

    def worker():
        start.wait(TIMEOUT)
        for _ in range(5):
            out.backward()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)           # switch threads as often as possible
    try:
        run_threads(*[worker] * 4)
    finally:
        sys.setswitchinterval(interval)
    assert a.grad == pytest.approx(20 * ga, rel=1e-12) and b.grad == pytest.approx(20 * gb, rel=1e-12)


# ------------------------------------------------------------------ 3. grad of a leaf or constant derivative

def test_grad_of_a_constant_derivative_with_create_graph():
    x = Value(2.0)
    g = grad(3 * x, [x], create_graph=True)[0]       # d(3x)/dx = 3, a constant leaf
    assert g.data == 3.0
    (h,) = grad(g, [x], create_graph=True)           # KeyError: '' before
    assert isinstance(h, Value) and h.data == 0
    assert grad(g, [g], create_graph=True)[0].data == 1     # d g/d g, still 1


def nth_derivative(f, x, n):
    for _ in range(n):
        (f,) = grad(f, [x], create_graph=True)
    return f


@pytest.mark.parametrize('x0', [2, 2.0, -0.5])
def test_high_derivatives_of_powers(x0):
    x = Value(x0)
    # d^4/dx^4 of x^3 is 0, however the cube is written; of x^5: 5*4*3*2 x = 120 x, then 120, then 0
    assert nth_derivative(x * x * x, x, 4).data == 0
    assert nth_derivative(x ** 3, x, 4).data == 0
    assert nth_derivative(x ** 3, x, 5).data == 0
    assert nth_derivative(x ** 5, x, 4).data == 120 * x0
    assert nth_derivative(x ** 5, x, 5).data == 120
    assert nth_derivative(x ** 5, x, 6).data == 0


# ------------------------------------------------------------------ 4. float graphs give float gradients

def test_a_float_divided_by_an_int_gets_a_float_gradient():
    x = Value(3.0)
    (x / 5).backward()
    assert type(x.grad) is float and x.grad == 0.2
    assert f'{x.grad:.4f}' == '0.2000' and json.dumps(x.grad) == '0.2'
    assert type(grad(x / 5, x)) is float


def test_the_mean_of_floats_gives_float_gradients():
    xs = [Value(1.0), Value(2.5), Value(-4.0)]
    mean = sum(xs) / len(xs)
    mean.backward()
    assert [type(x.grad) for x in xs] == [float] * 3
    assert [x.grad for x in xs] == [1 / 3] * 3


FLOAT_SLOPES = {
    # name: (f, x0, d f/dx by hand); f(x) is a float, and the slope of its last op
    # was an int or a Fraction before
    'float / int': (lambda x: x / 5, 3.0, 0.2),
    'float / 1': (lambda x: x / 1, 3.0, 1.0),
    'Fraction constant * float': (lambda x: Fraction(1, 2) * x, 3.0, 0.5),
    'float * Fraction constant': (lambda x: x * Fraction(1, 4), 3.0, 0.25),
    'log of an int': (lambda x: x.log(), 2, 0.5),
    'float ** 0': (lambda x: x ** 0, 2.0, 0.0),
    '0.0 ** int Value, d/d exponent': (lambda y: Value(0.0) ** y, 2, 0.0),
    'relu of a positive float': (lambda x: x.relu(), 2.0, 1.0),
    'relu of a negative float': (lambda x: x.relu(), -2.0, 0.0),
    'relu grad_at_zero=1 at 0.0': (lambda x: x.relu(grad_at_zero=1), 0.0, 1.0),
    'relu grad_at_zero=1/2 at 0.0': (lambda x: x.relu(grad_at_zero=Fraction(1, 2)), 0.0, 0.5),
}


@pytest.mark.parametrize('name', FLOAT_SLOPES)
def test_every_op_with_a_float_result_has_a_float_slope(name):
    f, x0, expected = FLOAT_SLOPES[name]
    x = Value(x0)
    out = f(x)
    assert type(out.data) is float
    out.backward()
    assert type(x.grad) is float and x.grad == expected
    g = grad(f(x), x)
    assert type(g) is float and g == expected
    assert all(type(d) is float for d in f(x).local_grads)


EXACT_GRAPHS = {
    # name: (f, x0, y0, (d/dx, d/dy) by hand)
    'int / int': (lambda x, y: x / y, 3, 5, (Fraction(1, 5), Fraction(-3, 25))),
    'mean': (lambda x, y: (x + y) / 2, 3, 4, (Fraction(1, 2), Fraction(1, 2))),
    'pow with a negative int': (lambda x, y: x ** -2 * y, 2, Fraction(1, 3), (Fraction(-1, 12), Fraction(1, 4))),
    'relu and subtraction': (lambda x, y: (x - y).relu(grad_at_zero=1), 2, 2, (1, -1)),
}


@pytest.mark.parametrize('name', EXACT_GRAPHS)
def test_an_exact_graph_keeps_exact_gradients(name):
    f, x0, y0, expected = EXACT_GRAPHS[name]
    x, y = Value(x0), Value(y0)
    f(x, y).backward()
    assert (x.grad, y.grad) == expected
    assert all(type(g) in (int, Fraction) for g in (x.grad, y.grad))
    assert grad(f(x, y), [x, y]) == list(expected)


# ------------------------------------------------------------------ 5. overflow names the operation

def test_an_overflowing_local_derivative_names_the_operation():
    with pytest.raises(OverflowError, match=r"^1e-200 \*\* -1: its local derivative \(a \*\* b: .*\) is too large"):
        Value(1e-200) ** -1           # 1e200 fits a float; its slope -1e400 does not
    with pytest.raises(OverflowError, match=r"^10 \*\* 1000: its local derivative .* too large for a float"):
        Value(10) ** Value(1000)      # exact 10**1000; d/db = 10**1000 log 10 is a float
    with no_grad():                   # no slope is computed here, so nothing overflows
        assert (Value(1e-200) ** -1).data == pytest.approx(1e200)
    with pytest.raises(OverflowError, match=r"^relu\(x=0\.0\): its local derivative \(relu\(a\): .*\) is too large"):
        Value(0.0, 'x').relu(grad_at_zero=10 ** 400)     # a float node's slope is a float


def test_an_int_too_large_for_a_float_names_the_operation_on_the_fast_path():
    big = Value(10 ** 400, label='big')
    with pytest.raises(OverflowError, match=r"^big=1000*\d* \* 1\.5: int too large"):
        big * Value(1.5)
    with pytest.raises(OverflowError, match=r"^big=1000*\d* \+ 1\.5: int too large"):
        big + Value(1.5)
    with no_grad():
        with pytest.raises(OverflowError, match=r"^big=1000*\d* \* 1\.5"):
            big * Value(1.5)


def test_an_overflow_in_backward_names_the_node():
    big, zero, one = Value(10 ** 400), Value(0, label='zero'), Value(1.0)
    out = big * zero * one            # 0 * 1.0; but d out/d zero = 10**400 times the float 1.0
    with pytest.raises(OverflowError, match=r"^backward: the gradient through a '\*' node is too large for a float"):
        out.backward()
    assert all(isinstance(n.grad, (int, float)) for n in graph_nodes(out))


# ------------------------------------------------------------------ 6. singular points of pow

def test_pow_at_zero_zero_the_same_on_both_paths():
    x, y = Value(0.0), Value(0.0)
    plain = grad(x ** y, [x, y])
    created = [g.data for g in grad(x ** y, [x, y], create_graph=True)]
    for gx, gy in (plain, created):
        assert gx == 0                # x**0 is the constant 1
        assert math.isnan(gy)         # 0**y jumps from 1 (y = 0) to 0 (y > 0)


def test_past_a_vertical_slope_the_derivative_is_nan_on_both_paths():
    x = Value(0.0)
    (g,) = grad(x ** 0.5, [x], create_graph=True)
    assert g.data == math.inf and grad(x ** 0.5, x) == math.inf
    assert math.isnan(grad(g, x))                              # was 0: a constant's derivative
    assert math.isnan(grad(g, x, create_graph=True).data)      # was KeyError
    # x^1.5: slopes 1.5 x^0.5 = 0, then 0.75 x^-0.5 = inf, then nothing finite
    assert [nth_derivative(x ** 1.5, x, n).data for n in (1, 2)] == [0, math.inf]
    assert math.isnan(nth_derivative(x ** 1.5, x, 3).data)


def test_away_from_zero_mixed_pow_derivatives_are_unchanged():
    x, y = Value(2.0), Value(3.0)
    gx, gy = grad(x ** y, [x, y], create_graph=True)
    # d/dx = y x^(y-1) = 12; d2/dy dx = x^(y-1) (1 + y ln x) = 4 (1 + 3 ln 2); d2/dx2 = y (y-1) x^(y-2) = 12
    assert gx.data == pytest.approx(12.0, rel=1e-15)
    assert grad(gx, [x, y]) == pytest.approx([12.0, 4 * (1 + 3 * math.log(2))], rel=1e-14)
    assert grad(gy, x) == pytest.approx(4 * (1 + 3 * math.log(2)), rel=1e-14)


# ------------------------------------------------------------------ 7. wrong argument types

def test_backward_of_a_non_value_names_backward():
    with pytest.raises(TypeError, match=r"^backward: expected a Value, got float 3\.0$"):
        backward(3.0)
    with pytest.raises(TypeError, match=r"^backward: expected a Value, got list \[\]$"):
        backward([])


@pytest.mark.parametrize('inputs, shown', [(None, 'NoneType None'), (3.0, 'float 3.0')])
def test_grad_with_inputs_that_are_not_values_names_grad(inputs, shown):
    with pytest.raises(TypeError, match=r"^grad: inputs must be a Value or a list of Values, got %s$" % shown):
        grad(Value(1.0) * 2, inputs)


@pytest.mark.parametrize('eps', [0, 0.0, -1e-6, math.inf, math.nan])
def test_gradcheck_refuses_a_step_that_is_not_positive_and_finite(eps):
    with pytest.raises(ValueError, match=r"^gradcheck: eps must be a positive finite step, got "):
        gradcheck(lambda a: a * a, [1.0], eps=eps)


def test_gradcheck_refuses_an_eps_that_is_not_a_number():
    with pytest.raises(TypeError, match=r"^gradcheck eps: expected an int, float or Fraction, got str '1e-6'$"):
        gradcheck(lambda a: a * a, [1.0], eps='1e-6')


# ------------------------------------------------------------------ 8. a failed backward under detect_anomaly

def test_a_failed_backward_under_detect_anomaly_gives_the_leaves_their_old_gradients():
    x, w = Value(0.0, label='x'), Value(0.3, label='w')
    x.grad, w.grad = 1.0, 5.0        # from an earlier backward
    y = x ** 0.5 + w * 3             # w gets its 3 before sqrt's inf slope reaches x
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="inf"):
            y.backward()
    assert (x.grad, w.grad) == (1.0, 5.0)
    assert all(n.grad == 0 for n in graph_nodes(y) if not n.is_leaf())
    z = w * 3                         # a retry that succeeds counts w once
    with detect_anomaly():
        z.backward()
    assert w.grad == 8.0


# ------------------------------------------------------------------ 9. numpy arrays refused both ways by a one-number Value
# (Lanes accept them as constant lanes: tests/autograd/test_lanes.py)

@pytest.mark.parametrize('op', ['+', '-', '*', '/', '**'])
def test_arrays_are_refused_from_either_side_with_the_same_error(op):
    np = pytest.importorskip('numpy')
    v, arr = Value(2.0), np.array([1.0, 2.0])
    f = {'+': lambda p, q: p + q, '-': lambda p, q: p - q, '*': lambda p, q: p * q,
         '/': lambda p, q: p / q, '**': lambda p, q: p ** q}[op]
    messages = []
    for left, right in ((v, arr), (arr, v)):
        with pytest.raises(TypeError) as e:
            f(left, right)
        messages.append(str(e.value))
    pattern = r"^unsupported operand for %s: .* \(ndarray\); a Value combines only with" % re.escape(op)
    assert all(re.match(pattern, m) for m in messages), messages
    # an array is a batch only as Lanes (autograd/lanes.py): the message says so, both ways
    assert all(m.endswith("; for a batch, make the array lanes: autograd.Lanes(array)") for m in messages)
    assert messages[0].replace('2.0 %s array([1., 2.])' % op, 'X') == messages[1].replace('array([1., 2.]) %s 2.0' % op, 'X')


def test_numpy_scalars_still_combine_from_either_side():
    np = pytest.importorskip('numpy')
    v = Value(2.0)
    for out in (np.float64(3.0) * v, v * np.float64(3.0)):
        assert isinstance(out, Value) and out.data == 6.0
        out.backward()
    assert v.grad == 6.0


def test_importing_autograd_does_not_import_numpy():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = "import sys, autograd; print(autograd.__file__); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, '-c', code], cwd=root, capture_output=True, text=True, check=True).stdout
    where, imported = out.split()
    assert where.startswith(root) and imported == 'False'


def test_every_gradient_of_a_float_graph_is_a_float_and_of_an_exact_graph_exact():
    from fractions import Fraction
    from autograd import graph_nodes, grad
    cases = [lambda: (Value(3.0) / 5, ()),
             lambda: (Value(2.0) * Value(Fraction(1, 3)), ()),
             lambda: (Value(1) / 3 + 2.0, ()),
             lambda: (sum([Value(1.5), Value(2.5), Value(0.5)]) / 3, ())]
    for make in cases:
        root, _ = make()
        root.backward()
        for node in graph_nodes(root):
            assert type(node.grad) is float, (root, node, node.grad)
        leaves = [n for n in graph_nodes(root) if n.is_leaf()]
        assert all(type(g) is float for g in grad(root, leaves))
    exact = (Value(Fraction(1, 3)) * 3 + 1) / 2
    exact.backward()
    assert all(type(n.grad) in (int, Fraction) for n in graph_nodes(exact))


# --- issue 20 (round 3), 12: sample= is checked in every view, as one rule (notation.check_sample)

def lane_graph():
    np = pytest.importorskip('numpy')
    from autograd.lanes import Lanes
    x = Lanes(np.array([1.0, 2.0, 3.0]), label='x')
    return (x * Value(0.5, label='w')).tanh()


@pytest.mark.parametrize("view", ['to_dot', 'step'])
@pytest.mark.parametrize("sample, error, words", [
    (5, ValueError, "sample=5, but this graph carries 3 samples (0..2)"),
    (-1, ValueError, "sample=-1, but this graph carries 3 samples (0..2)"),
    (1.5, TypeError, "sample must be an int (the index of a sample in the batch), got float 1.5"),
    (True, TypeError, "sample must be an int (the index of a sample in the batch), got bool True"),
    ('0', TypeError, "got str '0'")])
def test_a_bad_sample_is_refused_by_name(view, sample, error, words):
    from autograd import step, to_dot
    L = lane_graph()
    with pytest.raises(error) as caught:
        (to_dot if view == 'to_dot' else step)(L, sample=sample)
    assert str(caught.value).startswith(view + ": ") and words in str(caught.value)


def test_a_numpy_int_sample_is_an_int_and_a_one_sample_graph_has_no_lanes():
    np = pytest.importorskip('numpy')
    from autograd import step, to_dot
    L = lane_graph()
    s = step(L, sample=np.int64(2))
    assert s.sample == 2 and type(s.sample) is int and str(s.next()).startswith('[sample 2] ')
    assert 'the lane of sample 2' in to_dot(L, sample=np.int64(2))
    with pytest.raises(ValueError, match=r"to_dot: sample=0, but this graph carries no lanes \(one sample\)"):
        to_dot(Value(1.0) * 2, sample=0)


# --- issue 20, 13: explore's refusal gives explore's advice, not to_dot's depth= (explore takes none)

def test_explore_refuses_a_graph_too_big_with_advice_it_can_take(tmp_path):
    import inspect
    from autograd import GraphTooBig, explore
    x = Value(1.0)
    for _ in range(5200):
        x = x * 1.0001
    with pytest.raises(GraphTooBig) as refused:
        explore(x, tmp_path / 'big.html')
    message = str(refused.value)
    assert message.startswith("explore: this graph has 5,201 nodes") and "max_nodes=None" in message
    assert "depth=" not in message.split("draw(root, depth=3)")[0]          # depth= only as draw's
    assert 'depth' not in inspect.signature(explore).parameters
    assert not (tmp_path / 'big.html').exists()

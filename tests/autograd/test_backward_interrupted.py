"""backward() stopped at any point (Ctrl-C, an anomaly) leaves the state the README
promises: no marker in any .grad, every intermediate at 0 (or, if it stopped before it
changed anything, every .grad as it was), under detect_anomaly() the leaves as before
the call; and a retry gives the right gradients.

The interruption is injected by a trace hook that raises KeyboardInterrupt on the k-th
line the engine runs, for every k from the first line of backward() to its last, so no
window (the marking walk, the seed, the leaves' snapshot, the chain rule, the clean-up)
is left out."""
import importlib
import threading
import inspect
import os
import sys
from fractions import Fraction

import pytest

import autograd
from autograd import Lanes, Value, detect_anomaly, graph_nodes
from autograd.value import dot

_ENGINE = os.path.dirname(os.path.abspath(autograd.__file__)) + os.sep
_BACKWARD = importlib.import_module('autograd.backward').backward
_WITH_LINE = next(_BACKWARD.__code__.co_firstlineno + i for i, line in
                  enumerate(inspect.getsource(_BACKWARD).splitlines()) if line.strip().startswith('with '))
_LOCK = importlib.import_module('autograd.backward').grad_lock


def lock_is_free():
    """whether another thread could take grad_lock now (it is re-entrant: this thread always could)."""
    free = []

    def attempt():
        if _LOCK.acquire(blocking=False):
            free.append(True)
            _LOCK.release()
    other = threading.Thread(target=attempt)
    other.start()
    other.join()
    return bool(free)


def _lines_in_engine(stop_at=None):
    """a tracer counting the lines run in autograd's own files; it raises
    KeyboardInterrupt on line number `stop_at`. Returns (tracer, count).

    One line event is not counted: CPython 3.11 reports backward()'s `with` line a
    second time as the block ends, before it calls the lock's __exit__ and outside
    the statement's handler, so a trace hook raising there leaves the lock held. A
    real signal is handled after a call returns or at a loop's back edge, not there."""
    count = [0]
    entered = []             # backward() frames that have passed their `with` line once

    def local(frame, event, arg):
        if event == 'line':
            if frame.f_code is _BACKWARD.__code__ and frame.f_lineno == _WITH_LINE:
                if frame in entered:
                    return local
                entered.append(frame)
            count[0] += 1
            if count[0] == stop_at:
                raise KeyboardInterrupt
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(_ENGINE) else None
    return tracer, count


def _run_traced(root, stop_at=None):
    tracer, count = _lines_in_engine(stop_at)
    sys.settrace(tracer)
    try:
        root.backward()
    finally:
        sys.settrace(None)
    return count[0]


def _scalar_graph():
    """shared leaves, a dot node, tanh and pow: a few dozen nodes."""
    a, b, c = Value(0.5, label='a'), Value(-1.5, label='b'), Value(0.25, label='c')
    h = dot([a, b], [c, a], b)
    for _ in range(4):
        h = (h * b + a).tanh() + c ** 2
    return [a, b, c], h


def _exact_graph():
    a, b = Value(Fraction(1, 3), label='a'), Value(2, label='b')
    h = a * b
    for _ in range(3):
        h = (h + a) * b - a / 2
    return [a, b], h


def _lane_graph():
    w, v = Value(0.5, label='w'), Value(-0.75, label='v')
    x = Lanes([1.0, -2.0, 0.5], label='x')
    return [w, v, x], ((w * x + v).tanh() * w).mean()


def _grads(nodes):
    return [n.grad.tolist() if hasattr(n.grad, 'tolist') else n.grad for n in nodes]


def _is_number(g):
    return isinstance(g, (int, float, Fraction)) or hasattr(g, 'dtype')


@pytest.mark.parametrize('anomaly', [False, True], ids=['plain', 'detect_anomaly'])
@pytest.mark.parametrize('build', [_scalar_graph, _exact_graph, _lane_graph], ids=['float', 'exact', 'lanes'])
def test_an_interrupt_at_every_line_of_backward_leaves_the_documented_state(build, anomaly):
    leaves, root = build()
    one_pass = None
    # the reference: one clean pass on a fresh copy, and how many lines a whole backward runs
    ref_leaves, ref_root = build()
    with detect_anomaly() if anomaly else _nothing():
        lines = _run_traced(ref_root)
    one_pass = _grads(ref_leaves)
    ref_inner = _grads([n for n in graph_nodes(ref_root) if not n.is_leaf()])
    assert lines > 50
    for k in range(1, lines + 1):
        leaves, root = build()
        root.backward()                    # an earlier pass: intermediates and leaves are not 0
        inner = [n for n in graph_nodes(root) if not n.is_leaf()]
        leaves_before, inner_before = _grads(leaves), _grads(inner)
        with detect_anomaly() if anomaly else _nothing():
            with pytest.raises(KeyboardInterrupt):
                _run_traced(root, stop_at=k)
        assert lock_is_free(), k
        every = graph_nodes(root)
        assert all(_is_number(n.grad) for n in every), (k, [n.grad for n in every])
        untouched = _grads(inner) == inner_before and _grads(leaves) == leaves_before
        if not untouched:
            # the intermediates read 0
            assert all(g == 0 if not isinstance(g, list) else all(x == 0 for x in g) for g in _grads(inner)), k
            if anomaly:
                assert _grads(leaves) == leaves_before, k
        # and a retry gives the right gradients: leaves get one more pass, intermediates one pass
        if not anomaly:
            for leaf in leaves:
                leaf.grad = 0
            leaves_before = _grads(leaves)
        with detect_anomaly() if anomaly else _nothing():
            root.backward()
        assert _grads(inner) == ref_inner, k
        for before, after, once in zip(leaves_before, _grads(leaves), one_pass):
            if isinstance(once, list):
                before = before if isinstance(before, list) else [before] * len(once)
                assert after == pytest.approx([x + y for x, y in zip(before, once)], rel=1e-12, abs=1e-15), k
            else:
                assert after == pytest.approx(before + once, rel=1e-12, abs=1e-15), k


def test_only_the_first_lines_leave_everything_untouched():
    # the "nothing changed" branch above is for a stop before backward() takes its lock:
    # from the first line inside it on, the intermediates read 0
    leaves, root = _scalar_graph()
    root.backward()
    with detect_anomaly():
        lines = _run_traced(root)
    untouched = []
    for k in range(1, lines + 1):
        leaves, root = _scalar_graph()
        root.backward()
        before = _grads(graph_nodes(root))
        with detect_anomaly():
            with pytest.raises(KeyboardInterrupt):
                _run_traced(root, stop_at=k)
        if _grads(graph_nodes(root)) == before:
            untouched.append(k)
    assert lock_is_free()
    assert untouched == list(range(1, len(untouched) + 1)) and len(untouched) <= 10, untouched


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_ctrl_c_while_the_leaves_gradients_are_noted_leaves_no_marker(monkeypatch):
    # the report's window: under detect_anomaly() backward() notes the leaves' gradients
    # (parents_of over the whole order) after the marking walk; a Ctrl-C there left every
    # intermediate's .grad at the walk's marker [] and root.grad at 1.0
    backward_module = importlib.import_module('autograd.backward')
    leaves, root = _scalar_graph()
    calls = []

    def interrupted(node):
        calls.append(node)
        raise KeyboardInterrupt
    monkeypatch.setattr(backward_module, 'parents_of', interrupted)
    with detect_anomaly():
        with pytest.raises(KeyboardInterrupt):
            root.backward()
    monkeypatch.undo()
    assert calls                       # the window was reached
    inner = [n for n in graph_nodes(root) if not n.is_leaf()]
    assert [n.grad for n in inner] == [0] * len(inner)
    assert [n.grad + 1 for n in inner] == [1] * len(inner)
    assert [leaf.grad for leaf in leaves] == [0, 0, 0]
    with detect_anomaly():
        root.backward()
    ref_leaves, ref_root = _scalar_graph()
    ref_root.backward()
    assert [leaf.grad for leaf in leaves] == [leaf.grad for leaf in ref_leaves]


def test_a_second_ctrl_c_during_the_clean_up_does_not_cut_it_short(monkeypatch):
    # (a trace hook that raises is switched off by Python, so these two are injected by
    # wrapping the functions: the first Ctrl-C as the marking walk returns, the second in
    # the clean-up's walk over the graph)
    backward_module = importlib.import_module('autograd.backward')
    walk, order_of = backward_module._order_marking_grads, backward_module.topological_order
    raised = []

    def walk_then_interrupt(root):
        walk(root)
        raised.append('first')
        raise KeyboardInterrupt

    def interrupted_once(root):
        if len(raised) == 1:
            raised.append('second')
            raise KeyboardInterrupt
        return order_of(root)
    leaves, root = _scalar_graph()
    root.backward()
    monkeypatch.setattr(backward_module, '_order_marking_grads', walk_then_interrupt)
    monkeypatch.setattr(backward_module, 'topological_order', interrupted_once)
    with detect_anomaly():
        with pytest.raises(KeyboardInterrupt):
            root.backward()
    monkeypatch.undo()
    assert raised == ['first', 'second']
    inner = [n for n in graph_nodes(root) if not n.is_leaf()]
    assert [n.grad for n in inner] == [0] * len(inner)
    ref_leaves, ref_root = _scalar_graph()
    ref_root.backward()
    assert [leaf.grad for leaf in leaves] == [leaf.grad for leaf in ref_leaves]

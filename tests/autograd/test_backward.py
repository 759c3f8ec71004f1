"""backward(): order, accumulation semantics, deep and wide graphs, reuse."""
import math
import random
import sys

import pytest

from autograd import Value, graph_nodes, topological_order


def test_reused_nodes():
    a = Value(3.0)
    b = a + a
    c = b * b
    c.backward()
    # c = (2a)^2 = 4a^2, dc/da = 8a
    assert c.data == 36.0 and a.grad == 24.0 and b.grad == 12.0


def test_backward_twice_doubles_leaves_and_keeps_intermediates():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c.tanh()
    d.backward()
    first = (a.grad, b.grad, c.grad, d.grad)
    d.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert (c.grad, d.grad) == first[2:]
    assert d.grad == 1


def test_backward_on_a_leaf_accumulates_one():
    a = Value(5.0)
    a.backward()
    a.backward()
    assert a.grad == 2


def test_graph_survives_backward():
    a = Value(2.0)
    c = a * a + 1
    c.backward()
    assert c.parents[0].parents == (a, a)
    c.backward()
    assert a.grad == 8.0


def test_topological_order_puts_every_node_before_its_inputs():
    rng = random.Random(0)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(5)]
    nodes = list(xs)
    for _ in range(60):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a + b, a * b, (a * b).tanh()]))
    order = topological_order(nodes[-1])
    position = {id(n): i for i, n in enumerate(order)}
    assert order[0] is nodes[-1] and len(position) == len(order)
    for n in order:
        for p in n.parents:
            if not p.is_leaf():
                assert position[id(p)] > position[id(n)]
    everything = graph_nodes(nodes[-1])
    assert everything[:len(order)] == order
    assert all(n.is_leaf() for n in everything[len(order):])


def test_chain_of_a_million_steps():
    x0 = Value(1.0)
    x = x0
    for _ in range(1_000_000):
        x = x * 1.0000001 + 0.0000001
    x.backward()
    assert x0.grad == pytest.approx(1.0000001 ** 1_000_000, rel=1e-9)


def test_builtin_sum_of_a_million_terms():
    rng = random.Random(1)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(1_000_000)]
    s = sum(x * (i % 7) for i, x in enumerate(xs))
    s.backward()
    assert [xs[i].grad for i in (0, 1, 6, 999_999)] == [0, 1, 6, 999_999 % 7]


def test_wide_shared_subexpression():
    a = Value(0.5)
    t = a.tanh()
    total = sum(t * k for k in range(1, 101))      # t used 100 times
    total.backward()
    assert a.grad == pytest.approx(5050 * (1 - math.tanh(0.5) ** 2), rel=1e-12)


def _interrupt_after(function_name, lines):
    """a tracer that raises KeyboardInterrupt on the `lines`-th line run inside function_name."""
    count = [0]

    def local(frame, event, arg):
        if event == 'line':
            count[0] += 1
            if count[0] == lines:
                raise KeyboardInterrupt
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_name == function_name else None
    return tracer


@pytest.mark.parametrize('where', ['_order_marking_grads', '_backward_locked'])
def test_an_interrupted_backward_leaves_numbers_in_every_grad(where):
    # backward() marks the nodes it visits in .grad; Ctrl-C half-way must not leave a marker
    def build():
        a, b = Value(0.5, label='a'), Value(-1.5, label='b')
        h = a * b
        for _ in range(30):
            h = (h + a).tanh() * b
        return a, b, h
    a, b, out = build()
    out.backward()
    sys.settrace(_interrupt_after(where, 40))
    try:
        with pytest.raises(KeyboardInterrupt):
            out.backward()
    finally:
        sys.settrace(None)
    nodes = graph_nodes(out)
    assert all(isinstance(n.grad, (int, float)) for n in nodes)
    # and the graph still backpropagates correctly: intermediates as one pass, leaves as three
    a2, b2, out2 = build()
    out2.backward()
    leaf_grads = (a.grad, b.grad)
    out.backward()
    for n, n2 in zip(graph_nodes(out), graph_nodes(out2)):
        if not n.is_leaf():
            assert n.grad == n2.grad
    assert a.grad - leaf_grads[0] == pytest.approx(a2.grad, rel=1e-12)
    assert b.grad - leaf_grads[1] == pytest.approx(b2.grad, rel=1e-12)


def test_an_anomaly_half_way_leaves_numbers_in_every_grad():
    from autograd import detect_anomaly
    x, w = Value(0.0, label='x'), Value(0.3, label='w')
    deep = ((w * 2).tanh() * 3).tanh()
    y = deep + x ** 0.5             # d sqrt(x)/dx is inf at 0, met before deep's inner nodes
    with detect_anomaly():
        with pytest.raises(FloatingPointError):
            y.backward()
    assert all(isinstance(n.grad, (int, float)) for n in graph_nodes(y))

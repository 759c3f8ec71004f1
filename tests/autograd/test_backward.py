"""backward(): order, accumulation semantics, deep and wide graphs, reuse."""
import math
import random

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

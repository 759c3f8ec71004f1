"""The stepper: one edge per step, undo, sums equal to backward(), REPL text; trace and tree."""
import random

import pytest

from autograd import Value, grad, step, trace, tree


def random_graph(seed):
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), 'x%d' % i) for i in range(rng.randint(1, 4))]
    nodes = list(xs)
    for _ in range(rng.randint(2, 30)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([lambda: a + b, lambda: a * b, lambda: (a * 0.5).tanh(), lambda: a - b * 2,
                                 lambda: a.relu(), lambda: (a * a + 1).log()])())
    return xs, nodes[-1]


@pytest.mark.parametrize("seed", range(40))
def test_after_run_every_gradient_equals_backward(seed):
    xs, root = random_graph(seed)
    stepper = step(root).run()
    root.backward()          # the leaves start at 0 here, as the stepper's do
    for node in [root] + xs:
        assert stepper.grad(node) == node.grad
    assert len(stepper.steps) == len(stepper)


def test_step_text_and_fields():
    a, b = Value(2.0, 'a'), Value(3.0, 'b')
    c = a * b; c.label = 'c'
    L = c + 1.0; L.label = 'L'
    s = step(L)
    first = s.next()
    assert (first.node, first.parent, first.local, first.upstream, first.contribution) == (L, c, 1, 1, 1)
    second = s.next()
    # d(a*b)/da = b = 3.0; dL/dc = 1; so dL/da gets 3.0
    assert str(second) == "dL/da += dc/da * dL/dc = 3.0 * 1 = 3.0   (a.grad 0 -> 3.0)"
    assert (second.local, second.upstream, second.contribution, second.before, second.after) == (3.0, 1, 3.0, 0, 3.0)


def test_prev_undoes_reset_restarts_and_repr_says_where():
    a = Value(2.0, 'a')
    c = a * a; c.label = 'c'
    s = step(c)
    assert repr(s) == "<Stepper step 0 of 2, at the start: dc/dc = 1; gradients so far: c=1>"
    s.next(); s.next()
    assert s.grad(a) == 4.0 and "step 2 of 2 (finished)" in repr(s) and s.next() is None
    undone = s.prev()
    assert undone.number == 2 and s.grad(a) == 2.0 and "step 1 of 2" in repr(s)
    s.prev()
    assert a not in s.grads and s.prev() is None
    s.run().reset()
    assert s.grads == {c: 1} and s.position == 0


def test_stepping_does_not_disturb_the_graph():
    xs, root = random_graph(7)
    expected = grad(root, xs)
    s = step(root).run()
    s.prev(); s.prev()
    assert all(x.grad == 0 for x in xs)
    root.backward()
    assert [x.grad for x in xs] == expected


def test_draw_at_a_moment_marks_done_and_current_edges():
    a, b = Value(2.0, 'a'), Value(3.0, 'b')
    L = (a * b).tanh(); L.label = 'L'
    s = step(L)
    s.next(); s.next()
    dot = s.draw().source
    assert dot.count('penwidth=3') == 1 and dot.count('penwidth=2') == 1     # current, done
    assert 'step 2 of 3' in dot and 'grad -' in dot          # b has no gradient yet


def test_trace_lines():
    a, b = Value(2.0, 'a'), Value(-3.0, 'b')
    c = a * b; c.label = 'c'
    d = c.tanh(); d.label = 'd'
    assert trace(d) == ["c = a * b = 2.0 * -3.0 = -6.0", "d = tanh(c) = tanh(-6.0) = -1.0"]


def test_tree_has_data_and_grad_on_every_line():
    a = Value(2.0, 'a')
    c = a * a + 1; c.label = 'c'
    c.backward()
    text = tree(c)
    assert text.splitlines()[0] == "c = +   data 5.0   grad 1"
    assert "constant 1" in text and text.count("a   data 2.0   grad 4.0") == 2
    assert all("data" in line for line in text.splitlines() if "constant" not in line)


def test_step_rejects_a_non_value():
    with pytest.raises(TypeError, match="expected a Value"):
        step(3.0)

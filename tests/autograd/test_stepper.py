"""The stepper: one edge per step, undo, sums equal to backward(), REPL text; trace and tree."""
import random

import pytest

from autograd import Value, graph_nodes, grad, step, trace, tree


def random_graph(seed):
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), 'x%d' % i) for i in range(rng.randint(1, 4))]
    nodes = list(xs)
    for _ in range(rng.randint(2, 30)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([lambda: a + b, lambda: a * b, lambda: (a * 0.5).tanh(), lambda: a - b * 2,
                                 lambda: a.relu(), lambda: (a * a + 1).log()])())
    return xs, nodes[-1]


def snapshot(nodes):
    return [(n.grad, type(n.grad)) for n in nodes]


@pytest.mark.parametrize("seed", range(40))
def test_after_run_every_grad_is_what_backward_gives(seed):
    xs, root = random_graph(seed)
    nodes = graph_nodes(root)
    for x in xs:                        # leaves keep what they had accumulated, as in backward()
        x.grad = 0.25
    before = snapshot(nodes)
    stepper = step(root).run()
    stepped = snapshot(nodes)
    stepper.reset()
    assert snapshot(nodes) == before    # reset(): every gradient exactly as before step()
    root.backward()
    assert stepped == snapshot(nodes)   # .run(): every .grad exactly backward()'s, type included
    assert [repr(g) for g, _ in stepped] == [repr(n.grad) for n in nodes]     # -0.0 included
    assert len(stepper.steps) == 0 and stepper.position == 0


@pytest.mark.parametrize("seed", range(40))
def test_prev_after_any_next_is_the_identity(seed):
    xs, root = random_graph(seed)
    nodes = graph_nodes(root)
    rng = random.Random(seed)
    s = step(root)
    for _ in range(rng.randint(0, len(s))):
        s.next()
    here, position = snapshot(nodes), s.position
    if s.next() is not None:
        s.prev()
    assert snapshot(nodes) == here and s.position == position


@pytest.mark.parametrize("seed", range(20))
def test_step_text_before_and_after_is_what_grad_held(seed):
    xs, root = random_graph(seed)
    s = step(root)
    while True:
        before = {id(n): n.grad for n in graph_nodes(root)}
        st = s.next()
        if st is None:
            break
        assert st.before == before[id(st.parent)] and st.after == st.parent.grad
        assert st.upstream == st.node.grad and st.contribution == st.local * st.upstream


def test_step_text_and_fields():
    a, b = Value(2.0, 'a'), Value(3.0, 'b')
    c = a * b; c.label = 'c'
    L = c + 1.0; L.label = 'L'
    s = step(L)
    assert (L.grad, c.grad, a.grad) == (1, 0, 0)           # backward()'s starting state
    first = s.next()
    assert (first.node, first.parent, first.local, first.upstream, first.contribution) == (L, c, 1, 1, 1)
    # at the root the local factor and the gradients are told apart: ∂L/∂c is the op's, .grad the sums
    assert str(first) == "c.grad += ∂L/∂c · L.grad = 1 · 1.0 = 1.0   (c.grad 0 -> 1.0)"
    second = s.next()
    # d(a*b)/da = b = 3.0; c.grad = 1; so a.grad gets 3.0, on the node itself
    assert str(second) == "a.grad += ∂c/∂a · c.grad = 3.0 · 1.0 = 3.0   (a.grad 0 -> 3.0)"
    assert (second.local, second.upstream, second.contribution, second.before, second.after) == (3.0, 1, 3.0, 0, 3.0)
    assert a.grad == 3.0 and b.grad == 0 and c.grad == 1
    assert repr(second) == "<Step 2: %s>" % second


def test_names_with_dots_are_bracketed_inside_the_local_derivative():
    w = Value(0.5, 'L1.n1.w1'); x = Value(2.0, 'x1')
    z = w * x; z.label = 'L1.n1.z'
    s = step(z)
    assert str(s.next()) == "L1.n1.w1.grad += ∂(L1.n1.z)/∂(L1.n1.w1) · L1.n1.z.grad = 2.0 · 1.0 = 2.0   " \
                            "(L1.n1.w1.grad 0 -> 2.0)"


def test_prev_undoes_reset_restores_and_repr_says_where():
    a = Value(2.0, 'a')
    a.grad = 10.0                        # accumulated earlier
    c = a * a; c.label = 'c'
    c.grad = 7                           # stale, from some earlier pass
    s = step(c)
    assert repr(s) == "<Stepper step 0 of 2, at the start: c.grad = 1.0; gradients so far: a=10.0, c=1.0>"
    s.next(); s.next()
    assert a.grad == 14.0 and "step 2 of 2 (finished)" in repr(s) and s.next() is None
    undone = s.prev()
    assert undone.number == 2 and a.grad == 12.0 and "step 1 of 2" in repr(s)
    s.prev()
    assert a.grad == 10.0 and s.prev() is None
    s.run().reset()
    assert (a.grad, c.grad) == (10.0, 7) and s.position == 0 and "not started" in repr(s)
    s.next()                             # starts again from backward()'s state
    assert (a.grad, c.grad) == (12.0, 1)


def test_prev_restores_the_exact_float_without_drift():
    x = Value(0.1, 'x')
    y = x * 0.7 + x * 0.2 + x * 0.3
    s = step(y)
    s.run()
    for _ in range(len(s)):
        s.prev()
    assert x.grad == 0 and type(x.grad) is int


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
    assert text.splitlines()[0] == "c = +   data 5.0   grad 1.0"
    assert "constant 1" in text and text.count("a   data 2.0   grad 4.0") == 2
    assert all("data" in line for line in text.splitlines() if "constant" not in line)


def test_step_rejects_a_non_value():
    with pytest.raises(TypeError, match="expected a Value"):
        step(3.0)


def chain(n):
    x = Value(1.0, 'x')
    y = x
    for _ in range(n):
        y = y * 1.0
    return y


def test_tree_grows_linearly_with_depth_and_says_where_it_stops_indenting():
    sizes = [len(tree(chain(n), max_lines=None)) for n in (2000, 4000)]
    # one line a node, and the indentation stops growing at MAX_INDENT levels: twice the nodes, twice the text
    assert sizes[1] < 2.1 * sizes[0] and sizes[1] < 4000 * 100
    lines = tree(chain(40), max_lines=None).splitlines()
    from autograd.text import MAX_INDENT
    # each node's first input is the next product (├─), its second the constant 1.0 (└─, listed later)
    assert lines[1] == '├─ t39 = *   data 1.0   grad 0' and lines[2] == '│  ├─ t38 = *   data 1.0   grad 0'
    assert lines[MAX_INDENT].startswith('│  ' * (MAX_INDENT - 1) + '├─ ')
    assert lines[MAX_INDENT + 1].startswith('[depth %d] ├─ t%d' % (MAX_INDENT + 1, 40 - MAX_INDENT - 1))


def test_tree_of_a_huge_graph_is_cut_with_a_note():
    text = tree(chain(16000))
    lines = text.splitlines()
    assert len(lines) == 2001 and lines[-1] == ("... cut at 2000 lines; the graph has 16001 nodes "
                                                "(tree(root, max_lines=None) shows all)")


def test_tree_marks_the_current_step():
    a = Value(2.0, 'a'); b = Value(3.0, 'b')
    c = a * b; c.label = 'c'
    s = step(c)
    s.next()
    text = tree(c, s.grads, mark=s)
    assert "c = *   data 6.0   grad 1.0   ◀ passing gradient to a" in text
    assert "a   data 2.0   grad 3.0   ◀ receiving gradient from c (step 1)" in text
    assert "b   data 3.0   grad -" in text and text.count('◀') == 2


def test_views_name_the_function_given_a_wrong_type():
    for f, name in ((trace, 'trace'), (tree, 'tree'), (step, 'step')):
        with pytest.raises(TypeError, match=r"%s: expected a Value, got NoneType None" % name):
            f(None)


def test_a_negative_zero_gradient_is_shown_as_backward_gives_it():
    x = Value(-1.0, 'x')
    t = x * 1.0; t.label = 't'
    L = t.relu() * -1.0; L.label = 'L'     # t.grad = relu'(-1) * (-1.0) = 0 * -1.0 = -0.0, by hand
    step(L).run()
    stepped = repr(t.grad)
    L.backward()
    assert stepped == repr(t.grad) == '-0.0'

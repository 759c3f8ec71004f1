"""step(root, forward=True): the forward pass, one operation node at a time, then the backward pass."""
import random
import re

import pytest

import nn
from autograd import Value, dot, draw, graph_nodes, step, to_dot, trace
from autograd.steps import Step

from .test_stepper import random_graph, snapshot


def evaluated_before_use(steps):
    """True where every forward step's operation inputs were computed by an earlier step (or are leaves)."""
    done = set()
    for s in steps:
        if any(p._a is not None and p not in done for p in s.node.parents):
            return False
        done.add(s.node)
    return True


@pytest.mark.parametrize("seed", range(30))
def test_forward_steps_come_first_in_evaluation_order_one_per_operation(seed):
    xs, root = random_graph(seed)
    ops = [n for n in graph_nodes(root) if n._a is not None]
    s = step(root, forward=True)
    assert s.forward_count == len(ops) and len(s) == len(ops) + len(step(root).edges)
    forward = [s.next() for _ in range(len(ops))]
    assert all(f.phase == 'forward' for f in forward)
    assert {id(f.node) for f in forward} == {id(n) for n in ops} and len(forward) == len(ops)
    assert evaluated_before_use(forward)
    assert [f.number for f in forward] == list(range(1, len(ops) + 1))
    assert [str(f) for f in forward] == trace(root)                 # each line as trace() writes it
    rest = s.next()
    if rest is not None:
        assert rest.phase == 'backward' and rest.number == len(ops) + 1 and rest.node is root


def test_the_checker_of_evaluation_order_can_fail():
    a = Value(1.0)
    b = a * 2
    c = b + 1
    late = Step(1, c, None, None, None, None, None, None, c.data, 'c', 'c', None, phase='forward', equation='')
    early = Step(2, b, None, None, None, None, None, None, b.data, 'c', 'b', None, phase='forward', equation='')
    assert not evaluated_before_use([late, early]) and evaluated_before_use([early, late])


@pytest.mark.parametrize("seed", range(30))
def test_no_gradient_moves_in_the_forward_pass_and_the_end_is_backward(seed):
    xs, root = random_graph(seed)
    nodes = graph_nodes(root)
    for x in xs:
        x.grad = 0.25                      # accumulated earlier: kept, as backward() keeps it
    before = snapshot(nodes)
    s = step(root, forward=True)
    assert snapshot(nodes) == before and s.grads == {} and s.phase == 'forward'
    for _ in range(s.forward_count):
        s.next()
        assert snapshot(nodes) == before and s.grads == {}
    s.run()
    stepped = snapshot(nodes)
    s.reset()
    assert snapshot(nodes) == before
    root.backward()
    assert stepped == snapshot(nodes)


@pytest.mark.parametrize("seed", range(30))
def test_prev_and_reset_across_the_boundary(seed):
    xs, root = random_graph(seed)
    nodes = graph_nodes(root)
    for x in xs:
        x.grad = -1.5
    before = snapshot(nodes)
    s = step(root, forward=True)
    n = s.forward_count
    for _ in range(n + 1):
        s.next()                           # the first backward step: gradients set, root 1
    assert s.phase == 'backward' and s.grads
    s.prev()                               # back into the forward pass: every gradient as before
    assert snapshot(nodes) == before and s.grads == {} and s.phase == 'forward' and s.position == n
    assert set(s.values) == set(nodes)     # every value computed by now
    s.prev()
    assert root not in s.values and s.position == n - 1
    rng = random.Random(seed)
    s.reset()
    for _ in range(rng.randint(0, len(s))):
        s.next()
    here, position = snapshot(nodes), s.position
    if s.next() is not None:
        s.prev()
    assert snapshot(nodes) == here and s.position == position
    s.reset()
    assert snapshot(nodes) == before and s.position == 0 and s.phase == 'forward'
    assert all(node._a is None for node in s.values)


def test_values_show_a_dash_until_computed_in_drawings():
    a = Value(2.0, label='a'); b = Value(-3.0, label='b')
    c = a * b; c.label = 'c'
    d = c + a; d.label = 'd'
    s = step(d, forward=True)
    text = to_dot(d, **s.dot_options())
    assert 'c|data -|grad -' in text and 'd|data -|grad -' in text and 'a|data 2.0|grad -' in text
    first = s.next()
    assert str(first) == 'c = a * b = 2.0 * -3.0 = -6.0' and first.after == -6.0
    text = to_dot(d, **s.dot_options())
    assert 'c|data -6.0|grad -' in text and 'd|data -|grad -' in text
    assert re.search(r'n\d+ \[shape=record[^\n]*label="\{c\|data -6.0[^\n]*penwidth=3', text)   # c outlined
    assert str(s.next()) == 'd = c + a = -6.0 + 2.0 = -4.0'
    assert s.where() == 'step 2 of 6 (forward), last: d computed'
    s.next()
    assert s.phase == 'backward' and 'd|data -4.0|grad 1' in to_dot(d, **s.dot_options())
    assert draw(d, **s.dot_options()) is not None


def test_a_neurons_forward_step_reads_like_the_articles():
    model = nn.MLP(2, [3, 1], seed=5)
    x = [0.5, -1.0]
    out = model(x)
    loss = nn.half_squared_error(out, 1.0)
    s = step(loss, forward=True)
    first = s.next()
    neuron = model.layers[0].neurons[0]
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data      # by hand
    assert re.fullmatch(r'L1\.n1\.z = L1\.n1\.w · x \+ L1\.n1\.b = (\S+)', str(first))
    assert float(str(first).rsplit('= ', 1)[1]) == pytest.approx(z, rel=1e-3)
    assert first.node_name == 'L1.n1.z' and first.parent is None and first.local is None
    assert 'L1.n1.z' in first.mathml() and first._repr_latex_().startswith(r'$$\mathrm{L1.n1.z} = \mathrm{L1.n1.w} \cdot')
    kinds = [s.next() for _ in range(s.forward_count - 1)]
    assert kinds[0].node_name == 'L1.n1.a' and str(kinds[0]).startswith('L1.n1.a = relu(L1.n1.z) = relu(')


def test_forward_must_be_a_bool():
    with pytest.raises(TypeError, match=r"step: forward must be True or False, got 'yes'"):
        step(Value(1.0) * 2, forward='yes')
    with pytest.raises(TypeError, match=r"step: forward must be True or False, got 1"):
        step(Value(1.0) * 2, forward=1)


def test_a_leaf_root_has_no_forward_step():
    a = Value(3.0)
    s = step(a, forward=True)
    assert s.forward_count == 0 and s.phase == 'backward' and len(s) == 0
    assert s.next() is None


def test_lanes_forward_step_shows_the_samples_lane():
    np = pytest.importorskip('numpy')
    from autograd.lanes import Lanes
    x = Lanes(np.array([1.0, 2.0, 3.0]), label='x')
    w = Value(0.5, label='w')
    y = x * w; y.label = 'y'
    s = step(y, sample=2, forward=True)
    assert str(s.next()) == '[sample 2] y = x * w = 3.0 * 0.5 = 1.5'


def test_a_forward_step_is_typeset_in_a_notebook():
    a = Value(2.0, label='a'); b = Value(-3.0, label='b')
    c = a * b; c.label = 'c'
    L = (c + 1.5).tanh(); L.label = 'L'
    s = step(L, forward=True)
    first, second, third = s.next(), s.next(), s.next()
    mi = '<mi mathvariant="normal">%s</mi>'.__mod__
    # c = a · b = 2.0 · -3.0 = -6.0, the new value marked under it (written out by hand)
    assert first._repr_html_() == (
        '<math display="block" class="step forward"><mrow><mrow>%s</mrow><mo>=</mo><mrow>%s<mo>·</mo>%s</mrow>'
        '<mo>=</mo><mrow><mn>2.0</mn><mo>·</mo><mn>-3.0</mn></mrow><mo>=</mo><munder><mrow><mn>-6.0</mn></mrow>'
        '<mtext mathsize="70%%">new</mtext></munder></mrow></math>' % (mi('c'), mi('a'), mi('b')))
    assert first._repr_latex_() == (r'$$\mathrm{c} = \mathrm{a} \cdot \mathrm{b} = 2.0 \cdot -3.0 = '
                                    r'\underbrace{-6.0}_{\text{new}}$$')
    assert '<mi mathvariant="normal">c</mi><mo>+</mo><mn>1.5</mn>' in second._repr_html_()       # a constant
    assert third._repr_latex_() == (r'$$\mathrm{L} = \operatorname{tanh} \left( \mathrm{t1} \right) = '
                                    r'\operatorname{tanh} \left( -4.5 \right) = \underbrace{-0.9998}_{\text{new}}$$')
    # a neuron: z = w · x + b, as vectors
    w = [Value(0.5, label='w1'), Value(-1.0, label='w2')]; x = [Value(2.0, label='x1'), Value(3.0, label='x2')]
    z = dot(w, x, Value(0.1, label='b')); z.label = 'z'
    neuron = step(z, forward=True).next()
    assert str(neuron) == 'z = w · x + b = -1.9'
    assert neuron._repr_latex_() == r'$$\mathrm{z} = \mathrm{w} \cdot \mathrm{x} + \mathrm{b} = \underbrace{-1.9}_{\text{new}}$$'
    # names that make no vector: every term with its numbers
    p, q = Value(2.0, label='p'), Value(-1.0, label='q')
    odd = dot([p, q], [Value(3.0, label='r'), 4.0]); odd.label = 'o'
    line = step(odd, forward=True).next()
    assert str(line) == 'o = p · r + q · 4.0 = 2.0 · 3.0 + -1.0 · 4.0 = 2.0'
    assert ('<mrow>%s<mo>·</mo>%s<mo>+</mo>%s<mo>·</mo><mn>4.0</mn></mrow>' % (mi('p'), mi('r'), mi('q'))
            in line._repr_html_())
    # the typeset forms say what the line says: every token, in order (spaces aside; * typeset as ·)
    for one in (first, second, third, neuron, line):
        words = re.sub(r'<[^>]+>', ' ', one._repr_html_()).split()
        assert words[-1] == 'new' and ''.join(words[:-1]) == str(one).replace(' ', '').replace('*', '·')


def test_a_forward_step_in_a_lane_graph_says_whose_lane():
    np = pytest.importorskip('numpy')
    from autograd.lanes import Lanes
    x = Lanes(np.array([1.0, 2.0, 3.0]), label='x')
    w = Value(0.5, label='w')
    y = x * w; y.label = 'y'
    shown = step(y, sample=2, forward=True).next()._repr_html_()
    assert shown.startswith('<div class="step-sample">[sample 2] </div>') and '<mn>3.0</mn><mo>·</mo><mn>0.5</mn>' in shown


def test_a_forward_steps_latex_writes_fractions_as_fractions_and_anything_else_as_text():
    from fractions import Fraction
    from autograd.notation import _tex_text
    a = Value(Fraction(1, 3), label='a'); b = Value(Fraction(2, 7), label='b')
    c = a * b; c.label = 'c'
    assert step(c, forward=True).next()._repr_latex_() == (
        r'$$\mathrm{c} = \mathrm{a} \cdot \mathrm{b} = \tfrac{1}{3} \cdot \tfrac{2}{7} = \underbrace{\tfrac{2}{21}}_{\text{new}}$$')
    assert _tex_text('-2.5e-07') == '-2.5e-07' and _tex_text('-43/300 ~ -0.1433') == r'-\tfrac{43}{300}'
    assert _tex_text('[0.5, -1.0, … 100 samples]') == r'\text{[0.5, -1.0, … 100 samples]}'
    assert _tex_text('a_b%{x}') == r'\text{a\_b\%\{x\}}'

"""A dot node (z = w · x + b, one node with 2n + 1 inputs) in every view: the stepper's
text, MathML and LaTeX, trace, tree, the DOT drawing, the explorer page in a real
Chromium, the terminal stepper and the notebook reprs. Every expected string is
worked out by hand in the comments beside it."""
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
from fractions import Fraction as F

import pytest

from autograd import Value, dot, explore, graph_nodes, record_scopes, step, to_dot, trace, tree
from autograd.notation import ParamName
from autograd.render import dot_layout
from autograd.scope import scope

# the explorer's browser, page helpers and screenshot folder (not tests: nothing is collected twice)
from tests.autograd.test_explore import browser, open_page, page_data, shot  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAVE_DOT = shutil.which('dot') is not None


def P(value, name):
    """a parameter, named as nn names it."""
    return Value(value, ParamName(name))


def first_layer():
    """a first-layer neuron's pre-activation, times 3.0:
    z = b + w1 x1 + w2 x2 = 0.25 + 0.5 * 4.0 + (-2.0) * 1.5 = 0.25 + 2.0 - 3.0 = -0.75; L = 3.0 z = -2.25."""
    w1, w2, b = P(0.5, 'L1.n3.w1'), P(-2.0, 'L1.n3.w2'), P(0.25, 'L1.n3.b')
    x1, x2 = Value(4.0, 'x1'), Value(1.5, 'x2')
    z = dot([w1, w2], [x1, x2], b); z.label = 'L1.n3.z'
    L = z * 3.0; L.label = 'L'
    return L, z


def hidden_exact():
    """a second-layer neuron, exact, with a constant weight (7) and a constant input (2):
    z = 1/5 + (1/2)(3/4) + (-1/3)(6) + 5 * 2 + 7 (1/10) = 1/5 + 3/8 - 2 + 10 + 7/10 = 371/40;
    L = 3 z = 1113/40. Its parents, in order: w1, w2, w3, a1, a2, a3, b."""
    w1, w2, w3 = P(F(1, 2), 'L2.n6.w1'), P(F(-1, 3), 'L2.n6.w2'), P(F(5), 'L2.n6.w3')
    a1, a2, a3 = Value(F(3, 4), 'L1.n1.a'), Value(F(6), 'L1.n2.a'), Value(F(1, 10), 'L1.n3.a')
    b = P(F(1, 5), 'L2.n6.b')
    z = dot([w1, w2, w3, 7], [a1, a2, 2, a3], b); z.label = 'L2.n6.z'
    L = z * 3; L.label = 'L'
    return L, z


# ------------------------------------------------------------------ step text

def test_float_step_text_names_each_local_derivative():
    L, z = first_layer()
    assert z.data == -0.75 and L.data == -2.25
    texts = [str(s) for s in step(L).run().steps]
    assert texts == [
        # d(3.0 z)/dz = 3.0, times L.grad 1.0
        "L1.n3.z.grad += ∂L/∂(L1.n3.z) · L.grad = 3.0 · 1.0 = 3.0   (L1.n3.z.grad 0 -> 3.0)",
        # toward w_i: x_i (4.0, 1.5), times z.grad 3.0
        "L1.n3.w1.grad += ∂(L1.n3.z)/∂(L1.n3.w1) · L1.n3.z.grad = x1 · L1.n3.z.grad = 4.0 · 3.0 = 12.0"
        "   (L1.n3.w1.grad 0 -> 12.0)",
        "L1.n3.w2.grad += ∂(L1.n3.z)/∂(L1.n3.w2) · L1.n3.z.grad = x2 · L1.n3.z.grad = 1.5 · 3.0 = 4.5"
        "   (L1.n3.w2.grad 0 -> 4.5)",
        # toward x_i: w_i (0.5, -2.0)
        "x1.grad += ∂(L1.n3.z)/∂x1 · L1.n3.z.grad = L1.n3.w1 · L1.n3.z.grad = 0.5 · 3.0 = 1.5   (x1.grad 0 -> 1.5)",
        "x2.grad += ∂(L1.n3.z)/∂x2 · L1.n3.z.grad = L1.n3.w2 · L1.n3.z.grad = -2.0 · 3.0 = -6.0   (x2.grad 0 -> -6.0)",
        # toward b: 1
        "L1.n3.b.grad += ∂(L1.n3.z)/∂(L1.n3.b) · L1.n3.z.grad = 1 · L1.n3.z.grad = 1 · 3.0 = 3.0"
        "   (L1.n3.b.grad 0 -> 3.0)",
    ]


def test_exact_step_text_with_constant_operands():
    L, z = hidden_exact()
    assert z.data == F(371, 40) and L.data == F(1113, 40)
    s = step(L).run()
    assert [st.slot for st in s.steps[1:]] == list(range(7))       # the dot's 7 edges: its parents 0..6
    assert [str(st) for st in s.steps] == [
        "L2.n6.z.grad += ∂L/∂(L2.n6.z) · L.grad = 3 · 1 = 3   (L2.n6.z.grad 0 -> 3)",
        # toward w1: x1 = L1.n1.a = 3/4; 3/4 · 3 = 9/4
        "L2.n6.w1.grad += ∂(L2.n6.z)/∂(L2.n6.w1) · L2.n6.z.grad = L1.n1.a · L2.n6.z.grad = 3/4 ~ 0.75 · 3 = "
        "9/4 ~ 2.25   (L2.n6.w1.grad 0 -> 9/4 ~ 2.25)",
        # toward w2: L1.n2.a = 6; 6 · 3 = 18
        "L2.n6.w2.grad += ∂(L2.n6.z)/∂(L2.n6.w2) · L2.n6.z.grad = L1.n2.a · L2.n6.z.grad = 6 · 3 = 18"
        "   (L2.n6.w2.grad 0 -> 18)",
        # toward w3: its input is the constant 2, named by its number
        "L2.n6.w3.grad += ∂(L2.n6.z)/∂(L2.n6.w3) · L2.n6.z.grad = 2 · L2.n6.z.grad = 2 · 3 = 6   (L2.n6.w3.grad 0 -> 6)",
        # toward a1: w1 = 1/2; toward a2: w2 = -1/3, -1/3 · 3 = -1
        "L1.n1.a.grad += ∂(L2.n6.z)/∂(L1.n1.a) · L2.n6.z.grad = L2.n6.w1 · L2.n6.z.grad = 1/2 ~ 0.5 · 3 = "
        "3/2 ~ 1.5   (L1.n1.a.grad 0 -> 3/2 ~ 1.5)",
        "L1.n2.a.grad += ∂(L2.n6.z)/∂(L1.n2.a) · L2.n6.z.grad = L2.n6.w2 · L2.n6.z.grad = -1/3 ~ -0.3333 · 3 = -1"
        "   (L1.n2.a.grad 0 -> -1)",
        # toward a3: its weight is the constant 7
        "L1.n3.a.grad += ∂(L2.n6.z)/∂(L1.n3.a) · L2.n6.z.grad = 7 · L2.n6.z.grad = 7 · 3 = 21   (L1.n3.a.grad 0 -> 21)",
        "L2.n6.b.grad += ∂(L2.n6.z)/∂(L2.n6.b) · L2.n6.z.grad = 1 · L2.n6.z.grad = 1 · 3 = 3   (L2.n6.b.grad 0 -> 3)",
    ]
    assert [type(st.contribution) for st in s.steps[1:]] == [F, F, int, F, F, int, int]    # exact all along


def test_step_mathml_and_latex_name_the_local_derivative():
    L, _ = hidden_exact()
    s = step(L)
    s.next()
    w1 = s.next()                          # L2.n6.w1 <- z: x1 = L1.n1.a = 3/4
    grad_z = ('<mrow><mi mathvariant="normal">L2.n6.z</mi><mo lspace="0" rspace="0">.</mo>'
              '<mi mathvariant="normal">grad</mi></mrow>')
    m = w1.mathml()
    assert ('</munder><mo>·</mo>%s<mo>=</mo><mi mathvariant="normal">L1.n1.a</mi><mo>·</mo>%s'
            '<mo>=</mo><mn>3/4 ~ 0.75</mn><mo>·</mo><mn>3</mn><mo>=</mo><mn>9/4 ~ 2.25</mn>' % (grad_z, grad_z)) in m
    assert w1._repr_html_() == m
    assert w1._repr_latex_() == (r'$$\mathrm{L2.n6.w1}.\mathrm{grad} \mathrel{+}= \underbrace{\frac{\partial '
                                 r'\mathrm{L2.n6.z}}{\partial \mathrm{L2.n6.w1}}}_{\text{local}} \cdot '
                                 r'\mathrm{L2.n6.z}.\mathrm{grad} = \mathrm{L1.n1.a} \cdot \mathrm{L2.n6.z}.\mathrm{grad}'
                                 r' = \tfrac{3}{4} \cdot 3 = \tfrac{9}{4}$$')
    s.next()
    w3 = s.next()                          # L2.n6.w3 <- z: the constant 2, a number
    assert '<mo>=</mo><mn>2</mn><mo>·</mo>%s<mo>=</mo><mn>2</mn><mo>·</mo><mn>3</mn>' % grad_z in w3.mathml()
    assert r'\mathrm{L2.n6.z}.\mathrm{grad} = 2 \cdot \mathrm{L2.n6.z}.\mathrm{grad} = 2 \cdot 3 = 6$$' in w3._repr_latex_()


def test_a_binary_steps_text_has_no_partner():
    a, b = Value(2.0, 'a'), Value(3.0, 'b')
    c = a * b; c.label = 'c'
    s = step(c)
    first = s.next()
    assert first.partner is None and str(first) == "a.grad += ∂c/∂a · c.grad = 3.0 · 1.0 = 3.0   (a.grad 0 -> 3.0)"
    assert '<mi mathvariant="normal">b</mi>' not in first.mathml()


# ------------------------------------------------------------------ the stepper equals backward()

def random_graph(seed, exact):
    """dots (with repeated operands, constants, with and without a bias) mixed with binary and unary ops."""
    rng = random.Random(seed)

    def number():
        return F(rng.randint(-9, 9), rng.randint(1, 4)) if exact else rng.uniform(-1.5, 1.5)
    leaves = [Value(number(), 'v%d' % i) for i in range(rng.randint(1, 4))]
    nodes = list(leaves)
    for _ in range(rng.randint(2, 14)):
        def operand():
            return rng.choice(nodes) if rng.random() < 0.8 else number()
        kind = rng.choice(['dot', 'dot', 'dot', '+', '*', '-', 'unary'])
        a, b = rng.choice(nodes), rng.choice(nodes)
        if kind == 'dot':
            n = rng.randint(1, 5)
            ws, xs = [operand() for _ in range(n)], [operand() for _ in range(n)]
            ws[rng.randrange(n)] = a                   # at least one Value among the operands
            node = dot(ws, xs, rng.choice([None, operand(), operand()]))
        elif kind == '+':
            node = a + b
        elif kind == '*':
            node = a * b
        elif kind == '-':
            node = a - b * 2
        else:
            node = a.relu() if exact else (a * 0.5).tanh()
        nodes.append(node)
    return leaves, nodes[-1]


def snapshot(nodes):
    return [(n.grad, type(n.grad), repr(n.grad)) for n in nodes]     # repr: -0.0 is not 0.0


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_run_gives_exactly_backwards_gradients_and_prev_undoes_exactly(seed, exact):
    leaves, root = random_graph(seed, exact)
    nodes = graph_nodes(root)
    for x in leaves:                       # leaves keep what they had accumulated, as in backward()
        x.grad = F(1, 4) if exact else 0.25
    before = snapshot(nodes)
    s = step(root)
    start = snapshot(nodes)
    rng = random.Random(seed)
    for _ in range(rng.randint(0, len(s))):
        s.next()
    here, position = snapshot(nodes), s.position
    if s.next() is not None:
        s.prev()
    assert snapshot(nodes) == here and s.position == position           # prev() after next(): the identity
    s.run()
    stepped = snapshot(nodes)
    while s.prev() is not None:
        pass
    assert snapshot(nodes) == start                                     # every step undone, exactly
    s.reset()
    assert snapshot(nodes) == before
    root.backward()
    assert stepped == snapshot(nodes)                                   # .run() == backward(), type and sign of 0


def test_the_random_graphs_hold_dots_with_constants_repeats_and_no_bias():
    # the test above is only as good as its graphs: they must hold the cases that matter
    seen = set()
    for seed in range(30):
        for exact in (False, True):
            for node in graph_nodes(random_graph(seed, exact)[1]):
                if node.op == 'dot':
                    ws, xs, b = node.dot_operands
                    seen.add('dot')
                    seen.add('constant' if not all(isinstance(o, Value) for o in ws + xs) else 'values')
                    seen.add('no bias' if b is None else 'bias')
                    seen.add('repeat' if len(set(map(id, node.parents))) < len(node.parents) else 'distinct')
                elif node.op:
                    seen.add('binary or unary')
    assert seen == {'dot', 'constant', 'values', 'no bias', 'bias', 'repeat', 'distinct', 'binary or unary'}


# ------------------------------------------------------------------ trace and tree

def test_trace_writes_a_neuron_as_vectors():
    L, _ = first_layer()
    assert trace(L) == ["L1.n3.z = L1.n3.w · x + L1.n3.b = -0.75", "L = L1.n3.z * 3.0 = -0.75 * 3.0 = -2.25"]
    # a second layer: its inputs are the first layer's activations, listed; no bias
    z = dot([P(0.5, 'L2.n1.w1'), P(0.25, 'L2.n1.w2')], [Value(2.0, 'L1.n1.a'), Value(4.0, 'L1.n2.a')])
    z.label = 'L2.n1.z'                                  # 0.5 * 2.0 + 0.25 * 4.0 = 2.0
    assert trace(z) == ["L2.n1.z = L2.n1.w · (L1.n1.a, L1.n2.a) = 2.0"]
    # four inputs: the first and the last
    z = dot([P(1.0, 'L2.n1.w%d' % i) for i in range(1, 5)], [Value(0.5, 'L1.n%d.a' % i) for i in range(1, 5)],
            P(0.0, 'L2.n1.b'))
    z.label = 'L2.n1.z'                                  # 4 * 0.5 = 2.0
    assert trace(z) == ["L2.n1.z = L2.n1.w · (L1.n1.a, …, L1.n4.a) + L2.n1.b = 2.0"]
    # constant inputs, a constant bias: 1.0 + 0.5 * 2.0 - 1.0 * 3.0 = -1.0
    z = dot([Value(0.5, 'w1'), Value(-1.0, 'w2')], [2.0, 3.0], 1.0); z.label = 'z'
    assert trace(z) == ["z = w · (2.0, 3.0) + 1.0 = -1.0"]


def test_trace_writes_other_dots_term_by_term():
    a, b, c, d, e = (Value(v, name) for v, name in ((2.0, 'a'), (-1.0, 'b'), (3.0, 'c'), (4.0, 'd'), (0.5, 'e')))
    t = dot([a, b], [c, d], e); t.label = 't'          # 0.5 + 6.0 - 4.0 = 2.5
    assert trace(t) == ["t = a · c + b · d + e = 2.0 · 3.0 + -1.0 · 4.0 + 0.5 = 2.5"]
    # a constant among the weights breaks the vector: written out, past 3 terms with a count, exact
    L, _ = hidden_exact()
    assert trace(L) == [
        "L2.n6.z = L2.n6.w1 · L1.n1.a + L2.n6.w2 · L1.n2.a + L2.n6.w3 · 2 + … (1 more term) + L2.n6.b"
        " = 1/2 ~ 0.5 · 3/4 ~ 0.75 + -1/3 ~ -0.3333 · 6 + 5 · 2 + … (1 more term) + 1/5 ~ 0.2 = 371/40 ~ 9.275",
        "L = L2.n6.z * 3 = 371/40 ~ 9.275 * 3 = 1113/40 ~ 27.82"]


def test_tree_shows_the_dot_and_its_inputs_in_place():
    L, _ = hidden_exact()
    L.backward()
    # gradients by hand: the contributions of the step test above
    assert tree(L).splitlines() == [
        "L = *   data 1113/40 ~ 27.82   grad 1",
        "├─ L2.n6.z = dot: w · x + b   data 371/40 ~ 9.275   grad 3",
        "│  ├─ L2.n6.w1   data 1/2 ~ 0.5   grad 9/4 ~ 2.25",
        "│  ├─ L2.n6.w2   data -1/3 ~ -0.3333   grad 18",
        "│  ├─ L2.n6.w3   data 5   grad 6",
        "│  ├─ w_4: constant 7",
        "│  ├─ x_1: L1.n1.a   data 3/4 ~ 0.75   grad 3/2 ~ 1.5",
        "│  ├─ x_2: L1.n2.a   data 6   grad -1",
        "│  ├─ x_3: constant 2",
        "│  ├─ x_4: L1.n3.a   data 1/10 ~ 0.1   grad 21",
        "│  └─ L2.n6.b   data 1/5 ~ 0.2   grad 3",
        "└─ constant 3",
    ]


def test_tree_marks_a_dot_step_and_drops_b_without_a_bias():
    w, x = Value(2.0, 'w'), Value(3.0, 'x')
    z = dot([w], [x]); z.label = 'z'
    s = step(z)
    s.next()
    assert tree(z, s.grads, mark=s).splitlines() == [
        "z = dot: w · x   data 6.0   grad 1.0   ◀ passing gradient to w",
        "├─ w_1: w   data 2.0   grad 3.0   ◀ receiving gradient from z (step 1)",
        "└─ x_1: x   data 3.0   grad -"]


# ------------------------------------------------------------------ drawings

def test_dot_text_labels_the_ellipse_and_each_edge_with_its_local_derivative_in_words():
    L, z = hidden_exact()
    text, ids, _ = dot_layout(L, element_ids=True)
    k = ids[z][1:]
    assert '%sop [shape=ellipse, label="w · x + b", id="%sop"];' % (ids[z], ids[z]) in text
    edges = {line.split(' [')[0].strip(): line for line in text.splitlines() if '-> %sop [' % ids[z] in line}
    tips = {
        # parent: (its slot, the edge's label, its tooltip), worked out as in the step test
        'L2.n6.w1': (0, '3/4 ~ 0.75', '∂(L2.n6.z)/∂(L2.n6.w1) = L1.n1.a = 3/4 ~ 0.75'),
        'L2.n6.w2': (1, '6', '∂(L2.n6.z)/∂(L2.n6.w2) = L1.n2.a = 6'),
        'L2.n6.w3': (2, '2', '∂(L2.n6.z)/∂(L2.n6.w3) = x_3 = 2'),
        'L1.n1.a': (3, '1/2 ~ 0.5', '∂(L2.n6.z)/∂(L1.n1.a) = L2.n6.w1 = 1/2 ~ 0.5'),
        'L1.n2.a': (4, '-1/3 ~ -0.3333', '∂(L2.n6.z)/∂(L1.n2.a) = L2.n6.w2 = -1/3 ~ -0.3333'),
        'L1.n3.a': (5, '7', '∂(L2.n6.z)/∂(L1.n3.a) = w_4 = 7'),
        'L2.n6.b': (6, '1', '∂(L2.n6.z)/∂(L2.n6.b) = 1'),
    }
    by_name = {v.label: v for v in ids}
    for name, (slot, label, tip) in tips.items():
        line = edges['%s -> %sop' % (ids[by_name[name]], ids[z])]
        assert line.endswith('[label="%s", tooltip="%s", labeltooltip="%s", id="e%s_%d"];' % (label, tip, tip, k, slot))
    assert len([line for line in edges.values() if 'dashed' not in line]) == 7       # and the constants' two
    # the constants 7 (the 4th operand, w_4) and 2 (the 7th, x_3): dashed boxes numbered by their place
    assert '%sc3 [shape=box, style="filled,rounded", fillcolor="#e9ecef", label="7", id="%sc3"];' % (ids[z], ids[z]) in text
    assert '%sc6 [shape=box, style="filled,rounded", fillcolor="#e9ecef", label="2", id="%sc6"];' % (ids[z], ids[z]) in text
    assert '%sc3 -> %sop [style=dashed, id="c%s_3"];' % (ids[z], ids[z], k) in text
    element_ids = re.findall(r'id="([^"]+)"', text)
    assert len(element_ids) == len(set(element_ids)) and {'e%s_%d' % (k, j) for j in range(7)} <= set(element_ids)


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz dot program is not installed")
def test_the_svg_shows_the_tooltip_on_hover_and_the_png_renders(tmp_path):
    from autograd import draw
    L, z = first_layer()
    svg = draw(L).pipe(format='svg').decode('utf-8')
    # Graphviz writes a tooltip as the title of a link round the edge and its label: what a browser shows on hover
    assert svg.count('xlink:title="∂(L1.n3.z)/∂(L1.n3.w2) = x2 = 1.5"') == 2
    assert 'xlink:title="∂(L1.n3.z)/∂x2 = L1.n3.w2 = &#45;2.0"' in svg or \
        'xlink:title="∂(L1.n3.z)/∂x2 = L1.n3.w2 = -2.0"' in svg
    assert '>w · x + b</text>' in svg
    path = draw(L).render(str(tmp_path / 'neuron'), format='png', cleanup=True)
    assert os.path.getsize(path) > 1000


def test_stepper_drawing_marks_the_current_dot_edge():
    L, z = hidden_exact()
    s = step(L)
    for _ in range(4):                       # the 4th step: z -> L2.n6.w3, the dot's edge 2
        s.next()
    text = s.draw().source
    assert s.steps[-1].slot == 2 and text.count('penwidth=3') == 1 and text.count('penwidth=2') == 3
    current = next(line for line in text.splitlines() if 'penwidth=3' in line)
    assert 'tooltip="∂(L2.n6.z)/∂(L2.n6.w3) = x_3 = 2"' in current


# ------------------------------------------------------------------ lanes: a batch through a dot

def test_on_lanes_the_step_into_a_weight_is_the_sum_over_the_samples():
    np = pytest.importorskip('numpy')
    from autograd.lanes import Lanes
    w1, w2, b = Value(0.5, 'w1'), Value(-2.0, 'w2'), Value(0.25, 'b')
    x1 = Lanes(np.array([1.0, 2.0, 3.0]), label='x1')
    x2 = Lanes(np.array([-1.0, 0.5, 4.0]), label='x2')
    z = dot([w1, w2], [x1, x2], b); z.label = 'z'
    L = (z * z).sum(); L.label = 'L'
    # z = 0.25 + 0.5 x1 - 2 x2 = [0.25 + 0.5 + 2, 0.25 + 1 - 1, 0.25 + 1.5 - 8] = [2.75, 0.25, -6.25]
    # z.grad = 2 z = [5.5, 0.5, -12.5]
    assert z.data.tolist() == [2.75, 0.25, -6.25]
    s = step(L)
    texts = {st.parent_name: str(st) for st in s.run().steps}
    # into w1: Σ_i x1[i] z.grad[i] = 1 * 5.5 + 2 * 0.5 + 3 * -12.5 = 5.5 + 1.0 - 37.5 = -31.0
    assert texts['w1'] == ("w1.grad += Σ_i ∂z/∂w1[i] · z.grad[i] = Σ_i x1[i] · z.grad[i] = 5.5 + 1.0 + -37.5 = -31.0"
                           "   (w1.grad 0 -> -31.0)")
    # into b: Σ_i 1 · z.grad[i] = 5.5 + 0.5 - 12.5 = -6.5
    assert texts['b'] == "b.grad += Σ_i ∂z/∂b[i] · z.grad[i] = Σ_i 1 · z.grad[i] = 5.5 + 0.5 + -12.5 = -6.5   (b.grad 0 -> -6.5)"
    # into a lane input: sample 0's own step, w1 · z.grad[0] = 0.5 · 5.5
    assert texts['x1'] == "[sample 0] x1.grad += ∂z/∂x1 · z.grad = w1 · z.grad = 0.5 · 5.5 = 2.75   (x1.grad 0 -> 2.75)"
    stepped = [(n.grad.tolist() if hasattr(n.grad, 'tolist') else n.grad) for n in (w1, w2, b, x1, x2)]
    s.reset()
    L.backward()
    assert stepped == [(n.grad.tolist() if hasattr(n.grad, 'tolist') else n.grad) for n in (w1, w2, b, x1, x2)]
    assert trace(L)[0] == "z = w · x + b = [2.75, 0.25, -6.25]"
    # the drawing at sample 1: the sum on the edge into w1, x1's lane 2.0 as sample 1's slope
    assert 'tooltip="∂z/∂w1 = x1 = Σ over 3 samples (sample 1: 2.0)"' in to_dot(L, sample=1)


# ------------------------------------------------------------------ the terminal stepper and notebooks

def test_the_terminal_stepper_steps_through_a_dot(tmp_path):
    expression = "w = [Value(0.5), Value(-1.0)]; x = [Value(2.0), 3.0]; b = Value(0.1); z = dot(w, x, b); z * 2.0"
    out = subprocess.run([sys.executable, '-m', 'autograd', 'step', expression, '--out', str(tmp_path)],
                         input="n\nn\nn\nn\nn\nt\nq\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    # z = 0.1 + 0.5 * 2.0 - 1.0 * 3.0 = -1.9; L = 2.0 z; the list elements are named w1, w2, x1
    assert "5 chain-rule steps" in text
    assert "z.grad += ∂L/∂z · L.grad = 2.0 · 1.0 = 2.0   (z.grad 0 -> 2.0)" in text
    assert "w1.grad += ∂z/∂w1 · z.grad = x1 · z.grad = 2.0 · 2.0 = 4.0   (w1.grad 0 -> 4.0)" in text
    assert "w2.grad += ∂z/∂w2 · z.grad = 3.0 · z.grad = 3.0 · 2.0 = 6.0   (w2.grad 0 -> 6.0)" in text
    assert "x1.grad += ∂z/∂x1 · z.grad = w1 · z.grad = 0.5 · 2.0 = 1.0   (x1.grad 0 -> 1.0)" in text
    assert "b.grad += ∂z/∂b · z.grad = 1 · z.grad = 1 · 2.0 = 2.0   (b.grad 0 -> 2.0)" in text
    assert "z = dot: w · x + b   data -1.9   grad 2.0" in text and "x_2: constant 3.0" in text


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz dot program is not installed")
def test_notebook_reprs_show_a_dot_graph():
    L, z = first_layer()
    bundle = L._repr_mimebundle_()
    fitted = bundle['text/html'].split('</details>')[-1]     # the drawing at the cell's width (natural size above it)
    assert fitted.count('<svg') == 1 and '>w · x + b</text>' in fitted
    assert 'xlink:title="∂(L1.n3.z)/∂(L1.n3.w1) = x1 = 4.0"' in bundle['text/html']
    s = step(L)
    s.next(); s.next()
    frame = s._repr_html_()                 # the explorer page, inline, opening at step 2: z -> w1
    assert frame.startswith('<iframe srcdoc="') and s.position == 2
    page = html.unescape(frame.split('srcdoc="')[1].split('" style=')[0])
    data = json.loads(page.split('const D = ')[1].split(';\n')[0])
    assert data['at'] == 2 and data['steps'][1]['t'] == (
        "L1.n3.w1.grad += ∂(L1.n3.z)/∂(L1.n3.w1) · L1.n3.z.grad = x1 · L1.n3.z.grad = 4.0 · 3.0 = 12.0"
        "   (L1.n3.w1.grad 0 -> 12.0)")


# ------------------------------------------------------------------ the explorer page, in Chromium

def hand_mlp():
    """MLP(2, [2, 1]) with each neuron one dot node, weights chosen so the numbers can be
    worked by hand; L1.n2's bias is the constant -1.0. x = (1.0, 2.0), target 1.0:
      L1.n1: z = 0.5 + 0.5 * 1.0 - 0.25 * 2.0 = 0.5, a = relu = 0.5
      L1.n2: z = -1.0 + 1.0 * 1.0 + 1.0 * 2.0 = 2.0, a = 2.0
      o = 0.25 + 2.0 * 0.5 - 1.0 * 2.0 = -0.75; loss = (o - 1.0)^2 = 3.0625
    backward: t1 = o - 1.0 = -1.75, loss.grad 1.0 -> t1.grad = 2 t1 = -3.5 -> o.grad = -3.5;
      L2.n1.w1 gets x1 · o.grad = L1.n1.a · o.grad = 0.5 · -3.5 = -1.75;
      L1.n1.a gets w1 · o.grad = L2.n1.w1 · o.grad = 2.0 · -3.5 = -7.0."""
    x = [Value(1.0, 'x1'), Value(2.0, 'x2')]
    layer1 = [([0.5, -0.25], 0.5), ([1.0, 1.0], None)]
    with record_scopes() as scopes:
        with scope('L1'):
            hidden = []
            for j, (ws, b) in enumerate(layer1, 1):
                with scope('L1.n%d' % j):
                    w = [P(v, 'L1.n%d.w%d' % (j, i)) for i, v in enumerate(ws, 1)]
                    z = dot(w, x, P(b, 'L1.n%d.b' % j) if b is not None else -1.0); z.label = 'L1.n%d.z' % j
                    a = z.relu(); a.label = 'L1.n%d.a' % j
                    hidden.append(a)
        with scope('L2'), scope('L2.n1'):
            o = dot([P(2.0, 'L2.n1.w1'), P(-1.0, 'L2.n1.w2')], hidden, P(0.25, 'L2.n1.b')); o.label = 'o'
        loss = (o - 1.0) ** 2; loss.label = 'loss'
    return loss, scopes


def seed_fused():
    """the seed articles' model (one ReLU neuron over 3 inputs, no bias, exact, ReLU'(0) = 1)
    as ONE dot node, on the sample (0, 2000, 3000) with target 1:
    z = 0 · 1/200 + 2000 · (-3/11600) + 3000 · 1/5800 = -6000/11600 + 6000/11600 = 0; o = relu(0) = 0;
    Loss = 1/2 (o - 1)^2, so o.grad = o - 1 = -1 and z.grad = 1 · -1 = -1 (ReLU'(0) = 1);
    w2 gets x2 · z.grad = 2000 · -1 = -2000."""
    import nn
    from demos.seed_worked_example import seed_model
    model = seed_model()
    x = [Value(v, 'x%d' % i) for i, v in enumerate((0, 2000, 3000), 1)]
    z = dot(model.w, x); z.label = 'z'
    o = z.relu(model.grad_at_zero); o.label = 'o'
    loss = nn.half_squared_error(o, 1); loss.label = 'loss'
    return loss


def go_to(page, start):
    """go to the step whose text starts with `start`; returns its number."""
    k = page.evaluate("start => D.steps.findIndex(s => s.t.startsWith(start)) + 1", start)
    assert k > 0, start
    page.evaluate('k => explorer.go(k)', k)
    page.wait_for_timeout(50)
    return k


def readable_and_clear(page):
    """the current step's two boxes and its edge's number: inside the view, text >= 10 px high,
    and nothing over them (the element at each one's centre is it or a part of it)."""
    return page.evaluate('''() => {
      const s = D.steps[explorer.step - 1], v = document.getElementById('graph').getBoundingClientRect();
      const parts = [s.n, s.p].map(id => document.getElementById(id))
                    .concat([document.getElementById(s.e).querySelector('text')]);
      return parts.map(g => { const r = g.getBoundingClientRect(), t = (g.querySelector('text') || g).getBoundingClientRect(),
                                    hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return {text: g.textContent.trim().slice(0, 40), height: t.height,
                inside: r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom,
                clear: hit !== null && (hit === g || g.contains(hit))}; }); }''')


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz dot program is not installed")
@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768)])
def test_the_explorer_steps_through_a_fused_mlp_in_chromium(browser, tmp_path, width, height):  # noqa: F811
    loss, scopes = hand_mlp()
    assert loss.data == 3.0625
    path = explore(loss, str(tmp_path / 'fused'), clusters=scopes)
    page, requests, errors = open_page(browser, path, width, height)
    n = page.evaluate('D.steps.length')
    assert n == len(step(loss))
    go_to(page, 'L2.n1.w1.grad')
    assert page.inner_text('#eqtext') == ("L2.n1.w1.grad += ∂o/∂(L2.n1.w1) · o.grad = L1.n1.a · o.grad = 0.5 · -3.5 = -1.75 "
                                          "(L2.n1.w1.grad 0 -> -1.75)")
    assert '=L1.n1.a·o.grad=0.5·-3.5=-1.75' in page.locator('#math').text_content()     # the MathML
    for part in readable_and_clear(page):
        assert part['inside'] and part['clear'] and part['height'] >= 10, part
    current = page.evaluate("document.querySelector('.edge.current').id")
    o_id = page.evaluate("Object.keys(D.nodes).find(id => D.nodes[id].name === 'o')")
    assert current == 'e%s_0' % o_id[1:]                     # o's edge 0: its first weight
    shot(page, 'explorer_dot_weight_%dx%d.png' % (width, height))
    go_to(page, 'L1.n1.a.grad')
    assert page.inner_text('#eqtext') == ("L1.n1.a.grad += ∂o/∂(L1.n1.a) · o.grad = L2.n1.w1 · o.grad = 2.0 · -3.5 = -7.0 "
                                          "(L1.n1.a.grad 0 -> -7.0)")
    for part in readable_and_clear(page):
        assert part['inside'] and part['clear'] and part['height'] >= 10, part
    shot(page, 'explorer_dot_input_%dx%d.png' % (width, height))
    page.keyboard.press('End')
    assert page.inner_text('#counter') == 'step %d of %d' % (n, n)
    assert requests == [] and errors == []


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz dot program is not installed")
def test_the_explorer_panel_hover_and_folding_with_dot_nodes(browser, tmp_path):  # noqa: F811
    loss, scopes = hand_mlp()
    page, _, errors = open_page(browser, explore(loss, str(tmp_path / 'fused'), clusters=scopes))
    go_to(page, 'L2.n1.w1.grad')
    # the node's panel: its formula, and each local derivative with what it is (by hand, see hand_mlp)
    o_id = page.evaluate("Object.keys(D.nodes).find(id => D.nodes[id].name === 'o')")
    page.hover('#%s' % o_id)
    text = page.inner_text('#info')
    assert 'made by dot; dot: z = w · x + b' in text and 'data\t-0.75' in text
    for row in ('∂o/∂(L2.n1.w1) = L1.n1.a (local)\t0.5', '∂o/∂(L2.n1.w2) = L1.n2.a (local)\t2.0',
                '∂o/∂(L1.n1.a) = L2.n1.w1 (local)\t2.0', '∂o/∂(L1.n2.a) = L2.n1.w2 (local)\t-1.0',
                '∂o/∂(L2.n1.b) = 1 (local)\t1'):
        assert row in text, row
    # the panel stands on the other side of the view from the node it describes
    assert page.evaluate('''id => { const a = document.getElementById(id).getBoundingClientRect(),
                                         b = document.getElementById('info').getBoundingClientRect();
                                     return a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top; }''',
                         o_id)
    # hovering an edge's number: its local derivative in words
    page.hover('#e%s_0 text' % o_id[1:])
    assert page.inner_text('#info') == ('o ← L2.n1.w1\nlocal derivative on this edge:\n'
                                        '∂o/∂(L2.n1.w1) = L1.n1.a = 0.5')
    # L1.n2's bias is the constant -1.0, its dot's 5th operand: the box n<k>c4, folded with L1 and back
    z2 = page.evaluate("Object.keys(D.nodes).find(id => D.nodes[id].name === 'L1.n2.z')")
    constant = page.locator('#%sc4' % z2)
    assert constant.locator('text').text_content() == '-1.0' and constant.is_visible()
    l1 = page.evaluate("D.clusters.find(c => c.name === 'L1').id")
    page.evaluate("id => explorer.toggleFold(id, true)", l1)
    assert not constant.is_visible() and not page.locator('#c%s_4' % z2[1:]).is_visible()
    page.evaluate("id => explorer.toggleFold(id, false)", l1)
    assert constant.is_visible()
    assert errors == []


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz dot program is not installed")
def test_the_seed_model_as_one_dot_node_in_chromium(browser, tmp_path):  # noqa: F811
    loss = seed_fused()
    path = explore(loss, str(tmp_path / 'seed'))
    _, data = page_data(path)
    assert [s['t'] for s in data['steps']].count('') == 0
    page, requests, errors = open_page(browser, path)
    go_to(page, 'w2.grad')
    assert page.inner_text('#eqtext') == "w2.grad += ∂z/∂w2 · z.grad = x2 · z.grad = 2000 · -1 = -2000 (w2.grad 0 -> -2000)"
    for part in readable_and_clear(page):
        assert part['inside'] and part['clear'] and part['height'] >= 10, part
    z_id = page.evaluate("Object.keys(D.nodes).find(id => D.nodes[id].name === 'z')")
    assert page.locator('#%sop text' % z_id).text_content() == 'w · x'      # no bias
    shot(page, 'explorer_seed_dot.png')
    assert requests == [] and errors == []

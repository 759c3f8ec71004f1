"""Names and notation (notation.py): one naming walk, its rules, and how a step is written."""
import re
from fractions import Fraction

import pytest

from autograd import Value, step, to_dot, topological_order, trace, tree
from autograd.notation import AutoName, Naming, autolabel, local_symbol, printable, step_latex, step_mathml


def test_labels_auto_names_and_short_names_in_evaluation_order():
    x = Value(1.0)                              # unlabelled leaf: v1
    w = autolabel(Value(2.0), 'w')              # a library name
    y = Value(3.0, 'y')                         # the user's label
    t = x * w                                   # t1
    u = t + y                                   # t2
    L = u.tanh(); L.label = 'L'
    naming = Naming(L)
    assert [naming[n] for n in naming.nodes] == ['v1', 'w', 't1', 'y', 't2', 'L']


def test_a_users_label_always_wins_and_auto_names_give_way_to_each_other():
    v = Value(1.0, 'mine')
    autolabel(v, 'x1')
    assert v.label == 'mine'
    v.label = ''
    autolabel(v, 'x1'); autolabel(v, 'x2')
    assert v.label == 'x2' and isinstance(v.label, AutoName)
    v.label = 'yours'
    assert v.label == 'yours' and not isinstance(v.label, AutoName)
    assert autolabel(3.0, 'x') == 3.0                      # not a Value: left alone


def test_an_auto_name_on_several_nodes_is_numbered_and_short_names_skip_labels_in_use():
    o1 = autolabel(Value(1.0) * 2, 'o')
    o2 = autolabel(Value(2.0) * 3, 'o')
    t1 = Value(5.0, 't1')                                  # the user took t1
    L = o1 + o2 + t1
    names = Naming(L).names
    assert names[o1] == 'o#1' and names[o2] == 'o#2' and names[t1] == 't1'
    assert sorted(n for n in names.values() if re.fullmatch(r't\d+', n)) == ['t1', 't2', 't3']
    assert names[L] == 't3'                                # t2 = o1 + o2, t3 = t2 + t1
    mine = Value(0.5, 'o')                                 # a user's 'o' keeps its name; the auto one is numbered
    names = Naming(mine * o1).names
    assert names[mine] == 'o' and names[o1] == 'o#1'


def test_names_are_the_same_in_every_run():
    def build():
        a = Value(1.0); b = Value(2.0, 'b')
        return ((a * b).tanh() + a * 3).relu()
    first, second = Naming(build()), Naming(build())
    assert [first[n] for n in first.nodes] == [second[n] for n in second.nodes]
    assert to_dot(build()) == to_dot(build())


@pytest.mark.parametrize("seed", range(20))
def test_the_naming_walks_edges_are_backwards_order(seed):
    import random
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    for _ in range(25):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a + b, a * b, (a * 0.3).tanh(), a - 2 * b]))
    root = nodes[-1]
    expected = [(n, slot, p, d) for n in topological_order(root)
                for slot, p, d in ((0, n._a, n._da), (1, n._b, n._db)) if d is not None]
    assert Naming(root).edges == expected


def test_every_view_uses_the_same_names():
    a = Value(2.0); b = autolabel(Value(-3.0), 'L1.n1.w1')
    c = a * b
    L = c.tanh()
    assert trace(L) == ['t1 = v1 * L1.n1.w1 = 2.0 * -3.0 = -6.0', 't2 = tanh(t1) = tanh(-6.0) = -1.0']
    assert '{t1|' in to_dot(L) and '{L1.n1.w1|' in to_dot(L) and '{v1|' in to_dot(L)
    assert 't2 = tanh' in tree(L) and 'L1.n1.w1   data -3.0' in tree(L)
    assert str(step(L).next()).startswith('t1.grad += ∂t2/∂t1 · t2.grad')


def test_local_symbol_brackets_names_that_are_not_plain():
    assert local_symbol('c', 'a') == '∂c/∂a'
    assert local_symbol('L1.n1.z', 'x1#2') == '∂(L1.n1.z)/∂(x1#2)'


def test_printable_shows_control_characters():
    assert printable('a\x1b[31mb\x00\n') == 'a\\x1b[31mb\\x00\\x0a'


def test_mathml_marks_the_local_factor_and_escapes_names():
    m = step_mathml('a<b', 'c', 3.0, 1, 3.0, 0, 3.0)
    assert m.startswith('<math display="block"') and '<mfrac>' in m and '>local</mtext>' in m
    assert 'a&lt;b' in m and 'a<b' not in m and '<mn>3.0</mn>' in m


def test_latex_is_balanced_and_typesets_fractions():
    tex = step_latex('L1.n1.w1', 'x#1', Fraction(1, 3), 1, Fraction(1, 3))
    assert tex.startswith('$$') and tex.endswith('$$') and tex.count('{') == tex.count('}')
    assert r'\frac{\partial \mathrm{x\#1}}{\partial \mathrm{L1.n1.w1}}' in tex and r'\tfrac{1}{3}' in tex
    assert r'\underbrace' in tex and r'\text{local}' in tex

"""Value itself: what it accepts, what it shows, exact arithmetic, micrograd compatibility."""
from fractions import Fraction

import pytest

from autograd import Value


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], True, False, object()])
def test_value_rejects_non_numbers_naming_the_type(bad):
    with pytest.raises(TypeError) as e:
        Value(bad)
    assert type(bad).__name__ in str(e.value)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int 5"):
        Value(1.0, label=5)
    v = Value(1.0) * 2
    with pytest.raises(TypeError, match="label"):
        v.label = None


def test_value_keeps_the_number_type():
    assert Value(3).data.__class__ is int
    assert Value(2.5).data.__class__ is float
    assert Value(Fraction(1, 3)).data == Fraction(1, 3)


def test_numpy_scalars_are_accepted_as_numbers():
    np = pytest.importorskip("numpy")
    assert Value(np.float64(1.5)).data == 1.5
    assert Value(np.int64(4)).data.__class__ is int
    assert (Value(1.0) * np.float32(2.0)).data == 2.0


def test_repr_shows_data_grad_and_label():
    a = Value(2.0, label='a')
    assert repr(a) == "Value(data=2.0, grad=0, label='a')"
    b = a * 3
    b.backward()
    # a float graph gets float gradients: d b/d b = 1.0, and d(a*3)/da = 3 times it
    assert repr(b) == "Value(data=6.0, grad=1.0)"
    assert repr(a) == "Value(data=2.0, grad=3.0, label='a')"


def test_public_attributes():
    a, b = Value(2.0, 'a'), Value(-3.0, 'b')
    c = a * b
    assert (c.op, c.parents, c.local_grads) == ('*', (a, b), (-3.0, 2.0))
    assert (a.op, a.parents, a.label) == ('', (), 'a')
    c.label = 'c'
    assert (c.label, c.op) == ('c', '*')
    c.label = ''
    assert (c.label, c.op) == ('', '*')
    d = a + 1
    assert d.parents == (a,) and d.operands == (a, 1)
    e = 2 ** a
    assert e.parents == (a,) and e.operands == (2, a)
    assert a.relu(grad_at_zero=1).parameter == 1


def test_a_plus_a_keeps_both_edges():
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a) and b.local_grads == (1, 1)


def test_micrograd_aliases_and_graph_code_run_unchanged():
    # micrograd's own trace(), written against _prev and _op
    def trace(root):
        nodes, edges = set(), set()
        stack = [root]
        while stack:
            v = stack.pop()
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    stack.append(child)
        return nodes, edges
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    nodes, edges = trace(y)
    assert len(nodes) == 4 and len(edges) == 3
    assert sorted(n._op for n in nodes) == ['', '*', '+', 'relu']


def test_micrograd_sanity_check_values():
    # micrograd's test_engine.py expressions; values checked by hand and published in its README
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0 and x.grad == 46.0

    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-9)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-9)


def test_comparisons_use_data_and_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and b >= 2.0
    assert max([a, b]) is b
    assert a != Value(1.0) and len({a, Value(1.0)}) == 2


# ------------------------------------------------------------------ exact arithmetic
def test_ints_and_fractions_stay_exact():
    a, b = Value(1), Value(3)
    c = a / b
    assert c.data == Fraction(1, 3) and isinstance(c.data, Fraction)
    d = (c - Fraction(1, 2)) * 6 + b ** -2
    d.backward()
    # d = 6a/b - 3 + 1/b^2;  dd/da = 6/b = 2;  dd/db = -6a/b^2 - 2/b^3 = -2/3 - 2/27 = -20/27
    assert d.data == Fraction(-8, 9)
    assert a.grad == 2 and b.grad == Fraction(-20, 27)
    assert isinstance(b.grad, Fraction)


def test_relu_of_exact_values_is_exact():
    x = Value(Fraction(-1, 3))
    y = x.relu()
    assert y.data == 0 and isinstance(y.data, Fraction)


def test_transcendental_ops_return_floats():
    for f in (lambda v: v.exp(), lambda v: v.log(), lambda v: v.tanh(), lambda v: v.sigmoid()):
        assert isinstance(f(Value(Fraction(1, 2))).data, float)


SEED_W = (Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800))
SEED_X3 = (0, 2000, 3000)


def seed_third_sample(numbers, grad_at_zero):
    """the seed articles' model on their third sample: relu(w . x), Loss = 1/2 (o3 - 1)^2."""
    w = [Value(numbers(v)) for v in SEED_W]
    o2 = w[0] * SEED_X3[0] + w[1] * SEED_X3[1] + w[2] * SEED_X3[2]
    o3 = o2.relu(grad_at_zero=grad_at_zero)
    loss = Fraction(1, 2) * (o3 - 1) ** 2
    loss.backward()
    return o2, loss, [v.grad for v in w]


def test_seed_example_third_sample_is_exact_with_fractions():
    # 2000 * -3000/11600000 + 3000/5800 = -30/58 + 30/58 = 0 exactly: relu sits on its kink,
    # the articles' ReLU passes the gradient there, so dL/dw = (o3 - y) x = -(0, 2000, 3000)
    o2, loss, grads = seed_third_sample(Fraction, grad_at_zero=1)
    assert o2.data == 0 and loss.data == Fraction(1, 2)
    assert grads == [0, -2000, -3000]


def test_seed_example_third_sample_in_floats_learns_nothing():
    o2, loss, grads = seed_third_sample(float, grad_at_zero=1)
    assert o2.data == pytest.approx(-1.1e-16, abs=1e-17) and o2.data < 0
    assert grads == [0, 0, 0]


def test_seed_example_third_sample_with_pytorch_relu_convention_learns_nothing():
    o2, loss, grads = seed_third_sample(Fraction, grad_at_zero=0)
    assert grads == [0, 0, 0]

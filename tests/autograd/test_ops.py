"""Every op's value and local derivative: against formulas derived by hand, and
against central differences of an independent plain-math reference (hypothesis)."""
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, OPS
from autograd import ops as opsmod

# ------------------------------------------------------------------ by hand
# (expression, inputs, expected value, expected d/d input for each input), derived on paper
HAND = [
    ("a + b", lambda a, b: a + b, (2.0, -3.0), -1.0, (1, 1)),
    ("a - b", lambda a, b: a - b, (2.0, -3.0), 5.0, (1, -1)),
    ("a * b", lambda a, b: a * b, (2.0, -3.0), -6.0, (-3.0, 2.0)),
    ("a / b", lambda a, b: a / b, (3.0, 4.0), 0.75, (0.25, -3.0 / 16)),
    ("a ** 2", lambda a: a ** 2, (3.0,), 9.0, (6.0,)),
    ("a ** -1", lambda a: a ** -1, (2.0,), 0.5, (-0.25,)),
    ("a ** 0.5", lambda a: a ** 0.5, (4.0,), 2.0, (0.25,)),
    ("a ** 0", lambda a: a ** 0, (0.0,), 1.0, (0,)),
    ("a ** b", lambda a, b: a ** b, (2.0, 3.0), 8.0, (12.0, 8 * math.log(2))),
    ("2 ** a", lambda a: 2 ** a, (3.0,), 8.0, (8 * math.log(2),)),
    ("3 - a", lambda a: 3 - a, (1.0,), 2.0, (-1,)),
    ("6 / a", lambda a: 6 / a, (2.0,), 3.0, (-1.5,)),
    ("-a", lambda a: -a, (2.5,), -2.5, (-1,)),
    ("exp(a)", lambda a: a.exp(), (1.0,), math.e, (math.e,)),
    ("log(a)", lambda a: a.log(), (2.0,), math.log(2), (0.5,)),
    ("tanh(a)", lambda a: a.tanh(), (0.5,), math.tanh(0.5), (1 - math.tanh(0.5) ** 2,)),
    ("sigmoid(0)", lambda a: a.sigmoid(), (0.0,), 0.5, (0.25,)),
    ("relu(-2)", lambda a: a.relu(), (-2.0,), 0.0, (0,)),
    ("relu(3)", lambda a: a.relu(), (3.0,), 3.0, (1,)),
    ("relu(0)", lambda a: a.relu(), (0.0,), 0.0, (0,)),
    ("relu(0) seed convention", lambda a: a.relu(grad_at_zero=1), (0.0,), 0.0, (1,)),
]


@pytest.mark.parametrize("name,f,inputs,value,grads", HAND, ids=[h[0] for h in HAND])
def test_value_and_derivative_by_hand(name, f, inputs, value, grads):
    xs = [Value(x) for x in inputs]
    out = f(*xs)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-15, abs=1e-15)
    for x, g in zip(xs, grads):
        assert x.grad == pytest.approx(g, rel=1e-15, abs=1e-15)


def test_sigmoid_is_stable_at_the_extremes():
    lo, hi = Value(-1000.0).sigmoid(), Value(1000.0).sigmoid()
    assert lo.data == 0.0 and hi.data == 1.0
    assert Value(-30.0).sigmoid().data == pytest.approx(1 / (1 + math.exp(30)), rel=1e-12)


def test_relu_passes_nan_through():
    assert math.isnan(Value(math.nan).relu().data)


def test_every_op_has_a_formula_and_appears_once():
    assert set(OPS) == {'+', '-', '*', '/', '**', 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'sum', 'dot'}
    for op in OPS.values():
        assert op.formula.startswith(op.name) or op.name in op.formula


@pytest.mark.parametrize("a,b", [(2.0, -3.0), (0.5, 0.25), (Fraction(1, 3), Fraction(-2, 7)), (3, 4)])
def test_fast_path_records_what_the_table_says(a, b):
    # + and * between Values are written out in value.py for speed; they must match ops.py
    for op, out in ((OPS['+'], Value(a) + Value(b)), (OPS['*'], Value(a) * Value(b))):
        assert out.data == op.forward(a, b)
        assert out.local_grads == tuple(op.local(a, b, out.data))
        assert out.op == op.name


# ------------------------------------------------------------------ central differences
# An independent reference for each op in plain math, and a domain away from kinks and poles.
def away_from(points, lo, hi, gap=1e-2):
    return st.floats(lo, hi).filter(lambda x: all(abs(x - p) > gap for p in points))


ANY = away_from([], -3, 3)
POS = st.floats(0.1, 5)
NONZERO = away_from([0], -3, 3, gap=0.2)

NUMERIC = [
    ("+", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    ("-", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    ("*", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    ("/", lambda a, b: a / b, lambda a, b: a / b, (ANY, NONZERO)),
    ("** const", lambda a: a ** 3, lambda a: a ** 3, (ANY,)),
    ("** frac", lambda a: a ** 1.5, lambda a: a ** 1.5, (POS,)),
    ("** value", lambda a, b: a ** b, lambda a, b: a ** b, (POS, ANY)),
    ("rpow", lambda a: 1.7 ** a, lambda a: 1.7 ** a, (ANY,)),
    ("rsub", lambda a: 2 - a, lambda a: 2 - a, (ANY,)),
    ("rdiv", lambda a: 2 / a, lambda a: 2 / a, (NONZERO,)),
    ("exp", lambda a: a.exp(), math.exp, (ANY,)),
    ("log", lambda a: a.log(), math.log, (POS,)),
    ("tanh", lambda a: a.tanh(), math.tanh, (ANY,)),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), (ANY,)),
    ("relu", lambda a: a.relu(), lambda a: max(a, 0.0), (away_from([0], -3, 3),)),
]


def central_difference(f, xs, i, eps=1e-6):
    up = list(xs); up[i] += eps
    down = list(xs); down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


@pytest.mark.parametrize("name,engine,reference,domains", NUMERIC, ids=[n[0] for n in NUMERIC])
def test_derivative_against_central_differences(name, engine, reference, domains):
    @settings(max_examples=60, deadline=None)
    @given(st.tuples(*domains))
    def check(xs):
        vs = [Value(x) for x in xs]
        out = engine(*vs)
        out.backward()
        assert out.data == pytest.approx(reference(*xs), rel=1e-12, abs=1e-12)
        for i, v in enumerate(vs):
            assert v.grad == pytest.approx(central_difference(reference, xs, i), rel=1e-5, abs=1e-6)
    check()


def test_generic_helpers_keep_exact_inputs_exact():
    assert opsmod.div(1, 3) == Fraction(1, 3) and isinstance(opsmod.div(1, 3), Fraction)
    assert opsmod.power(2, -2) == Fraction(1, 4)
    assert opsmod.power(Fraction(2, 3), -1) == Fraction(3, 2)


@pytest.mark.parametrize("x", [2.5, -1.5, 0.0, -0.0, float('nan'), float('inf'), float('-inf'), 1e-300])
@pytest.mark.parametrize("grad_at_zero", [0, 1, 0.5])
def test_relus_fast_path_records_what_the_table_says(x, grad_at_zero):
    from autograd import record_scopes
    fast = Value(x).relu(grad_at_zero)
    with record_scopes():                        # not mode.fast: the generic _unary path
        general = Value(x).relu(grad_at_zero)
    table = OPS['relu']
    for out in (fast, general):
        assert (out.data == table.forward(x)) or (math.isnan(out.data) and math.isnan(x))
        assert repr(out.data) == repr(general.data)            # the same sign of zero too
        assert out.local_grads == (table.local(x, grad_at_zero, out.data),)
        assert type(out.local_grads[0]) is type(general.local_grads[0]) is float
        assert out.op == 'relu' and out.parameter == grad_at_zero

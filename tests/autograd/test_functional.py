"""grad(), no_grad(), second derivatives, gradcheck."""
import math

import pytest

from autograd import GradcheckError, Value, grad, gradcheck, no_grad


def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    assert grad(c, [a, b]) == [-2.0, 2.0]
    assert (a.grad, b.grad) == (0, 0)
    assert grad(c, a) == -2.0
    assert grad(c, [Value(1.0)]) == [0]


def test_grad_rejects_non_values():
    with pytest.raises(TypeError, match="output must be a Value"):
        grad(1.0, [Value(1.0)])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value"):
        grad(Value(1.0), [Value(1.0), 2.0])


def test_no_grad_records_nothing_and_restores():
    a = Value(2.0)
    with no_grad():
        b = a * a + 1
    assert b.data == 5.0 and b.is_leaf() and b.parents == ()
    c = a * a
    assert c.parents == (a, a)

    @no_grad()
    def update():
        return a * 3
    assert update().is_leaf()
    assert not (a * 3).is_leaf()


def test_every_op_under_no_grad_gives_a_plain_leaf_with_the_recorded_value():
    from fractions import Fraction
    a, b = Value(Fraction(3, 2), label='a'), Value(-2, label='b')
    ops = [lambda: a + b, lambda: a * b, lambda: a - b, lambda: a / b, lambda: a ** b,
           lambda: 2 + a, lambda: a * 3, lambda: -a, lambda: b.relu(), lambda: a.relu(1),
           lambda: a.exp(), lambda: a.log(), lambda: a.tanh(), lambda: b.sigmoid()]
    recorded = [f() for f in ops]
    with no_grad():
        plain = [f() for f in ops]
    # by hand, with a = 3/2 and b = -2
    expected = [Fraction(-1, 2), Fraction(-3), Fraction(7, 2), Fraction(-3, 4), Fraction(4, 9),
                Fraction(7, 2), Fraction(9, 2), Fraction(-3, 2), 0, Fraction(3, 2),
                math.exp(1.5), math.log(1.5), math.tanh(1.5), 1 / (1 + math.exp(2))]
    for r, p, e in zip(recorded, plain, expected):
        assert p.data == r.data and type(p.data) is type(r.data)     # exact stays exact
        assert p.data == pytest.approx(e, rel=1e-15) and (isinstance(e, float) or p.data == e)
        assert p.is_leaf() and p.op == '' and p.label == '' and p.grad == 0 and p.parents == ()


def test_no_grad_keeps_anomaly_checks_and_error_messages():
    from autograd import detect_anomaly
    big = Value(1e200, label='big')
    with no_grad(), detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"big=1e\+200 \* big=1e\+200 produced inf"):
            big * big
    with no_grad():
        assert (big * big).data == math.inf                 # as when recording, without anomaly mode
        with pytest.raises(ZeroDivisionError, match=r"big=1e\+200 / 0"):
            big / 0


def test_second_derivative_of_a_cube():
    x = Value(2.0)
    (g,) = grad(x ** 3, [x], create_graph=True)     # 3x^2 = 12
    (h,) = grad(g, [x], create_graph=True)          # 6x = 12
    (k,) = grad(h, [x])                             # 6
    assert (g.data, h.data, k) == (12.0, 12.0, 6.0)


def test_second_derivative_of_tanh():
    x = Value(0.7)
    (g,) = grad(x.tanh(), [x], create_graph=True)
    (h,) = grad(g, [x])
    t = math.tanh(0.7)
    assert g.data == pytest.approx(1 - t * t, rel=1e-14)
    assert h == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)


def test_mixed_second_derivative_of_a_product():
    x, y = Value(1.5), Value(-2.0)
    gx, gy = grad(x * y * x, [x, y], create_graph=True)    # f = x^2 y: (2xy, x^2)
    assert (gx.data, gy.data) == (-6.0, 2.25)
    assert grad(gx, [x, y]) == [-4.0, 3.0]                 # (2y, 2x)
    assert grad(gy, [x, y]) == [3.0, 0]                    # (2x, 0)


def test_newton_step_finds_a_root():
    x = Value(1.0)
    for _ in range(6):                 # minimise (x^2 - 2)^2: x -> sqrt(2)
        f = (x * x - 2) ** 2
        (g,) = grad(f, [x], create_graph=True)
        (h,) = grad(g, [x])
        x = Value(x.data - g.data / h)
    assert x.data == pytest.approx(math.sqrt(2), rel=1e-3)


def test_gradcheck_passes_on_a_correct_function():
    assert gradcheck(lambda a, b: (a * b).tanh() + a ** 2 / b + b.exp().log(), [0.3, 1.2])


def test_gradcheck_names_the_input_and_both_gradients_when_they_disagree():
    def f(a, b):
        # a node whose recorded local derivative is deliberately wrong
        out = a * b
        out._da = out._da * 2 if not out.is_leaf() else None
        return out
    with pytest.raises(GradcheckError) as e:
        gradcheck(f, [Value(3.0, 'a'), 2.0])
    message = str(e.value)
    assert "input 0 'a'" in message and "analytic gradient 4.0" in message
    assert "numeric gradient 2.0" in message

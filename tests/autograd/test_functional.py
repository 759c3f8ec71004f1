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

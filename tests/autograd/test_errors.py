"""Every error a user can trigger names the operation and the values, with the proper type."""
import math

import pytest

from autograd import Value, detect_anomaly


@pytest.mark.parametrize("f,kind,words", [
    (lambda: Value(-1.0, 'x').log(), ValueError, ["log(x=-1.0)", "positive"]),
    (lambda: Value(0).log(), ValueError, ["log(0)"]),
    (lambda: Value(1.0, 'a') / Value(0, 'b'), ZeroDivisionError, ["a=1.0 / b=0", "division by zero"]),
    (lambda: Value(1.0) / 0.0, ZeroDivisionError, ["1.0 / 0.0"]),
    (lambda: 3 / Value(0), ZeroDivisionError, ["3 / 0"]),
    (lambda: Value(-8.0, 'x') ** 0.5, ValueError, ["x=-8.0 ** 0.5", "negative base", "non-integer"]),
    (lambda: Value(-8.0) ** Value(1 / 3), ValueError, ["-8.0 ** 0.333"]),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, ["0.0 ** -1"]),
    (lambda: Value(10.0) ** 400, OverflowError, ["10.0 ** 400", "too large"]),
    (lambda: Value(1000.0, 'z').exp(), OverflowError, ["exp(z=1000.0)", "too large"]),
    (lambda: Value(1.0, 'a') + 'a', TypeError, ["+", "a=1.0", "'a'", "str"]),
    (lambda: 'a' * Value(2.0), TypeError, ["*", "2.0", "'a'", "str"]),
    (lambda: Value(1.0) - None, TypeError, ["-", "None", "NoneType"]),
    (lambda: Value(1.0) * [1], TypeError, ["list"]),
    (lambda: Value(1.0) + True, TypeError, ["bool"]),
    (lambda: Value(1.0) ** 1j, TypeError, ["complex"]),
    (lambda: Value(1.0).relu(grad_at_zero='1'), TypeError, ["grad_at_zero", "str"]),
    (lambda: Value(1.0) < 'a', TypeError, ["comparison", "str"]),
])
def test_errors_name_the_operation_and_values(f, kind, words):
    with pytest.raises(kind) as e:
        f()
    message = str(e.value)
    assert "math domain error" not in message
    for w in words:
        assert w in message, (w, message)


def test_a_failed_operation_leaves_its_inputs_untouched():
    a = Value(1.0, 'a')
    with pytest.raises(ZeroDivisionError):
        a / 0
    assert (a.data, a.grad, a.label) == (1.0, 0, 'a')


def test_detect_anomaly_names_the_first_node_with_a_nan_value():
    a, b = Value(math.inf, 'a'), Value(math.inf, 'b')
    c = a - b                       # nan, unnoticed outside anomaly mode
    assert math.isnan(c.data)
    with detect_anomaly():
        x = Value(1e308, 'x')
        assert (x * 0.5).data == 5e307   # finite: fine
        with pytest.raises(FloatingPointError) as e:
            x * Value(10.0, 'ten')  # inf: the first bad node
        assert "x=1e+308 * ten=10.0" in str(e.value) and "inf" in str(e.value)
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            Value(math.nan, 'n')


def test_detect_anomaly_names_the_node_whose_gradient_goes_bad():
    x = Value(0.0, 'x')
    s = x ** 0.5                    # d sqrt/dx at 0 is inf
    y = s * 2
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as e:
            y.backward()
    assert "x" in str(e.value) and "inf" in str(e.value) and "'**'" in str(e.value)


def test_anomaly_mode_is_off_again_after_the_block():
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            Value(math.inf)
    assert math.isinf(Value(math.inf).data)

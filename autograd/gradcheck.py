"""gradcheck: compare backprop's gradients with central differences. Needs no torch."""
from __future__ import annotations

import math
from typing import Callable, Sequence

from .functional import grad, no_grad
from .value import Number, Value, as_number


class GradcheckError(AssertionError):
    """backprop and central differences disagree on some input's gradient."""


def _check_eps(eps, context):
    eps = as_number(eps, '%s eps' % context)
    if not 0 < eps < math.inf:      # 0 divides by zero; a negative eps flips the sign; nan never passes
        raise ValueError("%s: eps must be a positive finite step, got %r" % (context, eps))
    return eps


def numeric_gradient(f, values, i, eps=1e-6):
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps), in floats, recording no graph."""
    eps = _check_eps(eps, 'numeric_gradient')
    def at(shift):
        args = [Value(float(v) + (shift if j == i else 0.0)) for j, v in enumerate(values)]
        with no_grad():
            out = f(*args)
        return float(out.data if isinstance(out, Value) else out)
    return (at(eps) - at(-eps)) / (2 * eps)


def gradcheck(f: Callable[..., Value], inputs: Sequence[Number], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3) -> bool:
    """Check d f / d x_i for every input x_i against central differences.

    f takes one Value per input and returns a Value; inputs are numbers or Values.
    Returns True, or raises GradcheckError naming the input, the analytic
    gradient and the numeric one. Pass |analytic - numeric| <= atol + rtol |numeric|.
    """
    eps = _check_eps(eps, 'gradcheck')
    values = [as_number(x.data if isinstance(x, Value) else x, 'gradcheck input %d' % i)
              for i, x in enumerate(inputs)]
    xs = [Value(v, label=x.label if isinstance(x, Value) else '') for v, x in zip(values, inputs)]
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError("gradcheck: f must return a Value, got %s %r" % (type(out).__name__, out))
    analytic = grad(out, xs)
    for i, (x, a) in enumerate(zip(xs, analytic)):
        n = numeric_gradient(f, values, i, eps)
        if not abs(float(a) - n) <= atol + rtol * abs(n):
            name = "input %d%s (= %r)" % (i, " '%s'" % x.label if x.label else "", values[i])
            raise GradcheckError("gradcheck: %s: analytic gradient %r, numeric gradient %r, "
                                 "difference %.3g > atol %g + rtol %g * |numeric|"
                                 % (name, a, n, abs(float(a) - n), atol, rtol))
    return True

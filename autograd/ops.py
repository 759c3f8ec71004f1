"""The operation table: every primitive the engine knows, one entry each.

An entry gives the forward function on plain numbers and the LOCAL derivatives
of the output with respect to each input. The chain rule then only ever does
`parent.grad += local * node.grad` (see backward.py).

Each derivative is written once, generically, in terms of the inputs `a`, `b`
and the output `out`: the same expression serves int, Fraction and float
inputs (exact where the inputs are exact; a float node's slopes are never
Fractions, see like()), Value inputs, which is how
`grad(..., create_graph=True)` differentiates a second time, and float lanes
(numpy arrays with one entry per sample of a batch, see lanes.py): the formulas
that branch on the data (relu_slope, pow_slope, exponent_slope) do it lane by lane.
"""
import math
import operator
from functools import reduce
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

# the number types a Value may hold; bool is excluded on purpose
NUMBERS = (int, float, Fraction)
_EXACT = (int, Fraction)

# numpy is an optional extra: `import autograd` never imports it. lanes.py, which
# needs it, hands it to the formulas here when it is imported (use_numpy); until then
# no array can reach them, and ARRAY matches nothing.
np = None
ARRAY = ()


def use_numpy(numpy):
    global np, ARRAY
    np, ARRAY = numpy, (numpy.ndarray,)


@dataclass(frozen=True)
class Op:
    name: str        # what .op shows: '+', 'exp', ...
    arity: object    # 1: out = f(a, b=parameter); 2: out = f(a, b); 'n': out = f(ws, xs, b) (dot)
    forward: Callable  # numbers in, number out; raises a plain error on bad input
    local: Callable    # (a, b, out) -> (d out/d a, d out/d b); unary ops return d out/d a alone;
                       # dot: (ws, xs, b, out) -> (d out/d w_1.., d out/d x_1.., d out/d b)
    formula: str     # shown in docs, drawings and the stepper


# ----------------------------------------------------------- generic helpers
# Used by the derivative formulas: they keep ints and Fractions exact, and
# hand anything else (a Value, for create_graph) to its own operators.

def div(a, b):
    """a / b; int / int is a Fraction, so that exact inputs stay exact."""
    if b.__class__ is int and a.__class__ is int:
        return Fraction(a, b)
    return a / b


def power(a, n):
    """a ** n; an exact base with a negative integer exponent stays exact."""
    if n.__class__ is int and n < 0 and isinstance(a, _EXACT):
        return Fraction(a) ** n
    return a ** n


def like(slope, out):
    """slope as d out sees it: a Fraction slope on a float node becomes a float. It is
    exact only because exact operands gave it (the 1/5 of Value(3.0) / 5), and it would
    carry a Fraction into a float graph's gradients (no format, json or numpy for those)."""
    if slope.__class__ is Fraction and (out.__class__ is float or isinstance(out, ARRAY) and out.dtype.kind == 'f'):
        return float(slope)      # (float lanes; dot's exact lanes are an object array)
    return slope


def exp(x):
    if isinstance(x, NUMBERS):
        return math.exp(x)
    return np.exp(x) if isinstance(x, ARRAY) else x.exp()


def log(x):
    if isinstance(x, NUMBERS):
        return math.log(x)
    return np.log(x) if isinstance(x, ARRAY) else x.log()


def data(x):
    """the number inside a Value, or the number (or float lanes) itself."""
    return x if isinstance(x, NUMBERS) or isinstance(x, ARRAY) else x.data


def relu_slope(a, grad_at_zero):
    """1 where a > 0, 0 where a < 0, grad_at_zero where a == 0 exactly; floats for a float a.
    Lane by lane for float lanes: the same three cases as masks, (a > 0) + (a == 0) * grad_at_zero."""
    x = data(a)
    if x.__class__ is float:
        return 1.0 if x > 0 else float(grad_at_zero) if x == 0 else 0.0
    if isinstance(x, ARRAY):
        return (x > 0) + (x == 0) * float(grad_at_zero)
    return 1 if x > 0 else grad_at_zero if x == 0 else 0


def pow_slope(a, n):
    """d(a**n)/da = n * a**(n-1), with the limits at a == 0 spelled out (see POW)."""
    if isinstance(n, NUMBERS) and n == 0:
        # a**0 is the constant 1; a Value n keeps the formula, whose d/dn is not 0
        x = data(a)
        return 0.0 * x if isinstance(x, ARRAY) else 0.0 if x.__class__ is float else 0
    if isinstance(data(a), ARRAY) or isinstance(n, ARRAY):
        return _pow_slope_lanes(data(a), n)
    if data(a) == 0 and data(n) < 1:
        # 0 at n == 0, else a vertical slope (sqrt at 0). `0 * a**n` adds 0 to the
        # number, and for Value inputs makes the slope's own derivative 0 * inf = nan:
        # a constant's derivative would be 0, a finite answer where none exists
        return (0 if data(n) == 0 else math.inf) + 0 * power(a, n)
    return n * power(a, n - 1)


def _pow_slope_lanes(x, n):
    """pow_slope lane by lane, for float lanes x or n: n x^(n-1), and at x == 0 with
    n < 1 the limits above (0 where n == 0, else inf)."""
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        slope = n * power(x, n - 1)
        at_zero = (x == 0) & (n < 1)
        if at_zero.any():
            slope = np.where(at_zero, np.where(n == 0, 0.0, math.inf), slope)
    return slope + 0.0 * x       # one lane per sample, even where n alone has lanes


def exponent_slope(a, out):
    """d(a**b)/db = a**b * log(a); for a <= 0 it is defined only where out is 0."""
    if isinstance(data(a), ARRAY) or isinstance(out, ARRAY):
        # lane by lane: out log a where a > 0; nan where a <= 0 and out != 0; else 0
        x = data(a) + 0.0 * out
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(x > 0, out * np.log(np.where(x > 0, x, 1.0)), np.where(out != 0, math.nan, 0.0))
    if data(a) > 0:
        return out * log(a)
    if data(out) != 0:
        return math.nan
    return 0.0 if data(out).__class__ is float else 0


# ----------------------------------------------------------- forward functions
# Numbers only. They raise the plain error; value.py adds the node names.

def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _div(a, b):
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return div(a, b)


def _pow(a, n):
    if a == 0 and n < 0:
        raise ZeroDivisionError("zero to a negative power")
    if a < 0 and not float(n).is_integer():
        raise ValueError("a negative base with a non-integer exponent has no real result")
    try:
        return power(a, n)
    except OverflowError:
        raise OverflowError("the result is too large for a float") from None


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        raise OverflowError("the result is too large for a float (exp overflows above 709.78)") from None


def _log(a):
    if a <= 0:
        raise ValueError("log is defined only for positive numbers")
    return math.log(a)


def _sigmoid(a):
    # two forms, so that exp never overflows: 1/(1+e^-a) for a >= 0, e^a/(1+e^a) below
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sum(a):
    # a one-number Value is its own sum; lanes.py sums lanes itself
    return a


def ones(a):
    """d(sum a)/d a_i = 1 in every lane of a: ones of a's kind (1.0 for floats)."""
    if isinstance(a, ARRAY):
        return np.ones_like(a) if a.dtype.kind == 'f' else np.array([1] * len(a), dtype=object)
    return 1.0 if data(a).__class__ is float else 1


def _dot(ws, xs, b):
    """b + w_1 x_1 + ... + w_n x_n, added in that order (without b, from w_1 x_1): the
    order of the chain of + and * it replaces, so both give the same float, bit for bit."""
    terms = map(operator.mul, ws, xs)       # (operator's, not _add/_mul: C calls, 2x faster)
    return reduce(operator.add, terms) if b is None else reduce(operator.add, terms, b)


def _dot_local(ws, xs, b, out):
    """∂z/∂w_i = x_i, ∂z/∂x_i = w_i, ∂z/∂b = 1: every operand's, in the order ws, xs, b."""
    return tuple(like(x, out) for x in xs) + tuple(like(w, out) for w in ws) + (1,)


def _relu(a):
    if a > 0 or a != a:          # nan passes through, so that anomalies stay visible
        return a
    return 0.0 if a.__class__ is float else a * 0


# ----------------------------------------------------------- the table
# Singular points of pow, at a == 0; plain backward() and grad(create_graph=True)
# agree on them:
#   d/da = 0 where b == 0 (a**0 is the constant 1); inf where 0 < b < 1 (a vertical
#          slope, sqrt at 0), whose own derivative is nan; b a^(b-1) where b >= 1.
#   d/db = 0 where a**b == 0 (b > 0); nan at b == 0, where 0**b jumps from 1 to 0
#          (PyTorch says 0 there), and for any a < 0, where log a is not real.
# An inf slope times gradients summed first (one pow node shared by the samples, as in
# lanes) is ±inf; times each gradient, then summed (a pow node per sample), nan as soon
# as one is 0 or two differ in sign: inf * (g1 + g2) != inf * g1 + inf * g2 (README).
#        name       arity forward   local derivatives (d out/d a, d out/d b)                     formula
ADD = Op('+',       2, _add,     lambda a, b, out: (1, 1),                                     'a + b: (1, 1)')
SUB = Op('-',       2, _sub,     lambda a, b, out: (1, -1),                                    'a - b: (1, -1)')
MUL = Op('*',       2, _mul,     lambda a, b, out: (like(b, out), like(a, out)),               'a * b: (b, a)')
DIV = Op('/',       2, _div,     lambda a, b, out: (like(div(1, b), out), -div(out, b)),       'a / b: (1/b, -a/b^2)')
POW = Op('**',      2, _pow,     lambda a, b, out: (pow_slope(a, b), exponent_slope(a, out)),  'a ** b: (b a^(b-1), a^b log a)')
EXP = Op('exp',     1, _exp,     lambda a, b, out: out,                                        'exp(a): exp(a)')
LOG = Op('log',     1, _log,     lambda a, b, out: like(div(1, a), out),                       'log(a): 1/a')
TANH = Op('tanh',   1, math.tanh, lambda a, b, out: 1 - out * out,                             'tanh(a): 1 - tanh(a)^2')
SIGMOID = Op('sigmoid', 1, _sigmoid, lambda a, b, out: out * (1 - out),                        'sigmoid(a): s (1 - s)')
RELU = Op('relu',   1, _relu,    lambda a, b, out: relu_slope(a, b),                           'relu(a): 1 if a > 0, b (grad_at_zero) if a == 0, else 0')
# the reduction of a batch: lanes in, one number out (lanes.py); on one number, the number
SUM = Op('sum',     1, _sum,     lambda a, b, out: ones(a),                                    'sum(a) = a_1 + ... + a_n: 1 toward every lane')
# a neuron's pre-activation as the articles write it, one node with 2n + 1 inputs (value.dot)
DOT = Op('dot',   'n', _dot,     _dot_local,                                                   'dot: z = w · x + b = b + Σ_i w_i x_i: (∂z/∂w_i = x_i, ∂z/∂x_i = w_i, ∂z/∂b = 1)')

OPS = {op.name: op for op in (ADD, SUB, MUL, DIV, POW, EXP, LOG, TANH, SIGMOID, RELU, SUM, DOT)}

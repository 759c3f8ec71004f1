"""Value: one scalar and the operation that made it.

Every arithmetic operation on a Value records a new node that keeps its inputs
and the LOCAL derivative of its output with respect to each of them, computed
from the op table (ops.py) at the moment the operation runs. backward.py then
applies the chain rule along those recorded edges.

A node has at most two inputs, so they live in fixed slots rather than tuples:
    _a, _da   first input (a Value, or a plain number) and d out/d a
    _b, _db   second input, or the op's parameter, and d out/d b
A local derivative is None where no gradient flows: toward a plain number, or
on a leaf. A recorded operation takes 112 bytes (micrograd: 1168; ../shared/bench).
The one op with more inputs, dot (z = w · x + b, one neuron's pre-activation),
keeps them in the same slots: _a its operands (ws, xs, b), _b its edges
(parents, locals), _da and _db None (see dot() below and backward.py).

Value() checks its number; assigning .data later is not checked: it is a plain
slot that every operation writes, and a checking property would slow them all.
"""
from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Iterable, Optional, Tuple, Union

from . import ops
from .backward import backward, parents_of, local_grads_of
from .anomaly import is_finite
from .mode import current

Number = Union[int, float, Fraction]           # what a Value holds
Operand = Union['Value', int, float, Fraction]   # what an operation takes

_new = object.__new__
_NUMBER_TYPES = frozenset((int, float, Fraction))


def as_number(x: object, context: str) -> Number:
    """x as an int, float or Fraction, or a TypeError that names `context` and x."""
    if x.__class__ in _NUMBER_TYPES:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        # numpy scalars and other registered reals: keep them exact where they are
        if isinstance(x, numbers.Integral):
            return int(x)
        if isinstance(x, numbers.Rational):
            return Fraction(x.numerator, x.denominator)
        return float(x)
    raise TypeError("%s: expected an int, float or Fraction, got %s %r"
                    % (context, type(x).__name__, x))


def _show(x):
    """an operand as an error message shows it: its label and value, or its value."""
    if isinstance(x, Value):
        return "%s=%r" % (x.label, x.data) if x.label else repr(x.data)
    return repr(x)


def _describe(op, a, b):
    if op.arity == 'n':
        return _describe_dot(*a)
    if op.arity == 1:
        return "%s(%s)" % (op.name, _show(a))
    return "%s %s %s" % (_show(a), op.name, _show(b))


def _fail(op, a, b, error):
    """re-raise `error` from op's forward with the operation and its values named."""
    raise type(error)("%s: %s" % (_describe(op, a, b), error)) from None


def _fail_local(op, a, b, error):
    """the same for an error in op's local derivatives: the result may fit a float
    while its slope does not (1e-200 ** -1)."""
    why = "is too large for a float" if isinstance(error, OverflowError) else "failed: %s" % error
    raise type(error)("%s: its local derivative (%s) %s" % (_describe(op, a, b), op.formula, why)) from None


def _record(op, data, a, b, da, db, m):
    """the node out = op(a, b) with its local derivatives, in mode m (mode.py): inside
    detect_anomaly() a FloatingPointError if data is nan or inf, and inside
    record_scopes() the node's scope is noted."""
    if m.fast:
        return _node(op.name, data, a, b, da, db)
    _check_finite(op, data, a, b, m)
    out = _node(op.name, data, a, b, da, db)
    if m.scopes is not None:
        m.scopes[out] = m.path
    return out


def _unrecorded(op, data, a, b, m):
    """out = op(a, b) inside no_grad(): a plain leaf, made before any local
    derivative is computed, since nobody will use one; anomaly mode still checks it."""
    _check_finite(op, data, a, b, m)
    return _leaf(data)


def _check_finite(op, data, a, b, m):
    if m.anomaly and not is_finite(data):
        raise FloatingPointError("detect_anomaly: %s produced %r" % (_describe(op, a, b), data))


def _leaf(data):
    """a leaf holding a number already checked (a result made inside no_grad())."""
    return _node('', data, None, None, None, None)


def _node(tag, data, a, b, da, db):
    out = _new(Value)
    out.data = data
    out.grad = 0
    out._tag = tag
    out._a = a
    out._b = b
    out._da = da
    out._db = db
    return out


def _binary(op, a, b):
    """out = op(a, b), where a or b (or both) is a Value and the other a number."""
    a_is_value = isinstance(a, Value)
    b_is_value = isinstance(b, Value)
    x = a.data if a_is_value else _operand(op, a, b, a)
    y = b.data if b_is_value else _operand(op, a, b, b)
    try:
        data = op.forward(x, y)
    except (ArithmeticError, ValueError) as error:
        _fail(op, a, b, error)
    m = current()
    if not m.recording:
        return _unrecorded(op, data, a, b, m)
    try:
        da, db = op.local(x, y, data)
    except (ArithmeticError, ValueError) as error:
        _fail_local(op, a, b, error)
    if not a_is_value:
        a, da = x, None          # no gradient flows to a plain number
    if not b_is_value:
        b, db = y, None
    return _record(op, data, a, b, da, db, m)


def _operand(op, a, b, x):
    if x.__class__ in _NUMBER_TYPES:
        return x
    try:
        return as_number(x, op.name)
    except TypeError:
        hint = "; for a batch, make the array lanes: autograd.Lanes(array)" if type(x).__name__ == 'ndarray' else ""
        raise TypeError("unsupported operand for %s: %s %s %s (%s); a Value combines only with "
                        "a Value, int, float or Fraction%s" % (op.name, _show(a), op.name, _show(b),
                                                             type(x).__name__, hint)) from None


def _unary(op, a, parameter=None):
    """out = op(a) for a Value a; `parameter` is the op's own (relu's grad_at_zero)."""
    x = a.data
    try:
        data = op.forward(x)
    except (ArithmeticError, ValueError) as error:
        _fail(op, a, None, error)
    m = current()
    if not m.recording:
        return _unrecorded(op, data, a, None, m)
    try:
        local = op.local(x, parameter, data)
    except (ArithmeticError, ValueError) as error:
        _fail_local(op, a, None, error)
    return _record(op, data, a, parameter, local, None, m)


# ------------------------------------------------------------------ the n-ary node

SHOWN_TERMS = 3      # terms of a dot an error message writes out before "…"

_lane_dot = None     # lanes.py's dot on lanes; set when lanes.py is imported (numpy is optional)
_display = None      # a notebook's view of a Value; set when render.py is imported
_lane_kinds = frozenset()    # ... and its kinds of Value (Lanes, ConstantLanes)


def _describe_dot(ws, xs, b):
    """a dot's operands as an error shows them: dot(w1=0.5 · x1=2.0 + … (16 terms) + b=0.0)."""
    terms = ["%s · %s" % (_show(w), _show(x)) for w, x in zip(ws[:SHOWN_TERMS], xs[:SHOWN_TERMS])]
    if len(ws) > SHOWN_TERMS:
        terms.append("… (%d terms)" % len(ws))
    if b is not None:
        terms.append(_show(b))
    return "dot(%s)" % " + ".join(terms)


def _dot_operands(ws, xs, b):
    """ws and xs as tuples of one length, or an error naming dot and what is wrong."""
    try:
        ws, xs = tuple(ws), tuple(xs)
    except TypeError:
        raise TypeError("dot: ws and xs must be sequences (of Values or numbers), got %s and %s"
                        % (type(ws).__name__, type(xs).__name__)) from None
    if len(ws) != len(xs):
        raise ValueError("dot: %d weights but %d inputs; w · x needs one weight per input" % (len(ws), len(xs)))
    if not ws:
        raise ValueError("dot: no weights and no inputs; w · x needs at least one of each")
    return ws, xs


def _number_of(x, what, i):
    """the data of operand x (a Value or a number), or a TypeError naming dot and the operand."""
    if isinstance(x, Value):
        return x.data
    if x.__class__ in _NUMBER_TYPES:
        return x
    try:
        return as_number(x, 'dot')
    except TypeError:
        hint = "; for a batch, make the array lanes: autograd.Lanes(array)" if type(x).__name__ == 'ndarray' else ""
        raise TypeError("dot: %s%s is %s %.60r; a dot takes Values, ints, floats and Fractions%s"
                        % (what, '' if i is None else '[%d]' % i, type(x).__name__, x, hint)) from None


def dot(ws: Iterable[Operand], xs: Iterable[Operand], b: Optional[Operand] = None) -> Value:
    """z = w · x + b = b + w_1 x_1 + ... + w_n x_n as ONE node (op 'dot'): a neuron's
    pre-activation as the articles write it. Its parents are the Values among
    w_1..w_n, x_1..x_n, b (plain numbers are constants, with no edge), and its local
    derivatives are ∂z/∂w_i = x_i, ∂z/∂x_i = w_i, ∂z/∂b = 1 (ops.DOT).

    The terms are added in the order of the chain `b + w_1*x_1 + ... + w_n*x_n`, so
    z and every gradient equal that chain's bit for bit. Lanes (a batch) work too.

    >>> w = [Value(2.0), Value(-1.0)]; x = [Value(3.0), Value(4.0)]; b = Value(0.5)
    >>> z = dot(w, x, b); z.backward()
    >>> z.data, w[0].grad, x[1].grad, b.grad
    (2.5, 3.0, -1.0, 1.0)
    """
    ws, xs = _dot_operands(ws, xs, b)
    operands = ws + xs + (b,)
    kinds = set(map(type, operands))
    if not (kinds == _VALUE or kinds == _VALUE_NONE):
        if _lane_dot is not None and kinds & _lane_kinds and kinds <= _lane_kinds | _PLAIN_KINDS:
            return _lane_dot(ws, xs, b, kinds)     # Lanes among Values and numbers (checked at once): a batch
        return _dot_general(ws, xs, b, operands)
    # the common case, Values only (a plain Value never holds lanes): no per-operand checks
    wd = [w.data for w in ws]
    xd = [x.data for x in xs]
    bd = None if b is None else b.data
    data = _dot_forward(ws, xs, b, wd, xd, bd)
    m = current()
    if not m.recording:
        return _unrecorded(ops.DOT, data, (ws, xs, b), None, m)
    # ops.DOT.local written out (test_dot.py checks they agree); like value.py's + and *, it
    # skips ops.like(): a Fraction weight of a float node keeps its Fraction slope
    local = (*xd, *wd, 1)
    if b is None:
        operands, local = operands[:-1], local[:-1]
    if not m.fast:
        return _record(ops.DOT, data, (ws, xs, b), (operands, local), None, None, m)
    out = _new(Value)
    out.data = data
    out.grad = 0
    out._tag = 'dot'
    out._a = (ws, xs, b)
    out._b = (operands, local)
    out._da = out._db = None
    return out


def _dot_general(ws, xs, b, operands):
    """dot with plain-number constants (no edge), lanes (lanes.py) or bad operands."""
    wd = [_number_of(w, 'ws', i) for i, w in enumerate(ws)]
    xd = [_number_of(x, 'xs', i) for i, x in enumerate(xs)]
    bd = None if b is None else _number_of(b, 'b', None)
    if ops.ARRAY and (isinstance(bd, ops.ARRAY) or any(isinstance(v, ops.ARRAY) for v in wd)
                      or any(isinstance(v, ops.ARRAY) for v in xd)):
        return _lane_dot(ws, xs, b)
    data = _dot_forward(ws, xs, b, wd, xd, bd)
    m = current()
    if not m.recording:
        return _unrecorded(ops.DOT, data, (ws, xs, b), None, m)
    try:
        local = ops.DOT.local(wd, xd, bd, data)
    except (ArithmeticError, ValueError) as error:
        _fail_local(ops.DOT, (ws, xs, b), None, error)
    keep = [isinstance(p, Value) for p in operands]       # plain numbers are constants: no edge
    edges = (tuple(p for p, k in zip(operands, keep) if k), tuple(d for d, k in zip(local, keep) if k))
    return _record(ops.DOT, data, (ws, xs, b), edges, None, None, m)


def _dot_forward(ws, xs, b, wd, xd, bd):
    """z = b + Σ_i w_i x_i on the operands' numbers, or the error naming the dot and its operands."""
    try:
        return ops.DOT.forward(wd, xd, bd)
    except (ArithmeticError, ValueError) as error:
        _fail(ops.DOT, (ws, xs, b), None, error)


class Value:
    """A scalar node of the computation graph.

    >>> a = Value(2.0, label='a'); b = Value(-3.0, label='b')
    >>> c = a * b; c.backward()
    >>> a.grad, b.grad
    (-3.0, 2.0)
    """
    __slots__ = ('data', 'grad', '_tag', '_a', '_b', '_da', '_db')
    lanes = None     # one number; a Lanes node (lanes.py) says how many samples it carries

    def __init__(self, data: Number, label: str = '') -> None:
        self.data = as_number(data, 'Value')
        if current().anomaly and not is_finite(self.data):
            raise FloatingPointError("detect_anomaly: a leaf Value(%r, label=%r) is not finite" % (data, label))
        self.grad = 0
        self._a = self._b = self._da = self._db = None
        self.label = label       # checked by the setter; see `op` and `label`: one slot holds both

    # ------------------------------------------------------------------ what a node shows
    # `_tag` is the label of a leaf, the op name of an unlabelled result, or the pair (op, label).
    @property
    def op(self) -> str:
        """the name of the operation that made this node; '' for a leaf."""
        if self._a is None:
            return ''
        return self._tag if self._tag.__class__ is str else self._tag[0]

    @property
    def label(self) -> str:
        if self._a is None:
            return self._tag
        return '' if self._tag.__class__ is str else self._tag[1]

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError("Value: label must be a str, got %s %r" % (type(label).__name__, label))
        if self._a is None:
            self._tag = label
        else:
            tag = self._tag          # the op's name, or (op, label): the op property, inlined
            op = tag if tag.__class__ is str else tag[0]
            self._tag = (op, label) if label else op

    @property
    def parents(self) -> Tuple[Value, ...]:
        """the Values this node was computed from, in order; a + a lists a twice."""
        return parents_of(self)

    @property
    def local_grads(self) -> Tuple[object, ...]:
        """d self / d parent for each of `parents`, as recorded when the op ran."""
        return local_grads_of(self)

    @property
    def operands(self) -> Tuple[Operand, ...]:
        """all inputs of the op in order, plain-number constants included; () for a leaf.
        A dot's are w_1..w_n, x_1..x_n, then b where it has one."""
        if self._a is None:
            return ()
        arity = ops.OPS[self.op].arity
        if arity == 'n':
            ws, xs, b = self._a
            return ws + xs + (() if b is None else (b,))
        return (self._a,) if arity == 1 else (self._a, self._b)

    @property
    def dot_operands(self) -> Optional[tuple]:
        """a dot node's (ws, xs, b), b None where it has none; None for any other node."""
        return self._a if self._a is not None and self.op == 'dot' else None

    @property
    def parameter(self) -> Optional[Number]:
        """a unary op's parameter (relu's grad_at_zero), else None."""
        return self._b if self._a is not None and ops.OPS[self.op].arity == 1 else None

    # micrograd's names, so that code written for micrograd runs unchanged
    _prev = parents
    _op = op

    def is_leaf(self) -> bool:
        return self._a is None

    def __repr__(self) -> str:
        label = ", label=%r" % self.label if self.label else ""
        return "Value(data=%r, grad=%r%s)" % (self.data, self.grad, label)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """in a notebook, a Value shown as a cell's result draws its graph (render.notebook_bundle,
        which sets the hook _display: the engine imports no view)."""
        return {'text/plain': repr(self)} if _display is None else _display(self)

    def backward(self) -> None:
        """Fill every node's .grad with d self / d node (see backward.backward)."""
        backward(self)

    # ------------------------------------------------------------------ arithmetic
    # An array means a batch only as Lanes (lanes.py): a one-number Value refuses a bare
    # ndarray both ways, with a hint. This makes `ndarray + Value` return NotImplemented,
    # so Python asks Value.__radd__, which raises the TypeError `Value + ndarray` raises
    # (numpy scalars still combine), and `ndarray + Lanes` reach Lanes.__radd__.
    # np.exp(Value) and other ufuncs raise TypeError too. value.py never imports numpy.
    __array_ufunc__ = None

    # + and * between two Values are most of any network's graph, so they skip the
    # generic _binary: the same forward and local derivatives as ops.ADD and ops.MUL,
    # written out (test_ops.py checks they agree). This halves the forward pass.
    # (They skip ops.like() too: a Fraction times a float Value keeps a Fraction slope.)
    # An error there (an int too large for a float) falls through to _binary, which names it.
    def __add__(self, other: Operand) -> Value:
        if other.__class__ is Value:
            m = current()        # this thread's or task's switches (mode.py)
            try:
                if m.fast:
                    out = _new(Value)
                    out.data = self.data + other.data
                    out.grad = 0
                    out._tag = '+'
                    out._a = self
                    out._b = other
                    out._da = 1          # d(a + b)/da
                    out._db = 1          # d(a + b)/db
                    return out
                if m.plain:      # inside no_grad(): a bare leaf
                    return _leaf(self.data + other.data)
            except ArithmeticError:
                pass
        return _binary(ops.ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _binary(ops.ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary(ops.SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _binary(ops.SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        if other.__class__ is Value:
            m = current()
            try:
                if m.fast:
                    out = _new(Value)
                    out.data = self.data * other.data
                    out.grad = 0
                    out._tag = '*'
                    out._a = self
                    out._b = other
                    out._da = other.data  # d(a * b)/da = b
                    out._db = self.data   # d(a * b)/db = a
                    return out
                if m.plain:      # inside no_grad(): a bare leaf
                    return _leaf(self.data * other.data)
            except ArithmeticError:
                pass
        return _binary(ops.MUL, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _binary(ops.MUL, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary(ops.DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _binary(ops.DIV, other, self)

    def __pow__(self, other: Operand) -> Value:
        return _binary(ops.POW, self, other)

    def __rpow__(self, other: Operand) -> Value:
        return _binary(ops.POW, other, self)

    def __neg__(self) -> Value:
        return _binary(ops.MUL, self, -1)

    def __pos__(self) -> Value:
        return self

    def exp(self) -> Value:
        return _unary(ops.EXP, self)

    def log(self) -> Value:
        return _unary(ops.LOG, self)

    def tanh(self) -> Value:
        return _unary(ops.TANH, self)

    def sigmoid(self) -> Value:
        return _unary(ops.SIGMOID, self)

    def relu(self, grad_at_zero: Number = 0) -> Value:
        """max(0, x). grad_at_zero is the derivative used where x == 0 exactly:
        0 as in PyTorch and micrograd, 1 as in the articles the project teaches from, such as Recapitulation for the
        Learning Process (the gradient passes where x >= 0)."""
        if grad_at_zero.__class__ not in _NUMBER_TYPES:
            grad_at_zero = as_number(grad_at_zero, 'relu grad_at_zero')
        x = self.data
        if x.__class__ is float and current().fast and (x != 0 or -_FLOAT_MAX <= grad_at_zero <= _FLOAT_MAX):
            # every hidden neuron of a default MLP comes here: ops.RELU's forward and local
            # derivative written out for a float (test_ops.py checks they agree)
            out = _new(Value)
            if x > 0:
                out.data, out._da = x, 1.0
            elif x == 0:
                out.data, out._da = 0.0, float(grad_at_zero)
            else:                    # x < 0, or nan, which passes through with slope 0
                out.data, out._da = (0.0 if x < 0 else x), 0.0
            out.grad = 0
            out._tag = 'relu'
            out._a = self
            out._b = grad_at_zero
            out._db = None
            return out
        return _unary(ops.RELU, self, grad_at_zero)

    # ------------------------------------------------------------------ comparisons
    # They compare data, as PyTorch's do, so that max(values) and sorting work.
    # == stays identity: a Value is a graph node and is hashed as one.
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)


def _data(x):
    return x.data if isinstance(x, Value) else as_number(x, 'comparison')


_VALUE = {Value}                    # dot()'s operand kinds when every one is a Value
_FLOAT_MAX = 1.7976931348623157e308  # a grad_at_zero beyond it is left to _unary, which names the overflow
_VALUE_NONE = {Value, type(None)}   # ... and it has no bias
_PLAIN_KINDS = _VALUE_NONE | _NUMBER_TYPES   # ... the kinds it takes besides lanes.py's (_lane_kinds)

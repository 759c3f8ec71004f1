"""Lanes: one scalar graph that carries every sample of a batch at once.

The article Batch Learning says of a batch that the per-sample forward passes and gradients are
"fully independent", so "we can fully parallelize their computation", and the
weights' gradient is their sum:  ∂Loss^avg/∂W = Σ_i ∂Loss^learning/∂W^i.

A Lanes node is a Value whose data holds one number per sample, a lane each:
a numpy float64 array, or an object array of ints and Fractions for exact work.
A one-number Value (a weight, a bias) is shared by every lane. Each op of the op
table (ops.py) works on lanes with the table's own local-derivative formulas:
  - float lanes: the forward is numpy's (LANE_FORWARD, checked lane by lane, so that
    an error names the first offending sample), the local derivatives are the table's
    formulas applied to whole arrays;
  - exact lanes: the table's forward and local derivatives, sample by sample.
An edge from a lane node to a one-number parent carries a LaneSum: backward()'s
unchanged `parent.grad += local * node.grad` then adds Σ_i slope_i · grad_i, the
per-sample contributions summed into the shared weight. The scalar engine does
no extra work for this: a one-number Value never takes this path.

    >>> from autograd import Value
    >>> w = Value(2.0, label='w'); x = Lanes([1.0, 2.0, 3.0], label='x')
    >>> loss = (w * x).sum(); loss.backward()
    >>> w.grad, x.grad.tolist()
    (6.0, [2.0, 2.0, 2.0])

numpy is an optional extra (pip install numpy): `import autograd`
does not import it; this module does.
"""
import numbers
from fractions import Fraction
from operator import attrgetter, is_

import numpy as np

from . import ops
from .anomaly import is_finite
from .mode import current
from . import value as value_module
from .value import Value, as_number, _new, _NUMBER_TYPES

ops.use_numpy(np)      # the formulas in ops.py meet arrays from now on

_FLOAT = np.dtype(float)


# ------------------------------------------------------------------ lane arrays

def as_lanes(values, context='Lanes'):
    """values (a sequence or a 1-D array of numbers) as lanes: a float64 array if any is a
    float, else an object array of ints and Fractions (exact). Raises naming `context`."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError("%s: expected one number per sample (a 1-D array), got shape %s"
                             % (context, values.shape))
        if values.dtype.kind == 'f':
            data = values.astype(float)          # a copy: the graph never shares the caller's array
        elif values.dtype.kind in 'iu':
            data = values.astype(object)         # Python ints: exact
        else:
            data = _numbers(values.tolist(), context)
    elif isinstance(values, (str, bytes)) or not hasattr(values, '__len__'):
        raise TypeError("%s: expected a sequence of numbers, one per sample, got %s %r"
                        % (context, type(values).__name__, values))
    else:
        data = _numbers(list(values), context)
    if len(data) == 0:
        raise ValueError("%s: a batch needs at least one sample" % context)
    return data


def _numbers(values, context):
    """a list as lanes (_pack), each value checked by as_number unless all are int, float or Fraction."""
    if not set(map(type, values)) <= _NUMBER_TYPES:
        values = [as_number(v, context) for v in values]
    return _pack(values)


def _pack(numbers_):
    """a list of numbers as lanes: float64 where every one is a float, else an object array."""
    kinds = set(map(type, numbers_))
    if kinds == _FLOAT_KIND:
        return np.array(numbers_, dtype=float)
    if float in kinds:
        return np.array([float(x) for x in numbers_], dtype=float)
    out = np.empty(len(numbers_), dtype=object)
    out[:] = numbers_
    return out


def _pack_slopes(slopes):
    """local derivatives, one per sample, as lanes; exact ones stay exact (an int next to
    a nan, as exponent_slope gives, keeps its type, as the scalar engine keeps it)."""
    if all(x.__class__ is float for x in slopes):
        return np.array(slopes, dtype=float)
    out = np.empty(len(slopes), dtype=object)
    out[:] = slopes
    return out.view(ExactSlopes)


class ExactSlopes(np.ndarray):
    """Exact local derivatives, one per lane (an object array). Times a float gradient they
    give float64 lanes, as an exact slope times a float gives a float in the scalar engine:
    so a float graph's lane gradients stay float64 arrays, and adding them never meets
    an object array (which numpy could not add into a float64 gradient in place)."""

    def __mul__(self, g):
        product = np.multiply(self.view(np.ndarray), g)
        if g.__class__ is float or isinstance(g, np.ndarray) and g.dtype.kind == 'f':
            return product.astype(float)
        return product

    __rmul__ = __mul__


def plain(x):
    """a lane's number as Python holds it (numpy's float64 becomes float)."""
    return float(x) if isinstance(x, np.floating) else x


def total(lanes):
    """Σ_i lanes_i as one Python number: float for float lanes, exact for exact ones."""
    if lanes.dtype.kind == 'f':
        return float(lanes.sum())
    return plain(sum(lanes.tolist()))


class LaneSum:
    """The local derivative of a lane node toward a one-number parent (a weight every
    sample shares): one slope per lane. backward() multiplies it by the node's lane
    gradient g, and the product is the sum of the per-sample contributions:
        LaneSum * g = Σ_i slope_i · g_i
    so `parent.grad += local * node.grad` forms Batch Learning's Σ_i ∂Loss^learning/∂W^i."""
    __slots__ = ('slopes', 'n')

    def __init__(self, slopes, n):
        self.slopes = slopes     # an array of n slopes, or one number that every lane shares
        self.n = n

    def __mul__(self, g):
        s = self.slopes
        if g.dtype is _FLOAT:
            if isinstance(s, np.ndarray):          # ExactSlopes, a subclass, included
                if s.dtype is _FLOAT:
                    return float(s @ g)            # Σ_i s_i g_i in one call
            elif s.__class__ in (int, float) and s == 1:
                return float(g.sum())              # Σ_i 1 · g_i (a sum's or a bias's edge)
        return total(self.contributions(g))

    __rmul__ = __mul__

    def contributions(self, g):
        """the per-sample contributions slope_i · g_i, as lanes."""
        c = self.slopes * g
        return c if isinstance(c, np.ndarray) else np.full(self.n, c, dtype=object)

    def lane(self, i):
        """sample i's slope."""
        s = self.slopes
        return plain(s[i]) if isinstance(s, np.ndarray) else s

    def lanes(self):
        """every sample's slope, as lanes."""
        s = self.slopes
        return s if isinstance(s, np.ndarray) else np.full(self.n, s, dtype=object if not isinstance(s, float) else float)

    def __eq__(self, other):
        return isinstance(other, LaneSum) and self.n == other.n and bool(np.all(self.lanes() == other.lanes()))

    __hash__ = None

    def __repr__(self):
        return "LaneSum(%r)" % (self.lanes(),)


# ------------------------------------------------------------------ forward on float lanes
# numpy's functions, with the scalar forward's errors found lane by lane. Each raises
# SampleError(i, error) for the first sample i that fails.

class SampleError(Exception):
    def __init__(self, index, error):
        super().__init__(index, error)
        self.index, self.error = index, error


def _first(mask):
    return int(np.argmax(np.broadcast_to(mask, np.shape(mask) or (1,))))


def _raise_where(mask, error):
    if np.any(mask):
        raise SampleError(_first(mask), error)


def _div(a, b):
    _raise_where(b == 0, ZeroDivisionError("division by zero"))
    return a / b


def _pow(a, n):
    _raise_where((a == 0) & (n < 0), ZeroDivisionError("zero to a negative power"))
    _raise_where((a < 0) & ~(np.isfinite(n) & (np.floor(n) == n)),
                 ValueError("a negative base with a non-integer exponent has no real result"))
    with np.errstate(over='ignore', invalid='ignore'):
        out = np.power(a, n)
    _raise_where(np.isinf(out) & np.isfinite(a) & np.isfinite(n),
                 OverflowError("the result is too large for a float"))
    return out


def _exp(a):
    with np.errstate(over='ignore'):
        out = np.exp(a)
    _raise_where(np.isinf(out) & np.isfinite(a),
                 OverflowError("the result is too large for a float (exp overflows above 709.78)"))
    return out


def _log(a):
    _raise_where(a <= 0, ValueError("log is defined only for positive numbers"))
    return np.log(a)


def _sigmoid(a):
    # the scalar forward's two forms: 1/(1+e^-a) for a >= 0, e^a/(1+e^a) below
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _relu(a):
    # nan passes through, as in the scalar relu; + 0.0 turns max's -0.0 into the scalar relu's 0.0
    return np.maximum(a, 0.0) + 0.0


LANE_FORWARD = {
    '+': np.add, '-': np.subtract, '*': np.multiply, '/': _div, '**': _pow,
    'exp': _exp, 'log': _log, 'tanh': np.tanh, 'sigmoid': _sigmoid, 'relu': _relu, 'sum': total,
    'dot': ops.DOT.forward,      # on lanes term by term (dot_lanes has the one-product path)
}


# ------------------------------------------------------------------ one op on lanes

def _show(x, i):
    """an operand as an error message shows it, at sample i."""
    if isinstance(x, Lanes):
        return "%s[sample %d]=%r" % (x.label or 'lanes', i, plain(x.data[i]))
    if isinstance(x, Value):
        return "%s=%r" % (x.label, x.data) if x.label else repr(x.data)
    if isinstance(x, np.ndarray):
        return "array[sample %d]=%r" % (i, plain(x[i]))
    return repr(x)


def _describe(op, a, b, i):
    if op.arity == 1:
        return "%s(%s)" % (op.name, _show(a, i))
    return "%s %s %s" % (_show(a, i), op.name, _show(b, i))


def _fail(op, a, b, i, error, local=False):
    if local:
        why = "is too large for a float" if isinstance(error, OverflowError) else "failed: %s" % error
        raise type(error)("%s: its local derivative (%s) %s" % (_describe(op, a, b, i), op.formula, why)) from None
    raise type(error)("%s: %s" % (_describe(op, a, b, i), error)) from None


def _operand(op, a, b, x):
    """the data of operand x: a Value's data, a plain array checked as lanes, or a number."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, np.ndarray):
        return as_lanes(x, 'lanes %s' % op.name)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return as_number(x, op.name)
    raise TypeError("unsupported operand for %s: %s (%s); lanes combine with a Value, Lanes, a 1-D "
                    "numpy array, int, float or Fraction" % (op.name, x if isinstance(x, str) else repr(x),
                                                            type(x).__name__))


def _width(op, a, b, x, y):
    """the number of samples, the same in every lane operand."""
    ns = {len(v) for v in (x, y) if isinstance(v, np.ndarray)}
    if len(ns) > 1:
        raise ValueError("%s: the operands have different numbers of samples: %s"
                         % (op.name, " and ".join(str(len(v)) for v in (x, y))))
    return ns.pop()


def _floats(x):
    """an operand of a float-lane op, as numpy takes it: Fractions and exact lanes as floats."""
    if isinstance(x, np.ndarray):
        return x if x.dtype.kind == 'f' else x.astype(float)
    return float(x) if x.__class__ is Fraction else x


def _is_float(x):
    return isinstance(x, np.ndarray) and x.dtype.kind == 'f' or x.__class__ is float


_SLOPES_MAY_OVERFLOW = {'/', 'log', '**'}    # the others' slopes are finite where the forward was


def apply(op, a, b=None):
    """out = op(a, b) where a or b (or both) holds lanes; b is a unary op's parameter.
    A ConstantLanes operand is a constant, as a plain array is: the node keeps its
    numbers and no edge; with no operand to differentiate, the result is a leaf."""
    binary = op.arity == 2
    x = _operand(op, a, b, a)
    y = _operand(op, a, b, b) if binary else b
    n = _width(op, a, b, x, y if binary else None)
    m = current()
    a_edge, b_edge = _takes_gradient(a), binary and _takes_gradient(b)
    recording = m.recording and (a_edge or b_edge)
    if _is_float(x) or (binary and _is_float(y)):
        x, y = _floats(x), _floats(y) if binary else y
        try:
            data = LANE_FORWARD[op.name](x, y) if binary else LANE_FORWARD[op.name](x)
        except SampleError as e:
            _fail(op, a, b, e.index, e.error)
        if recording:
            if op.name in _SLOPES_MAY_OVERFLOW:
                with np.errstate(all='ignore'):   # inf and nan slopes are the formulas' answers
                    local = op.local(x, y, data)
            else:
                local = op.local(x, y, data)
    else:
        data, local = _exact(op, a, b, x, y, n, recording)
    out_is_lanes = isinstance(data, np.ndarray)
    if m.anomaly and not is_finite(data):
        bad = ~np.isfinite(data) if out_is_lanes else [True]
        raise FloatingPointError("detect_anomaly: %s produced %r"
                                 % (_describe(op, a, b, _first(bad)), plain(data[_first(bad)]) if out_is_lanes else data))
    if not recording:
        if not out_is_lanes:
            return Value(data)
        # inside no_grad() a leaf, as for any op; from constants alone, a constant again
        return (ConstantLanes if m.recording else Lanes)._leaf(data)
    da, db = local if binary else (local, None)
    if a_edge:
        if out_is_lanes and not isinstance(a, Lanes):
            da = LaneSum(da, n)              # a shared one-number parent: the lanes' sum
    else:
        a, da = x, None                      # no gradient flows to a constant
    if binary:
        if b_edge:
            if not isinstance(b, Lanes):
                db = LaneSum(db, n)
        else:
            b, db = y, None
    out = _new(Lanes if out_is_lanes else Value)
    out.data = data
    out.grad = 0
    out._tag = op.name
    out._a, out._b, out._da, out._db = a, b, da, db
    if m.scopes is not None:
        m.scopes[out] = m.path
    return out


def _takes_gradient(x):
    """True for an operand with an edge: a Value that is not ConstantLanes."""
    return isinstance(x, Value) and x.__class__ is not ConstantLanes


def _exact(op, a, b, x, y, n, recording):
    """op on exact lanes, sample by sample, through the table's own forward and local derivatives."""
    binary = op.arity == 2
    if op.name == 'sum':
        return total(x), (ops.ones(x).view(ExactSlopes) if recording else None)
    xs = x if isinstance(x, np.ndarray) else [x] * n
    ys = y if binary and isinstance(y, np.ndarray) else [y] * n
    outs, das, dbs = [], [], []
    for i in range(n):
        xi, yi = xs[i], ys[i]
        try:
            out = op.forward(xi, yi) if binary else op.forward(xi)
        except (ArithmeticError, ValueError) as error:
            _fail(op, a, b, i, error)
        outs.append(out)
        if recording:
            try:
                local = op.local(xi, yi, out)
            except (ArithmeticError, ValueError) as error:
                _fail(op, a, b, i, error, local=True)
            if binary:
                das.append(local[0])
                dbs.append(local[1])
            else:
                das.append(local)
    data = _pack(outs)
    if not recording:
        return data, None
    return data, ((_pack_slopes(das), _pack_slopes(dbs)) if binary else _pack_slopes(das))


# ------------------------------------------------------------------ dot on lanes

def dot_lanes(ws, xs, b, kinds=None):
    """value.dot where some operand holds lanes: z = b + Σ_i w_i x_i in every lane.
    kinds: the operands' types, where value.dot has them.

    The nn case (one-number float weights and bias, float lanes x_i) is the batch's
    matrix-vector product X w + b, one numpy call, and backward's edges into the
    weights are one product X^T g (MatVecSlopes). Anything else (exact lanes, lane
    weights, constants) goes term by term in the chain's order, with the table's slopes.
    ConstantLanes among the x_i are constants: the node keeps their numbers, no edge."""
    ws, xs = tuple(ws), tuple(xs)
    stack = _stacked(xs)
    # no plain numbers among the operands: every w_i is a Value (or lanes, which fail the float test)
    values = kinds is not None and not kinds & _NUMBER_TYPES
    wd, w_edges = _float_weights(ws, b, values) if stack is not None else (None, None)
    if wd is None:
        return _dot_terms(ws, xs, b)
    m = current()
    with np.errstate(over='ignore', invalid='ignore'):     # inf and nan are found by detect_anomaly
        data = stack.X @ wd
        if b is not None:
            data += b.data if b.__class__ is Value else b
    _check_dot(data, ws, xs, b, m)
    has_b = b.__class__ is Value
    if not m.recording or (w_edges == [] and not stack.x_edges and not has_b):
        return (Lanes if not m.recording else ConstantLanes)._leaf(data)
    parents = ws if w_edges is None else tuple([ws[k] for k in w_edges])
    if stack.parents:
        parents += stack.parents
    if has_b:
        parents += (b,)
    out = _new(Lanes)
    out.data = data
    out.grad = 0
    out._tag = 'dot'
    out._a = (ws, stack.operands, b)
    out._b = (parents, MatVecSlopes(stack.X, wd, w_edges, stack.x_edges, has_b))
    out._da = out._db = None
    if m.scopes is not None:
        m.scopes[out] = m.path
    return out


_VALUE_KIND = {Value}


def _float_weights(ws, b, values=False):
    """(the weights as a float64 array, the indices of those that are Values, None for
    all) where every w_i and b is a one-number float (a Value's or a constant), else
    (None, None): the term-by-term path takes the rest. values: every w_i is a Value
    or lanes, the caller knows."""
    if values or set(map(type, ws)) == _VALUE_KIND:
        wl, edges = list(map(_data, ws)), None
    else:
        wl = [w.data if w.__class__ is Value else w for w in ws]
        edges = [k for k, w in enumerate(ws) if w.__class__ is Value]
    if set(map(type, wl)) != _FLOAT_KIND:
        return None, None
    if b is not None and (b.data if b.__class__ is Value else b).__class__ is not float:
        return None, None
    return np.array(wl, dtype=float), edges


_FLOAT_KIND = {float}


class _Stack:
    """The x_i of a dot on lanes as one (samples, inputs) matrix X, with what the node
    records of them: the edges (the x_i that are Lanes, by index), those parents, and
    the operands as the node keeps them (a ConstantLanes as its numbers). X is the
    transpose of a C-ordered (inputs, samples) matrix, whose rows are lanes as they are
    everywhere else: contiguous, so columns() hands them out as the x_i themselves."""
    __slots__ = ('X', 'x_edges', 'parents', 'operands')

    def __init__(self, rows, xs):
        self.X = rows.T
        self.x_edges = [k for k, x in enumerate(xs) if x.__class__ is Lanes]
        self.parents = tuple([xs[k] for k in self.x_edges])
        self.operands = xs if len(self.x_edges) == len(xs) else tuple(
            x if x.__class__ is Lanes else x.data for x in xs)


_last_stack = [((), (), None)]   # the last xs stacked, their arrays, their _Stack: a layer's neurons share them


def _stacked(xs, rows=None):
    """the x_i lanes as one _Stack, made once per layer (the next neuron of the layer
    finds the same Lanes holding the same arrays); None where they are not all float
    lanes of one length. rows: their (inputs, samples) matrix, where the caller has it
    already (columns())."""
    last, arrays, stack = _last_stack[0]      # one read: another thread replaces the whole entry
    # (== on tuples of Values is identity: a Value compares equal to itself alone)
    if last == xs and all(map(is_, arrays, map(_data, xs))):
        return stack
    kinds = set(map(type, xs))
    if not kinds <= _LANE_KINDS:
        return None
    arrays = tuple(map(_data, xs))
    if set(map(_dtype, arrays)) != {_FLOAT} or len(set(map(len, arrays))) != 1:
        return None
    stack = _Stack(np.array(arrays) if rows is None else rows, xs)
    _last_stack[0] = (xs, arrays, stack)
    return stack


_data = attrgetter('data')
_dtype = attrgetter('dtype')


class MatVecSlopes:
    """The local derivatives of a dot on lanes, z = X w + b, toward its parents in order
    (the weights that are Values, the x_i that are Lanes, the bias): ∂z/∂w_i = x_i (a
    reduction: Σ over the samples), ∂z/∂x_i = w_i, ∂z/∂b = 1 (summed). backward()
    multiplies them by z's lane gradient g at once: X^T g gives every weight's sum in one
    product, and the outer product w g^T every x_i's w_i g (each lane as w_i * g gives it)."""
    __slots__ = ('X', 'w', 'w_edges', 'x_edges', 'has_b', '_edges')

    def __init__(self, X, w, w_edges, x_edges, has_b):
        self.X, self.w, self.has_b = X, w, has_b
        self.w_edges = w_edges     # the weights that are Values, by index; None: every one
        self.x_edges = x_edges     # the x_i that are Lanes, by index
        self._edges = None

    def __mul__(self, g):
        """every edge's contribution, in the parents' order."""
        into_w = (self.X.T @ g).tolist()
        out = into_w if self.w_edges is None else [into_w[k] for k in self.w_edges]
        if self.x_edges:
            w = self.w if len(self.x_edges) == len(self.w) else self.w[self.x_edges]
            out += list(np.multiply.outer(w, g))
        if self.has_b:
            out.append(float(g.sum()))
        return out

    __rmul__ = __mul__

    def edges(self):
        """each edge's own local derivative, for the views and grad(): the same numbers."""
        if self._edges is None:
            n, w = len(self.X), self.w.tolist()
            into_w = [ColumnSum(self.X, k) for k in (range(len(w)) if self.w_edges is None else self.w_edges)]
            self._edges = into_w + [w[k] for k in self.x_edges] + ([LaneSum(1, n)] if self.has_b else [])
        return self._edges

    def __iter__(self):
        return iter(self.edges())

    def __len__(self):
        return len(self.edges())

    def __getitem__(self, k):
        return self.edges()[k]


class ColumnSum(LaneSum):
    """The edge of a dot on lanes into weight i: Σ_samples x_i · g. It multiplies as
    backward's one product does, (X^T g)_i, so a step shows backward's own float."""
    __slots__ = ('X', 'i')

    def __init__(self, X, i):
        super().__init__(X[:, i], len(X))
        self.X, self.i = X, i

    def __mul__(self, g):
        if isinstance(g, np.ndarray) and g.dtype is _FLOAT:
            return float((self.X.T @ g)[self.i])
        return LaneSum.__mul__(self, g)

    __rmul__ = __mul__


def _dot_terms(ws, xs, b):
    """dot on lanes term by term, in the chain's order: b + w_1 x_1 + ... (exact lanes,
    lane weights, constants). Each operand's slope is the table's, made lanes where
    the node is and the parent is one number shared by every lane (a LaneSum)."""
    m = current()
    wd = [_operand(ops.DOT, w, None, w) for w in ws]
    xd = [_operand(ops.DOT, x, None, x) for x in xs]
    bd = None if b is None else _operand(ops.DOT, b, None, b)
    widths = {len(v) for v in wd + xd + [bd] if isinstance(v, np.ndarray)}
    if len(widths) > 1:
        raise ValueError("dot: the operands have different numbers of samples: %s"
                         % ", ".join(str(n) for n in sorted(widths)))
    n = widths.pop()
    if any(_is_float(v) for v in wd + xd + [bd]):
        wd, xd = [_floats(v) for v in wd], [_floats(v) for v in xd]
        bd = _floats(bd)
    data = ops.DOT.forward(wd, xd, bd)
    _check_dot(data, ws, xs, b, m)
    edges = [_takes_gradient(p) for p in ws + xs + (b,)]
    if not (m.recording and any(edges)):
        return (Lanes if not m.recording else ConstantLanes)._leaf(data)
    exact = data.dtype.kind != 'f'
    parents, slopes = [], []
    for p, edge, slope in zip(ws + xs + (b,), edges, ops.DOT.local(wd, xd, bd, data)):
        if not edge:
            continue                          # a constant: no edge
        if isinstance(slope, np.ndarray) and exact:
            slope = slope.view(ExactSlopes)
        parents.append(p)
        slopes.append(slope if isinstance(p, Lanes) else LaneSum(slope, n))
    operands = tuple(tuple(v.data if v.__class__ is ConstantLanes else v for v in vs) for vs in (ws, xs))
    b = b.data if b.__class__ is ConstantLanes else b
    return _dot_node(data, operands + (b,), tuple(parents), tuple(slopes), m)


def _check_dot(data, ws, xs, b, m):
    if m.anomaly and not is_finite(data):
        i = _first(~np.isfinite(data.astype(float)))
        raise FloatingPointError("detect_anomaly: dot (w · x + b, %d terms) produced %r at sample %d"
                                 % (len(ws), plain(data[i]), i))


def _dot_node(data, operands, parents, slopes, m):
    out = _new(Lanes)
    out.data = data
    out.grad = 0
    out._tag = 'dot'
    out._a, out._b, out._da, out._db = operands, (parents, slopes), None, None
    if m.scopes is not None:
        m.scopes[out] = m.path
    return out


value_module._lane_dot = dot_lanes


def columns(rows, names=None, constant=False):
    """a batch of samples (rows of numbers, all of one width) as one Lanes per input:
    columns([(x1, x2) for each sample]) -> [Lanes of every x1, Lanes of every x2].
    rows may be a 2-D numpy array (samples, inputs): a float one becomes lanes with one
    copy, number by number only where it holds ints or Fractions (they stay exact).
    constant=True gives ConstantLanes: data that nothing is differentiated by (the Trainer's)."""
    kind = ConstantLanes if constant else Lanes
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2:
            raise ValueError("columns: expected a 2-D array, one row per sample, got shape %s" % (rows.shape,))
        if len(rows) == 0:
            raise ValueError("columns: a batch needs at least one sample")
        if rows.dtype.kind == 'f':
            T = np.array(rows.T, dtype=float, order='C')     # our own copy, a lane per row
            out = [kind._input(T[j], names[j] if names else '') for j in range(len(T))]
            _stacked(tuple(out), T)   # a first layer's dot finds its matrix made
            return out
        rows = rows.tolist()
    rows = [list(r) for r in rows]
    if not rows:
        raise ValueError("columns: a batch needs at least one sample")
    width = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != width:
            raise ValueError("columns: sample %d has %d inputs, sample 0 has %d" % (i, len(r), width))
    return [kind([r[j] for r in rows], names[j] if names else '') for j in range(width)]


def float_rows(rows):
    """rows (sequences of numbers) as one float64 matrix where every number is a float,
    else None: what the Trainer checks once per fit, so that each batch is one slice."""
    if not all(set(map(type, r)) == _FLOAT_KIND for r in rows):
        return None
    return np.array(rows, dtype=float)


def per_sample(out):
    """a model's lane output as one entry per sample: numbers, or lists of numbers for
    several outputs (a list of Lanes)."""
    if isinstance(out, Value):
        return _plain_list(out.data) if isinstance(out, Lanes) else [out.data]
    datas = [o.data for o in out]
    if all(d.__class__ is np.ndarray and d.dtype is _FLOAT for d in datas) and len(set(map(len, datas))) == 1:
        return np.array(datas).T.tolist()          # float lanes: a list per sample, made in C
    return [list(sample) for sample in zip(*per_sample_each(out))]


def per_sample_each(outs):
    return [_plain_list(o.data) for o in outs]


def _plain_list(data):
    """lanes as a list of Python numbers."""
    return data.tolist() if data.dtype is _FLOAT else [plain(v) for v in data.tolist()]


# ------------------------------------------------------------------ the node

class Lanes(Value):
    """A Value holding one number per sample of a batch (see the module's docstring).

    Lanes([0.5, -1.0, 2.0], label='x'): float lanes; Lanes([Fraction(1, 2), 3]): exact.
    Arithmetic with Values, numbers, 1-D arrays and other Lanes of the same length gives
    Lanes; .sum() and .mean() reduce them to one number.
    """
    __slots__ = ()

    def __init__(self, values, label=''):
        self.data = as_lanes(values)
        _check_leaf(self.data, label)
        self.grad = 0
        self._a = self._b = self._da = self._db = None
        self.label = label

    @classmethod
    def _leaf(cls, data):
        out = _new(cls)
        out.data, out.grad, out._tag = data, 0, ''
        out._a = out._b = out._da = out._db = None
        return out

    @classmethod
    def _input(cls, data, label):
        """a leaf holding float lanes already made (columns()), checked as Lanes() checks."""
        _check_leaf(data, label)
        out = cls._leaf(data)
        out.label = label
        return out

    @property
    def lanes(self):
        """how many samples this node carries."""
        return len(self.data)

    def __len__(self):
        return len(self.data)

    def lane(self, i):
        """sample i's number."""
        return plain(self.data[i])

    def __repr__(self):
        label = ", label=%r" % self.label if self.label else ""
        grad = self.grad.tolist() if isinstance(self.grad, np.ndarray) else self.grad
        return "Lanes(data=%r, grad=%r%s)" % (self.data.tolist(), grad, label)

    # Every operator comes here, not to Value's scalar fast paths: Python asks a subclass's
    # reflected operator first, so `w * x` with x Lanes comes here too. + - * of float
    # lanes with a float Value or float lanes of the same length are most of a network's
    # graph: they skip apply(), with the same data and local derivatives as ops.ADD, ops.SUB
    # and ops.MUL through apply() (test_lanes.py checks they agree); the rest goes to apply().
    def __add__(self, other):
        out = _fast(self, other, '+')
        return out if out is not None else apply(ops.ADD, self, other)

    def __radd__(self, other):
        out = _fast(other, self, '+')
        return out if out is not None else apply(ops.ADD, other, self)

    def __sub__(self, other):
        out = _fast(self, other, '-')
        return out if out is not None else apply(ops.SUB, self, other)

    def __rsub__(self, other):
        out = _fast(other, self, '-')
        return out if out is not None else apply(ops.SUB, other, self)

    def __mul__(self, other):
        out = _fast(self, other, '*')
        return out if out is not None else apply(ops.MUL, self, other)

    def __rmul__(self, other):
        out = _fast(other, self, '*')
        return out if out is not None else apply(ops.MUL, other, self)

    def __truediv__(self, other):
        return apply(ops.DIV, self, other)

    def __rtruediv__(self, other):
        return apply(ops.DIV, other, self)

    def __pow__(self, other):
        return apply(ops.POW, self, other)

    def __rpow__(self, other):
        return apply(ops.POW, other, self)

    def __neg__(self):
        return apply(ops.MUL, self, -1)

    def exp(self):
        return _fast_unary(ops.EXP, self)

    def log(self):
        return apply(ops.LOG, self)

    def tanh(self):
        return _fast_unary(ops.TANH, self)

    def sigmoid(self):
        return _fast_unary(ops.SIGMOID, self)

    def relu(self, grad_at_zero=0):
        """max(0, x) in every lane; grad_at_zero as for Value.relu."""
        if grad_at_zero.__class__ not in (int, float, Fraction):
            grad_at_zero = as_number(grad_at_zero, 'relu grad_at_zero')
        return _fast_unary(ops.RELU, self, grad_at_zero)

    def sum(self):
        """Σ_i self_i: one number; its gradient flows back as 1 to every lane."""
        return apply(ops.SUM, self)

    def mean(self):
        """(1/n) Σ_i self_i, with the exact 1/n (Batch Learning's Loss^avg of per-sample losses)."""
        return self.sum() * Fraction(1, len(self.data))


def _fast_unary(op, a, parameter=None):
    """op(a) for float Lanes a outside no_grad() and the other modes: the table's forward
    (LANE_FORWARD) and local derivative, as apply() computes them, without its general
    checks (test_lanes.py checks they agree). Anything else, and a lane that fails, goes
    to apply(), which names the sample. (log, whose slope can overflow, always does.)"""
    x = a.data
    if a.__class__ is not Lanes or x.dtype is not _FLOAT or not current().fast:
        return apply(op, a, parameter)
    try:
        data = LANE_FORWARD[op.name](x)
    except SampleError:
        return apply(op, a, parameter)
    out = _new(Lanes)
    out.data = data
    out.grad = 0
    out._tag = op.name
    out._a, out._b, out._da, out._db = a, parameter, op.local(x, parameter, data), None
    return out


def _check_leaf(data, label):
    if current().anomaly and not is_finite(data):
        i = _first(~np.isfinite(data) if data.dtype.kind == 'f' else [not is_finite(v) for v in data.tolist()])
        raise FloatingPointError("detect_anomaly: a leaf Lanes(label=%r) is not finite at sample %d: %r"
                                 % (label, i, plain(data[i])))


class ConstantLanes(Lanes):
    """Lanes of data that nothing is differentiated by: as a plain 1-D array is in
    `x * array`, an operation takes its numbers as a constant, and the graph keeps them
    (a box with the sample's number in a drawing) and no edge, so backward() computes no
    gradient for it; an operation of constants alone gives ConstantLanes again. Unlike a
    bare array it combines with a one-number Value (w * x), so any model written for
    Lanes takes it. The Trainer passes each batch's inputs so: their gradient is never
    used, and in a first layer of 64 inputs and 32 neurons it would be 2,048 products of
    lanes a step. Lanes(...) keeps the inputs' gradients, for seeing them (step, explore)."""
    __slots__ = ()


_LANE_KINDS = {Lanes, ConstantLanes}
value_module._lane_kinds = frozenset(_LANE_KINDS)      # value.dot sends these to dot_lanes


def _fast(a, b, tag):
    """a + b, a - b or a * b where both are float: Lanes, ConstantLanes (not both) or a
    float Value, of one length where both hold lanes; None for anything else (apply()
    takes it). Outside no_grad() and the other modes only."""
    if not current().fast:
        return None
    ca, cb = a.__class__, b.__class__
    if ca is Lanes or ca is ConstantLanes:
        x = a.data
        if x.dtype is not _FLOAT:
            return None
        if cb is Lanes or cb is ConstantLanes:
            y = b.data
            if y.dtype is not _FLOAT or len(y) != len(x) or ca is cb is ConstantLanes:
                return None
        elif cb is Value:
            y = b.data
            if y.__class__ is not float:
                return None
        else:
            return None
        n = len(x)
    elif ca is Value and (cb is Lanes or cb is ConstantLanes):
        x, y = a.data, b.data
        if x.__class__ is not float or y.dtype is not _FLOAT:
            return None
        n = len(y)
    else:
        return None
    if tag == '*':
        da, db, data = y, x, x * y                     # d(a*b) = (b, a)
    elif tag == '+':
        da, db, data = 1, 1, x + y                     # d(a+b) = (1, 1)
    else:
        da, db, data = 1, -1, x - y                    # d(a-b) = (1, -1)
    if ca is not Lanes:
        if ca is Value:
            da = LaneSum(da, n)                 # a shared one-number parent: the lanes' sum
        else:
            a, da = x, None                     # a constant: no edge
    if cb is not Lanes:
        if cb is Value:
            db = LaneSum(db, n)
        else:
            b, db = y, None
    out = _new(Lanes)
    out.data = data
    out.grad = 0
    out._tag = tag
    out._a, out._b, out._da, out._db = a, b, da, db
    return out

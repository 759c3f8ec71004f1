"""Trainer(mode='matrix'): batch backprop in matrix form, as Batch in Backpropagation writes it, with numpy.

A batch of m samples is one matrix, a column per sample (the article's B = [x_i ... x_(i+m-1)]).
Each nn layer l is evaluated over the whole batch at once:
    H^0 = X^T
    Z^l = W^l H^(l-1) + b^l,         H^l = σ(Z^l)
    DZ^L = ∂loss/∂H^L ⊗ σ'(Z^L)      (softmax with cross-entropy: DZ = P - Y)
    DW^l = (1/m) DZ^l (H^(l-1))^T,   Db^l = (1/m) DZ^l summed over the columns
    dH^(l-1) = (W^l)^T DZ^l,         DZ^(l-1) = dH^(l-1) ⊗ σ'(Z^(l-1))
DW and Db are the gradient of Loss^avg = (1/m) Σ loss_i, the one mode='accumulate'
sums from the per-sample graphs of Loss^learning = loss_i / m (Batch Learning): the same
step, with one numpy operation per layer instead of one node per scalar.

It takes nn.Neuron, nn.Layer and nn.MLP (float or int weights) with the losses of
nn.losses, and SGD or Adam (vectorized, the same formulas in the same order) or
any other optimizer (through p.grad and its own step()). Anything else raises
MatrixModeError naming what, and suggests mode='lanes' (without numpy:
pip install numpy, or mode='accumulate').

Nothing is lost for seeing: the last batch is kept (LastBatch: the weights before
its step, H, Z, DZ per layer), and sample_graph(j) rebuilds its j-th sample as a
scalar graph that draw, step and explore work on.

During a fit with SGD or Adam the weights, the optimizer's state and the gradients of
parameters the optimizer leaves alone are kept as float64 arrays (Kept), and a step replaces
them with one assignment: a step that fails, or a KeyboardInterrupt, leaves the last whole
step. They are written back into the Values (write_back) when the fit ends, however it
ends, and before fit's callback runs; the Values hold the weights of the fit's start until
then. Another optimizer reads and writes the Values at every step.

numpy is imported only here, and only when a matrix-mode Trainer is made.
"""
import copy
import math
import sys
from dataclasses import dataclass, replace
from functools import cached_property
from fractions import Fraction

from autograd import record_scopes
from autograd.notation import autolabel

from . import losses
from .sample_graph import SampleGraph as AnySampleGraph
from .layers import MLP, Layer, Neuron, check_fused
from .optim import SGD, Adam

# the losses the matrix mode computes, and whether each takes one output (a Value), several (a list),
# or either (the regression losses: a list of outputs with a list of targets)
LOSSES = {losses.half_squared_error: 'any', losses.squared_error: 'any', losses.binary_cross_entropy: 'one',
          losses.binary_cross_entropy_with_logits: 'one', losses.hinge: 'one', losses.cross_entropy: 'several'}

ASK_LANES = "; use mode='lanes' (or 'accumulate') for it"
# without numpy there are no lanes either: the modes that need nothing, and what to install
NO_NUMPY = ("pip install numpy (or, in the clone, pip install -e '.[matrix]'); mode='accumulate' and "
            "mode='graph' train the same way without numpy")


class MatrixModeError(TypeError):
    """what mode='matrix' cannot compute: a hand-written Module, an exact weight, another loss..."""


def _numpy():
    try:
        import numpy
    except ImportError:
        raise MatrixModeError("Trainer(mode='matrix') needs numpy: " + NO_NUMPY) from None
    return numpy


# ------------------------------------------------------------------ what the matrix mode can take
@dataclass
class MatrixLayer:
    """one nn layer as Batch in Backpropagation's W^l, b^l: where its parameters sit in the model's list, and σ."""
    name: str               # 'L1'
    nin: int
    nout: int
    start: int              # its first parameter's position in model.parameters()
    bias: bool
    activation: str
    grad_at_zero: object    # relu's slope at 0, one per neuron (a numpy array), or None

    @property
    def size(self):
        return self.nout * (self.nin + self.bias)


def layers_of(model, np):
    """[MatrixLayer] for a Neuron, Layer or MLP, or a MatrixModeError naming what it cannot take."""
    kind = type(model)
    if kind is Neuron:
        groups = [('neuron', [model])]
    elif kind is Layer:
        groups = [('layer', model.neurons)]
    elif kind is MLP and all(type(layer) is Layer for layer in model.layers):
        groups = [('L%d' % k, layer.neurons) for k, layer in enumerate(model.layers, 1)]
    else:
        raise MatrixModeError("Trainer(mode='matrix'): the model is %s, a hand-written Module: the matrix mode "
                              "evaluates only nn.Neuron, nn.Layer and nn.MLP, whose layers it knows to be "
                              "W . x + b and an activation%s" % (kind.__name__, ASK_LANES))
    found, start = [], 0
    for name, neurons in groups:
        if any(type(n) is not Neuron for n in neurons):
            raise MatrixModeError("Trainer(mode='matrix'): layer %s holds a %s, not an nn.Neuron%s"
                                  % (name, next(type(n).__name__ for n in neurons if type(n) is not Neuron), ASK_LANES))
        nin = len(neurons[0].w)
        for what, values in (('activation', {n.activation for n in neurons}),
                             ('bias', {n.b is not None for n in neurons}), ('width', {len(n.w) for n in neurons})):
            if len(values) > 1:
                raise MatrixModeError("Trainer(mode='matrix'): the neurons of layer %s differ in %s (%s), so the "
                                      "layer is no single W . x + b and activation%s"
                                      % (name, what, sorted(values, key=str), ASK_LANES))
        activation, bias = neurons[0].activation, neurons[0].b is not None
        slopes = np.array([float(n.grad_at_zero) for n in neurons]) if activation == 'relu' else None
        layer = MatrixLayer(name, nin, len(neurons), start, bias, activation, slopes)
        if found and found[-1].nout != nin:
            raise MatrixModeError("Trainer(mode='matrix'): layer %s takes %d inputs but the layer before gives %d"
                                  % (name, nin, found[-1].nout))
        found.append(layer)
        start += layer.size
    return found


@dataclass(frozen=True)
class Kept:
    """what a fit keeps as arrays between steps (see the top): one object, so that a step
    replaces it whole with one assignment."""
    theta: object        # every parameter's value, in model.parameters() order (float64)
    state: dict          # the optimizer's: SGD's 'velocity' (with momentum), Adam's 'm' and 'v'
    t: int               # Adam's steps taken
    frozen: list         # the .grad of each parameter the optimizer leaves alone (Plan.frozen)
    steps: int           # steps taken since the Values were last written
    last: object = None  # the LastBatch of the last of them


class Plan:
    """What one matrix-mode Trainer computes with: the layers, the loss, the parameters
    and the optimizer's place in them. Made (and so checked) when the Trainer is made;
    checked again, with the data, at the start of every fit (prepare)."""

    def __init__(self, model, loss, optimizer):
        self.np = np = _numpy()
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.layers = layers_of(model, np)
        if loss not in LOSSES:
            raise MatrixModeError("Trainer(mode='matrix'): the loss %s is not one of nn.losses' (%s), whose "
                                  "gradients the matrix mode knows%s"
                                  % (getattr(loss, '__name__', repr(loss)),
                                     ", ".join(f.__name__ for f in LOSSES), ASK_LANES))
        single = type(model) is Neuron or (type(model) is MLP and self.layers[-1].nout == 1)
        if LOSSES[loss] != 'any' and (LOSSES[loss] == 'one') != single:
            raise MatrixModeError("Trainer(mode='matrix'): %s takes %s, but the model returns %s"
                                  % (loss.__name__, "one output (a Value)" if LOSSES[loss] == 'one'
                                     else "a list of outputs (logits)", "a Value" if single else "a list"))
        self.single = single
        places = model._places()            # the names (for messages and LastBatch) are made when asked
        ids = list(map(id, places))
        if len(set(ids)) != len(ids):
            for place, first in model.ties(drawn=True).items():
                raise MatrixModeError("Trainer(mode='matrix'): %s is %s, one parameter at two places (a shared "
                                      "parameter): the matrix mode keeps one number for every place in W and b "
                                      "and cannot tie two; use mode='accumulate', 'graph' or 'lanes', which step "
                                      "it once with the gradient summed over its places" % (place, first))
        self.params = places
        if [id(p) for row in self._neuron_rows() for p in row] != ids:
            raise MatrixModeError("Trainer(mode='matrix'): %r has parameters besides its neurons' w and b "
                                  "(the model's attributes were changed)%s" % (model, ASK_LANES))
        self._ids = ids
        self._index_optimizer()
        self._last = None
        self.kept = None          # during a fit with SGD or Adam: the Kept arrays (see the top)

    def _index_optimizer(self):
        """where the optimizer's parameters sit among the model's (opt_index), which ones it
        leaves alone (frozen), and whether SGD's or Adam's step can run as arrays."""
        np, optimizer, ids = self.np, self.optimizer, self._ids
        self.opt_params = list(optimizer.params)
        opt_ids = list(map(id, self.opt_params))
        if opt_ids == ids:          # the usual case, model.parameters(): every one, in order
            self.opt_index, self.frozen, self.subset = np.arange(len(ids), dtype=np.intp), [], False
        else:
            where = dict(zip(ids, range(len(ids))))
            outside = [k for k, i in enumerate(opt_ids) if i not in where]
            if outside:
                raise MatrixModeError("Trainer(mode='matrix'): the optimizer's params[%d] is not a parameter of "
                                      "the model, and the matrix mode computes only the model's gradients%s"
                                      % (outside[0], ASK_LANES))
            self.opt_index = np.array([where[i] for i in opt_ids], dtype=np.intp)
            mine = set(self.opt_index.tolist())
            # parameters the optimizer leaves alone: their .grad adds up, as backward() adds it in accumulate mode
            self.frozen = [k for k in range(len(ids)) if k not in mine]
            self.subset = self.opt_index.tolist() != list(range(len(ids)))   # else index nothing
        # SGD and Adam themselves (not subclasses, which may change step()) are stepped as arrays
        # (an optimizer holds each Value once: Optimizer.__init__)
        self.vectorized = type(optimizer) in (SGD, Adam) and len(set(opt_ids)) == len(opt_ids)

    @property
    def last(self):
        """the LastBatch of the last step taken (kept with the step it describes)."""
        kept = self.kept
        return kept.last if kept is not None and kept.last is not None else self._last

    @last.setter
    def last(self, batch):
        self._last = batch

    @cached_property
    def names(self):
        """the parameters' dotted names, model.named_parameters()' (LastBatch's keys)."""
        return [name for name, _ in self.model.named_parameters()]

    @cached_property
    def labels(self):
        """the parameters' names as drawings and messages give them: L1.n1.w1."""
        return [name for name, _ in self.model.drawn_parameters()]

    def _neuron_rows(self):
        model = self.model
        neurons = [model] if type(model) is Neuron else model.neurons if type(model) is Layer else \
            [n for layer in model.layers for n in layer.neurons]
        return [n.w + ([n.b] if n.b is not None else []) for n in neurons]

    # ------------------------------------------------------------------ data
    def prepare(self, X, Y):
        """check the weights and the data (before any weight changes) and keep X and Y as
        arrays. X, Y: the Trainer's checked lists, or its checked numeric numpy arrays
        (X of shape (n, inputs); Y of shape (n,), or (n, outputs) for list targets).
        Returns the weights as one float64 array (for keep)."""
        np = self.np
        theta, _ = self._weights()      # exact weights are refused here, before any step
        nout = self.layers[-1].nout
        several = LOSSES[self.loss] == 'any' and not self.single     # a list of targets per sample
        wanted = "a list of %d numbers" % nout if several else "one number"
        X, Y = (v.tolist() if isinstance(v, np.ndarray) and v.dtype.kind not in 'fiu' else v for v in (X, Y))
        if isinstance(X, np.ndarray):            # numbers already (the Trainer checked its shape)
            self.XT = np.array(X.T, dtype=float, order='C')            # a copy, a column per sample
        else:
            for i, x in enumerate(X):
                for j, v in enumerate(x):
                    if not isinstance(v, (int, float, Fraction)):
                        raise MatrixModeError("Trainer(mode='matrix'): X[%d][%d] is %r: the matrix mode computes "
                                              "in float64 and takes numbers only%s" % (i, j, v, ASK_LANES))
            self.XT = _floats(np, X, 'X').reshape(len(X), self.layers[0].nin).T.copy()
        if isinstance(Y, np.ndarray):
            if Y.ndim != (2 if several else 1) or (several and Y.shape[1] != nout):
                raise MatrixModeError("Trainer(mode='matrix'): Y[0] is %r; the matrix mode takes %s per sample%s"
                                      % (Y[0].tolist(), wanted, ASK_LANES))
            if self.loss is losses.cross_entropy:
                bad = (Y < 0) | (Y >= nout) if Y.dtype.kind in 'iu' else np.ones(len(Y), dtype=bool)
                if bad.any():
                    raise ValueError("cross_entropy: target_index %r is not in 0..%d"
                                     % (Y[int(bad.argmax())].item(), nout - 1))
            if self.loss is losses.hinge:
                bad = (Y != 1) & (Y != -1)
                if bad.any():
                    raise ValueError("hinge: the label must be -1 or +1, got %r" % (Y[int(bad.argmax())].item(),))
            self.Y = Y.astype(np.intp) if self.loss is losses.cross_entropy else Y.astype(float)
            return theta
        for i, y in enumerate(Y):
            if several and isinstance(y, list) and len(y) == nout and all(
                    isinstance(v, (int, float, Fraction)) for v in y):
                continue
            if several or isinstance(y, list) or not isinstance(y, (int, float, Fraction)):
                raise MatrixModeError("Trainer(mode='matrix'): Y[%d] is %r; the matrix mode takes %s per sample%s"
                                      % (i, y, wanted, ASK_LANES))
            if self.loss is losses.cross_entropy and not (isinstance(y, int) and 0 <= y < nout):
                raise ValueError("cross_entropy: target_index %r is not in 0..%d" % (y, nout - 1))
            if self.loss is losses.hinge and y not in (-1, 1):
                raise ValueError("hinge: the label must be -1 or +1, got %r" % (y,))
        self.Y = np.array(Y, dtype=np.intp) if self.loss is losses.cross_entropy else _floats(np, Y, 'Y')
        return theta

    def _weights(self):
        """the parameters' values as one float64 array, in model.parameters() order."""
        values = [p.data for p in self.params]
        theta = self.np.array(values)
        if theta.dtype.kind == 'f':         # all floats (ints among them are converted)
            return theta, values
        if theta.dtype.kind in 'iu':
            return theta.astype(float), values
        k = next((k for k, v in enumerate(values) if type(v) not in (float, int)), None)
        if k is None:                       # ints beyond int64
            try:
                return self.np.array(values, dtype=float), values
            except OverflowError:           # and beyond float
                k = next(k for k, v in enumerate(values) if not fits_float(v))
                raise OverflowError("Trainer(mode='matrix'): parameter %s is %s: too large for a float (about "
                                    "1.8e308 at most), and the matrix mode computes in float64"
                                    % (self.labels[k], _short(values[k]))) from None
        raise MatrixModeError("Trainer(mode='matrix'): parameter %s is %r, a %s: the matrix mode computes in "
                              "float64 and would round it%s"
                              % (self.labels[k], values[k], type(values[k]).__name__, ASK_LANES))

    def _unpack(self, theta, layer):
        """W^l (nout x nin) and b^l (nout, or None): views into theta."""
        block = theta[layer.start:layer.start + layer.size].reshape(layer.nout, layer.nin + layer.bias)
        return block[:, :layer.nin], (block[:, layer.nin] if layer.bias else None)

    # ------------------------------------------------------------------ the weights kept as arrays during a fit
    def keep(self, theta=None):
        """read the weights, the optimizer's state and the gradients of the parameters it
        leaves alone into a Kept, which the steps then replace (SGD and Adam only: another
        optimizer's step() reads and writes the Values). At the start of a fit (theta: the
        weights as prepare read them, unchanged since), and again after fit's callback,
        which may have changed any of them."""
        self.kept = None
        if [id(p) for p in self.optimizer.params] != [id(p) for p in self.opt_params]:
            self._index_optimizer()         # its params were changed (by fit's callback, say)
        if not self.vectorized:
            return
        np, opt = self.np, self.optimizer
        if theta is None:
            theta, _ = self._weights()
        if type(opt) is SGD:
            state = {'velocity': np.array(opt.velocity, dtype=float)} if opt.momentum else {}
        else:
            state = {'m': np.array(opt.m, dtype=float), 'v': np.array(opt.v, dtype=float)}
        self.kept = Kept(theta, state, getattr(opt, 't', 0), [self.params[k].grad for k in self.frozen], 0)

    def write_back(self):
        """the Kept arrays into the Values and the optimizer, where a step replaced them
        since they were read: the weights, state and gradients of the last whole step.
        Until the end, kept.steps says it is still to do: writing it again writes the same
        numbers (Trainer._write_back does, after a KeyboardInterrupt meanwhile)."""
        kept = self.kept
        if kept is None or not kept.steps:
            return
        self._write(kept)
        if kept.last is not None:
            self._last = kept.last
        self.kept = replace(kept, steps=0)

    def _write(self, kept):
        opt = self.optimizer
        new = kept.theta[self.opt_index] if self.subset else kept.theta
        for param, v in zip(self.opt_params, new.tolist()):
            param.data = v
            param.grad = 0       # as the other modes leave them (optimizer.zero_grad())
        for k, g in zip(self.frozen, kept.frozen):
            self.params[k].grad = g
        for key, values in kept.state.items():
            setattr(opt, key, values.tolist())
        if type(opt) is Adam:
            opt.t = kept.t

    # ------------------------------------------------------------------ one step
    def step(self, batch, at, check):
        """one optimizer step on the samples `batch` (indices into X: a list, or an array of
        them): forward and backward in Batch in Backpropagation's matrix form, the optimizer,
        and the trainer's checks (`check(x, what)` raises where x is nan or inf; `at` notes
        the phase and sample). Returns (the model's outputs: H^L, one row per output and a
        column per sample, or its one row for one output; the sum of the losses). Changes
        nothing until every check has passed; with Kept arrays, the step is then one
        assignment (see the top)."""
        np = self.np
        if self.kept is None and self.vectorized:
            self.keep()
        kept = self.kept
        theta, before = (kept.theta, kept.theta) if kept is not None else self._weights()
        m = len(batch)
        rows = batch if isinstance(batch, np.ndarray) else np.fromiter(batch, np.intp, m)
        with np.errstate(all='ignore'):     # nan and inf are found by the checks below, sample by sample
            at.phase, at.sample = 'forward pass', None
            H, Z = self.forward(theta, self.XT.take(rows, axis=1))      # H^0 = x, a column per sample
            for layer, Zl in zip(self.layers, Z):
                if not math.isfinite(float(Zl.sum())):
                    # a matrix product can give inf where the scalar sum gives nan (inf - inf), and a
                    # saturating σ or a hinge would then hide it: stop here, naming the sample
                    k = int(np.argmin(np.isfinite(Zl).all(axis=0)))
                    at.sample = batch[k]
                    check(float(Zl[:, k][~np.isfinite(Zl[:, k])][0]), "the pre-activation Z of %s" % layer.name)
            loss, dH = loss_and_gradient(np, self.loss, H[-1], self.Y[rows], batch)
            total = float(loss.sum())
            if not math.isfinite(total):
                finite = np.isfinite(loss)
                k = int(np.argmin(finite))
                at.sample = batch[k]
                check(float(loss[k]), "the loss")
            at.phase = 'backward pass'
            grads = np.empty_like(theta)
            DZ = [None] * len(self.layers)
            for l in reversed(range(len(self.layers))):
                layer = self.layers[l]
                W, _ = self._unpack(theta, layer)
                linear = layer.activation == 'linear'
                DZ[l] = dH if linear else dH * slope(np, layer, Z[l], H[l + 1])      # DZ^l = dH^l ⊗ σ'(Z^l)
                DW, Db = self._unpack(grads, layer)
                np.matmul(DZ[l], H[l].T, out=DW)
                DW /= m                                                  # DW^l = (1/m) DZ^l . (H^(l-1))^T
                if Db is not None:
                    Db[...] = DZ[l].sum(axis=1) / m                      # Db^l = (1/m) Σ_columns DZ^l
                if l:
                    dH = W.T @ DZ[l]                                     # dH^(l-1) = (W^l)^T . DZ^l
            at.phase = 'optimizer step'
            self._check(grads[self.opt_index] if self.subset else grads, "the gradient of %s", self.opt_index, check)
            if kept is not None:
                new, state, t = self._step_arrays(theta, grads, kept.state, kept.t, check)
                frozen = kept.frozen
                if self.frozen:                  # not optimized: their gradients add up, as backward() adds them
                    frozen = [g + d for g, d in zip(frozen, grads[self.frozen].tolist())]
                last = LastBatch(self, batch, before, H, Z, DZ, loss, grads)
                self.kept = Kept(new, state, t, frozen, kept.steps + 1, last)     # the step, in one assignment
            else:
                self._step_values(grads, check)
                for k in self.frozen:
                    self.params[k].grad = self.params[k].grad + float(grads[k])
                self.last = LastBatch(self, batch, before, H, Z, DZ, loss, grads)
        return (H[-1][0] if self.single else H[-1]), total

    def forward(self, theta, H0, in_order=False):
        """([H^0 .. H^L], [Z^1 .. Z^L]) for the columns H0 under the weights theta:
        Z^l = W^l H^(l-1) + b^l, H^l = σ(Z^l). in_order: Z^l summed as the engine's dot sums
        z = b + w_1 h_1 + ... + w_n h_n, a term at a time in that order (so that a cancelling
        or overflowing sum gives its float), instead of in a matrix product's order."""
        H, Z = [H0], []
        for layer in self.layers:
            W, b = self._unpack(theta, layer)
            if in_order:
                z = _in_order(self.np, W, b, H[-1])
            else:
                z = W @ H[-1]
                if b is not None:
                    z += b[:, None]                                      # Z^l = W^l H^(l-1) + b^l
            Z.append(z)
            H.append(activation(self.np, layer, z))                      # H^l = σ(Z^l)
        return H, Z

    def count_right(self, outputs, targets, signed, threshold):
        """how many predicted classes are the targets (Trainer.predict_class, for all columns
        at once): the first largest output, or for one output > 0 (-1/+1 labels) or
        >= threshold (0/1 labels). outputs: as step() returns them (finite); targets: an array."""
        np = self.np
        if outputs.ndim == 2:
            predicted = outputs.argmax(axis=0)                           # the first of the largest
        elif signed:
            predicted = np.where(outputs > 0, 1, -1)
        else:
            predicted = outputs >= float(threshold)
        return int(np.count_nonzero(predicted == targets))

    def all_at_once(self, X, Y):
        """(the outputs as step() returns them, loss_i per sample, Y as an array) for all of
        X under the weights the Values hold now, for Trainer.evaluate and accuracy, each
        w . x + b summed in the engine's order (forward's in_order); None where the scalar
        engine could give other numbers than float64 does: a weight that is not a float (an
        int or Fraction stays exact there), a number that is not a float or an int, or an
        output or loss that is nan or inf (the engine may raise instead)."""
        np = self.np
        values = [p.data for p in self.params]
        if not all(type(v) is float for v in values):
            return None
        try:
            XT = np.ascontiguousarray(_float_array(np, X).T)
            y = _float_array(np, Y) if self.loss is not losses.cross_entropy else np.asarray(Y, dtype=np.intp)
        except (TypeError, ValueError, OverflowError):
            return None
        if XT.shape[0] != self.layers[0].nin:
            return None
        with np.errstate(all='ignore'):
            H, _ = self.forward(np.array(values), XT, in_order=True)
            loss, _ = loss_and_gradient(np, self.loss, H[-1], y, range(len(y)))
        if not (np.isfinite(H[-1]).all() and np.isfinite(loss).all()):
            return None
        return (H[-1][0] if self.single else H[-1]), loss, y

    def _check(self, values, what, index, check):
        """check(value, what % name) for the first value that is nan or inf."""
        if math.isfinite(float(values.sum())):      # the sum is finite only where every value is
            return
        finite = self.np.isfinite(values)
        if not finite.all():
            k = int(self.np.argmin(finite))
            check(float(values[k]), what % self.labels[index[k]])

    def _step_arrays(self, theta, grads, state, t, check):
        """SGD's or Adam's step on all parameters at once: optim.py's formulas, element by
        element in the same order, so that the floats are the same. state: the optimizer's
        arrays (velocity; m and v), t: Adam's steps. Returns (the new theta, state and t),
        changing nothing: new arrays, checked to be finite."""
        np, opt, idx = self.np, self.optimizer, self.opt_index
        p, g = (theta[idx], grads[idx]) if self.subset else (theta, grads)
        owner = type(opt).__name__
        # each hyperparameter as the float that Python uses for it beside a float (a Fraction lr too)
        if type(opt) is SGD:
            new_state = {}
            if opt.weight_decay:
                g = g + float(opt.weight_decay) * p                     # grad + weight_decay * p
            if opt.momentum:
                velocity = state.get('velocity')
                if velocity is None:                                    # momentum set since the fit began
                    velocity = np.array(opt.velocity, dtype=float)
                g = float(opt.momentum) * velocity + g                  # v = momentum v + g
                new_state['velocity'] = g
            new = p - float(opt.lr) * g                                  # p -= lr v
        else:
            t = t + 1
            c1, c2 = float(1 - opt.b1 ** t), float(1 - opt.b2 ** t)
            b1, b2, lr, eps = float(opt.b1), float(opt.b2), float(opt.lr), float(opt.eps)
            mt = b1 * state['m'] + float(1 - opt.b1) * g                # m = b1 m + (1 - b1) g
            vt = b2 * state['v'] + float(1 - opt.b2) * g * g            # v = b2 v + (1 - b2) g^2
            new = p - lr * (mt / c1) / (np.sqrt(vt / c2) + eps)         # p -= lr m^ / (sqrt(v^) + eps)
            new_state = {'m': mt, 'v': vt}
        self._check(new, "%s after the optimizer step", idx, check)
        for key, values in new_state.items():
            finite = np.isfinite(values)
            if not finite.all():
                k = int(np.argmin(finite))
                check(float(values[k]), "%s.%s[%d] after the optimizer step" % (owner, key, k))
        if self.subset:
            full = theta.copy()
            full[idx] = new
            new = full
        return new, new_state, t

    def _step_values(self, grads, check):
        """any other optimizer: the gradients into p.grad, its own step(), the trainer's checks."""
        opt = self.optimizer
        opt.zero_grad()
        for k, g in zip(self.opt_index.tolist(), grads[self.opt_index].tolist()):
            self.params[k].grad = g          # set, not added: a parameter listed twice has one gradient
        opt.step()
        for k, param in zip(self.opt_index.tolist(), self.opt_params):
            check(param.data, "%s after the optimizer step" % self.labels[k])
        state = opt.state_dict() if hasattr(opt, 'state_dict') else {}
        for key, values in state.items():
            for k, v in enumerate(values if isinstance(values, list) else [values]):
                check(v, "%s.%s[%d] after the optimizer step" % (type(opt).__name__, key, k))
        opt.zero_grad()


def _floats(np, rows, name):
    """rows (X: tuples of numbers; Y: numbers) as a float64 array, or an OverflowError naming
    the first number too large for a float (an int or a Fraction beyond about 1.8e308)."""
    try:
        return np.array(rows, dtype=float)
    except OverflowError:
        pass
    for i, row in enumerate(rows):
        for j, v in (enumerate(row) if isinstance(row, (tuple, list)) else [(None, row)]):
            if not fits_float(v):
                where = "%s[%d]" % (name, i) + ("" if j is None else "[%d]" % j)
                raise OverflowError("Trainer(mode='matrix'): %s is %s: too large for a float (about 1.8e308 "
                                    "at most), and the matrix mode computes in float64" % (where, _short(v))) from None
    raise OverflowError("Trainer(mode='matrix'): %s holds a number too large for a float" % name)


def _in_order(np, W, b, H):
    """W H + b summed in ops.DOT's order: b + w_1 h_1 + ... + w_n h_n (from w_1 h_1 without b),
    for every neuron (row of W) and sample (column of H) at once."""
    z = np.repeat(b[:, None], H.shape[1], axis=1) if b is not None else W[:, :1] * H[:1]
    for i in range(0 if b is not None else 1, W.shape[1]):
        z += W[:, i:i + 1] * H[i:i + 1]
    return z


def _float_array(np, data):
    """data (numbers, or rows of them) as a float64 array, where every number is a float or an
    int (the engine turns an int into a float beside a float weight, as this does); else TypeError."""
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in 'fiu':
            raise TypeError(data.dtype)
        return data.astype(float)
    kinds = {type(v) for row in data for v in (row if isinstance(row, (tuple, list)) else (row,))}
    if not kinds <= {float, int}:
        raise TypeError(kinds)
    return np.array(data, dtype=float)


def fits_float(v):
    """whether v (an int or Fraction) converts to a float, not overflowing."""
    try:
        float(v)
    except OverflowError:
        return False
    return True


def _short(v):
    """a number's repr, its middle left out where it is long (an int of 400 digits)."""
    try:
        text = repr(v)
    except ValueError:               # beyond Python's int-to-str limit
        return "an int of more than %d digits" % sys.get_int_max_str_digits()
    return text if len(text) <= 40 else "%s...%s (%d characters)" % (text[:16], text[-8:], len(text))


def replan(old, model, loss, optimizer):
    """a fresh Plan (model, loss and optimizer checked again: they may have changed since
    the last fit) that keeps the old one's last batch until a step replaces it."""
    plan = Plan(model, loss, optimizer)
    plan.last = old.last if old is not None else None
    return plan


# ------------------------------------------------------------------ the formulas
def activation(np, layer, Z):
    """H = σ(Z), as the engine's ops compute it (ops.py): relu keeps nan; sigmoid never overflows."""
    if layer.activation == 'linear':
        return Z
    if layer.activation == 'relu':
        return np.maximum(Z, 0.0)                                   # nan stays nan
    if layer.activation == 'tanh':
        return np.tanh(Z)
    return sigmoid(np, Z)


def sigmoid(np, Z):
    """1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) below (so exp never overflows)."""
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def slope(np, layer, Z, H):
    """σ'(Z) from Z and H = σ(Z), element by element (ops.py's local derivatives)."""
    if layer.activation == 'linear':
        return 1.0
    if layer.activation == 'relu':     # 1 above 0, grad_at_zero at 0 exactly (the articles pass 1 there)
        if not layer.grad_at_zero.any():
            return Z > 0
        return np.where(Z > 0, 1.0, np.where(Z == 0, layer.grad_at_zero[:, None], 0.0))
    if layer.activation == 'tanh':
        return 1 - H * H
    return H * (1 - H)


def loss_and_gradient(np, loss, O, y, batch):
    """(loss_i for every sample, ∂loss_i/∂O): O is the model's output H^L (one row per
    output, a column per sample), y the targets (one per sample, or for a regression loss
    over K outputs a row of K per sample). The formulas are nn.losses' docstrings."""
    if loss is losses.cross_entropy:
        top = O.max(axis=0)                                         # m = max l, per column
        E = np.exp(O - top)
        total = E.sum(axis=0)
        cols = np.arange(O.shape[1])
        P = E / total                                               # P = normalize(exp(Z))
        Y = np.zeros_like(O)
        Y[y, cols] = 1.0                                            # Y: one-hot, a column per sample
        return np.log(total) + top - O[y, cols], P - Y              # DZ = P - Y
    if y.ndim == 2:                                                 # K outputs: E = O - Y^T, (K, m)
        D = O - y.T
        total = (D * D).sum(axis=0)                                 # Σ_k e_k², the outputs in order
        if loss is losses.half_squared_error:
            return total * 0.5, D                                   # 1/2 Σ_k (o_k - y_k)^2; o_k - y_k
        return total, 2 * D                                         # Σ_k (o_k - y_k)^2; 2 (o_k - y_k)
    p = O[0]
    if loss is losses.half_squared_error:
        d = p - y
        return d * d * 0.5, d[None, :]                              # 1/2 (p - y)^2; p - y
    if loss is losses.squared_error:
        d = p - y
        return d * d, 2 * d[None, :]                                # (p - y)^2; 2 (p - y)
    if loss is losses.hinge:
        t = 1 - p * y
        return np.maximum(t, 0.0), np.where(t > 0, -y, 0.0)[None, :]     # max(0, 1 - y p); -y where 1 - y p > 0
    if loss is losses.binary_cross_entropy_with_logits:
        value = np.maximum(p, 0) - p * y + np.log(1 + np.exp(-np.abs(p)))   # max(z, 0) - z y + log(1 + e^-|z|)
        return value, (sigmoid(np, p) - y)[None, :]                          # sigmoid(z) - y
    # binary cross-entropy, -(y log p + (1 - y) log(1 - p)): as losses.py, only the logs it needs
    need_p, need_q = y != 0, y != 1
    for needed, x, what in ((need_p, p, "p"), (need_q, 1 - p, "1 - p")):
        bad = needed & ~(x > 0)
        if bad.any():
            k = int(np.argmax(bad))
            raise ValueError("binary_cross_entropy at sample X[%d]: log(%s=%r): log is defined only for "
                             "positive numbers" % (batch[k], what, float(x[k])))
    log_p = np.where(need_p, np.log(np.where(need_p, p, 1.0)), 0.0)
    log_q = np.where(need_q, np.log(np.where(need_q, 1 - p, 1.0)), 0.0)
    value = -(y * log_p + (1 - y) * log_q)
    grad = -(np.where(need_p, y / p, 0.0) - np.where(need_q, (1 - y) / (1 - p), 0.0))   # -(y/p - (1 - y)/(1 - p))
    return value, grad[None, :]


# ------------------------------------------------------------------ seeing the last batch
class LastBatch:
    """The matrix mode's last batch, as Batch in Backpropagation names it: .samples (indices into X, in the
    batch's order), .weights (the model's parameter values before the step),
    .H[l] = H^l, .Z[l] = Z^(l+1), .DZ[l] = DZ^(l+1) (a column per sample; H[0] = X^T),
    .losses (loss_i), .DW(l), .Db(l) (the gradient of Loss^avg that the step used).
    sample_gradients(j) and sample_graph(j) show sample j (0-based in the batch)."""

    def __init__(self, plan, samples, weights, H, Z, DZ, losses_, grads):
        self.plan, self._samples, self._weights = plan, samples, weights     # lists, or arrays until asked
        self.H, self.Z, self.DZ, self.losses, self.grads = H, Z, DZ, losses_, grads
        self.m = len(samples)

    @property
    def samples(self):
        """the batch's samples: indices into X, in the batch's order (a list)."""
        if not isinstance(self._samples, list):
            self._samples = self._samples.tolist()
        return self._samples

    @property
    def weights(self):
        """the model's parameter values before the step, in model.parameters() order (a list)."""
        if not isinstance(self._weights, list):
            self._weights = self._weights.tolist()
        return self._weights

    def DW(self, l):
        """DW^(l+1) = (1/m) DZ^(l+1) (H^l)^T, one row per neuron."""
        return self.plan._unpack(self.grads, self.plan.layers[l])[0]

    def Db(self, l):
        return self.plan._unpack(self.grads, self.plan.layers[l])[1]

    def sample_gradients(self, j):
        """{parameter name: sample j's share of the step's gradient}: Batch in Backpropagation's tensor DW^l
        before the average collapses it, (1/m) dz^l_j (h^(l-1)_j)^T, and (1/m) dz^l_j for b."""
        plan = self.plan
        np = plan.np
        share = np.empty_like(self.grads)
        for l, layer in enumerate(plan.layers):
            dW, db = plan._unpack(share, layer)
            dW[...] = np.outer(self.DZ[l][:, j], self.H[l][:, j]) / self.m
            if db is not None:
                db[...] = self.DZ[l][:, j] / self.m
        return dict(zip(plan.names, share.tolist()))

    def sample_graph(self, j, fused=None):
        """SampleGraph: sample j of the batch (0-based), rebuilt as the scalar graph of
        Loss^learning = loss_j / m on a copy of the model with the weights as they were
        for this batch (before its step). The model itself is not touched. Each neuron is
        built as the model builds it (one dot node z = w . x + b, unless the model was made
        with fused=False); fused=True or False builds every neuron of the copy that way."""
        if not isinstance(j, int) or not 0 <= j < self.m:
            raise IndexError("sample_graph(%r): the last batch has %d samples, 0 .. %d" % (j, self.m, self.m - 1))
        if fused is not None:
            fused = check_fused('sample_graph', fused)
        plan = self.plan
        model = copy.deepcopy(plan.model)
        if fused is not None:
            model.fused = fused
        for p, v in zip(model.parameters(), self.weights):
            p.data, p.grad = v, 0
        i = self.samples[j]
        x = plan.XT[:, i].tolist()
        y = int(plan.Y[i]) if plan.loss is losses.cross_entropy else plan.Y[i].tolist()   # a float, or a list
        with record_scopes() as scopes:          # so that a drawing can box layers and neurons
            output = model(x)
            loss = plan.loss(output, y)
        scale = Fraction(1, self.m)
        root = autolabel(loss * scale, 'Loss^learning')                 # Loss^learning = loss_i / m
        return SampleGraph(x=x, y=y, model=model, loss_function=plan.loss, output=output, loss=loss, root=root,
                           scale=scale, scopes=scopes, position=j, sample=i,
                           matrix_gradients=self.sample_gradients(j), DZ=[DZ[:, j].tolist() for DZ in self.DZ])


@dataclass
class SampleGraph(AnySampleGraph):
    """One sample of the matrix mode's last batch as a scalar graph (nn.sample_graph's
    SampleGraph: draw, step, explore, layer_view, gradients). .root is
    Loss^learning = loss / m (.scale = 1/m): root.backward() gives .model's parameters the
    gradients that .matrix_gradients holds (the matrix mode's share of this sample), and
    nn.layer_view(.model, loss, .x, .y) the δ's whose dz are .DZ (Batch in Backpropagation's column j)."""
    position: int           # j, in the batch
    sample: int             # i, the index into X
    matrix_gradients: dict  # {parameter name: (1/m) DZ^l_j (H^(l-1)_j)^T or (1/m) DZ^l_j}
    DZ: list                # DZ^l's column j, one list per layer

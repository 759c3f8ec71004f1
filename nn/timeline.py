"""Training over time, as data for a page: the loss and accuracy of every epoch, the
weights after every epoch and, for 2-D inputs with class labels, the decision
boundary after every epoch (nn.lesson's slider; static/timeline.js draws it).

record() TRAINS the model it is given with nn.Trainer, and reads every number off
that run: the loss and accuracy are the History that fit() returns, and the weights
are copied from the model in fit()'s callback at the end of each epoch. Only the
boundary is computed here, from those recorded weights: each cell's output is the
model's forward pass, o = act_L(W^L ... act_1(W^1 x + b^1) ... + b^L).

Everything returned is JSON-ready: floats, ints, strings, lists, None.
"""
from __future__ import annotations

import math
import os
from typing import Callable, Optional, Sequence

from autograd import Value

from .layers import MLP, Layer, Neuron
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, class_threshold, cross_entropy,
                     half_squared_error, hinge, squared_error)
from .module import Module
from .matrix import LOSSES as MATRIX_LOSSES, MatrixModeError, Plan, sigmoid
from .optim import SGD
from .trainer import MODES, Trainer, _class_labels, predict_class

try:
    import numpy as _np
except ImportError:     # numpy is optional: the grids are then computed in floats, on a coarser grid
    _np = None

# SGD's default step: on inputs of order 1 (nn.data's moons, circles, xor) it trains
# MLP(2,[16,16,1]) full-batch with every nn loss (hinge, squared errors, cross-entropies)
# in 100 epochs; 0.3 already makes squared_error diverge there. The seed articles'
# inputs run into the thousands: they need their own 1e-7 (pass an optimizer).
DEFAULT_LR = 0.1

# boundary cells along the longer side of the plotted area: with numpy, and without
# (then every cell is a pure-Python forward pass per epoch)
CELLS, CELLS_WITHOUT_NUMPY = 32, 20
MARGIN = 0.1        # the plotted area reaches this fraction of the data's larger span beyond the data
DIGITS = 3          # significant digits kept of a cell's output (colour needs no more; it keeps the page small)

# every nn loss works on Lanes (a whole batch in one graph): mode='lanes' can take them
LANE_LOSSES = (half_squared_error, squared_error, binary_cross_entropy, binary_cross_entropy_with_logits,
               hinge, cross_entropy)


def record(model: Module, loss: Callable[..., Value], X: Sequence, Y: Sequence, optimizer: Optional[object] = None,
           epochs: int = 1, batch_size: Optional[int] = None, seed: int = 0, mode: Optional[str] = None) -> dict:
    """Train `model` (an nn.Neuron, Layer or MLP) on (X, Y) for `epochs` epochs with
    nn.Trainer, and return what the training did, epoch by epoch:

        {'mode': the Trainer's mode, 'epochs': E, 'optimizer': what stepped (e.g. 'SGD(lr=0.1)'),
         'loss': [E floats]          History.epoch_loss (epoch 1..E),
         'accuracy': [E floats] | None   History.epoch_accuracy; None where the targets are not classes,
         'params': [E + 1 items]     params[e][k][j] = [w_1, ..., w_n, b or None] of layer k's
                                     neuron j (0-based) after epoch e; params[0]: before training,
         'boundary': None | {...}}   for 2-D inputs and class targets (see boundary()).

    optimizer None: nn.SGD(model.parameters(), lr=DEFAULT_LR) (0.1; see DEFAULT_LR for why).
    batch_size and seed are the Trainer's (None: full batch; seed: the shuffle's).
    mode None: the fastest mode that gives accumulate's numbers: 'matrix' (numpy, an nn loss,
    float weights), else 'lanes' (numpy, an nn loss, float weights), else 'accumulate' (also
    for exact weights, ints or Fractions, which it keeps exact). Both fast modes agree with
    accumulate to 1e-12. The mode used is in the result.
    """
    who = 'nn.timeline.record'
    layers = neurons_of(model, who)
    if not callable(loss):
        raise TypeError("%s: loss must be a function such as nn.hinge, got %r" % (who, loss))
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError("%s: epochs must be an int >= 0, got %r" % (who, epochs))
    if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                   or batch_size < 1):
        raise ValueError("%s: batch_size must be None (the whole batch) or an int >= 1, got %r" % (who, batch_size))
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError("%s: seed must be an int, got %r" % (who, seed))
    if mode is not None and mode not in MODES:
        raise ValueError("%s: mode must be None (the fastest that gives the same numbers) or one of %s, got %r"
                         % (who, MODES, mode))
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=DEFAULT_LR)
    elif not (hasattr(optimizer, 'step') and hasattr(optimizer, 'params')):
        raise TypeError("%s: optimizer must be None (SGD, lr=%g) or an optimizer such as nn.SGD(...), got %r"
                        % (who, DEFAULT_LR, optimizer))
    if mode is None:
        mode = fastest_mode(model, loss, optimizer)
    trainer = Trainer(model, loss, optimizer, batch_size=batch_size, seed=seed, mode=mode)
    try:
        X, Y = trainer._check_data(X, Y, 'fit')       # the Trainer's checks (fit repeats them, cheaply)
    except ValueError as error:
        raise ValueError("%s: %s" % (who, error)) from None
    per_epoch = -(-len(X) // (batch_size or len(X)))     # optimizer steps in an epoch

    params = [weights(layers)]

    def after_step(step):
        if step.batch == per_epoch:
            params.append(weights(layers))

    try:
        history = trainer.fit(X, Y, epochs, callback=after_step, progress=False)
    except FloatingPointError as error:
        raise FloatingPointError("%s: %s (a smaller learning rate may help; optimizer: %s)"
                                 % (who, error, describe_optimizer(optimizer))) from error
    classes = _class_labels(Y)
    return {
        'mode': mode,
        'epochs': epochs,
        'optimizer': describe_optimizer(optimizer),
        'loss': [float(v) for v in history.epoch_loss],
        'accuracy': [float(v) for v in history.epoch_accuracy] if classes else None,
        'params': params,
        'boundary': boundary(layers, params, X, Y, loss) if classes and len(X[0]) == 2 else None,
    }


def neurons_of(model, who):
    """the model's neurons, layer by layer: [[Neuron]]; a TypeError for anything else."""
    if type(model) is Neuron:
        return [[model]]
    if type(model) is Layer:
        return [model.neurons]
    if type(model) is MLP:
        return [layer.neurons for layer in model.layers]
    raise TypeError("%s: the model must be an nn.Neuron, nn.Layer or nn.MLP (neurons in layers, whose weights "
                    "it can record), got %s" % (who, type(model).__name__))


def weights(layers):
    """[[ [w_1, ..., w_n, b or None] per neuron ] per layer], as floats."""
    return [[[float(w.data) for w in n.w] + [float(n.b.data) if n.b is not None else None] for n in neurons]
            for neurons in layers]


def fastest_mode(model, loss, optimizer):
    """'matrix', 'lanes' or 'accumulate': see record()."""
    if _np is None:
        return 'accumulate'
    exact = any(type(p.data) is not float for p in model.parameters())
    if exact:
        return 'accumulate'      # ints or Fractions: accumulate keeps them exact; the others compute in floats
    if loss in MATRIX_LOSSES:
        try:
            Plan(model, loss, optimizer)
            return 'matrix'
        except MatrixModeError:   # e.g. a layer whose neurons differ in activation
            pass
    return 'lanes' if loss in LANE_LOSSES else 'accumulate'


def describe_optimizer(optimizer):
    lr = getattr(optimizer, 'lr', None)
    return "%s(lr=%s)" % (type(optimizer).__name__, lr) if lr is not None else type(optimizer).__name__


# ------------------------------------------------------------------ the decision boundary
def boundary(layers, params, X, Y, loss=None, cells=None):
    """The model's classes over the plane, after every epoch: a grid over the data's
    area plus MARGIN, computed from each epoch's recorded weights.

        {'x': [xmin, xmax], 'y': [ymin, ymax], 'nx', 'ny',
         'grids': [E + 1 lists of ny * nx numbers, row by row, the first row at the top (ymax)],
         'points': [[x1, x2, label], ...], 'rule': in words, 'threshold': 0.5 | 0 | None,
         'signed': labels are -1/+1, 'classes': the labels, 'outputs': the model's outputs,
         'cells': 'numpy' or 'python'}

    Cell (r, c) is the point (xmin + (c + 1/2) dx, ymax - (r + 1/2) dy). With one output
    a cell holds the output, to DIGITS significant digits (never so rounded that its class
    changes); the class is the Trainer's (trainer.predict_class): for 0/1 labels output >= the
    loss's class threshold (losses.class_threshold: 0.5, or 0 for the logit of
    binary_cross_entropy_with_logits), output > 0 for -1/+1. With several outputs a cell holds the class,
    the index of the largest output (the first of equals).
    """
    xs, ys = [float(getattr(x[0], 'data', x[0])) for x in X], [float(getattr(x[1], 'data', x[1])) for x in X]
    xmin, xmax, ymin, ymax = min(xs), max(xs), min(ys), max(ys)
    pad = MARGIN * max(xmax - xmin, ymax - ymin) or 1.0      # all points in one place: a unit square around it
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    cells = cells or (CELLS if _np is not None else CELLS_WITHOUT_NUMPY)
    cell = max(xmax - xmin, ymax - ymin) / cells
    nx, ny = max(2, round((xmax - xmin) / cell)), max(2, round((ymax - ymin) / cell))
    centres = [(xmin + (c + 0.5) * (xmax - xmin) / nx, ymax - (r + 0.5) * (ymax - ymin) / ny)
               for r in range(ny) for c in range(nx)]
    signed = set(Y) <= {-1, 1}          # the Trainer's test (trainer.fit)
    outputs = len(layers[-1])
    activations = [[n.activation for n in neurons] for neurons in layers]
    forward = _forward_numpy if _np is not None else _forward_python
    cut = float(class_threshold(loss))
    grids = [_cells(forward(theta, activations, centres), outputs, signed, cut) for theta in params]
    if outputs > 1:
        rule = "the class is the index of the largest output (argmax, the first of equals)"
        threshold = None
    elif signed:
        rule, threshold = "output > 0: class 1, else -1", 0
    elif cut == 0:
        rule, threshold = "output (a logit) >= 0: class 1, else 0 (as a probability, sigmoid(0) = 0.5)", 0
    else:
        rule, threshold = "output >= %g: class 1, else 0" % cut, cut
    return {'x': [xmin, xmax], 'y': [ymin, ymax], 'nx': nx, 'ny': ny, 'grids': grids,
            'points': [[x, y, label] for x, y, label in zip(xs, ys, Y)],
            'rule': rule, 'threshold': threshold, 'signed': signed and outputs == 1,
            'classes': sorted(set(Y) | ({-1, 1} if signed else set(range(outputs)) if outputs > 1 else {0, 1})),
            'outputs': outputs, 'cells': 'numpy' if _np is not None else 'python'}


def _cells(out, outputs, signed, cut=0.5):
    """a grid's numbers from the model's outputs at its cells (a list per output); cut: the
    loss's class threshold for 0/1 labels."""
    if outputs > 1:
        return [predict_class(list(o), signed) for o in zip(*out)]
    # predict_class's test for one output, on floats (0.5 and 0 are exact: the same comparison)
    above = (lambda v: v > 0) if signed else (lambda v: v >= cut)
    pattern = '%%.%dg' % DIGITS
    cells = []
    for v in out[0]:
        r = float(pattern % v)
        cells.append(r if above(r) == above(v) else v)      # never so rounded that the class changes
    return cells


def _forward_numpy(theta, activations, centres):
    """the model's outputs at every centre, with numpy: H^l = act(W^l H^(l-1) + b^l),
    a column per centre; [[output k at each centre] for each output k]."""
    np = _np
    H = np.array(centres, dtype=float).T
    for neurons, acts in zip(theta, activations):
        W = np.array([row[:-1] for row in neurons], dtype=float)
        b = np.array([row[-1] if row[-1] is not None else 0.0 for row in neurons], dtype=float)
        Z = W @ H + b[:, None]
        if len(set(acts)) == 1:
            H = _activation_numpy(acts[0], Z)
        else:                                   # neurons of one layer with different activations
            H = np.vstack([_activation_numpy(a, Z[j:j + 1]) for j, a in enumerate(acts)])
    return H.tolist()


def _activation_numpy(name, Z):
    np = _np
    if name == 'relu':
        return np.maximum(Z, 0.0)
    if name == 'tanh':
        return np.tanh(Z)
    if name == 'sigmoid':
        return sigmoid(np, Z)
    return Z


def _forward_python(theta, activations, centres):
    """as _forward_numpy, one centre at a time in floats."""
    outputs = []
    for x in centres:
        for neurons, acts in zip(theta, activations):
            x = [_activation(a, sum([w * xi for w, xi in zip(row, x)], row[-1] or 0.0))
                 for row, a in zip(neurons, acts)]
        outputs.append(x)
    return [list(o) for o in zip(*outputs)]


def _activation(name, z):
    if name == 'relu':
        return z if z > 0 else 0.0
    if name == 'tanh':
        return math.tanh(z)
    if name == 'sigmoid':      # as matrix.sigmoid: exp never overflows
        e = math.exp(-abs(z))
        return 1 / (1 + e) if z >= 0 else e / (1 + e)
    return z


# ------------------------------------------------------------------ the page's side
def script() -> str:
    """static/timeline.js, for a page to inline: window.Timeline.mount(container, data, onEpoch)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static', 'timeline.js'),
              encoding='utf-8') as f:
        return f.read()

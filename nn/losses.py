"""Losses, each written with Value operations so that backprop sees every step.

A `pred` or `logit` is a Value; a target is a number. The regression losses
(half_squared_error, squared_error) also take a list of outputs with a list of
targets, and sum over the outputs. Constants are exact Fractions, so exact inputs
give exact losses.

For a batch, `pred` is Lanes (autograd/lanes.py) and the target one number per
sample (a list or a 1-D array); the loss is then Lanes too, one loss per sample,
each computed as the one-sample loss computes it.

Names. Every node a loss makes is named for what it is, so that a step reads
∂loss/∂e rather than ∂t7/∂t6: the result is `loss`, and each loss's docstring
lists the names of its intermediate nodes (e = pred - target, e², margin, ...),
written in the letters of its formula.
"""
from __future__ import annotations

import functools
import operator
from typing import Callable, Sequence, Union
from fractions import Fraction

from autograd import Value, dot
from autograd.notation import AutoName, autolabel

HALF = Fraction(1, 2)
LOSS = AutoName('loss')


def _names(*names):
    return [AutoName(name) for name in names]


@functools.lru_cache(maxsize=None)
def _name(pattern, *parts):
    """AutoName(pattern % parts), made once for each name (a loss hands out the same few)."""
    return AutoName(pattern % parts)


# the intermediate nodes' names, made once (see the module's docstring)
E, E2 = _names('e', 'e²')
LOG_P, Q, LOG_Q, Y_LOG_P, Y_LOG_Q, LOGLIK = _names('log(p)', '1-p', 'log(1-p)', 'y·log(p)', '(1-y)·log(1-p)', 'loglik')
ZY, Z_ZY, NEG_Z, NEG_ZY, SZ, NEG_SZ, RELU_Z, RELU_Z_ZY = _names('z·y', 'z-z·y', '-z', '-z·y', 's·z', '-s·z',
                                                                'relu(z)', 'relu(z)-z·y')
MARGIN, SLACK = _names('margin', '1-margin')
SUM_EXP, LOG_SUM_EXP, LSE, PICKED = _names('Σexp', 'log(Σexp)', 'logsumexp', 'l_y')


def _is_lanes(x):
    return getattr(x, 'lanes', None) is not None


def _lane_targets(y, what):
    """per-sample targets as a lane array (a Lanes target keeps its graph)."""
    from autograd.lanes import as_lanes        # only reached with lanes, so numpy is there
    return y if isinstance(y, Value) or not hasattr(y, '__len__') else as_lanes(y, what)


def named_loss(loss):
    """a loss function whose result is named `loss` in drawings and steps."""
    @functools.wraps(loss)
    def named(*args, **kwargs):
        return autolabel(loss(*args, **kwargs), LOSS)
    return named


@named_loss
def half_squared_error(pred: Union[Value, Sequence[Value]], target: Union[float, Sequence[float]]) -> Value:
    """1/2 (pred - target)^2: the seed articles' Loss; its gradient is (pred - target).
    Nodes: e = pred - target, e², loss = e² · 1/2.

    Several outputs: pred a list of K outputs, target a list of K numbers, and
    1/2 Σ_k (o_k - y_k)^2, the sum over the outputs as the articles sum a loss over
    its output units (Deep Learning - Batch Gradient Descent's Σ_q); its gradient is
    o_k - y_k for each output. Nodes: e1 = o1 - y1, e1², e2, e2², ..., their running
    sums Σe²[1..k] up to Σe², loss = Σe² · 1/2."""
    if isinstance(pred, (list, tuple)):
        return _sum_of_squares(pred, target, 'half_squared_error') * HALF
    if _is_lanes(pred):                          # a target per sample, a list among them
        target = _lane_targets(target, 'half_squared_error')
    else:
        _one_target(target, 'half_squared_error')
    return autolabel(autolabel(pred - target, E) ** 2, E2) * HALF


@named_loss
def squared_error(pred: Union[Value, Sequence[Value]], target: Union[float, Sequence[float]]) -> Value:
    """(pred - target)^2. Nodes: e = pred - target, loss = e².

    Several outputs: Σ_k (o_k - y_k)^2, a sum over the outputs (not a mean, unlike
    torch's MSELoss), so that it is always twice half_squared_error. Nodes: e1, e1²,
    e2, e2², ..., their running sums Σe²[1..k], loss = Σe²."""
    if isinstance(pred, (list, tuple)):
        return _sum_of_squares(pred, target, 'squared_error')
    if _is_lanes(pred):                          # a target per sample, a list among them
        target = _lane_targets(target, 'squared_error')
    else:
        _one_target(target, 'squared_error')
    return autolabel(pred - target, E) ** 2


SUM_E2 = AutoName('Σe²')


def _one_target(target, what):
    if isinstance(target, (list, tuple)):
        raise ValueError("%s: the prediction is one output (a Value) but the target is a list of %d; give a "
                         "list of outputs with a list of targets, or one number" % (what, len(target)))


def _sum_of_squares(pred, target, what):
    """e_k = o_k - y_k, e_k², and their running sum Σe² (in the outputs' order), for
    K outputs and K targets (a number each, or one per sample on lanes)."""
    if isinstance(target, (str, bytes)) or not hasattr(target, '__len__'):     # a list, tuple or array
        raise ValueError("%s: the prediction is a list of %d outputs, so the target is a list of %d numbers, "
                         "got %r" % (what, len(pred), len(pred), target))
    if len(target) != len(pred) or not pred:
        raise ValueError("%s: %d outputs but %d targets; give one target per output"
                         % (what, len(pred), len(target)))
    squares = []
    for k, (o, y) in enumerate(zip(pred, target), 1):
        if _is_lanes(o):
            y = _lane_targets(y, what)
        squares.append(autolabel(autolabel(o - y, _name('e%d', k)) ** 2, _name('e%d²', k)))
    return _running_sum(squares, SUM_E2)


@named_loss
def binary_cross_entropy(p: Value, y: float) -> Value:
    """-(y log p + (1 - y) log(1 - p)), for a probability p in (0, 1) and y in [0, 1].
    Nodes: log(p), 1-p, log(1-p), y·log(p), (1-y)·log(1-p), their sum loglik, loss = -loglik;
    where y is 1 (or 0), only the log(p) (or 1-p and log(1-p)) term is made.
    On lanes the whole formula is computed in every lane (so p must stay inside (0, 1))."""
    if _is_lanes(p):
        y = _lane_targets(y, 'binary_cross_entropy')
    elif y == 1:
        return -autolabel(p.log(), LOG_P)
    elif y == 0:
        return -autolabel(autolabel(1 - p, Q).log(), LOG_Q)
    return -autolabel(autolabel(y * autolabel(p.log(), LOG_P), Y_LOG_P)
                      + autolabel((1 - y) * autolabel(autolabel(1 - p, Q).log(), LOG_Q), Y_LOG_Q), LOGLIK)


@named_loss
def binary_cross_entropy_with_logits(z: Value, y: float) -> Value:
    """binary_cross_entropy(sigmoid(z), y), computed stably:
    max(z, 0) - z y + log(1 + exp(-|z|)); its gradient is sigmoid(z) - y.
    For z >= 0: z - z y + log(1 + exp(-z)), nodes z·y, z-z·y, -z, exp(-z), 1+exp(-z),
    log(1+exp(-z)); for z < 0: -z y + log(1 + exp(z)), nodes -z, -z·y, exp(z), 1+exp(z),
    log(1+exp(z)); then loss.
    On lanes, with the sign s of each lane (1 where z >= 0, else -1) as a constant:
    relu(z) - z y + log(1 + exp(-(s z))), the same numbers lane by lane (nodes relu(z),
    z·y, relu(z)-z·y, s·z, -s·z, exp(-s·z), 1+exp(-s·z), log(1+exp(-s·z)))."""
    if _is_lanes(z):
        y = _lane_targets(y, 'binary_cross_entropy_with_logits')
        sign = (z.data >= 0) * 2 - 1
        linear = autolabel(autolabel(z.relu(1), RELU_Z) - autolabel(z * y, ZY), RELU_Z_ZY)
        return linear + _softplus(autolabel(-autolabel(z * sign, SZ), NEG_SZ), '-s·z')
    if z.data >= 0:
        return autolabel(z - autolabel(z * y, ZY), Z_ZY) + _softplus(autolabel(-z, NEG_Z), '-z')
    return autolabel(autolabel(-z, NEG_Z) * y, NEG_ZY) + _softplus(z, 'z')


def _softplus(u, name):
    """log(1 + exp(u)), its nodes named exp(u), 1+exp(u), log(1+exp(u)) with u's name."""
    e = autolabel(u.exp(), _name('exp(%s)', name))
    return autolabel(autolabel(1 + e, _name('1+exp(%s)', name)).log(), _name('log(1+exp(%s))', name))


def softmax(values: Sequence[Value]) -> list:
    """exp(v_i - m) / sum_j exp(v_j - m), with m = max v: the same value, and no overflow.
    On lanes, m is each sample's own maximum. Nodes: v1-m, exp(v1-m), ..., their running
    sums Σexp[1..k] up to Σexp, and the results p1, p2, ..."""
    m = _maximum([v.data if isinstance(v, Value) else v for v in values])
    exps = _exps(values, m, 'v')
    total = _running_sum(exps, SUM_EXP)
    return [autolabel(e / total, _name('p%d', k)) for k, e in enumerate(exps, 1)]


def _exps(values, m, letter):
    """exp(v_k - m) for each value, named v1-m and exp(v1-m) (with `letter` for v)."""
    return [autolabel(autolabel(v - m, _name('%s%d-m', letter, k)).exp(), _name('exp(%s%d-m)', letter, k))
            for k, v in enumerate(values, 1)]


def _running_sum(terms, name):
    """terms[0] + terms[1] + ..., in that order: sum(terms)'s numbers (up to the sign of a
    zero) without its 0 + terms[0] node. The partial sums are named name[1..k], the whole `name`."""
    total = terms[0]
    for k in range(1, len(terms)):
        total = autolabel(total + terms[k], name if k == len(terms) - 1 else _name('%s[1..%d]', name, k + 1))
    return total


@named_loss
def cross_entropy(logits: Sequence[Value], target_index: int) -> Value:
    """-log softmax(logits)[target] = m + log sum_j exp(l_j - m) - l_target, with m = max l.
    Nodes: l1-m, exp(l1-m), ..., their running sums Σexp[1..k] up to Σexp, log(Σexp),
    logsumexp = log(Σexp) + m, loss = logsumexp - l_target (on lanes, Σexp and l_y = l_target
    are one dot each: see _cross_entropy_lanes)."""
    if any(_is_lanes(l) for l in logits):
        return _cross_entropy_lanes(logits, target_index)
    if not 0 <= target_index < len(logits):
        raise ValueError("cross_entropy: target_index %r is not in 0..%d" % (target_index, len(logits) - 1))
    m = _maximum([l.data for l in logits])
    return _logsumexp(logits, m) - logits[target_index]


def _logsumexp(logits, m):
    total = _running_sum(_exps(logits, m, 'l'), SUM_EXP)
    return autolabel(autolabel(total.log(), LOG_SUM_EXP) + m, LSE)


def _maximum(numbers):
    """max of numbers, or, where they are lanes, each sample's max (a constant array)."""
    if any(getattr(x, 'ndim', 0) == 1 for x in numbers):
        import numpy as np                       # only reached with lanes
        return np.array(numbers, dtype=object).max(axis=0) if any(
            getattr(x, 'dtype', None) == object for x in numbers) else np.maximum.reduce(numbers)
    return max(numbers)


def _cross_entropy_lanes(logits, targets):
    """cross_entropy per sample, m + log Σ_j exp(l_j - m) - l_y with m each sample's max,
    with two dots for its sums: Σexp = Σ_j 1 · exp(l_j - m), and the pick l_y = Σ_j y_j l_j
    with y_j = [target = j], the one-hot target as 0/1 lanes (constants). A dot adds in the
    order the one-sample loss's running sum adds, so each lane is that loss's number; and
    it is one node where the running sums were 2K - 2 (K logits). Nodes: l1-m, exp(l1-m),
    ..., Σexp, log(Σexp), logsumexp, l_y, loss."""
    import numpy as np                              # only reached with lanes, so numpy is there
    from autograd.lanes import ConstantLanes
    targets = _lane_targets(targets, 'cross_entropy')
    keys = np.array(targets.tolist()) if targets.dtype == object else targets   # ints as int64: == in C
    onehot = [keys == k for k in range(len(logits))]
    bad = ~functools.reduce(operator.or_, onehot)
    if bad.any():
        i = int(bad.argmax())
        raise ValueError("cross_entropy: target_index[sample %d] = %r is not in 0..%d"
                         % (i, targets[i], len(logits) - 1))
    m = ConstantLanes(_maximum([l.data for l in logits]))
    total = autolabel(dot([1] * len(logits), _exps(logits, m, 'l')), SUM_EXP)
    lse = autolabel(autolabel(total.log(), LOG_SUM_EXP) + m, LSE)
    one = 1.0 if any(l.data.__class__ is float or getattr(l.data, 'dtype', None) == float for l in logits) else 1
    picked = autolabel(dot([ConstantLanes(y * one) for y in onehot], logits), PICKED)   # exact logits: exact 0/1
    return lse - picked


@named_loss
def hinge(score: Value, y: int) -> Value:
    """max(0, 1 - y score) for a label y in {-1, +1} (micrograd's SVM loss).
    Nodes: margin = score · y, 1-margin, loss = relu(1-margin)."""
    if _is_lanes(score):
        y = _lane_targets(y, 'hinge')
        bad = [i for i, v in enumerate(y.tolist()) if v not in (-1, 1)]
        if bad:
            raise ValueError("hinge: the label must be -1 or +1, got %r at sample %d" % (y[bad[0]], bad[0]))
    elif y not in (-1, 1):
        raise ValueError("hinge: the label must be -1 or +1, got %r" % (y,))
    return autolabel(1 - autolabel(score * y, MARGIN), SLACK).relu()


# ------------------------------------------------------------------ targets, checked before training
# Trainer checks every target with these before any weight changes, so that a bad label
# at the end of the data cannot stop training after some steps were already taken.
# Each takes the target and what the model gives, where it is known: () for one output
# (a Value), (k,) for a list of k outputs, None for a model that does not say. It returns
# None for a good target, else what is wrong.

def _outputs_text(shape):
    k = shape[0]
    return "a list of %d output%s" % (k, "" if k == 1 else "s")


def _check_one(name, rule=None, words=None):
    """the check of a loss that compares one output (a Value) with one number: the model
    gives one output, the target is a number, and it obeys `rule` (else: `words`)."""
    def check(y, shape):
        if shape is not None and shape != ():
            return ("%s compares one output (a Value) with one number, but the model gives %s: give the "
                    "model one output" % (name, _outputs_text(shape)))
        if isinstance(y, (list, tuple)):
            return "%s compares the model's one output with one number, so a target is a number, not a list" % name
        if rule is not None and not rule(y):
            return words
        return None
    return check


def _check_index(y, shape):
    if shape == ():
        return ("cross_entropy takes a list of logits, one per class, but the model gives one output "
                "(a Value): give it one output per class")
    if not isinstance(y, int) or isinstance(y, bool):
        return "cross-entropy's target is a class index (an int)"
    if y < 0 or (shape is not None and y >= shape[0]):
        return "cross-entropy's target is a class index in 0..%s" % ('' if shape is None else shape[0] - 1)
    return None


def _targets_text(k):
    return "a list of %d target%s" % (k, "" if k == 1 else "s")


def _check_regression(name):
    """the check of a regression loss: one number for one output, a list of K numbers for
    K outputs (either, where the model does not say)."""
    def check(y, shape):
        if isinstance(y, (list, tuple)):
            if shape == ():
                return ("%s compares the model's one output with one number, so a target is a number, not "
                        "a list of %d" % (name, len(y)))
            if shape is not None and len(y) != shape[0]:
                return ("the model gives %s, so %s takes %s, one per output, not %d"
                        % (_outputs_text(shape), name, _targets_text(shape[0]), len(y)))
            if not y:
                return "%s takes one target per output, and the list is empty" % name
            return None
        if shape is not None and shape != ():
            return ("the model gives %s, so %s takes %s, one per output, not one number"
                    % (_outputs_text(shape), name, _targets_text(shape[0])))
        return None
    return check


half_squared_error.check_target = _check_regression('half_squared_error')
squared_error.check_target = _check_regression('squared_error')
hinge.check_target = _check_one('hinge', lambda y: y in (-1, 1), "hinge's labels are -1 or +1")
binary_cross_entropy.check_target = _check_one('binary_cross_entropy', lambda y: 0 <= y <= 1,
                                               "binary cross-entropy's targets are in [0, 1]")
binary_cross_entropy_with_logits.check_target = _check_one('binary_cross_entropy_with_logits',
                                                           lambda y: 0 <= y <= 1,
                                                           "binary cross-entropy's targets are in [0, 1]")
cross_entropy.check_target = _check_index


# ------------------------------------------------------------------ the class an output stands for
# accuracy (Trainer.accuracy, evaluate, History) counts a prediction right where the class
# the model's output stands for is the target. With one output and 0/1 labels, class 1 is
# output >= the loss's class_threshold: 1/2 where the output is a probability (the seed
# articles' rule), 0 where it is a logit z, since sigmoid(z) >= 1/2 exactly where z >= 0.
# (With -1/+1 labels class 1 is output > 0, and with several outputs the largest: the
# Trainer's predict_class.) A loss of your own that takes logits sets class_threshold = 0.

def class_threshold(loss: Callable[..., Value]) -> object:
    """where class 1 begins for one output under `loss`: its class_threshold, else 1/2."""
    return getattr(loss, 'class_threshold', HALF)


binary_cross_entropy_with_logits.class_threshold = 0

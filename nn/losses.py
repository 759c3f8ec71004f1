"""Losses, each written with Value operations so that backprop sees every step.

A `pred` or `logit` is a Value; a target is a number. Constants are exact
Fractions, so exact inputs give exact losses.

For a batch, `pred` is Lanes (autograd/lanes.py) and the target one number per
sample (a list or a 1-D array); the loss is then Lanes too, one loss per sample,
each computed as the one-sample loss computes it.
"""
import functools
import operator
from fractions import Fraction

from autograd import Value, dot
from autograd.notation import AutoName, autolabel

HALF = Fraction(1, 2)
LOSS = AutoName('loss')


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
def half_squared_error(pred, target):
    """1/2 (pred - target)^2: the seed articles' Loss; its gradient is (pred - target)."""
    if _is_lanes(pred):
        target = _lane_targets(target, 'half_squared_error')
    return (pred - target) ** 2 * HALF


@named_loss
def squared_error(pred, target):
    """(pred - target)^2."""
    if _is_lanes(pred):
        target = _lane_targets(target, 'squared_error')
    return (pred - target) ** 2


@named_loss
def binary_cross_entropy(p, y):
    """-(y log p + (1 - y) log(1 - p)), for a probability p in (0, 1) and y in [0, 1].
    On lanes the whole formula is computed in every lane (so p must stay inside (0, 1))."""
    if _is_lanes(p):
        y = _lane_targets(y, 'binary_cross_entropy')
        return -(y * p.log() + (1 - y) * (1 - p).log())
    if y == 1:
        return -p.log()
    if y == 0:
        return -(1 - p).log()
    return -(y * p.log() + (1 - y) * (1 - p).log())


@named_loss
def binary_cross_entropy_with_logits(z, y):
    """binary_cross_entropy(sigmoid(z), y), computed stably:
    max(z, 0) - z y + log(1 + exp(-|z|)); its gradient is sigmoid(z) - y.
    On lanes, with the sign s of each lane (1 where z >= 0, else -1) as a constant:
    relu(z) - z y + log(1 + exp(-(s z))), the same numbers lane by lane."""
    if _is_lanes(z):
        y = _lane_targets(y, 'binary_cross_entropy_with_logits')
        sign = (z.data >= 0) * 2 - 1
        return z.relu(1) - z * y + (1 + (-(z * sign)).exp()).log()
    if z.data >= 0:
        return z - z * y + (1 + (-z).exp()).log()
    return -z * y + (1 + z.exp()).log()


def softmax(values):
    """exp(v_i - m) / sum_j exp(v_j - m), with m = max v: the same value, and no overflow.
    On lanes, m is each sample's own maximum."""
    m = _maximum([v.data if isinstance(v, Value) else v for v in values])
    exps = [(v - m).exp() for v in values]
    total = sum(exps)
    return [e / total for e in exps]


@named_loss
def cross_entropy(logits, target_index):
    """-log softmax(logits)[target] = m + log sum_j exp(l_j - m) - l_target, with m = max l."""
    if any(_is_lanes(l) for l in logits):
        return _cross_entropy_lanes(logits, target_index)
    if not 0 <= target_index < len(logits):
        raise ValueError("cross_entropy: target_index %r is not in 0..%d" % (target_index, len(logits) - 1))
    m = _maximum([l.data for l in logits])
    return (sum((l - m).exp() for l in logits)).log() + m - logits[target_index]


def _maximum(numbers):
    """max of numbers, or, where they are lanes, each sample's max (a constant array)."""
    if any(getattr(x, 'ndim', 0) == 1 for x in numbers):
        import numpy as np                       # only reached with lanes
        return np.array(numbers, dtype=object).max(axis=0) if any(
            getattr(x, 'dtype', None) == object for x in numbers) else np.maximum.reduce(numbers)
    return max(numbers)


def _cross_entropy_lanes(logits, targets):
    """cross_entropy per sample, m + log Σ_j exp(l_j - m) - l_target with m each sample's max,
    written with two dots: the sum Σ_j 1 · exp(l_j - m), and the pick l_target = Σ_j y_j l_j
    with y_j = [target = j], the one-hot target, 0/1 lanes (constants). Both add in the
    order the one-sample loss adds, so each lane is that loss's number."""
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
    total = dot([1] * len(logits), [(l - m).exp() for l in logits])
    one = 1.0 if any(l.data.__class__ is float or getattr(l.data, 'dtype', None) == float for l in logits) else 1
    picked = dot([ConstantLanes(y * one) for y in onehot], logits)       # exact logits, exact 0/1
    return total.log() + m - picked


@named_loss
def hinge(score, y):
    """max(0, 1 - y score) for a label y in {-1, +1} (micrograd's SVM loss)."""
    if _is_lanes(score):
        y = _lane_targets(y, 'hinge')
        bad = [i for i, v in enumerate(y.tolist()) if v not in (-1, 1)]
        if bad:
            raise ValueError("hinge: the label must be -1 or +1, got %r at sample %d" % (y[bad[0]], bad[0]))
        return (1 - score * y).relu()
    if y not in (-1, 1):
        raise ValueError("hinge: the label must be -1 or +1, got %r" % (y,))
    return (1 - score * y).relu()


# ------------------------------------------------------------------ targets, checked before training
# Trainer checks every target with these before any weight changes, so that a bad label
# at the end of the data cannot stop training after some steps were already taken.
# Each returns None for a good target, else what is wrong; `outputs` is the model's
# number of outputs, where it is known.

def _check_signed(y, outputs):
    return None if y in (-1, 1) else "hinge's labels are -1 or +1"


def _check_probability(y, outputs):
    return None if 0 <= y <= 1 else "binary cross-entropy's targets are in [0, 1]"


def _check_index(y, outputs):
    if not isinstance(y, int) or isinstance(y, bool):
        return "cross-entropy's target is a class index (an int)"
    if y < 0 or (outputs is not None and y >= outputs):
        return "cross-entropy's target is a class index in 0..%s" % ('' if outputs is None else outputs - 1)
    return None


hinge.check_target = _check_signed
binary_cross_entropy.check_target = _check_probability
binary_cross_entropy_with_logits.check_target = _check_probability
cross_entropy.check_target = _check_index

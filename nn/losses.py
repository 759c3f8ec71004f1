"""Losses, each written with Value operations so that backprop sees every step.

A `pred` or `logit` is a Value; a target is a number. Constants are exact
Fractions, so exact inputs give exact losses.
"""
import functools
from fractions import Fraction

from autograd import Value
from autograd.notation import AutoName, autolabel

HALF = Fraction(1, 2)
LOSS = AutoName('loss')


def named_loss(loss):
    """a loss function whose result is named `loss` in drawings and steps."""
    @functools.wraps(loss)
    def named(*args, **kwargs):
        return autolabel(loss(*args, **kwargs), LOSS)
    return named


@named_loss
def half_squared_error(pred, target):
    """1/2 (pred - target)^2: the seed articles' Loss; its gradient is (pred - target)."""
    return (pred - target) ** 2 * HALF


@named_loss
def squared_error(pred, target):
    """(pred - target)^2."""
    return (pred - target) ** 2


@named_loss
def binary_cross_entropy(p, y):
    """-(y log p + (1 - y) log(1 - p)), for a probability p in (0, 1) and y in [0, 1]."""
    if y == 1:
        return -p.log()
    if y == 0:
        return -(1 - p).log()
    return -(y * p.log() + (1 - y) * (1 - p).log())


@named_loss
def binary_cross_entropy_with_logits(z, y):
    """binary_cross_entropy(sigmoid(z), y), computed stably:
    max(z, 0) - z y + log(1 + exp(-|z|)); its gradient is sigmoid(z) - y."""
    if z.data >= 0:
        return z - z * y + (1 + (-z).exp()).log()
    return -z * y + (1 + z.exp()).log()


def softmax(values):
    """exp(v_i - m) / sum_j exp(v_j - m), with m = max v: the same value, and no overflow."""
    m = max(v.data if isinstance(v, Value) else v for v in values)
    exps = [(v - m).exp() for v in values]
    total = sum(exps)
    return [e / total for e in exps]


@named_loss
def cross_entropy(logits, target_index):
    """-log softmax(logits)[target] = m + log sum_j exp(l_j - m) - l_target, with m = max l."""
    if not 0 <= target_index < len(logits):
        raise ValueError("cross_entropy: target_index %r is not in 0..%d" % (target_index, len(logits) - 1))
    m = max(l.data for l in logits)
    return (sum((l - m).exp() for l in logits)).log() + m - logits[target_index]


@named_loss
def hinge(score, y):
    """max(0, 1 - y score) for a label y in {-1, +1} (micrograd's SVM loss)."""
    if y not in (-1, 1):
        raise ValueError("hinge: the label must be -1 or +1, got %r" % (y,))
    return (1 - score * y).relu()

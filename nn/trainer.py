"""The batch trainer of the seed articles (000 Batch Learning, 001 batch / mini-batch / SGD).

For a batch of n samples, mode='accumulate' does, for each sample i:
    forward;  loss_i = Loss(model(x_i), y_i);  backward of Loss^learning = loss_i / n
so the parameters' gradients (which accumulate) add up to the gradient of
Loss^avg = (1/n) sum_i loss_i. Then one optimizer step, then zero_grad.
Only one sample's graph is alive at a time. mode='graph' builds the whole
batch's graph and calls backward on its mean (micrograd's way): the same
gradients, exactly equal with Fractions.
"""
import math
import random
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import List

from autograd import Value, no_grad
from autograd.notation import autolabel

from .losses import LOSS

from .layers import model_width

MODES = ('accumulate', 'graph')


@dataclass
class History:
    """What fit() saw: the mean loss of every epoch and of every step (batch), and,
    where the targets are class labels, the accuracy per epoch: the fraction of the
    epoch's training predictions that were right (each made before its own step)."""
    epoch_loss: List = field(default_factory=list)
    step_loss: List = field(default_factory=list)
    epoch_accuracy: List = field(default_factory=list)


@dataclass
class Step:
    """passed to fit()'s callback after every optimizer step."""
    epoch: int          # 1-based
    batch: int          # 1-based, within the epoch
    step: int           # 1-based, over the whole fit
    loss: object        # the batch's Loss^avg
    trainer: object


class Trainer:
    """Trainer(model, loss, optimizer, batch_size=None, shuffle=True, seed=0, mode='accumulate')

    batch_size None is full-batch gradient descent, 1 is SGD, anything else
    mini-batch; the last, partial batch is kept and averaged over its own size.
    Each epoch draws a seeded permutation of the samples (shuffle=True).
    """

    def __init__(self, model, loss, optimizer, batch_size=None, shuffle=True, seed=0, mode='accumulate'):
        if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                       or batch_size < 1):
            raise ValueError("Trainer: batch_size must be None or an int >= 1, got %r" % (batch_size,))
        if mode not in MODES:
            raise ValueError("Trainer: mode must be one of %s, got %r" % (MODES, mode))
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.batch_size, self.shuffle, self.mode = batch_size, shuffle, mode
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ training
    def fit(self, X, Y, epochs=1, callback=None, progress=True):
        """Train for `epochs` passes over (X, Y); returns a History.

        All input is checked before any weight changes. A nan or inf loss (or
        gradient) stops training with a FloatingPointError naming the epoch and
        batch; the model keeps the weights of the last finite step.
        """
        X, Y = self._check_data(X, Y)
        self.model.label_parameters()     # names for drawings; labels you set are kept
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError("fit: epochs must be an int >= 0, got %r" % (epochs,))
        n = len(X)
        size = self.batch_size or n
        batches_per_epoch = -(-n // size)
        history = History()
        classes = _class_labels(Y)
        signed = set(Y) <= {-1, 1} if classes else False
        bar = _progress_bar(epochs * batches_per_epoch, progress)
        step = 0
        try:
            for epoch in range(1, epochs + 1):
                order = list(range(n))
                if self.shuffle:
                    self.rng.shuffle(order)
                epoch_total = epoch_right = 0
                for b, start in enumerate(range(0, n, size), 1):
                    batch = order[start:start + size]
                    outputs, batch_total = self._step(X, Y, batch, epoch, b)
                    if classes:
                        epoch_right += sum(predict_class(out, signed) == Y[i] for out, i in zip(outputs, batch))
                    batch_loss = _mean_of(batch_total, len(batch))
                    epoch_total += batch_total
                    step += 1
                    history.step_loss.append(batch_loss)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(epoch=epoch, loss="%.4g" % float(batch_loss), refresh=False)
                    if callback is not None:
                        callback(Step(epoch, b, step, batch_loss, self))
                history.epoch_loss.append(_mean_of(epoch_total, n))
                if classes:
                    history.epoch_accuracy.append(epoch_right / n)
        finally:
            if bar is not None:
                bar.close()
        return history

    def _step(self, X, Y, batch, epoch, b):
        """one optimizer step on the samples `batch`; returns (the model's outputs, the sum of the losses)."""
        n = len(batch)
        scale = Fraction(1, n)       # exact, so Fraction weights stay Fractions
        self.optimizer.zero_grad()
        total = 0
        outputs = []
        if self.mode == 'accumulate':
            for i in batch:
                out = self.model(X[i])
                loss_i = autolabel(self.loss(out, Y[i]), LOSS)
                self._check_finite(loss_i.data, "loss", epoch, b, i)
                (loss_i * scale).backward()          # Loss^learning = loss_i / n
                total += loss_i.data
                outputs.append(_numbers(out))    # numbers only: the sample's graph is freed now
        else:
            outs = [self.model(X[i]) for i in batch]
            losses = [autolabel(self.loss(out, Y[i]), LOSS) for out, i in zip(outs, batch)]
            outputs = [_numbers(out) for out in outs]
            for i, loss_i in zip(batch, losses):
                self._check_finite(loss_i.data, "loss", epoch, b, i)
                total += loss_i.data
            (sum(losses) * scale).backward()
        for p in self.optimizer.params:
            self._check_finite(p.grad, "gradient", epoch, b, None)
        self.optimizer.step()
        self.optimizer.zero_grad()
        return outputs, total

    @staticmethod
    def _check_finite(x, what, epoch, batch, sample):
        if isinstance(x, float) and not math.isfinite(x):
            where = "" if sample is None else " (sample %d)" % sample
            raise FloatingPointError("Trainer: the %s is %r at epoch %d, batch %d%s; training stopped, "
                                     "the model keeps the weights of the last finite step"
                                     % (what, x, epoch, batch, where))

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, X, Y):
        """{'loss': mean loss, 'accuracy': fraction right (class-label targets only)}, recording no graph."""
        X, Y = self._check_data(X, Y)
        with no_grad():
            total = sum(self.loss(self.model(x), y).data for x, y in zip(X, Y))
        result = {'loss': _mean_of(total, len(X))}
        if _class_labels(Y):
            result['accuracy'] = self.accuracy(X, Y)
        return result

    def accuracy(self, X, Y):
        """the fraction of samples whose predicted class is the target: argmax for
        several outputs; for one output, >= 0.5 for 0/1 labels (the seed articles'
        rule) and > 0 for -1/+1 labels."""
        signed = set(Y) <= {-1, 1}
        with no_grad():
            right = sum(predict_class(_numbers(self.model(x)), signed) == y for x, y in zip(X, Y))
        return right / len(X)

    # ------------------------------------------------------------------ input checks
    def _check_data(self, X, Y):
        X, Y = list(X), list(Y)
        if len(X) != len(Y):
            raise ValueError("Trainer: X has %d samples but Y has %d" % (len(X), len(Y)))
        if not X:
            raise ValueError("Trainer: no data (X and Y are empty)")
        width = model_width(self.model)
        for i, x in enumerate(X):
            try:
                row = list(x)
            except TypeError:
                raise ValueError("Trainer: X[%d] is %r, not a sequence of numbers" % (i, x)) from None
            if width is not None and len(row) != width:
                raise ValueError("Trainer: X[%d] has %d inputs, the model expects %d" % (i, len(row), width))
            for j, v in enumerate(row):
                if not _is_number(v):
                    raise ValueError("Trainer: X[%d][%d] is %r, not a number" % (i, j, v))
        for i, y in enumerate(Y):
            if not (_is_number(y) or (isinstance(y, (list, tuple)) and all(map(_is_number, y)))):
                raise ValueError("Trainer: Y[%d] is %r, not a number" % (i, y))
        return X, Y


def predict_class(out, signed):
    """the class a model output (its numbers) stands for; `signed`: the labels are -1/+1,
    else 0/1 or indices."""
    if isinstance(out, list):
        return max(range(len(out)), key=out.__getitem__)
    if signed:
        return 1 if out > 0 else -1
    return 1 if out >= Fraction(1, 2) else 0


def _numbers(out):
    """a model output's numbers: a number, or a list of them."""
    return [v.data for v in out] if isinstance(out, list) else out.data


def _is_number(v):
    return isinstance(v, (int, float, Fraction, Value)) and not isinstance(v, bool)


def _class_labels(Y):
    """True where every target is an int class label."""
    return all(isinstance(y, int) and not isinstance(y, bool) for y in Y)


def _mean_of(total, n):
    return total * Fraction(1, n)


def _progress_bar(total, progress):
    """a tqdm bar (tqdm.auto: a widget in a notebook, text in a terminal), shown only
    once a fit has run for BAR_DELAY seconds; None where there is nowhere to show
    one, or no tqdm."""
    if not progress or total < 2 or not (_in_notebook() or sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit='step', leave=False, delay=BAR_DELAY)


BAR_DELAY = 1.0     # seconds: a fit that ends sooner needs no bar


def _in_notebook():
    """True inside a Jupyter kernel (where stderr is no terminal, yet a bar can show)."""
    shell = sys.modules.get('IPython') and sys.modules['IPython'].get_ipython()
    return shell is not None and 'IPKernelApp' in getattr(shell, 'config', {})

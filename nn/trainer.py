"""The batch trainer of the articles Batch Learning and Deep Learning - Batch Gradient Descent
(batch, mini-batch and stochastic gradient descent).

For a batch of n samples, mode='accumulate' does, for each sample i:
    forward;  loss_i = Loss(model(x_i), y_i);  backward of Loss^learning = loss_i / n
so the parameters' gradients (which accumulate) add up to the gradient of
Loss^avg = (1/n) sum_i loss_i. Then one optimizer step, then zero_grad.
Only one sample's graph is alive at a time. mode='graph' builds the whole
batch's graph and calls backward on its mean (micrograd's way): the same
gradients, exactly equal with Fractions. mode='matrix' computes the same step in
the matrix form of Batch in Backpropagation, a layer at a time over the whole batch, with numpy
(nn/matrix.py; Neuron, Layer and MLP with nn's losses only). mode='lanes' builds ONE graph that
carries every sample of the batch at once (autograd/lanes.py, needs numpy):
each input is Lanes, one number per sample, and backward of
Loss^avg = (1/n) sum_i loss_i sums the per-sample gradients into each shared
weight, Batch Learning's "fully parallelized" batch. Again the same gradients: exactly
with Fractions, to rounding (1e-12) with floats.

During a step Python's cyclic garbage collector is paused (and restored after):
the engine's graphs hold no reference cycles, so their memory is freed by
reference counting as soon as a step lets go of them, and the collector would
only walk the whole graph, again and again, finding nothing (README, Speed).

A step is all or nothing: if anything fails inside it (a nan or inf loss, gradient,
weight or optimizer state; an overflow or a division by zero in the engine; even a
KeyboardInterrupt), the weights, their gradients and the optimizer's state are put
back as they were before the step, so the model keeps the last finite step.

In mode='matrix' with SGD or Adam the weights are kept as numpy arrays during a fit
and written back into the Values when it ends, however it ends, and before the callback
runs (nn/matrix.py): until then the Values hold the weights of the fit's start.

A step holds backward's grad_lock (autograd/backward.py) from its zero_grad() to the
optimizer's step and the zero_grad() after it. Whatever else writes .grad takes turns
with it, backward() in another thread and a Stepper's moves, so the gradients a step
applies are its own: a view or a stepper in another thread never changes what fit learns.
"""
from __future__ import annotations

import gc
import html
import math
import operator
import random
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Callable, List, Optional, Sequence

from autograd import Value, is_grad_enabled, no_grad
from autograd.backward import grad_lock
from autograd.notation import autolabel
from autograd.value import as_number

from .losses import HALF, LOSS, class_threshold

from .layers import MLP, Layer, Neuron, model_width
from .module import Module
from . import matrix
from .plot import curve_svg

try:
    from autograd import lanes as _lanes      # mode='lanes' needs numpy, an optional extra
    import numpy as _np
except ImportError:
    _lanes = _np = None

MODES = ('accumulate', 'graph', 'lanes', 'matrix')

# the engine's ways of saying a number is out of range; a step that raises one of
# these stops training with a FloatingPointError that says where
NUMERIC_ERRORS = (OverflowError, FloatingPointError, ZeroDivisionError)

STOPPED = "training stopped, the model keeps the weights of the last finite step"


@dataclass(repr=False)
class History:
    """What fit() saw: the mean loss of every epoch and of every step (batch), and,
    where the targets are class labels, the accuracy per epoch: the fraction of the
    epoch's training predictions that were right (each made before its own step).
    It prints as one line; a notebook shows the curves (plot.curve_svg) above that line."""
    epoch_loss: List = field(default_factory=list)
    step_loss: List = field(default_factory=list)
    epoch_accuracy: List = field(default_factory=list)

    def summary(self, arrow: str = '->') -> str:
        """one line: epochs and steps, the first and last epoch's loss, the last epoch's accuracy."""
        if not self.epoch_loss:
            return "0 epochs (%d steps)" % len(self.step_loss)
        n = len(self.epoch_loss)
        text = "%d epoch%s (%d steps), loss %s %s %s" % (n, '' if n == 1 else 's', len(self.step_loss),
                                                       _short(self.epoch_loss[0]), arrow, _short(self.epoch_loss[-1]))
        if self.epoch_accuracy:
            text += ", accuracy %s" % _short(self.epoch_accuracy[-1])
        return text

    def __repr__(self) -> str:
        return "History(%s)" % self.summary()

    def _repr_html_(self):
        line = '<div style="font-family:sans-serif;font-size:13px">History: %s</div>' % html.escape(self.summary('→'))
        return '<div class="history">%s%s</div>' % (curve_svg(self.epoch_loss, self.step_loss, self.epoch_accuracy)
                                                    if self.epoch_loss else '', line)


def _short(v):
    """a number as a summary shows it: 4 significant digits (a Fraction as its decimal)."""
    try:
        return "%.4g" % float(v)
    except (TypeError, ValueError, OverflowError):
        return repr(v)


@dataclass
class Step:
    """passed to fit()'s callback after every optimizer step."""
    epoch: int          # 1-based
    batch: int          # 1-based, within the epoch
    step: int           # 1-based, over the whole fit
    loss: object        # the batch's Loss^avg
    trainer: object


class Trainer:
    """Trainer(model, loss, optimizer, batch_size=None, shuffle=True, seed=0, mode='accumulate', pause_gc=True)

    batch_size None is full-batch gradient descent, 1 is SGD, anything else
    mini-batch; the last, partial batch is kept and averaged over its own size.
    Each epoch draws a seeded permutation of the samples (shuffle=True).
    """

    def __init__(self, model: Module, loss: Callable[..., Value], optimizer: object, batch_size: Optional[int] = None,
                 shuffle: bool = True, seed: int = 0, mode: str = 'accumulate', pause_gc: bool = True) -> None:
        if batch_size is not None:
            batch_size = _count("Trainer: batch_size must be None or", batch_size, 1)
        if mode not in MODES:
            raise ValueError("Trainer: mode must be one of %s, got %r" % (MODES, mode))
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.batch_size, self.shuffle, self.mode = batch_size, shuffle, mode
        self.rng = random.Random(seed)
        self.pause_gc = pause_gc     # False: leave the cyclic collector running (to measure the pause)
        if hasattr(model, 'label_parameters'):
            model.label_parameters()     # names for drawings, once (labels you set are kept)
        # matrix mode: what it cannot take is refused now, naming what (matrix.MatrixModeError)
        self._matrix = matrix.Plan(model, loss, optimizer) if mode == 'matrix' else None
        self._lanes_X = self._lanes_Y = None      # lanes: fit's X and Y as arrays (see fit)

    # ------------------------------------------------------------------ training
    def fit(self, X: Sequence, Y: Sequence, epochs: int = 1, callback: Optional[Callable[[Step], object]] = None,
            progress: bool = True) -> History:
        """Train for `epochs` passes over (X, Y); returns a History.

        All input is checked before any weight changes. A nan or inf loss, gradient,
        weight or optimizer state, or an OverflowError or ZeroDivisionError in the
        engine, stops training with a FloatingPointError naming the epoch, batch and
        sample (the engine's error chained); the model keeps the weights of the last
        finite step, and the gradients are left as they were before that step.
        Inside no_grad() nothing would be recorded, so fit refuses with a RuntimeError.
        """
        if not is_grad_enabled():
            raise RuntimeError("Trainer.fit: called inside no_grad(): nothing would be recorded "
                               "and the model would not learn")
        epochs = _count("Trainer.fit: epochs must be", epochs, 0)
        self._pending()
        arrays = self.mode == 'matrix'          # numpy arrays stay arrays: checked as a whole, not number by number
        X, Y = self._check_data(X, Y, 'fit', arrays)
        n = len(X)
        size = self.batch_size or n
        batches_per_epoch = -(-n // size)
        history = History()
        classes = _class_labels(Y)
        signed = _signed(Y) if classes else False
        threshold = class_threshold(self.loss)
        if self.mode != 'matrix':      # the matrix mode's Plan has its own (and names them only for a message)
            self._named, self._optimized = _named_weights(self.model, self.optimizer)
            self._params = [p for _, p in self._named]
            self._optimized_params = [p for _, p in self._optimized]
        # lanes: X as one float64 matrix where every number is a float, and Y as lanes where every
        # target is a float, or every one an int: a batch is then one slice of each
        lanes = self.mode == 'lanes' and _lanes is not None
        self._lanes_X = _lanes.float_rows(X) if lanes else None
        self._lanes_Y = _lanes.as_lanes(Y) if lanes and set(map(type, Y)) in ({float}, {int}) else None
        plan = None
        if self.mode == 'matrix':
            self._matrix = plan = matrix.replan(self._matrix, self.model, self.loss, self.optimizer)   # checked again
            theta = plan.prepare(X, Y)
        bar = _progress_bar(epochs * batches_per_epoch, progress)
        step = 0
        try:
            if plan is not None and epochs:
                plan.keep(theta)    # the weights as arrays, until write_back (see the top)
            for epoch in range(1, epochs + 1):
                order = list(range(n))
                if self.shuffle:
                    self.rng.shuffle(order)
                if plan is not None:
                    order = _np.array(order, dtype=_np.intp)      # a batch is then a slice of it
                epoch_total = epoch_right = 0
                for b, start in enumerate(range(0, n, size), 1):
                    batch = order[start:start + size]
                    outputs, batch_total = self._step(X, Y, batch, epoch, b)
                    if classes:
                        epoch_right += (plan.count_right(outputs, plan.Y[batch], signed, threshold) if plan is not None
                                        else _count_right(outputs, Y, batch, signed, threshold))
                    batch_loss = _mean_of(batch_total, len(batch))
                    epoch_total += batch_total
                    step += 1
                    history.step_loss.append(batch_loss)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(epoch=epoch, loss="%.4g" % float(batch_loss), refresh=False)
                    if callback is not None:
                        if plan is not None:
                            self._write_back(plan)       # the callback sees the Values as they are
                        callback(Step(epoch, b, step, batch_loss, self))
                        if plan is not None:
                            with grad_lock:
                                plan.keep()              # and may have changed any of them
                history.epoch_loss.append(_mean_of(epoch_total, n))
                if classes:
                    history.epoch_accuracy.append(epoch_right / n)
        finally:
            if plan is not None:
                self._write_back(plan)
            if bar is not None:
                bar.close()
        return history

    @staticmethod
    def _write_back(plan):
        """mode='matrix': the kept arrays into the Values, holding grad_lock (see the top). A
        KeyboardInterrupt before or during the writing is held, the writing done whole, then raised."""
        interrupted = None
        while True:
            try:
                with grad_lock:
                    plan.write_back()
                break
            except KeyboardInterrupt as error:
                interrupted = error
                if plan.kept is None or not plan.kept.steps:     # written
                    break
        if interrupted is not None:
            raise interrupted

    def _pending(self):
        """mode='matrix': write back steps an interrupted fit could not (a Ctrl-C in the few
        lines between its last step and its writing back), before anything reads the model."""
        if self._matrix is not None and self._matrix.kept is not None and self._matrix.kept.steps:
            self._write_back(self._matrix)

    def _step(self, X, Y, batch, epoch, b):
        """one optimizer step on the samples `batch`, holding grad_lock (see the top);
        returns (the model's outputs, the sum of the losses)."""
        with grad_lock:
            return self._undoable_step(X, Y, batch, epoch, b)

    def _undoable_step(self, X, Y, batch, epoch, b):
        """_step's work: on any failure everything is put back as it was (see the top)."""
        matrix_plan = self._matrix if self.mode == 'matrix' else None
        params = matrix_plan.params if matrix_plan is not None else self._params
        # mode='matrix' with Kept arrays changes nothing until its step is whole: no copy to undo with
        undo = matrix_plan is None or not matrix_plan.vectorized
        if undo:
            datas, grads = list(map(_DATA, params)), list(map(_GRAD, params))
            state = _optimizer_state(self.optimizer)
        at = _Place()
        collecting = gc.isenabled() and self.pause_gc
        if collecting:
            gc.disable()        # no cycles to find in a step's graph (see the top)
        try:
            return self._run_step(X, Y, batch, at)
        except BaseException as error:
            if undo:
                for p, data, grad in zip(params, datas, grads):
                    p.data, p.grad = data, grad
                if state is not None:
                    self.optimizer.load_state_dict(state)
            if not isinstance(error, NUMERIC_ERRORS):
                raise
            where = "epoch %d, batch %d" % (epoch, b)
            if at.sample is not None:
                where += ", sample X[%d]" % at.sample
            if isinstance(error, _NotFinite):
                raise FloatingPointError("Trainer: at %s: %s; %s" % (where, error, STOPPED)) from None
            lane = re.search(r'\[sample (\d+)\]', str(error)) if self.mode == 'lanes' else None
            if lane and int(lane.group(1)) < len(batch):
                where += ", sample X[%d] (the batch's sample %s)" % (batch[int(lane.group(1))], lane.group(1))
            elif self.mode == 'lanes' and at.sample is None and isinstance(error, OverflowError):
                where += _beyond_float(X, Y, batch)      # a lane array's conversion names no lane
            raise FloatingPointError("Trainer: at %s, in the %s: %s: %s; %s"
                                     % (where, at.phase, type(error).__name__, error, STOPPED)) from error
        finally:
            if collecting:
                gc.enable()

    def _run_step(self, X, Y, batch, at):
        """_step's work; `at` notes the phase and sample, for the error message."""
        if self.mode == 'matrix':
            return self._matrix.step(batch, at, _check_finite)
        n = len(batch)
        scale = Fraction(1, n)       # exact, so Fraction weights stay Fractions
        self.optimizer.zero_grad()
        total = 0
        outputs = []
        if self.mode == 'accumulate':
            for i in batch:
                at.phase, at.sample = 'forward pass', i
                out = self.model(X[i])
                loss_i = autolabel(self.loss(out, Y[i]), LOSS)
                _check_finite(loss_i.data, "the loss")
                at.phase = 'backward pass'
                (loss_i * scale).backward()          # Loss^learning = loss_i / n
                total += loss_i.data
                outputs.append(_numbers(out))    # numbers only: the sample's graph is freed now
        elif self.mode == 'lanes':
            outputs, total, losses = self._lanes_forward(X, Y, batch, at)
            at.phase, at.sample = 'backward pass', None
            (losses.sum() * scale).backward()       # Loss^avg: the lanes sum into each weight
        else:
            at.phase = 'forward pass'
            outs, losses = [], []
            for i in batch:
                at.sample = i
                outs.append(self.model(X[i]))
                losses.append(autolabel(self.loss(outs[-1], Y[i]), LOSS))
                _check_finite(losses[-1].data, "the loss")
                total += losses[-1].data
            outputs = [_numbers(out) for out in outs]
            at.phase, at.sample = 'backward pass', None
            (sum(losses) * scale).backward()
        at.phase, at.sample = 'optimizer step', None
        optimized = self._optimized_params
        if not _all_finite(map(_GRAD, optimized)):
            for name, p in self._optimized:
                _check_finite(p.grad, "the gradient of %s" % name)
        self.optimizer.step()
        if not _all_finite(map(_DATA, optimized)):
            for name, p in self._optimized:
                _check_finite(p.data, "%s after the optimizer step" % name)
        owner = type(self.optimizer).__name__
        for key, values in (_optimizer_state(self.optimizer) or {}).items():
            if not isinstance(values, list):
                _check_finite(values, "%s.%s after the optimizer step" % (owner, key))
            elif not _all_finite(values):
                for k, v in enumerate(values):      # e.g. Adam's v: g * g can overflow while the weight is fine
                    _check_finite(v, "%s.%s[%d] after the optimizer step" % (owner, key, k))
        self.optimizer.zero_grad()
        return outputs, total

    # ------------------------------------------------------------------ the matrix mode's last batch
    @property
    def last_batch(self) -> object:
        """mode='matrix': the last batch's H, Z, DZ, DW, Db (a matrix.LastBatch), or None."""
        self._pending()
        return self._matrix.last if self._matrix is not None else None

    def sample_graph(self, j: int, fused: Optional[bool] = None) -> object:
        """mode='matrix': sample j (0-based) of the last batch rebuilt as a scalar graph of
        Loss^learning = loss_j / n, weights as before the step (a matrix.SampleGraph).
        Its neurons are built as the model builds them (z = w . x + b one dot node, by
        default); fused=False shows each as its chain of binary operations instead."""
        if self.last_batch is None:
            raise RuntimeError("Trainer.sample_graph: no batch to show; it needs mode='matrix' (this is %r) "
                               "and a fit that took a step" % self.mode)
        return self.last_batch.sample_graph(j, fused)

    def _lanes_forward(self, X, Y, batch, at):
        """the whole batch's forward pass as one lane graph; returns (the outputs per
        sample, the sum of the losses, the losses as Lanes)."""
        if _lanes is None:
            raise ImportError("Trainer(mode='lanes') needs numpy: pip install numpy (or, in the clone, "
                              "pip install -e '.[batch]'); mode='accumulate' and mode='graph' train the same "
                              "way without numpy")
        at.phase, at.sample = 'forward pass', None
        # the inputs are data, never differentiated: ConstantLanes (see autograd/lanes.py)
        rows = self._lanes_X[batch] if self._lanes_X is not None else [X[i] for i in batch]
        out = self.model(_lanes.columns(rows, constant=True))
        if self._lanes_Y is not None:
            targets = self._lanes_Y[batch]
        elif isinstance(Y[batch[0]], list):       # several outputs: one target lane per output
            targets = [_lanes.as_lanes(list(t), 'Trainer targets') for t in zip(*(Y[i] for i in batch))]
        else:
            targets = _lanes.as_lanes([Y[i] for i in batch], 'Trainer targets')
        losses = autolabel(self.loss(out, targets), LOSS)
        if getattr(losses, 'lanes', None) is None:
            raise TypeError("Trainer(mode='lanes'): the loss must give one loss per sample (Lanes), "
                            "got %r; write it with Value operations, as nn.losses are" % (losses,))
        per_loss = _lanes.per_sample(losses)
        if not _all_finite(per_loss):
            for k, v in enumerate(per_loss):
                if isinstance(v, float) and not math.isfinite(v):
                    at.sample = batch[k]
                    raise _NotFinite("the loss is %r" % v)
        datas = [out.data] if isinstance(out, Value) else [o.data for o in out]
        if all(getattr(d, 'dtype', None) == float for d in datas) and len(set(map(len, datas))) == 1:
            outputs = datas[0] if isinstance(out, Value) else _np.array(datas)   # float lanes: kept as arrays
        else:
            outputs = _lanes.per_sample(out)
        return outputs, sum(per_loss), losses

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, X: Sequence, Y: Sequence) -> float:
        """{'loss': mean loss, 'accuracy': fraction right (class-label targets only)}, recording no graph.
        mode='matrix' computes them for all samples at once, in float64, where the weights are
        floats (see matrix.Plan.all_at_once); the other modes sample by sample."""
        self._pending()
        X, Y = self._check_data(X, Y, 'evaluate', self.mode == 'matrix')
        at_once = self._all_at_once(X, Y)
        if at_once is not None:
            total = sum(at_once[2].tolist())             # summed as the samples' losses are below
        else:
            X, Y = _lists(X, Y)
            with no_grad():
                total = sum(self.loss(self.model(x), y).data for x, y in zip(X, Y))
        result = {'loss': _mean_of(total, len(X))}
        if _class_labels(Y):
            result['accuracy'] = self._accuracy(X, Y, at_once)
        return result

    def accuracy(self, X: Sequence, Y: Sequence) -> float:
        """the fraction of samples whose predicted class is the target: argmax for
        several outputs; for one output, > 0 for -1/+1 labels, and for 0/1 labels
        >= the loss's class threshold (losses.class_threshold): 0.5 for a probability
        (the seed articles' rule), 0 for binary_cross_entropy_with_logits' logit.
        mode='matrix' predicts all samples at once (see evaluate)."""
        self._pending()
        X, Y = self._check_data(X, Y, 'accuracy', self.mode == 'matrix')
        if getattr(Y, 'ndim', 1) == 2:
            raise ValueError("Trainer.accuracy: Y[0] is a list of %d targets, one per output; accuracy needs a "
                             "class label (an int) per sample" % Y.shape[1])
        for i, y in enumerate(Y if isinstance(Y, list) else ()):
            if isinstance(y, (list, tuple)):        # several outputs' targets: no class to compare
                raise ValueError("Trainer.accuracy: Y[%d] is a list of %d targets, one per output; accuracy needs a "
                                 "class label (an int) per sample" % (i, len(y)))
        return self._accuracy(X, Y, self._all_at_once(X, Y))

    def _accuracy(self, X, Y, at_once):
        signed = _signed(Y)
        threshold = class_threshold(self.loss)
        if at_once is not None:
            plan, outputs, _, targets = at_once
            right = plan.count_right(outputs, targets, signed, threshold)
        else:
            X, Y = _lists(X, Y)
            with no_grad():
                right = sum(predict_class(_numbers(self.model(x)), signed, threshold) == y for x, y in zip(X, Y))
        return right / len(X)

    def _all_at_once(self, X, Y):
        """mode='matrix': (the Plan, outputs, losses, targets) for all of X at once, from a Plan made
        now (the model may have changed since the last fit), or None where the matrix mode
        cannot compute them as the engine would (matrix.Plan.all_at_once)."""
        if self.mode != 'matrix':
            return None
        try:
            plan = matrix.Plan(self.model, self.loss, self.optimizer)
        except (matrix.MatrixModeError, ValueError):
            return None
        at_once = plan.all_at_once(X, Y)
        return None if at_once is None else (plan,) + at_once

    # ------------------------------------------------------------------ input checks
    def _check_data(self, X, Y, method, arrays=False):
        """X and Y as lists, checked; numbers that are not int, float or Fraction
        (numpy scalars) are converted, so that int labels count as class labels.
        arrays=True: X or Y given as a numpy array of numbers (float or int) is checked
        as a whole and returned as it is (see _number_array)."""
        who = "Trainer.%s" % method
        X_array, Y_array = _number_array(X, 2), _number_array(Y, 1, 2)
        for name, data in (('X', X), ('Y', Y)):
            if getattr(data, 'ndim', None) == 0 or not hasattr(data, '__iter__'):
                raise ValueError("%s: %s is %r, not a sequence of samples" % (who, name, data))
        # anything else as a list (a copy: the caller's is left as it is; an array's numbers as Python's)
        X = X if X_array is not None else _as_list(X)
        Y = Y if Y_array is not None else _as_list(Y)
        if len(X) != len(Y):
            raise ValueError("%s: X has %d samples but Y has %d" % (who, len(X), len(Y)))
        if not len(X):
            raise ValueError("%s: no data (X and Y are empty)" % who)
        width = model_width(self.model)
        if X_array is not None and width is not None and X_array.shape[1] != width:
            X_array = None                  # said below, naming X[0], as for a list
        if X_array is None:
            X = self._check_inputs(X, who, width)
        elif not arrays:
            X = list(map(tuple, X_array.tolist()))
        if Y_array is None:
            return X, self._check_targets(Y, who)
        shape = _output_shape(self.model)
        first = Y_array[0].tolist()
        check = getattr(self.loss, 'check_target', None) or _same_shape_checker([first], shape)
        # the loss's rule, once for each distinct target (the same answer for every sample that
        # has it), and the error names the first sample whose target breaks it, as below
        values, where = _np.unique(Y_array, return_index=True, axis=0 if Y_array.ndim == 2 else None)
        broken = [(i, y, problem) for i, y in zip(where.tolist(), values.tolist()) for problem in [check(y, shape)]
                  if problem]
        if broken:
            i, y, problem = min(broken, key=lambda found: found[0])
            raise ValueError("%s: Y[%d] is %r: %s" % (who, i, y, problem))
        return X, (Y_array if arrays else Y_array.tolist())

    def _check_inputs(self, X, who, width):
        """X (a list) checked sample by sample, each sample a tuple of numbers."""
        for i, x in enumerate(X):
            try:
                row = list(x)
            except TypeError:
                raise ValueError("%s: X[%d] is %r, not a sequence of numbers" % (who, i, x)) from None
            if width is not None and len(row) != width:
                raise ValueError("%s: X[%d] has %d inputs, the model expects %d" % (who, i, len(row), width))
            if not set(map(type, row)) <= _NUMBER_KINDS:       # else every one is a number already
                for j, v in enumerate(row):
                    row[j] = _number(v)
                    if row[j] is None:
                        raise ValueError("%s: X[%d][%d] is %r, not a number" % (who, i, j, v))
            X[i] = tuple(row)
        return X

    def _check_targets(self, Y, who):
        """Y (a list) checked target by target: numbers (or lists of them) that the loss takes."""
        for i, y in enumerate(Y):
            if isinstance(y, (list, tuple)):
                numbers = [_number(v) for v in y]
                Y[i] = None if None in numbers else numbers
            else:
                Y[i] = _number(y)
            if Y[i] is None:
                raise ValueError("%s: Y[%d] is %r, not a number" % (who, i, y))
        shape = _output_shape(self.model)
        check = getattr(self.loss, 'check_target', None) or _same_shape_checker(Y, shape)
        for i, y in enumerate(Y):        # the loss's own rule (losses.py), else one shape for all
            problem = check(y, shape)
            if problem:
                raise ValueError("%s: Y[%d] is %r: %s" % (who, i, y, problem))
        return Y


def _number_array(data, *ndims):
    """data where it is a numpy array of floats or ints (no bools) with one of the numbers
    of dimensions ndims, nonempty in each: its numbers need no check one by one. Else None."""
    if type(data).__name__ != 'ndarray' or _np is None or not isinstance(data, _np.ndarray):
        return None
    if data.dtype.kind not in 'fiu' or data.ndim not in ndims or 0 in data.shape:
        return None
    return data


def _beyond_float(X, Y, batch):
    """", sample X[i] (X[i][j] is too large for a float)" for the batch's first sample that holds
    an int or Fraction beyond float range (in X or Y), or "" where none does."""
    for i in batch:
        places = [("X[%d][%d]" % (i, j), v) for j, v in enumerate(X[i])]
        if isinstance(Y[i], list):
            places += [("Y[%d][%d]" % (i, j), v) for j, v in enumerate(Y[i])]
        else:
            places.append(("Y[%d]" % i, Y[i]))
        for name, v in places:
            if isinstance(v, (int, Fraction)) and not matrix.fits_float(v):
                return ", sample X[%d] (%s is too large for a float)" % (i, name)
    return ""


def _count(must, value, least):
    """value as an int >= least, a numpy integer converted (numpy scalars are numbers
    throughout nn); else a ValueError, `must` + "an int >= least". A bool is no count."""
    kind = getattr(value, 'dtype', None)
    number = None
    if not isinstance(value, bool) and (kind is None or kind.kind in 'iu'):
        try:
            number = operator.index(value)
        except TypeError:
            pass
    if number is None or number < least:
        raise ValueError("%s an int >= %d, got %s %r" % (must, least, type(value).__name__, value))
    return number


class _Place:
    """where a step is: its phase and the sample (an index into X) being worked on."""
    phase = 'forward pass'
    sample = None


class _NotFinite(FloatingPointError):
    """a nan or inf found by the trainer's own checks (not raised by the engine)."""


def _check_finite(x, what):
    if isinstance(x, float) and not math.isfinite(x):
        raise _NotFinite("%s is %r" % (what, x))


def _all_finite(numbers):
    """True where no float among numbers is nan or inf, in one pass: their sum is then
    finite. False where it is not (or overflows): _check_finite then looks at each."""
    try:
        total = sum(numbers, 0.0)
    except (OverflowError, TypeError):      # an int too large for a float, say
        return False
    return total - total == 0


_DATA, _GRAD = attrgetter('data'), attrgetter('grad')


def _named_weights(model, optimizer):
    """([(name, Value)] of everything a step changes: the model's parameters, whose
    gradients backward fills, and the optimizer's; [(name, Value)] of the optimizer's),
    named as drawings name them (L1.n1.w1), for the messages."""
    everything = list(getattr(model, 'drawn_parameters', getattr(model, 'named_parameters', lambda: []))())
    names = {id(p): name for name, p in everything}
    optimized = []
    for k, p in enumerate(optimizer.params):
        if id(p) not in names:
            names[id(p)] = "params[%d]" % k
            everything.append((names[id(p)], p))
        optimized.append((names[id(p)], p))
    return everything, optimized


def _optimizer_state(optimizer):
    """optimizer.state_dict(), or None for an optimizer that has none."""
    state_dict = getattr(optimizer, 'state_dict', None)
    return state_dict() if state_dict is not None else None


def _output_shape(model):
    """what a model gives, where it says: () for one Value (a Neuron, an MLP whose last layer
    has one neuron), (k,) for a list of k (a Layer, an MLP's wider last layer), else None."""
    if isinstance(model, Neuron):
        return ()
    if isinstance(model, Layer):
        return (len(model.neurons),)
    if isinstance(model, MLP):
        k = len(model.layers[-1].neurons)
        return () if k == 1 else (k,)
    return None


def _same_shape_checker(Y, shape):
    """the check of a loss of your own, which says nothing of its targets: every target has
    Y[0]'s shape (a number, or a list of one length), and a list has one target per output
    where the model gives a list."""
    first = len(Y[0]) if isinstance(Y[0], list) else None

    def check(y, _):
        length = len(y) if isinstance(y, list) else None
        if length != first:
            return "every target must have the shape of Y[0] = %r (%s)" % (
                Y[0], "one number" if first is None else "a list of %d" % first)
        if length is not None and shape and length != shape[0]:
            return "the model gives a list of %d outputs, so a list target has %d numbers" % (shape[0], shape[0])
        return None
    return check


def _count_right(outputs, Y, batch, signed, threshold=HALF):
    """how many of the batch's predicted classes (predict_class) are Y's. outputs: one entry
    per sample, or in lanes mode an array, (samples,) for one output, (outputs, samples) for
    several: then numpy predicts them all at once, as predict_class does one by one."""
    if getattr(outputs, 'ndim', 0) and not _np.isnan(outputs).any():
        if outputs.ndim == 2:
            predicted = outputs.argmax(axis=0)                # the first of the largest
        else:
            predicted = _np.where(outputs > 0, 1, -1) if signed else (outputs >= float(threshold)) * 1
        return int((predicted == _np.array([Y[i] for i in batch])).sum())
    if getattr(outputs, 'ndim', 0):                           # nan: as predict_class orders it
        outputs = outputs.T.tolist() if outputs.ndim == 2 else outputs.tolist()
    return sum(predict_class(out, signed, threshold) == Y[i] for out, i in zip(outputs, batch))


def predict_class(out, signed, threshold=HALF):
    """the class a model output (its numbers) stands for; `signed`: the labels are -1/+1,
    else 0/1 or indices; `threshold`: where class 1 begins for one output and 0/1 labels,
    the loss's (losses.class_threshold: 1/2 for a probability, 0 for a logit)."""
    if isinstance(out, list):
        return out.index(max(out))      # the first of the largest, as argmax
    if signed:
        return 1 if out > 0 else -1
    return 1 if out >= threshold else 0


def _numbers(out):
    """a model output's numbers: a number, or a list of them."""
    return [v.data for v in out] if isinstance(out, list) else out.data


_NUMBER_KINDS = {int, float, Fraction}


def _lists(X, Y):
    """X (tuples of numbers) and Y as lists, where _check_data kept numpy arrays."""
    if type(X).__name__ == 'ndarray':
        X = list(map(tuple, X.tolist()))
    return X, (Y.tolist() if type(Y).__name__ == 'ndarray' else Y)


def _as_list(data):
    """X or Y as a list; a numpy array through .tolist(), which makes its numbers Python's."""
    return data.tolist() if type(data).__name__ == 'ndarray' else list(data)


def _number(v):
    """v as an int, float or Fraction (numpy scalars converted), a Value as it is, or None."""
    if isinstance(v, Value):
        return v
    try:
        return as_number(v, 'Trainer')
    except TypeError:
        return None


def _class_labels(Y):
    """True where every target is an int class label (an int numpy array's are)."""
    if _number_array(Y, 1, 2) is not None:
        return Y.ndim == 1 and Y.dtype.kind in 'iu'
    return all(isinstance(y, int) and not isinstance(y, bool) for y in Y)


def _signed(Y):
    """True where the class labels are -1 and +1 only."""
    if _number_array(Y, 1) is not None:
        return bool(((Y == 1) | (Y == -1)).all())
    return set(Y) <= {-1, 1}


def _mean_of(total, n):
    """total / n as a Fraction scale gives it: exact for exact totals; for a float, total * (1 / n),
    the float that Fraction(1, n) becomes beside a float (the same number, without making one)."""
    if type(total) is float:
        return total * (1 / n)
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

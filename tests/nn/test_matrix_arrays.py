"""Trainer(mode='matrix') with numpy arrays, reviewed from outside: the weights kept as arrays
during a fit (written back at its end and before its callback), the checks of arrays as a whole,
and evaluate/accuracy all at once. Each test compares with what the list path or mode='accumulate'
gives, never with numbers copied from the matrix mode's own output."""
import copy
import math
import os
import random
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import Value
from autograd.backward import grad_lock
from nn import MLP, SGD, Adam, Layer, MatrixModeError, Neuron, Trainer
from nn import matrix as matrix_module
from nn import trainer as trainer_module
from nn.module import Module

MATRIX_FILE = os.path.abspath(matrix_module.__file__)


class PlainSubclass(SGD):
    """SGD under another name: the matrix mode steps it through p.grad and its own step()."""


class HalvingSGD(SGD):
    """an optimizer of one's own (not vectorised): half a plain SGD step."""

    def step(self):
        for p in self.params:
            p.data = p.data - self.lr * p.grad / 2


def snapshot(model, optimizer):
    """everything a step changes: the weights, their gradients, the optimizer's state (copied)."""
    params = model.parameters()
    return [p.data for p in params], [p.grad for p in params], copy.deepcopy(optimizer.state_dict())


def lists(X, Y):
    return X.tolist(), Y.tolist()


# ------------------------------------------------------------------ 1. bad input: arrays as lists
def outcome(call):
    """('raised', type, message) or ('returned', what it returned, made comparable)."""
    try:
        result = call()
    except Exception as error:          # noqa: BLE001 - the point is to compare whatever it is
        return ('raised', type(error), str(error))
    if isinstance(result, trainer_module.History):
        result = (result.step_loss, result.epoch_loss, result.epoch_accuracy)
    return ('returned', repr(result))    # repr: nan equals nan


MODELS = {
    'classes': (lambda: MLP(3, [4, 2], activation='tanh', seed=1), nn.cross_entropy),
    'hinge': (lambda: MLP(3, [2, 1], activation='tanh', seed=2), nn.hinge),
    'logits': (lambda: Neuron(3, activation='linear', seed=3), nn.binary_cross_entropy_with_logits),
    'regression-one': (lambda: Neuron(3, activation='linear', seed=4), nn.half_squared_error),
    'regression-three': (lambda: Layer(3, 3, activation='linear', seed=5), nn.half_squared_error),
}


def run(kind, mode, method, X, Y):
    """(outcome of trainer.<method>(X, Y), whether every weight, gradient and state stayed)."""
    make, loss = MODELS[kind]
    model = make()
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.5)
    trainer = Trainer(model, loss, optimizer, shuffle=False, mode=mode)
    before = snapshot(model, optimizer)
    call = {'fit': lambda: trainer.fit(X, Y, epochs=2, progress=False),
            'evaluate': lambda: trainer.evaluate(X, Y), 'accuracy': lambda: trainer.accuracy(X, Y)}[method]
    found = outcome(call)
    return found, snapshot(model, optimizer) == before


def check_refused(kind, X, Y, message, methods=('fit', 'evaluate', 'accuracy'), prefix="Trainer.%s: "):
    """every method, in both modes, refuses the arrays with `message` (after 'Trainer.<method>: '),
    exactly as it refuses the same data as lists, and no weight moves."""
    for mode in ('matrix', 'accumulate'):
        for method in methods:
            found, unchanged = run(kind, mode, method, X, Y)
            assert found == ('raised', ValueError, prefix % method + message), (mode, method, found)
            assert unchanged, (mode, method)
            as_lists = run(kind, mode, method, *lists(X, Y))
            assert as_lists == (found, True), (mode, method, as_lists)


def floats(n, width, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, width))


def test_refused_shapes_name_x0_or_the_counts_as_for_lists():
    X, Y = floats(5, 3), np.array([0, 1, 1, 0, 1])
    check_refused('classes', floats(5, 2), Y, "X[0] has 2 inputs, the model expects 3")
    check_refused('classes', floats(5, 4).astype(np.int64), Y, "X[0] has 4 inputs, the model expects 3")
    check_refused('classes', X, Y[:4], "X has 5 samples but Y has 4")
    check_refused('classes', X[:0], Y[:0], "no data (X and Y are empty)")
    check_refused('classes', floats(5, 0), Y, "X[0] has 0 inputs, the model expects 3")
    check_refused('classes', X[:, 0], Y, "X[0] is %r, not a sequence of numbers" % X[0, 0].item())
    check_refused('classes', X[:, :, None], Y, "X[0][0] is %r, not a number" % [X[0, 0].item()])
    # 2-D targets for one output, one number for three outputs, three targets for a 2-wide list
    check_refused('regression-one', X, X[:, :1], "Y[0] is %r: half_squared_error compares the model's one "
                  "output with one number, so a target is a number, not a list of 1" % [X[0, 0].item()],
                  methods=('fit', 'evaluate'))
    check_refused('regression-three', X, X[:, 0], "Y[0] is %r: the model gives a list of 3 outputs, so "
                  "half_squared_error takes a list of 3 targets, one per output, not one number" % X[0, 0].item(),
                  methods=('fit', 'evaluate'))
    check_refused('regression-three', X, X[:, :2], "Y[0] is %r: the model gives a list of 3 outputs, so "
                  "half_squared_error takes a list of 3 targets, one per output, not 2" % X[0, :2].tolist(),
                  methods=('fit', 'evaluate'))
    check_refused('regression-three', X, X[:, :, None], "Y[0] is %r, not a number" % X[0, :, None].tolist(),
                  methods=('fit', 'evaluate'))
    check_refused('classes', X, Y.astype(float), "Y[0] is 0.0: cross-entropy's target is a class index (an int)")


def test_accuracy_refuses_list_targets_of_an_array_as_of_a_list():
    X = floats(4, 3)
    check_refused('regression-three', X, X, "Y[0] is a list of 3 targets, one per output; accuracy needs a "
                  "class label (an int) per sample", methods=('accuracy',))


@pytest.mark.parametrize('kind', ['bool', 'complex', 'object'])
def test_arrays_of_no_numbers_name_the_first_value_as_lists(kind):
    X, Y = floats(4, 3), np.array([1, -1, 1, 1])
    bad = {'bool': X > 0, 'complex': X + 0j, 'object': X.astype(object)}[kind]
    if kind == 'object':
        bad[2, 1] = 'a'
        where, value = "X[2][1]", 'a'
    else:
        where, value = "X[0][0]", bad[0, 0].item()
    check_refused('hinge', bad, Y, "%s is %r, not a number" % (where, value))
    labels = {'bool': Y > 0, 'complex': Y + 0j, 'object': Y.astype(object)}[kind]
    if kind == 'object':
        labels[3] = None
        where, value = "Y[3]", None
    else:
        where, value = "Y[0]", labels[0].item()
    check_refused('hinge', X, labels, "%s is %r, not a number" % (where, value))


def positions(draw, n):
    """the first bad position, and maybe a second one after it."""
    first = draw(st.integers(0, n - 1))
    second = draw(st.one_of(st.none(), st.integers(first, n - 1)))
    return first, second


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_a_bad_target_anywhere_is_named_at_its_first_sample(data):
    n = data.draw(st.integers(2, 9), label='n')
    first, second = positions(data.draw, n)
    rng = random.Random(data.draw(st.integers(0, 10 ** 6), label='seed'))
    X = floats(n, 3, rng.randrange(100))
    kind = data.draw(st.sampled_from(['class-high', 'class-negative', 'hinge', 'hinge-float', 'bce-high',
                                      'bce-low', 'bce-nan']), label='kind')
    if kind.startswith('class'):
        Y = np.array([rng.randrange(2) for _ in range(n)], dtype=rng.choice([np.int64, np.int32, np.int8]))
        bad = [2, 7] if kind == 'class-high' else [-1, -5]
        model, words = 'classes', "cross-entropy's target is a class index in 0..1"
    elif kind.startswith('hinge'):
        Y = np.array([rng.choice([-1, 1]) for _ in range(n)], dtype=float if kind == 'hinge-float' else np.int64)
        bad = [0, 2] if kind == 'hinge' else [0.5, -1.5]
        model, words = 'hinge', "hinge's labels are -1 or +1"
    else:
        Y = np.array([rng.choice([0.0, 1.0, 0.25]) for _ in range(n)])
        bad = {'bce-high': [1.5, 2.0], 'bce-low': [-0.5, -2.0], 'bce-nan': [math.nan, math.inf]}[kind]
        model, words = 'logits', "binary cross-entropy's targets are in [0, 1]"
    if second is not None:
        Y[second] = bad[1]
    Y[first] = bad[0]
    check_refused(model, X, Y, "Y[%d] is %r: %s" % (first, Y[first].item(), words))


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_an_object_in_x_anywhere_is_named_at_its_first_place(data):
    n = data.draw(st.integers(1, 7), label='n')
    X = floats(n, 3, data.draw(st.integers(0, 99))).astype(object)
    places = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 2)), min_size=1, max_size=3))
    for k, (i, j) in enumerate(places):
        X[i, j] = ['a', None, Fraction(1, 3) + 1j][k]
    i, j = min(places)
    check_refused('hinge', X, np.ones(n, dtype=np.int64), "X[%d][%d] is %r, not a number" % (i, j, X[i, j]))


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_nan_or_inf_in_x_is_accepted_then_the_step_names_the_first_such_sample(data):
    n = data.draw(st.integers(2, 8), label='n')
    first, second = positions(data.draw, n)
    X = floats(n, 3, data.draw(st.integers(0, 99)))
    value = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    X[first, data.draw(st.integers(0, 2))] = value
    if second is not None:
        X[second, 0] = math.nan
    Y = np.arange(n) % 2
    found, unchanged = run('classes', 'matrix', 'fit', X, Y)
    assert found[:2] == ('raised', FloatingPointError) and unchanged
    assert found[2].startswith("Trainer: at epoch 1, batch 1, sample X[%d]: " % first), found
    assert run('classes', 'matrix', 'fit', *lists(X, Y)) == (found, True)
    for method in ('evaluate', 'accuracy'):          # accepted; the same answer as for lists, and as accumulate's
        found = run('classes', 'matrix', method, X, Y)
        assert found == run('classes', 'matrix', method, *lists(X, Y))
        assert_close_results(found, run('classes', 'accumulate', method, X, Y))


def assert_close_results(a, b, tol=1e-12):
    """two run() results of evaluate or accuracy: the same, but for a loss within tol (relative)."""
    assert a[1] and b[1] and a[0][0] == b[0][0] == 'returned', (a, b)
    a, b = eval(a[0][1], {'nan': math.nan, 'inf': math.inf}), eval(b[0][1], {'nan': math.nan, 'inf': math.inf})
    if isinstance(a, dict):
        assert a.keys() == b.keys() and a.get('accuracy') == b.get('accuracy'), (a, b)
        a, b = a['loss'], b['loss']
    assert a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol * max(abs(a), abs(b)), (a, b)


def test_int_and_small_float_arrays_train_as_their_lists():
    X = np.random.default_rng(5).integers(-3, 4, size=(7, 3))
    Y = np.array([0, 1, 1, 0, 1, 0, 0])
    for dtype in (np.int64, np.int8, np.uint8, np.float32, np.float16):
        for method in ('fit', 'evaluate', 'accuracy'):
            found = run('classes', 'matrix', method, X.astype(dtype), Y)
            assert found[0][0] == 'returned'
            assert found == run('classes', 'matrix', method, *lists(X.astype(dtype), Y)), (dtype, method)


# ------------------------------------------------------------------ 2. arrays = lists, bit for bit; = accumulate
OPTIMIZERS = {
    'sgd': lambda ps: SGD(ps, lr=0.05),
    'momentum': lambda ps: SGD(ps, lr=0.03, momentum=0.9),
    'decay': lambda ps: SGD(ps, lr=0.03, momentum=0.8, weight_decay=0.01),
    'adam': lambda ps: Adam(ps, lr=0.01),
    'subset-momentum': lambda ps: SGD(ps[::2], lr=0.05, momentum=0.9),     # every other parameter frozen
    'subset-adam': lambda ps: Adam(ps[1::3][::-1], lr=0.02),               # another order than the model's
    'subclass': lambda ps: PlainSubclass(ps, lr=0.05, momentum=0.5),
    'own': lambda ps: HalvingSGD(ps[:-2], lr=0.05),
}


def problem(loss, seed, n):
    """a model whose output fits `loss`, and random arrays X, Y (list targets as an (n, k) array)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 4))
    activation = ['tanh', 'relu', 'sigmoid'][seed % 3]
    if loss is nn.cross_entropy:
        return MLP(4, [5, 3], activation=activation, seed=seed), X, rng.integers(0, 3, size=n)
    if loss is nn.half_squared_error:
        return MLP(4, [5, 2], activation=activation, seed=seed), X, rng.uniform(-1, 1, size=(n, 2))
    if loss is nn.hinge:
        return MLP(4, [3, 1], activation=activation, seed=seed), X, rng.choice([-1, 1], size=n)
    return MLP(4, [5, 1], activation=activation, seed=seed), X, rng.choice([0.0, 1.0, 0.3], size=n)


def train(loss, optimizer, seed, mode, as_lists, n=11, batch_size=4, epochs=3):
    model, X, Y = problem(loss, seed, n)
    opt = OPTIMIZERS[optimizer](model.parameters())
    trainer = Trainer(model, loss, opt, batch_size=batch_size, seed=seed, mode=mode)
    history = trainer.fit(*(lists(X, Y) if as_lists else (X, Y)), epochs=epochs, progress=False)
    return model, opt, trainer, history


def assert_within(a, b, tol=1e-12):
    """two lists of numbers equal within tol relative to the largest of them."""
    assert len(a) == len(b)
    scale = max([abs(v) for v in a + b] + [1e-300])
    worst = max([abs(x - y) for x, y in zip(a, b)] + [0])
    assert worst <= tol * scale, (worst, scale)


LOSSES = [nn.cross_entropy, nn.half_squared_error, nn.binary_cross_entropy_with_logits, nn.hinge]


@pytest.mark.parametrize('optimizer', sorted(OPTIMIZERS))
@pytest.mark.parametrize('loss', LOSSES, ids=lambda f: f.__name__)
def test_arrays_equal_lists_bit_for_bit_and_accumulate_within_1e_12(loss, optimizer):
    for seed in (0, 1, 2):
        model, opt, _, history = train(loss, optimizer, seed, 'matrix', as_lists=False)
        twin, twin_opt, _, twin_history = train(loss, optimizer, seed, 'matrix', as_lists=True)
        assert snapshot(model, opt) == snapshot(twin, twin_opt)
        assert (history.step_loss, history.epoch_accuracy) == (twin_history.step_loss, twin_history.epoch_accuracy)
        ref, ref_opt, _, ref_history = train(loss, optimizer, seed, 'accumulate', as_lists=True)
        (data, grads, state), (ref_data, ref_grads, ref_state) = snapshot(model, opt), snapshot(ref, ref_opt)
        assert_within(data, ref_data)
        assert_within(grads, ref_grads)
        optimized = {id(p) for p in opt.params}
        for p, r in zip(model.parameters(), ref.parameters()):
            if id(p) in optimized:
                assert p.grad == 0 and r.grad == 0
        frozen = [p.grad for p in model.parameters() if id(p) not in optimized]
        if frozen:       # their gradients add up over the 9 steps, as backward() adds them
            assert any(frozen) and 0 not in frozen
        assert state.keys() == ref_state.keys()
        for key in state:
            if key == 't':
                assert state[key] == ref_state[key] == 9
            else:
                assert_within(state[key], ref_state[key])
        assert_within(history.step_loss, ref_history.step_loss)
        assert history.epoch_accuracy == ref_history.epoch_accuracy


# ------------------------------------------------------------------ 3. all or nothing, at every line
def fit_steps(make, X, Y, steps, batch_size=None):
    """a fresh model and optimizer after an uninterrupted fit of `steps` steps (shuffle=False:
    the first `steps` batches of X are its first steps * batch_size samples)."""
    model, opt = make()
    trainer = Trainer(model, nn.cross_entropy, opt, batch_size=batch_size, shuffle=False, mode='matrix')
    if steps:
        if batch_size is None:
            trainer.fit(X, Y, epochs=steps, progress=False)
        else:
            trainer.fit(X[:steps * batch_size], Y[:steps * batch_size], epochs=1, progress=False)
    return snapshot(model, opt)


class Interrupter:
    """a sys.settrace function that raises KeyboardInterrupt at the `target`-th line executed in
    nn/matrix.py frames inside the `step`-th call of Plan.step (or, step=None, inside any call of
    the functions `inside`), once."""

    def __init__(self, target, step=None, inside=()):
        self.target, self.step, self.inside = target, step, {f.__code__ for f in inside}
        self.calls = self.lines = 0
        self.active = 0             # depth of frames we are inside
        self.fired = False

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if code is matrix_module.Plan.step.__code__:
            self.calls += 1
        opens = (code is matrix_module.Plan.step.__code__ and self.calls == self.step) or code in self.inside
        if not (opens or (self.active and os.path.abspath(code.co_filename) == MATRIX_FILE)):
            return None
        if opens:
            self.active += 1

        def local(frame, event, arg):
            if event == 'line' and not self.fired:
                self.lines += 1
                if self.lines == self.target:
                    self.fired = True
                    raise KeyboardInterrupt('at line %d of %s' % (frame.f_lineno, frame.f_code.co_name))
            if event == 'return' and opens:
                self.active -= 1
            return local
        return local(frame, event, arg)


def interrupted_fit(make, X, Y, interrupter, epochs, batch_size=None):
    model, opt = make()
    trainer = Trainer(model, nn.cross_entropy, opt, batch_size=batch_size, shuffle=False, mode='matrix')
    sys.settrace(interrupter)
    try:
        trainer.fit(X, Y, epochs=epochs, progress=False)
    except KeyboardInterrupt:
        pass
    else:
        assert not interrupter.fired, "the interrupt was swallowed"
    finally:
        sys.settrace(None)
    # an interrupt just as a `with grad_lock:` exits leaves the lock held (CPython's with is not safe
    # against an exception raised there): freed here, so that no later test waits for it
    held = grad_lock._is_owned()
    while grad_lock._is_owned():
        grad_lock.release()
    return snapshot(model, opt) + ((held,) if held else ())


def frozen_and_optimized(kind):
    """make(): an MLP and an optimizer over all but its last 3 parameters (their .grad adds up)."""
    def make():
        model = MLP(3, [4, 3], activation='tanh', seed=7)
        params = model.parameters()[:-3]
        return model, (SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01) if kind == 'sgd' else
                       PlainSubclass(params, lr=0.1, momentum=0.9) if kind == 'subclass' else Adam(params, lr=0.05))
    return make


@pytest.mark.parametrize('kind', ['sgd', 'adam', 'subclass'])
@pytest.mark.parametrize('k, batch_size', [(1, None), (3, None), (2, 4)])
def test_an_interrupt_at_every_line_of_step_k_leaves_k_minus_1_whole_steps(kind, k, batch_size):
    make = frozen_and_optimized(kind)
    X = np.random.default_rng(3).normal(size=(10, 3))
    Y = np.arange(10) % 3
    before = fit_steps(make, X, Y, k - 1, batch_size)
    after = fit_steps(make, X, Y, k, batch_size)
    assert before != after
    target, found = 1, []
    while True:
        interrupter = Interrupter(target, step=k)
        state = interrupted_fit(make, X, Y, interrupter, epochs=k + 1 if batch_size is None else 1,
                                batch_size=batch_size)
        if not interrupter.fired:
            break
        found.append('before' if state == before else 'after' if state == after else 'neither')
        target += 1
    # every line up to the step's one assignment leaves k - 1 steps; after it (the with's exit and
    # the return) the step is whole
    whole = found.index('after') if 'after' in found else len(found)
    assert found == ['before'] * whole + ['after'] * (len(found) - whole), found
    assert whole > 40 and len(found) - whole <= 2


def test_an_interrupt_in_plan_write_writes_the_last_whole_step():
    make = frozen_and_optimized('adam')
    X = np.random.default_rng(4).normal(size=(6, 3))
    Y = np.arange(6) % 3
    after = fit_steps(make, X, Y, 2)
    target = 1
    while True:
        interrupter = Interrupter(target, inside=[matrix_module.Plan._write])
        found = interrupted_fit(make, X, Y, interrupter, epochs=2)
        if not interrupter.fired:
            break
        assert found == after, "an interrupt at line %d of Plan._write" % target
        target += 1
    assert target > 10


def test_an_interrupt_at_every_line_of_the_write_back_leaves_a_whole_step_and_the_next_call_the_last():
    """A KeyboardInterrupt at any line of Trainer._write_back or Plan.write_back (raised by a trace, so at
    every line, which a real Ctrl-C cannot: Python looks for one only at calls and jumps) leaves the
    Values at a whole step: the last one, once the writing began; the fit's start at the few lines
    before it. Then the trainer holds the steps it could not write, and the next thing that reads
    the model through it (here last_batch; also fit, evaluate, accuracy) writes them first."""
    make = frozen_and_optimized('sgd')
    X = np.random.default_rng(4).normal(size=(6, 3))
    Y = np.arange(6) % 3
    start, after = fit_steps(make, X, Y, 0), fit_steps(make, X, Y, 2)
    assert start != after
    target, pending = 1, []
    while True:
        interrupter = Interrupter(target, inside=[matrix_module.Plan.write_back,
                                                  trainer_module.Trainer._write_back])
        model, opt = make()
        trainer = Trainer(model, nn.cross_entropy, opt, shuffle=False, mode='matrix')
        sys.settrace(interrupter)
        try:
            trainer.fit(X, Y, epochs=2, progress=False)
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        while grad_lock._is_owned():        # see interrupted_fit: a trace's exception at a with's exit
            grad_lock.release()
        if not interrupter.fired:
            break
        found = snapshot(model, opt)
        if found != after:
            assert found == start, "an interrupt at line %d of the write-back" % target
            pending.append(target)
            assert trainer.last_batch is not None and snapshot(model, opt) == after
        target += 1
    assert target > 10 and len(pending) < target / 2, pending


def test_a_non_finite_step_k_leaves_step_k_minus_1_and_says_so_as_before():
    def make():
        model = MLP(2, [3, 2], activation='tanh', seed=1)
        model.layers[0].neurons[0].w[0].data = 0.5         # so that its Z at x1 = inf is +inf
        return model, Adam(model.parameters(), lr=0.05)
    X = np.random.default_rng(0).normal(size=(6, 2))
    X[3, 0] = math.inf                  # in the second batch of 2
    Y = np.array([0, 1, 1, 0, 1, 0])
    model, opt = make()
    trainer = Trainer(model, nn.cross_entropy, opt, batch_size=2, shuffle=False, mode='matrix')
    with pytest.raises(FloatingPointError) as error:
        trainer.fit(X, Y, epochs=1, progress=False)
    assert str(error.value) == ("Trainer: at epoch 1, batch 2, sample X[3]: the pre-activation Z of L1 is inf; "
                                "training stopped, the model keeps the weights of the last finite step")
    assert snapshot(model, opt) == fit_steps(make, X[:2], Y[:2], 1)

    def linear():
        model = Neuron(2, activation='linear', seed=2)
        model.w[0].data = 0.5
        return model, SGD(model.parameters(), lr=0.01, momentum=0.9)
    X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 1.0], [1e200, 0.0]])
    Y = np.array([0.5, -0.5, 1.0, 0.0])
    model, opt = linear()
    trainer = Trainer(model, nn.half_squared_error, opt, batch_size=3, shuffle=False, mode='matrix')
    with pytest.raises(FloatingPointError) as error:
        trainer.fit(X, Y, epochs=2, progress=False)       # 0.5 * (5e199 - 0)^2 overflows
    assert str(error.value) == ("Trainer: at epoch 1, batch 2, sample X[3]: the loss is inf; training stopped, "
                                "the model keeps the weights of the last finite step")
    reference, ref_opt = linear()
    Trainer(reference, nn.half_squared_error, ref_opt, shuffle=False, mode='matrix').fit(X[:3], Y[:3], progress=False)
    assert snapshot(model, opt) == snapshot(reference, ref_opt)


# ------------------------------------------------------------------ 4. the callback
def momentum_subset():
    model = MLP(3, [4, 3], activation='tanh', seed=11)
    return model, SGD(model.parameters()[2:], lr=0.1, momentum=0.9)


def adam_all():
    model = MLP(3, [4, 3], activation='sigmoid', seed=12)
    return model, Adam(model.parameters(), lr=0.03)


DATA = (np.random.default_rng(8).normal(size=(12, 3)), np.arange(12) % 3)


@pytest.mark.parametrize('make', [momentum_subset, adam_all])
def test_the_callback_sees_at_every_step_the_values_of_a_fit_of_that_many_steps(make):
    X, Y = DATA
    for batch_size in (None, 4):
        model, opt = make()
        seen = []
        trainer = Trainer(model, nn.cross_entropy, opt, batch_size=batch_size, shuffle=False, mode='matrix')
        trainer.fit(X, Y, epochs=4 if batch_size is None else 1, progress=False,
                    callback=lambda step: seen.append((step.step, snapshot(model, opt))))
        assert [s for s, _ in seen] == [1, 2, 3, 4] if batch_size is None else [1, 2, 3]
        for steps, state in seen:
            assert state == fit_steps(make, X, Y, steps, batch_size), steps


def change(model, opt):
    """what a callback (or a person between two fits) may change: a weight, lr, momentum or
    Adam's t, the velocity or m, and a frozen parameter's gradient."""
    model.layers[0].neurons[1].w[2].data = 0.25
    opt.lr = opt.lr / 2
    if isinstance(opt, Adam):
        opt.t, opt.m[3] = 20, 0.5
    else:
        opt.momentum, opt.velocity[1] = 0.5, -0.75
    model.parameters()[0].grad = 3.0         # frozen under momentum_subset: its gradient adds on from here


@pytest.mark.parametrize('make', [momentum_subset, adam_all])
def test_what_a_callback_changes_is_honoured_by_the_next_step(make):
    X, Y = DATA
    by_hand, hand_opt = make()
    trainer = Trainer(by_hand, nn.cross_entropy, hand_opt, mode='matrix')
    for epoch in range(1, 5):
        trainer.fit(X, Y, epochs=1, progress=False)
        if epoch == 2:
            change(by_hand, hand_opt)
    model, opt = make()

    def callback(step):
        if step.step == 2:
            change(model, opt)
    Trainer(model, nn.cross_entropy, opt, mode='matrix').fit(X, Y, epochs=4, progress=False, callback=callback)
    assert snapshot(model, opt) == snapshot(by_hand, hand_opt)
    untouched, untouched_opt = make()
    Trainer(untouched, nn.cross_entropy, untouched_opt, mode='matrix').fit(X, Y, epochs=4, progress=False)
    assert snapshot(untouched, untouched_opt) != snapshot(model, opt)


def test_momentum_set_from_zero_by_a_callback_starts_its_velocity():
    X, Y = DATA

    def make():
        model = MLP(3, [3], activation='linear', seed=2)
        return model, SGD(model.parameters(), lr=0.1)

    def start(opt):
        opt.momentum = 0.9
    by_hand, hand_opt = make()
    trainer = Trainer(by_hand, nn.cross_entropy, hand_opt, mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    start(hand_opt)
    trainer.fit(X, Y, epochs=2, progress=False)
    model, opt = make()
    Trainer(model, nn.cross_entropy, opt, mode='matrix').fit(
        X, Y, epochs=3, progress=False, callback=lambda step: step.step == 1 and start(opt))
    assert snapshot(model, opt) == snapshot(by_hand, hand_opt)
    assert any(opt.velocity)


@pytest.mark.parametrize('make', [momentum_subset, adam_all])
def test_a_callback_that_raises_leaves_the_model_as_it_left_it(make):
    X, Y = DATA
    model, opt = make()

    def callback(step):
        if step.step == 2:
            change(model, opt)
            raise RuntimeError('enough')
    with pytest.raises(RuntimeError, match='enough'):
        Trainer(model, nn.cross_entropy, opt, mode='matrix').fit(X, Y, epochs=4, progress=False, callback=callback)
    reference, ref_opt = make()
    Trainer(reference, nn.cross_entropy, ref_opt, mode='matrix').fit(X, Y, epochs=2, progress=False)
    change(reference, ref_opt)
    assert snapshot(model, opt) == snapshot(reference, ref_opt)


# ------------------------------------------------------------------ 5. evaluate and accuracy all at once
@pytest.mark.parametrize('loss', LOSSES, ids=lambda f: f.__name__)
def test_evaluate_and_accuracy_equal_accumulate_on_random_data(loss):
    for seed in range(6):
        model, X, Y = problem(loss, seed, 40)
        if seed % 2:           # trained a little first, so that the weights are not the initial ones
            Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode='matrix').fit(X, Y, epochs=2, progress=False)
        for data in ((X, Y), lists(X, Y)):
            found = {mode: Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode=mode) for mode in
                     ('matrix', 'accumulate')}
            evaluated = {mode: t.evaluate(*data) for mode, t in found.items()}
            assert evaluated['matrix'].keys() == evaluated['accumulate'].keys()
            assert evaluated['matrix'].get('accuracy') == evaluated['accumulate'].get('accuracy')
            assert_within([evaluated['matrix']['loss']], [evaluated['accumulate']['loss']])
            if loss is not nn.half_squared_error:
                assert found['matrix'].accuracy(*data) == found['accumulate'].accuracy(*data)


def exact_model(kind, seed):
    """an MLP whose weights are ints or Fractions (the engine keeps them exact)."""
    rng = random.Random(seed)
    model = MLP(3, [3, 2], activation='relu', seed=seed)
    for p in model.parameters():
        p.data = rng.randint(-3, 3) if kind == 'int' else Fraction(rng.randint(-9, 9), rng.randint(1, 7))
    return model


@pytest.mark.parametrize('kind', ['int', 'fraction', 'fraction-inputs'])
def test_exact_weights_or_inputs_give_accumulates_exact_answer(kind):
    for seed in range(4):
        rng = random.Random(seed)
        model = exact_model('int' if kind == 'int' else 'fraction', seed) if kind != 'fraction-inputs' else \
            MLP(3, [3, 2], activation='relu', seed=seed)
        X = [[Fraction(rng.randint(-5, 5), rng.randint(1, 3)) if kind == 'fraction-inputs' else rng.randint(-5, 5)
              for _ in range(3)] for _ in range(6)]
        Y = [rng.randrange(2) for _ in range(6)]
        for loss in (nn.half_squared_error, nn.cross_entropy):
            targets = Y if loss is nn.cross_entropy else [[y, 1 - y] for y in Y]
            answers = {}
            for mode in ('matrix', 'accumulate'):
                t = Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode=mode)
                answers[mode] = (t.evaluate(X, targets), t.accuracy(X, Y) if loss is nn.cross_entropy else None)
            assert answers['matrix'] == answers['accumulate']
            assert repr(answers['matrix']) == repr(answers['accumulate'])      # the same types: Fraction, float
            if kind == 'int' and loss is nn.half_squared_error:
                assert type(answers['matrix'][0]['loss']) is Fraction              # exact, as the engine gives it
            if kind == 'int' and X == [[int(v) for v in x] for x in X]:
                as_array = Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode='matrix').evaluate(
                    np.array(X), np.array(targets))
                assert repr(as_array) == repr(answers['accumulate'][0])


def overflowing(case):
    """(model, loss, X, Y) whose outputs or losses overflow, or sit at the edge of float range."""
    if case == 'product':                 # w x = 1e400: inf
        model = Neuron(2, activation='linear')
        model.w[0].data, model.w[1].data, model.b.data = 1e200, 1.0, 0.0
        return model, nn.half_squared_error, [[1e200, 0.0]], [0.0]
    if case == 'square':                  # e^2 overflows, e is finite
        model = Neuron(2, activation='linear')
        model.w[0].data, model.w[1].data, model.b.data = 1.0, 1.0, 0.0
        return model, nn.half_squared_error, [[1e200, 0.0]], [0.0]
    if case == 'logits':                  # one logit inf, another -inf
        model = Layer(2, 2, activation='linear')
        for n, v in zip(model.neurons, (1e300, -1e300)):
            n.w[0].data, n.w[1].data, n.b.data = v, 0.0, 0.0
        return model, nn.cross_entropy, [[1e10, 0.0]], [0]
    if case == 'order':                   # b + w1 x1 overflows before w2 x2 brings it back
        model = Neuron(2, activation='linear')
        model.w[0].data, model.w[1].data, model.b.data = 1.0, 1.0, 1e308
        return model, nn.hinge, [[1e308, -1e308]], [-1]
    model = MLP(2, [2, 1], activation='tanh')   # saturating: huge weights, outputs +-1
    for p in model.parameters():
        p.data = 1e300
    return model, nn.hinge, [[1e10, -3.0], [-1e10, 2.0]], [1, -1]


@pytest.mark.parametrize('case', ['product', 'square', 'logits', 'saturating'])
def test_overflowing_outputs_behave_as_in_accumulate(case):
    model, loss, X, Y = overflowing(case)
    for method in ('evaluate', 'accuracy'):
        found = {mode: outcome(lambda: getattr(Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode=mode),
                                               method)(X, Y)) for mode in ('matrix', 'accumulate')}
        assert found['matrix'] == found['accumulate'], (method, found)


@pytest.mark.parametrize('case', ['order', 'cancellation'])
def test_all_at_once_sums_as_the_engine_does(case):
    model = Neuron(3, activation='linear')
    if case == 'order':
        model, loss, X, Y = overflowing('order')
    else:                                 # b + w . x = 0.6 - 1e16 ... the engine's 0.0, numpy's 0.6
        for p, v in zip(model.parameters(), [1.0, -1.0, -1.0, 0.6]):
            p.data = v
        loss, X, Y = nn.hinge, [[0.3, -1e16, 1e16]], [1]
    found = {mode: Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode=mode).evaluate(X, Y)
             for mode in ('matrix', 'accumulate')}
    assert found['matrix'] == found['accumulate']


# ------------------------------------------------------------------ 6. what a fit leaves to look at, and the next fit
def test_the_last_batch_holds_lists_and_sample_graph_works_after_an_array_fit():
    model, X, Y = problem(nn.cross_entropy, 4, 11)
    trainer = Trainer(model, nn.cross_entropy, Adam(model.parameters(), lr=0.01), batch_size=4, seed=3, mode='matrix')
    before = [p.data for p in model.parameters()]
    trainer.fit(X, Y, epochs=1, progress=False)
    last = trainer.last_batch
    assert type(last.samples) is list and all(type(i) is int for i in last.samples)
    assert type(last.weights) is list and all(type(v) is float for v in last.weights)
    assert len(last.samples) == 3 and len(set(last.samples)) == 3       # 11 = 4 + 4 + 3: the partial batch
    # the weights before the last step: those a twin fit's callback sees after its first two
    twin, X2, Y2 = problem(nn.cross_entropy, 4, 11)
    seen = []
    Trainer(twin, nn.cross_entropy, Adam(twin.parameters(), lr=0.01), batch_size=4, seed=3, mode='matrix').fit(
        X2, Y2, epochs=1, progress=False, callback=lambda step: seen.append([p.data for p in twin.parameters()]))
    assert last.weights == seen[1] != before
    graph = trainer.sample_graph(2)
    assert graph.sample == last.samples[2] and graph.x == X[last.samples[2]].tolist() and graph.y == Y[graph.sample]
    assert [p.data for p in graph.model.parameters()] == last.weights
    graph.root.backward()
    grads = graph.gradients()
    assert grads.keys() == graph.matrix_gradients.keys()
    assert_within(list(grads.values()), list(graph.matrix_gradients.values()))
    assert any(grads.values())


@pytest.mark.parametrize('make', [momentum_subset, adam_all])
def test_a_second_fit_continues_from_the_first(make):
    X, Y = DATA
    once, once_opt = make()
    Trainer(once, nn.cross_entropy, once_opt, batch_size=5, seed=4, mode='matrix').fit(X, Y, epochs=3, progress=False)
    twice, twice_opt = make()
    trainer = Trainer(twice, nn.cross_entropy, twice_opt, batch_size=5, seed=4, mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    middle = snapshot(twice, twice_opt)
    trainer.fit(X, Y, epochs=2, progress=False)
    assert snapshot(twice, twice_opt) == snapshot(once, once_opt) != middle


def test_a_model_changed_between_fits_is_seen_by_the_next_fit():
    X, Y = DATA
    model, opt = adam_all()
    trainer = Trainer(model, nn.cross_entropy, opt, mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    neuron = model.layers[0].neurons[0]
    old, neuron.w[1] = neuron.w[1], Value(0.5)          # the optimizer still holds the old Value
    state = snapshot(model, opt)
    with pytest.raises(MatrixModeError, match=r"the optimizer's params\[1\] is not a parameter of the model"):
        trainer.fit(X, Y, epochs=1, progress=False)
    assert snapshot(model, opt) == state
    # with an optimizer over the new parameters the new Value is trained, as in accumulate mode
    results = {}
    for mode in ('matrix', 'accumulate'):
        twin = copy.deepcopy(model)
        Trainer(twin, nn.cross_entropy, SGD(twin.parameters(), lr=0.1), mode=mode).fit(X, Y, epochs=2, progress=False)
        results[mode] = [p.data for p in twin.parameters()]
    assert results['matrix'][1] != 0.5
    assert_within(results['matrix'], results['accumulate'])
    # a tie: refused, naming it, and nothing moves
    trainer = Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.1), mode='matrix')
    model.layers[1].neurons[2].b = model.layers[1].neurons[0].b
    state = snapshot(model, trainer.optimizer)
    with pytest.raises(MatrixModeError, match=r"L2\.n3\.b is L2\.n1\.b, one parameter at two places"):
        trainer.fit(X, Y, epochs=1, progress=False)
    assert snapshot(model, trainer.optimizer) == state
    del old


def test_the_data_is_copied_when_the_fit_begins_whatever_the_arrays_order():
    results = []
    for order, mode in (('C', 'accumulate'), ('C', 'matrix'), ('F', 'matrix')):
        X = np.array(DATA[0], order=order)
        model, opt = adam_all()

        def augment(step):            # a callback that changes the data in place
            X[:] = X[::-1]
        Trainer(model, nn.cross_entropy, opt, batch_size=4, mode=mode).fit(X, DATA[1], epochs=2, progress=False,
                                                                            callback=augment)
        results.append([p.data for p in model.parameters()])
    assert_within(results[0], results[1])
    assert results[1] == results[2]


# ------------------------------------------------------------------ 7. the checks of arrays are O(1) per sample
def test_fit_checks_arrays_without_a_call_per_sample_or_a_walk_of_names(monkeypatch):
    n, width = 1797, 64
    rng = np.random.default_rng(0)
    X, Y = rng.integers(0, 17, size=(n, width)) / 16, rng.integers(0, 10, size=n)
    model = MLP(width, [10], seed=0)                       # 650 parameters, fewer than the samples
    trainer = Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.1), mode='matrix')
    checked = []
    rule = nn.cross_entropy.check_target
    monkeypatch.setattr(nn.cross_entropy, 'check_target', lambda y, shape: checked.append(y) or rule(y, shape))
    walked = []
    for name in ('named_parameters', 'drawn_parameters', '_walk'):
        original = getattr(Module, name)
        monkeypatch.setattr(Module, name, lambda self, *a, _name=name, _original=original, **k:
                            walked.append(_name) or _original(self, *a, **k))
    calls = {}

    def profile(frame, event, arg):
        if event == 'call':
            key = (os.path.basename(frame.f_code.co_filename), frame.f_code.co_name)
            calls[key] = calls.get(key, 0) + 1
    sys.setprofile(profile)
    try:
        history = trainer.fit(X, Y, epochs=0, progress=False)
    finally:
        sys.setprofile(None)
    assert history.step_loss == [] and walked == []
    assert sorted(checked) == list(range(10))              # once per distinct target
    busiest = max(calls.items(), key=lambda item: item[1])
    assert busiest[1] < n / 2, busiest                     # nothing is called once per sample
    # and the same checks refuse a bad target among them, naming its first sample
    Y[[1500, 1600]] = 10
    with pytest.raises(ValueError, match=r"Trainer.fit: Y\[1500\] is 10: cross-entropy's target is a class index"):
        trainer.fit(X, Y, epochs=0, progress=False)

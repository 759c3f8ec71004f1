"""mode='matrix' keeps the weights as arrays during a fit (nn/matrix.py, Kept): a Ctrl-C anywhere
in a step or in the writing back leaves the Values at a whole step, never half of one."""
import inspect
import sys

import numpy as np
import pytest

import nn
from nn import matrix

MATRIX_FILE = matrix.__file__


def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(24, 5))
    return X, rng.integers(0, 3, size=24)


def trainer(optimizer):
    model = nn.MLP(5, [4, 3], seed=7)
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9) if optimizer == 'sgd' else nn.Adam(model.parameters(), lr=0.01)
    return model, opt, nn.Trainer(model, nn.cross_entropy, opt, batch_size=8, shuffle=False, mode='matrix')


def snapshot(model, opt):
    return ([p.data for p in model.parameters()], [p.grad for p in model.parameters()], opt.state_dict())


def after(steps, optimizer):
    """the model and optimizer after `steps` whole steps, uninterrupted (8 samples a batch, 3 a epoch)."""
    model, opt, t = trainer(optimizer)
    X, Y = data()
    t.fit(X[:8 * steps], Y[:8 * steps], epochs=1, progress=False) if steps else None
    return snapshot(model, opt)


def lines_of(function):
    code = function.__code__
    return sorted({line for _, _, line in code.co_lines() if line is not None and line > code.co_firstlineno})


class InterruptAt:
    """a trace that raises KeyboardInterrupt the first time `function` reaches `line`, on its `call`-th call."""

    def __init__(self, function, line, call):
        self.code, self.line, self.call, self.calls, self.fired = function.__code__, line, call, 0, False

    def __call__(self, frame, event, arg):
        if event == 'call':
            if frame.f_code is self.code:
                self.calls += 1
                return self.local
            return None
        return None

    def local(self, frame, event, arg):
        if not self.fired and event == 'line' and self.calls == self.call and frame.f_lineno == self.line:
            self.fired = True
            raise KeyboardInterrupt
        return self.local


def interrupted_fit(optimizer, function, line, call):
    model, opt, t = trainer(optimizer)
    X, Y = data()
    trace = InterruptAt(function, line, call)
    raised = False
    sys.settrace(trace)
    try:
        t.fit(X, Y, epochs=1, progress=False)
    except KeyboardInterrupt:
        raised = True
    finally:
        sys.settrace(None)
    assert raised == trace.fired          # an interrupt is never swallowed
    return trace.fired, snapshot(model, opt)


@pytest.mark.parametrize("optimizer", ['sgd', 'adam'])
def test_ctrl_c_at_any_line_of_a_step_leaves_the_steps_before_it(optimizer):
    """an interrupt in the third step, at each of its lines: the Values, gradients and the
    optimizer's state are exactly those of two whole steps."""
    two, three = after(2, optimizer), after(3, optimizer)
    assert two[0] != three[0]
    lines = lines_of(matrix.Plan.step) + lines_of(matrix.Plan._step_arrays)
    source = matrix.Plan.step.__code__
    commit = source.co_firstlineno + next(k for k, text in enumerate(
        inspect.getsource(matrix.Plan.step).splitlines()) if 'self.kept = Kept(' in text)
    fired = 0
    for function in (matrix.Plan.step, matrix.Plan._step_arrays):
        for line in lines_of(function):
            hit, state = interrupted_fit(optimizer, function, line, call=3)
            fired += hit
            if hit:          # before the one assignment that is the step: two steps; after it, three
                assert state == (three if function is matrix.Plan.step and line > commit else two), \
                    (function.__name__, line)
    assert fired >= len(lines) // 2          # most lines run (the others are the error branches)


@pytest.mark.parametrize("optimizer", ['sgd', 'adam'])
def test_ctrl_c_while_writing_back_still_writes_the_whole_step(optimizer):
    three = after(3, optimizer)
    fired = 0
    for line in lines_of(matrix.Plan._write):
        hit, state = interrupted_fit(optimizer, matrix.Plan._write, line, call=1)
        fired += hit
        if hit:
            assert state == three, line
    assert fired >= 5


def test_the_values_hold_the_fit_start_until_it_ends_and_the_callback_sees_each_step():
    model, opt, t = trainer('sgd')
    X, Y = data()
    start = [p.data for p in model.parameters()]
    seen = []

    def callback(step):
        seen.append([p.data for p in model.parameters()])
    t.fit(X, Y, epochs=1, callback=callback, progress=False)
    assert seen == [after(k, 'sgd')[0] for k in (1, 2, 3)]
    assert seen[0] != start

    # without a callback nothing is written during the fit: a trace sees the Values unchanged in every step
    model, opt, t = trainer('sgd')
    observed = []
    original = matrix.Plan.step

    def spying(plan, *args):
        observed.append([p.data for p in model.parameters()])
        return original(plan, *args)
    matrix.Plan.step = spying
    try:
        t.fit(X, Y, epochs=1, progress=False)
    finally:
        matrix.Plan.step = original
    assert observed == [start] * 3
    assert [p.data for p in model.parameters()] == after(3, 'sgd')[0]


def test_a_callback_that_changes_the_optimizers_params_is_honoured_as_in_accumulate():
    """unfreezing a layer from the callback (optimizer.params changed): the next step trains it,
    in matrix mode as in accumulate mode (it raised a broadcasting ValueError before)."""
    X, Y = data()
    found = {}
    for mode in ('matrix', 'accumulate'):
        model = nn.MLP(5, [4, 3], seed=7)
        opt = nn.SGD(model.layers[1].parameters(), lr=0.1)        # the first layer frozen

        def unfreeze(step):
            if step.step == 1:
                opt.params = model.parameters()
        nn.Trainer(model, nn.cross_entropy, opt, batch_size=8, shuffle=False, mode=mode).fit(
            X, Y, epochs=1, callback=unfreeze, progress=False)
        found[mode] = [p.data for p in model.parameters()]
    start = [p.data for p in nn.MLP(5, [4, 3], seed=7).parameters()]
    first = nn.MLP(5, [4, 3], seed=7).layers[0].parameters()
    assert found['matrix'][:len(first)] != start[:len(first)]          # the first layer did learn
    assert max(abs(a - b) for a, b in zip(found['matrix'], found['accumulate'])) < 1e-12


def test_last_batch_is_the_last_step_taken_even_when_interrupted_at_its_commit():
    """last_batch lives with the step it describes (Kept.last): an interrupt before a step's one
    assignment leaves the last batch of the step before, whose weights are the Values' before it."""
    model, opt, t = trainer('sgd')
    X, Y = data()
    commit = matrix.Plan.step.__code__.co_firstlineno + next(
        k for k, text in enumerate(inspect.getsource(matrix.Plan.step).splitlines()) if 'self.kept = Kept(' in text)
    trace = InterruptAt(matrix.Plan.step, commit, call=3)
    sys.settrace(trace)
    try:
        with pytest.raises(KeyboardInterrupt):
            t.fit(X, Y, epochs=1, progress=False)
    finally:
        sys.settrace(None)
    assert trace.fired and t.last_batch.samples == list(range(8, 16))        # the second batch, not the third
    assert t.last_batch.weights == after(1, 'sgd')[0]

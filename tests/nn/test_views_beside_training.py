"""A view or a stepper in another thread never changes what fit learns (issue 20, defect 1).

layer_view used to zero the parameters' .grad and put them back around its own
backward(), and a Stepper writes .grad edge by edge: from a second thread, both
landed in the middle of a training step and changed the gradients it applied. Now
the views work on their own copies of the parameters, and a Trainer's step holds
backward's grad_lock, for which a Stepper's moves (and backward()) wait."""
import sys
import threading

import pytest

from autograd import Value, backward, draw, step
from nn import MLP, SGD, Trainer, batch_view, data, half_squared_error, layer_view

np = pytest.importorskip("numpy")
pytest.importorskip("graphviz")

TIMEOUT = 60      # seconds; only reached if a test is broken


@pytest.fixture
def busy_switching():
    """threads switch every microsecond (CPython's default is 5 ms), so that the viewer's
    work lands inside training steps again and again; put back after the test."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def train(mode, viewer=None):
    """the issue's run: MLP(2,[6,6,1]) on 32 moons, batch 8, 6 epochs, with `viewer(model, X, Y)`
    called in a loop in a second thread for as long as fit runs. Returns (the final weights,
    how many times the viewer ran to its end while fit ran)."""
    X, Y = data.moons(32, seed=0)
    model = MLP(2, [6, 6, 1], seed=0)
    trainer = Trainer(model, half_squared_error, SGD(model.parameters(), lr=0.1), batch_size=8, mode=mode)
    stop, runs, errors = threading.Event(), [0], []

    def loop():
        try:
            while not stop.is_set():
                viewer(model, X, Y)
                runs[0] += 1
        except BaseException as error:       # noqa: B902 - handed back to the test
            errors.append(error)
    thread = threading.Thread(target=loop) if viewer else None
    if thread:
        thread.start()
    try:
        trainer.fit(X, Y, epochs=6, progress=False)
    finally:
        stop.set()
        if thread:
            thread.join(TIMEOUT)
    assert thread is None or not thread.is_alive(), "the viewer thread is stuck"
    if errors:
        raise errors[0]
    return [p.data for p in model.parameters()], runs[0]


def view_layers(model, X, Y):
    view = layer_view(model, half_squared_error, X[0], Y[0])
    assert view.loss >= 0 and len(view.dW(2)) == 6


def view_batch(model, X, Y):
    assert len(batch_view(model, half_squared_error, X[:3], Y[:3]).samples) == 3


def step_and_draw(model, X, Y):
    """step(L).run() on a loss of the model being trained, and draw(L) of it: the stepper
    writes the parameters' real .grad, as its README promises."""
    L = half_squared_error(model(X[0]), Y[0])
    stepper = step(L).run()
    assert stepper.position == len(stepper)
    assert 'digraph' in draw(L).source


@pytest.mark.parametrize('mode', ['accumulate', 'graph', 'lanes', 'matrix'])
@pytest.mark.parametrize('viewer', [view_layers, view_batch, step_and_draw], ids=lambda f: f.__name__)
def test_a_viewer_in_another_thread_does_not_change_the_learnt_weights(mode, viewer, busy_switching):
    draw(Value(1.0))                          # graphviz imported now, not during the first fit
    alone, _ = train(mode)
    assert train(mode)[0] == alone            # the run itself is repeatable
    runs = fits = 0
    while fits < 3 or (runs < 3 and fits < 20):   # runs beside the viewer: each must equal the run alone
        weights, ran = train(mode, viewer)
        assert weights == alone
        runs, fits = runs + ran, fits + 1
    assert runs >= 3                          # the viewer did run while fit ran (a matrix fit is short)


# ------------------------------------------------------------------ who waits for a step
def blocked_inside_a_step(attempt):
    """run `attempt()` in a second thread while a Trainer's step is in its loss; returns
    (whether it had finished when the step let it look, 0.3 s later, whether it finished
    in the end). A step holds grad_lock, so anything that takes it waits."""
    model = MLP(2, [3, 1], seed=0)
    done, seen = threading.Event(), {}
    other = threading.Thread(target=lambda: (attempt(model), done.set()))

    def loss(out, y):
        if not seen:                          # the first sample of the first step
            other.start()
            seen['finished during the step'] = done.wait(0.3)
        return half_squared_error(out, y)
    Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode='accumulate').fit(
        [(0.5, 1.0), (1.0, -1.0)], [1.0, 0.0], progress=False)
    other.join(TIMEOUT)
    return seen['finished during the step'], done.is_set()


def stepper_moves(model):
    L = half_squared_error(model((1.0, 2.0)), 1.0)
    step(L).run()


def other_backward(model):
    backward(half_squared_error(model((1.0, 2.0)), 1.0))


def view_copies_weights(model):
    layer_view(model, half_squared_error, (1.0, 2.0), 1.0)


@pytest.mark.parametrize('attempt', [stepper_moves, other_backward, view_copies_weights], ids=lambda f: f.__name__)
def test_what_writes_grad_in_another_thread_waits_for_the_step_to_end(attempt):
    during, in_the_end = blocked_inside_a_step(attempt)
    assert not during and in_the_end


def test_the_lock_is_reentrant_so_a_step_can_call_backward_and_a_stepper_inside_it():
    from autograd.backward import grad_lock
    a = Value(2.0)
    with grad_lock:
        (a * a).backward()
        step(a * 3).run()
    assert a.grad == 4.0 + 3


def test_the_view_never_writes_the_models_grad_not_even_for_a_moment():
    # every parameter's .grad is a sentinel that raises if it is read as a number and
    # records every write: the view must neither read it for arithmetic nor write it
    model = MLP(2, [3, 1], seed=0)
    writes = []

    class Watched(Value):
        __slots__ = ()

    for p in model.parameters():
        p.__class__ = Watched
    original = Value.grad

    def set_grad(self, g):
        if type(self) is Watched:
            writes.append(self)
        original.__set__(self, g)
    Watched.grad = property(original.__get__, set_grad)
    try:
        view = layer_view(model, half_squared_error, (0.5, -1.0), 1.0)
        batch_view(model, half_squared_error, [(0.5, -1.0), (1.0, 2.0)], [1.0, 0.0])
    finally:
        for p in model.parameters():
            p.__class__ = Value
    assert writes == []
    assert any(g != 0 for row in view.dW(2) for g in row)      # the copies did get gradients


def test_batch_view_copies_the_weights_once_so_every_sample_sees_the_same_ones():
    # a loss that moves the model's first weight while the first sample is viewed: the
    # second sample's view still computes with the weights the batch view started from
    model = MLP(2, [3, 1], seed=0)
    first = model.parameters()[0]
    x1 = (1.0, 2.0)
    with_weights_before = model(x1).data

    def moving(out, y):
        first.data += 1.0
        return half_squared_error(out, y)
    batch = batch_view(model, moving, [(0.5, -1.0), x1], [1.0, 0.0])
    assert batch.samples[1].output == with_weights_before
    assert model(x1).data != with_weights_before           # the model's own weight did move

"""The Trainer: the seed articles' three worked examples exactly, the modes, the batching,
bad input, and a nan stopping training without losing the last good weights."""
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import grad
from nn import MLP, SGD, Neuron, Trainer, half_squared_error, hinge, squared_error

SEED_W = [Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800)]


def seed_trainer(lr, batch_size):
    model = Neuron(3, activation='relu', bias=False, grad_at_zero=1)
    for w, v in zip(model.w, SEED_W):
        w.data = v
    return model, Trainer(model, half_squared_error, SGD(model.parameters(), lr=lr),
                          batch_size=batch_size, shuffle=False)


def test_seed_002_per_sample_pass_with_learning_rate_one():
    X, Y = nn.data.seed_dataset()
    model, trainer = seed_trainer(lr=1, batch_size=1)
    history = trainer.fit(X, Y, epochs=1, progress=False)
    assert [w.data for w in model.w] == [Fraction(1, 200), 2000 - Fraction(3000, 11600000), 3000 + Fraction(1, 5800)]
    assert history.step_loss == [0, 0, Fraction(1, 2)]      # 1/2 (0 - 1)^2 on the third sample


def test_seed_004_one_epoch_of_per_sample_gradient_descent():
    X, Y = nn.data.seed_dataset()
    model, trainer = seed_trainer(lr=Fraction(1, 10 ** 7), batch_size=1)
    trainer.fit(X, Y, epochs=1, progress=False)
    # by hand: w += 1e-7 (0, 2000, 3000) -> outputs 0.4 + 0.03 = 0.43, 1, 0.4 + 0.9 = 1.3
    assert [model(x).data for x in X] == [Fraction(43, 100), 1, Fraction(13, 10)]


def test_seed_000_one_batch_step():
    X, Y = nn.data.seed_dataset()
    model, trainer = seed_trainer(lr=Fraction(1, 10 ** 7), batch_size=None)
    history = trainer.fit(X, Y, epochs=1, progress=False)
    # by hand: dLoss^avg/dw = 1/3 (0, -2000, -3000); w += 1e-7 (0, 2000/3, 1000)
    assert [w.data for w in model.w] == [Fraction(1, 200), Fraction(2, 30000) - Fraction(3000, 11600000),
                                         Fraction(1, 10000) + Fraction(1, 5800)]
    assert [model(x).data for x in X] == [Fraction(43, 300), 1, Fraction(13, 30)]
    # Loss^avg = 1/3 (0 + 0 + 1/2) = 1/6 (the article prints 5/6: an erratum)
    assert history.step_loss == [Fraction(1, 6)] and history.epoch_loss == [Fraction(1, 6)]


def small_problem(numbers=float):
    X = [(numbers(1), numbers(2)), (numbers(-1), numbers(1)), (numbers(3), numbers(-2)),
         (numbers(0), numbers(1)), (numbers(2), numbers(2))]
    Y = [numbers(1), numbers(-1), numbers(2), numbers(0), numbers(1)]
    return X, Y


def model_with(numbers, seed=3):
    model = MLP(2, [3, 1], activation='tanh' if numbers is float else 'relu', seed=seed)
    if numbers is Fraction:
        for i, p in enumerate(model.parameters()):
            p.data = Fraction((i * 7) % 11 - 5, 7)
    return model


@pytest.mark.parametrize("numbers", [float, Fraction])
@pytest.mark.parametrize("batch_size", [None, 1, 2])
def test_accumulate_and_graph_modes_give_the_same_weights(numbers, batch_size):
    X, Y = small_problem(numbers)
    results = []
    for mode in ('accumulate', 'graph'):
        model = model_with(numbers)
        lr = Fraction(1, 10) if numbers is Fraction else 0.1
        Trainer(model, squared_error, SGD(model.parameters(), lr), batch_size=batch_size, seed=4,
                mode=mode).fit(X, Y, epochs=2, progress=False)
        results.append([p.data for p in model.parameters()])
    if numbers is Fraction:
        assert results[0] == results[1]
    else:
        assert results[0] == pytest.approx(results[1], rel=1e-12)


def test_partial_batch_is_averaged_over_its_own_size():
    # 5 samples in batches of 2: [0,1], [2,3], [4]; each step uses that batch's own mean,
    # computed here independently with grad() on the explicit mean of each batch
    X, Y = small_problem(Fraction)
    model = model_with(Fraction)
    Trainer(model, squared_error, SGD(model.parameters(), Fraction(1, 10)), batch_size=2,
            shuffle=False).fit(X, Y, epochs=1, progress=False)

    reference = model_with(Fraction)
    params = reference.parameters()
    for batch in ([0, 1], [2, 3], [4]):
        mean = sum(squared_error(reference(X[i]), Y[i]) for i in batch) * Fraction(1, len(batch))
        for p, g in zip(params, grad(mean, params)):
            p.data -= Fraction(1, 10) * g
    assert [p.data for p in model.parameters()] == [p.data for p in params]


def test_number_of_steps_for_sgd_mini_batch_and_full_batch():
    X, Y = small_problem()
    for batch_size, steps in ((1, 5), (2, 3), (4, 2), (None, 1), (50, 1)):
        model = model_with(float)
        history = Trainer(model, squared_error, SGD(model.parameters(), 0.01),
                          batch_size=batch_size).fit(X, Y, epochs=3, progress=False)
        assert len(history.step_loss) == 3 * steps and len(history.epoch_loss) == 3


class Recording(MLP):
    """an MLP that notes every input it is called on."""
    def __call__(self, x):
        self.seen.append(tuple(x))
        return super().__call__(x)


def pairs_seen(seed, epochs=3):
    X, Y = small_problem()
    model = Recording(2, [3, 1], seed=0)
    model.seen, ys = [], []
    def loss(pred, y):
        ys.append(y)
        return squared_error(pred, y)
    Trainer(model, loss, SGD(model.parameters(), 1e-9), batch_size=2, seed=seed).fit(X, Y, epochs=epochs, progress=False)
    return list(zip(model.seen, ys))


def test_shuffling_is_seeded_and_moves_x_and_y_together():
    X, Y = small_problem()
    original = list(zip(X, Y))
    seen = pairs_seen(seed=1)
    for epoch in range(3):
        assert sorted(seen[5 * epoch:5 * epoch + 5]) == sorted(original)   # each epoch: every pair once, intact
    assert [seen[5 * e:5 * e + 5] for e in range(3)] != [original] * 3     # and not in the original order
    assert pairs_seen(seed=1) == seen and pairs_seen(seed=2) != seen


def test_progress_bar_shows_in_a_terminal_or_notebook_only(monkeypatch):
    pytest.importorskip("tqdm")
    import sys
    from nn import trainer as trainer_module
    assert trainer_module._progress_bar(100, True) is None           # pytest's stderr is not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert trainer_module._progress_bar(100, False) is None
    assert trainer_module._progress_bar(1, True) is None              # one step: no bar
    bar = trainer_module._progress_bar(100, True)
    # shown only once the fit has run for BAR_DELAY seconds: short fits never show one
    assert bar is not None and bar.total == 100 and bar.delay == trainer_module.BAR_DELAY > 0
    bar.close()
    X, Y = small_problem()
    model = model_with(float)
    history = Trainer(model, squared_error, SGD(model.parameters(), 0.01), batch_size=1).fit(X, Y, epochs=5)
    assert len(history.step_loss) == 25


def test_history_accuracy_and_callback_and_evaluate():
    X, Y = nn.data.moons(40, seed=1, labels=(-1, 1))
    model = MLP(2, [8, 1], seed=0)
    calls = []
    trainer = Trainer(model, hinge, SGD(model.parameters(), 0.1), batch_size=10)
    history = trainer.fit(X, Y, epochs=2, callback=calls.append, progress=False)
    assert [(c.epoch, c.batch, c.step) for c in calls][:5] == [(1, 1, 1), (1, 2, 2), (1, 3, 3), (1, 4, 4), (2, 1, 5)]
    assert len(history.epoch_accuracy) == 2 and all(0 <= a <= 1 for a in history.epoch_accuracy)
    result = trainer.evaluate(X, Y)
    # evaluate's accuracy, counted here by hand from the model's outputs
    right = sum((model(x).data > 0) == (y > 0) for x, y in zip(X, Y))
    assert result['accuracy'] == right / len(X)
    assert result['loss'] == pytest.approx(sum(hinge(model(x), y).data for x, y in zip(X, Y)) / len(X))


def test_moons_mlp_reaches_full_training_accuracy_in_100_steps():
    # micrograd's demo: MLP(2,[16,16,1]), hinge loss, L2 1e-4, lr from 1.0 down to 0.1, 100 full-batch steps
    X, Y = nn.data.moons(100, noise=0.1, seed=0, labels=(-1, 1))
    model = MLP(2, [16, 16, 1], seed=0)
    opt = SGD(model.parameters(), lr=1.0, weight_decay=1e-4)

    def decay(step):
        opt.lr = 1.0 - 0.9 * step.step / 100
    history = Trainer(model, hinge, opt, batch_size=None).fit(X, Y, epochs=100, callback=decay, progress=False)
    assert history.epoch_accuracy[-1] == 1.0
    assert Trainer(model, hinge, opt).evaluate(X, Y)['accuracy'] == 1.0


# ------------------------------------------------------------------ bad input
def bad_input_cases():
    X, Y = small_problem()
    return {
        "lengths differ": (X, Y[:-1], "X has 5 samples but Y has 4"),
        "empty": ([], [], "no data"),
        "wrong width": (X[:2] + [(1.0, 2.0, 3.0)], Y[:3], "X[2] has 3 inputs, the model expects 2"),
        "non-numeric x": ([(1.0, 'a')] + X[1:], Y, "X[0][1] is 'a'"),
        "non-numeric y": (X, [None] + Y[1:], "Y[0] is None"),
        "bool in x": ([(True, 1.0)] + X[1:], Y, "X[0][0] is True"),
        "row not a sequence": ([1.0] + X[1:], Y, "X[0] is 1.0"),
    }


@pytest.mark.parametrize("case", list(bad_input_cases()))
def test_bad_input_raises_before_any_weight_changes(case):
    X, Y, words = bad_input_cases()[case]
    model = model_with(float)
    before = model.state_dict()
    with pytest.raises(ValueError) as e:
        Trainer(model, squared_error, SGD(model.parameters(), 0.1), batch_size=1).fit(X, Y, progress=False)
    assert words in str(e.value)
    assert model.state_dict() == before


@pytest.mark.parametrize("kw,words", [({"batch_size": 0}, "batch_size"), ({"batch_size": 1.5}, "batch_size"),
                                      ({"mode": "fast"}, "mode")])
def test_bad_trainer_options(kw, words):
    model = model_with(float)
    with pytest.raises(ValueError, match=words):
        Trainer(model, squared_error, SGD(model.parameters(), 0.1), **kw)


def test_a_nan_loss_stops_training_and_keeps_the_last_finite_weights():
    X, Y = small_problem()
    Y = list(Y)
    Y[3] = math.nan                      # the 4th sample's loss is nan
    model = model_with(float)
    trainer = Trainer(model, squared_error, SGD(model.parameters(), 0.01), batch_size=1, shuffle=False)
    snapshots = []
    with pytest.raises(FloatingPointError) as e:
        trainer.fit(X, Y, epochs=1, callback=lambda s: snapshots.append(model.state_dict()), progress=False)
    assert "epoch 1, batch 4" in str(e.value) and "nan" in str(e.value)
    assert len(snapshots) == 3 and model.state_dict() == snapshots[-1]
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_an_infinite_gradient_stops_training_before_the_step():
    model = Neuron(1, activation='linear', bias=False)
    model.w[0].data = 0.0
    before = model.state_dict()
    loss = lambda pred, y: pred ** 0.5     # the loss is 0, its slope at 0 is infinite
    with pytest.raises(FloatingPointError, match="epoch 1, batch 1"):
        Trainer(model, loss, SGD(model.parameters(), 0.1)).fit([(1.0,)], [0.0], progress=False)
    assert model.state_dict() == before


# ------------------------------------------------------------------ mode='lanes': one graph for the whole batch
try:
    import numpy  # noqa: F401
    HAVE_NUMPY = True
except ImportError:                 # the scalar modes' tests still run without numpy (test_lanes.py)
    HAVE_NUMPY = False
lanes_mode = pytest.mark.skipif(not HAVE_NUMPY, reason="mode='lanes' needs numpy")


@lanes_mode
def test_seed_000_one_batch_step_in_lanes_mode_exactly():
    X, Y = nn.data.seed_dataset()
    model = Neuron(3, activation='relu', bias=False, grad_at_zero=1)
    for w, v in zip(model.w, SEED_W):
        w.data = v
    trainer = Trainer(model, half_squared_error, SGD(model.parameters(), lr=Fraction(1, 10 ** 7)),
                      batch_size=None, shuffle=False, mode='lanes')
    history = trainer.fit(X, Y, epochs=1, progress=False)
    # the same hand-derived numbers as test_seed_000_one_batch_step
    assert [w.data for w in model.w] == [Fraction(1, 200), Fraction(2, 30000) - Fraction(3000, 11600000),
                                         Fraction(1, 10000) + Fraction(1, 5800)]
    assert [model(x).data for x in X] == [Fraction(43, 300), 1, Fraction(13, 30)]
    assert history.step_loss == [Fraction(1, 6)]


def _trained(mode, numbers, seed, batch_size, n, loss, epochs=2):
    import random
    rng = random.Random(seed)
    X = [tuple(numbers(rng.randint(-20, 20), 8) for _ in range(3)) for _ in range(n)]
    if loss is hinge:
        Y = [rng.choice([-1, 1]) for _ in range(n)]
    else:
        Y = [numbers(rng.randint(-20, 20), 8) for _ in range(n)]
    model = MLP(3, [3, 2, 1] if numbers is Fraction else [4, 3, 1],
                activation='relu' if numbers is Fraction else rng.choice(['tanh', 'relu', 'sigmoid']), seed=seed)
    if numbers is Fraction:         # small fractions: exact training's numbers grow with every step
        for p in model.parameters():
            p.data = Fraction(p.data).limit_denominator(5)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=Fraction(1, 10)), batch_size=batch_size,
                      seed=seed, mode=mode)
    history = trainer.fit(X, Y, epochs=epochs, progress=False)
    return [p.data for p in model.parameters()], history


@lanes_mode
@pytest.mark.parametrize('seed', range(6))
def test_lanes_mode_gives_the_weights_of_accumulate_exactly_with_fractions(seed):
    batch_size = [None, 1, 2, 3, 4, 5][seed]             # 7 samples: partial last batches
    loss = [half_squared_error, squared_error, hinge][seed % 3]
    ref, h_ref = _trained('accumulate', Fraction, seed, batch_size, 7, loss, epochs=1)
    got, h_got = _trained('lanes', Fraction, seed, batch_size, 7, loss, epochs=1)
    assert got == ref and all(isinstance(p, Fraction) or isinstance(p, int) for p in got)
    assert h_got.step_loss == h_ref.step_loss


@lanes_mode
@pytest.mark.parametrize('seed', range(8))
def test_lanes_mode_gives_the_weights_of_accumulate_and_graph_in_floats(seed):
    batch_size = [None, 3, 4, 10, 1, 7, 6, 2][seed]
    loss = [half_squared_error, squared_error, hinge, nn.binary_cross_entropy_with_logits][seed % 4]
    floats = lambda a, b: a / b                          # noqa: E731
    if loss is nn.binary_cross_entropy_with_logits:
        import random
        rng = random.Random(seed)
        X = [tuple(rng.uniform(-2, 2) for _ in range(3)) for _ in range(13)]
        Y = [rng.choice([0, 1]) for _ in range(13)]
        results = {}
        for mode in ('accumulate', 'graph', 'lanes'):
            model = MLP(3, [4, 1], seed=seed)
            Trainer(model, loss, SGD(model.parameters(), lr=0.5), batch_size=batch_size, seed=seed,
                    mode=mode).fit(X, Y, epochs=3, progress=False)
            results[mode] = [p.data for p in model.parameters()]
    else:
        results = {mode: _trained(mode, floats, seed, batch_size, 13, loss)[0] for mode in ('accumulate', 'graph', 'lanes')}
    for mode in ('graph', 'lanes'):
        assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(results[mode], results['accumulate']))
    assert all(type(p) is float for p in results['lanes'])


@lanes_mode
def test_cross_entropy_in_lanes_mode_matches_accumulate():
    import random
    rng = random.Random(5)
    X = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(11)]
    Y = [rng.randrange(3) for _ in range(11)]
    results = {}
    for mode in ('accumulate', 'lanes'):
        model = MLP(2, [5, 3], seed=1)
        Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.3), batch_size=4, mode=mode).fit(
            X, Y, epochs=2, progress=False)
        results[mode] = [p.data for p in model.parameters()]
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(results['lanes'], results['accumulate']))


@pytest.mark.parametrize('mode', ['accumulate', 'graph', pytest.param('lanes', marks=lanes_mode)])
def test_the_collector_is_paused_during_a_step_and_restored_after(mode):
    import gc
    seen = []

    def loss(pred, y):
        seen.append(gc.isenabled())
        return squared_error(pred, y)
    X, Y = small_problem()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            model = MLP(2, [3, 1], seed=0)
            Trainer(model, loss, SGD(model.parameters(), lr=0.01), mode=mode).fit(X, Y, epochs=1, progress=False)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
    assert seen and not any(seen)


@lanes_mode
def test_a_nan_in_lanes_mode_names_the_sample():
    X, Y = small_problem()
    X[3] = (float('nan'), 1.0)
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(FloatingPointError, match=r"sample X\[3\]"):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.01), shuffle=False, mode='lanes').fit(
            X, Y, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("mode", ['accumulate', 'graph', 'lanes'])
def test_a_bad_label_anywhere_is_refused_before_any_weight_changes(mode):
    X = [(1., 2.), (.5, -1.), (2., 1.), (1., 1.)]
    cases = [(nn.hinge, nn.MLP(2, [1]), [1, -1, 1, 0], r"Y\[3\] is 0: hinge's labels are -1 or \+1"),
             (nn.cross_entropy, nn.MLP(2, [3]), [0, 2, 1, 3], r"Y\[3\] is 3: cross-entropy's target is a class index in 0..2"),
             (nn.binary_cross_entropy, nn.Neuron(2, activation='sigmoid'), [1, 0, 1, 2],
              r"Y\[3\] is 2: binary cross-entropy's targets are in \[0, 1\]")]
    for loss, model, Y, message in cases:
        before = [p.data for p in model.parameters()]
        trainer = Trainer(model, loss, SGD(model.parameters(), 0.1), batch_size=1, shuffle=False, mode=mode)
        with pytest.raises(ValueError, match=message):
            trainer.fit(X, Y, progress=False)
        assert [p.data for p in model.parameters()] == before


# ------------------------------------------------------------------ mode='lanes' at real-data scale

def _one_dot_neurons(monkeypatch):
    """nn.Neuron as one dot node, then its activation (until nn builds neurons so itself)."""
    from autograd import dot

    def forward(self, x):
        z = dot(self.w, x, self.b)
        return {'linear': lambda: z, 'relu': lambda: z.relu(self.grad_at_zero), 'tanh': z.tanh,
                'sigmoid': z.sigmoid}[self.activation]()
    monkeypatch.setattr(nn.Neuron, 'forward', forward)


@lanes_mode
@pytest.mark.parametrize('one_dot', [False, True])
def test_lanes_mode_on_a_float_matrix_gives_the_weights_of_accumulate(monkeypatch, one_dot):
    # float X goes in as one matrix a batch (ConstantLanes, no input gradients); X as a numpy
    # array or as lists gives the same weights, and accumulate's within 1e-12
    import numpy as np
    if one_dot:
        _one_dot_neurons(monkeypatch)
    rng = np.random.default_rng(2)
    X, Y = rng.uniform(0, 1, size=(23, 6)), rng.integers(0, 4, 23).tolist()
    results = {}
    for mode, data in (('accumulate', X.tolist()), ('lanes', X.tolist()), ('lanes array', X)):
        model = MLP(6, [5, 4], seed=3)
        history = Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.3), batch_size=8,
                          mode=mode.split()[0]).fit(data, Y, epochs=2, progress=False)
        results[mode] = [p.data for p in model.parameters()], history.epoch_accuracy
    assert results['lanes array'] == results['lanes']
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(results['lanes'][0], results['accumulate'][0]))
    assert results['lanes'][1] == results['accumulate'][1]


@lanes_mode
def test_lanes_mode_with_int_inputs_keeps_them_exact(monkeypatch):
    # int inputs are no float matrix: they go in number by number, exact, as before; with
    # Fraction weights every number stays exact and equals accumulate's
    _one_dot_neurons(monkeypatch)
    X = [(1, 2), (-1, 1), (3, -2), (0, 1), (2, 2)]
    Y = [1, -1, 2, 0, 1]
    results = {}
    for mode in ('accumulate', 'lanes'):
        model = MLP(2, [3, 1], seed=3)
        for p in model.parameters():
            p.data = Fraction(p.data).limit_denominator(7)
        Trainer(model, half_squared_error, SGD(model.parameters(), lr=Fraction(1, 10)), batch_size=2,
                mode=mode).fit(X, Y, epochs=2, progress=False)
        results[mode] = [p.data for p in model.parameters()]
    assert results['lanes'] == results['accumulate'] and all(type(p) in (int, Fraction) for p in results['lanes'])


@lanes_mode
def test_a_nan_in_a_float_matrix_in_lanes_mode_names_the_sample(monkeypatch):
    import numpy as np
    _one_dot_neurons(monkeypatch)
    X, Y = small_problem()
    X = np.array(X)
    X[2, 0] = np.nan
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(FloatingPointError, match=r"sample X\[2\]: the loss is nan"):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.01), shuffle=False, mode='lanes').fit(
            X, Y, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == before


def test_the_finiteness_checks_look_at_each_value_only_when_the_sum_is_not_finite_and_argmax_takes_the_first():
    from nn.trainer import _all_finite, predict_class
    assert _all_finite([1.0, -2.0, Fraction(1, 3), 7]) and _all_finite([])
    assert not _all_finite([1.0, math.nan]) and not _all_finite([math.inf, -math.inf])
    assert not _all_finite([1e308, 1e308]) and not _all_finite([1.0, 10 ** 400])   # then each is looked at
    assert predict_class([1.0, 3.0, 3.0], False) == 1 and predict_class([-0.0, 0.0], False) == 0


@lanes_mode
def test_lanes_mode_counts_right_predictions_as_predict_class_does():
    # lanes mode keeps float outputs as arrays and predicts with numpy: the count of
    # predict_class, ties (the first of the largest), thresholds and nan included
    import numpy as np
    from nn.trainer import _count_right, predict_class
    rng = np.random.default_rng(0)
    for outputs in (rng.integers(-2, 3, size=(4, 50)).astype(float), rng.integers(-1, 2, size=50) * 0.5):
        outputs.flat[7] = np.nan if outputs.ndim == 1 else outputs.flat[7]
        batch = list(range(50))
        for signed in (False, True):
            Y = rng.integers(0, 4, 50).tolist() if outputs.ndim == 2 else (
                rng.choice([-1, 1], 50).tolist() if signed else rng.integers(0, 2, 50).tolist())
            per_sample = outputs.T.tolist() if outputs.ndim == 2 else outputs.tolist()
            want = sum(predict_class(out, signed) == Y[i] for out, i in zip(per_sample, batch))
            assert _count_right(outputs, Y, batch, signed) == want
            assert _count_right(np.nan_to_num(outputs), Y, batch, signed) == sum(
                predict_class(out, signed) == Y[i] for out, i in zip(
                    np.nan_to_num(outputs).T.tolist() if outputs.ndim == 2 else np.nan_to_num(outputs).tolist(), batch))


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(1, 10 ** 7))
def test_mean_of_a_float_is_the_float_a_fraction_scale_gives(total, n):
    from nn.trainer import _mean_of
    assert _mean_of(total, n) == total * Fraction(1, n)
    assert _mean_of(Fraction(total), n) == Fraction(total) / n       # exact stays exact

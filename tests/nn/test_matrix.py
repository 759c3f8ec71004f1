"""Trainer(mode='matrix'): the same weights as mode='accumulate' (and 'lanes', where it
exists), 003's DZ = P - Y, gradients against central differences and PyTorch float64,
the last batch's samples as scalar graphs, and the models it refuses."""
import copy
import math
import os
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import Value, no_grad, to_dot
from nn import MLP, SGD, Adam, Layer, MatrixModeError, Neuron, Trainer
from nn import trainer as trainer_module

np = pytest.importorskip('numpy')

LOSSES = [nn.half_squared_error, nn.squared_error, nn.hinge, nn.binary_cross_entropy,
          nn.binary_cross_entropy_with_logits, nn.cross_entropy]


class Momentumless(SGD):
    """a subclass: the matrix mode steps it through p.grad and its own step()."""

    def step(self):
        for p in self.params:
            p.data = p.data - self.lr * p.grad


OPTIMIZERS = {
    'sgd': lambda ps: SGD(ps, lr=0.05),
    'sgd-momentum-decay': lambda ps: SGD(ps, lr=0.03, momentum=0.9, weight_decay=1e-3),
    'adam': lambda ps: Adam(ps, lr=0.01),
    'subclass': lambda ps: Momentumless(ps, lr=0.05),
}


def problem(loss, seed, n):
    """random data for `loss`, and a random model whose output fits it."""
    rng = random.Random(seed)
    nin = rng.randint(1, 4)
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]
    X[0] = [0] * nin                                        # z = b = 0 exactly in the first layer
    hidden = [rng.randint(1, 6) for _ in range(rng.randint(0, 2))]
    activation = rng.choice(['relu', 'tanh', 'sigmoid'])
    if loss is nn.cross_entropy:
        k = rng.randint(2, 4)
        Y = [rng.randrange(k) for _ in range(n)]
        model = MLP(nin, hidden + [k], activation=activation, seed=seed)
    else:
        if loss is nn.hinge:
            Y = [rng.choice([-1, 1]) for _ in range(n)]
        elif loss is nn.binary_cross_entropy:
            Y = [rng.choice([0, 1, 0.25]) for _ in range(n)]
        elif loss is nn.binary_cross_entropy_with_logits:
            Y = [rng.choice([0, 1, 0.7]) for _ in range(n)]
        else:
            Y = [rng.uniform(-1, 1) for _ in range(n)]
        if loss is nn.binary_cross_entropy:      # needs a probability: one sigmoid neuron
            model = Neuron(nin, activation='sigmoid', seed=seed)
        else:
            model = MLP(nin, hidden + [1], activation=activation, seed=seed)
    neurons = [model] if isinstance(model, Neuron) else [n for layer in model.layers for n in layer.neurons]
    for neuron in neurons:
        neuron.grad_at_zero = rng.choice([0, 1, 0.5])
        if neuron.b is not None:
            neuron.b.data = rng.choice([0.0, rng.uniform(-0.5, 0.5)])
    return X, Y, model


def train(mode, loss, optimizer, seed, n=13, batch_size=5, epochs=3):
    X, Y, model = problem(loss, seed, n)
    trainer = Trainer(model, loss, OPTIMIZERS[optimizer](model.parameters()), batch_size=batch_size,
                      seed=seed, mode=mode)
    history = trainer.fit(X, Y, epochs=epochs, progress=False)
    return model, trainer, history


def assert_same(a, b, tol=1e-12):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert abs(x - y) <= tol * max(1.0, abs(x)), (x, y)


@pytest.mark.parametrize('optimizer', sorted(OPTIMIZERS))
@pytest.mark.parametrize('loss', LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize('seed,n,batch_size', [(1, 13, 5), (2, 7, None), (3, 9, 1), (4, 11, 4)])
def test_matrix_mode_gives_the_weights_of_accumulate_mode(loss, optimizer, seed, n, batch_size):
    ref, ref_trainer, ref_history = train('accumulate', loss, optimizer, seed, n, batch_size)
    model, trainer, history = train('matrix', loss, optimizer, seed, n, batch_size)
    assert_same([p.data for p in ref.parameters()], [p.data for p in model.parameters()])
    assert [p.grad for p in model.parameters()] == [p.grad for p in ref.parameters()] == [0] * len(ref.parameters())
    assert_same(ref_history.step_loss, history.step_loss)
    assert history.epoch_accuracy == ref_history.epoch_accuracy
    assert ref_trainer.optimizer.state_dict().keys() == trainer.optimizer.state_dict().keys()
    for key, ref_state in ref_trainer.optimizer.state_dict().items():
        assert_same(ref_state if isinstance(ref_state, list) else [ref_state],
                    trainer.optimizer.state_dict()[key] if isinstance(ref_state, list) else [trainer.optimizer.t])


@pytest.mark.skipif('lanes' not in trainer_module.MODES, reason="Trainer(mode='lanes') is not in this tree")
@pytest.mark.parametrize('loss', LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize('optimizer', ['sgd-momentum-decay', 'adam'])
def test_matrix_mode_gives_the_weights_of_lanes_mode(loss, optimizer):
    for seed, n, batch_size in [(1, 13, 5), (2, 7, None)]:
        lanes, _, _ = train('lanes', loss, optimizer, seed, n, batch_size)
        model, _, _ = train('matrix', loss, optimizer, seed, n, batch_size)
        assert_same([p.data for p in lanes.parameters()], [p.data for p in model.parameters()])


def test_layer_models_and_a_frozen_parameter():
    """nn.Layer with cross-entropy; a parameter left out of the optimizer keeps its gradient, as in accumulate."""
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(10)]
    Y = [rng.randrange(4) for _ in range(10)]
    results = []
    for mode in ('accumulate', 'matrix'):
        model = Layer(3, 4, activation='tanh', seed=2)
        frozen = model.neurons[1].w[2]
        trainer = Trainer(model, nn.cross_entropy, SGD([p for p in model.parameters() if p is not frozen], lr=0.1),
                          batch_size=4, mode=mode)
        trainer.fit(X, Y, epochs=2, progress=False)
        results.append((model, frozen))
    (ref, ref_frozen), (model, frozen) = results
    assert_same([p.data for p in ref.parameters()], [p.data for p in model.parameters()])
    assert ref_frozen.grad != 0 and abs(frozen.grad - ref_frozen.grad) < 1e-12


# ------------------------------------------------------------------ 003's formulas, independently
def forward_by_hand(model, x):
    """model(x) with math and lists only: each layer's act(W . h + b)."""
    h = list(x)
    for layer in model.layers:
        z = [sum(w.data * v for w, v in zip(n.w, h)) + n.b.data for n in layer.neurons]
        act = layer.neurons[0].activation
        h = z if act == 'linear' else [math.tanh(v) for v in z] if act == 'tanh' else [max(v, 0.0) for v in z]
    return h


def test_softmax_cross_entropy_DZ_is_P_minus_Y():
    rng = random.Random(8)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(6)]
    Y = [rng.randrange(3) for _ in range(6)]
    model = MLP(3, [5, 3], activation='tanh', seed=4)
    before = copy.deepcopy(model)
    trainer = Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.1), mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    last = trainer.last_batch
    DZ = last.DZ[-1]
    assert DZ.shape == (3, 6)
    for j, i in enumerate(last.samples):
        logits = forward_by_hand(before, X[i])
        e = [math.exp(v) for v in logits]
        P = [v / sum(e) for v in e]
        for k in range(3):
            assert abs(DZ[k, j] - (P[k] - (1.0 if Y[i] == k else 0.0))) < 1e-14    # 003: DZ = P - Y
    # DW^2 = (1/m) DZ . H^T, written out with loops
    H1 = [forward_by_hand_hidden(before, X[i]) for i in last.samples]
    for k in range(3):
        for c in range(5):
            assert abs(last.DW(1)[k, c] - sum(DZ[k, j] * H1[j][c] for j in range(6)) / 6) < 1e-14
        assert abs(last.Db(1)[k] - sum(DZ[k, j] for j in range(6)) / 6) < 1e-14


def forward_by_hand_hidden(model, x):
    layer = model.layers[0]
    return [math.tanh(sum(w.data * v for w, v in zip(n.w, x)) + n.b.data) for n in layer.neurons]


@pytest.mark.parametrize('loss', LOSSES, ids=lambda f: f.__name__)
def test_the_step_gradient_is_the_central_difference_of_loss_avg(loss):
    X, Y, model = problem(loss, 11, 8)
    before = copy.deepcopy(model)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.01), mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    last = trainer.last_batch
    params = before.parameters()

    def loss_avg():
        with no_grad():          # the scalar engine's forward pass, nothing of the matrix mode
            return sum(loss(before(x), y).data for x, y in zip(X, Y)) / len(X)
    h = 1e-6
    share = [last.sample_gradients(j) for j in range(len(X))]
    names = [name for name, _ in before.named_parameters()]
    for k, p in enumerate(params):
        x0 = p.data
        p.data = x0 + h
        up = loss_avg()
        p.data = x0 - h
        down = loss_avg()
        p.data = x0
        numeric = (up - down) / (2 * h)
        matrix = sum(s[names[k]] for s in share)
        assert abs(numeric - matrix) < 1e-6 * max(1, abs(numeric)), (names[k], numeric, matrix)
        assert abs(float(last.grads[k]) - matrix) < 1e-14


def test_gradients_equal_pytorch_float64():
    torch = pytest.importorskip('torch')
    X, Y, model = problem(nn.squared_error, 12, 9)
    before = copy.deepcopy(model)
    trainer = Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.01), mode='matrix', shuffle=False)
    trainer.fit(X, Y, epochs=1, progress=False)
    h = torch.tensor(X, dtype=torch.float64)
    leaves = []
    for layer in before.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        leaves.append((W, b))
        z = h @ W.T + b
        act = layer.neurons[0].activation
        h = {'linear': z, 'relu': torch.relu(z), 'tanh': torch.tanh(z), 'sigmoid': torch.sigmoid(z)}[act]
    ((h[:, 0] - torch.tensor(Y, dtype=torch.float64)) ** 2).mean().backward()
    for l, (W, b) in enumerate(leaves):
        assert np.allclose(trainer.last_batch.DW(l), W.grad.numpy(), rtol=1e-12, atol=1e-14)
        assert np.allclose(trainer.last_batch.Db(l), b.grad.numpy(), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ nothing is lost for seeing
def test_sample_graph_gives_each_samples_share_and_the_layer_view_agrees_with_DZ(tmp_path):
    X, Y, model = problem(nn.squared_error, 21, 9)
    trainer = Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), batch_size=4, mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    last = trainer.last_batch
    assert last.m == 1                              # 9 = 4 + 4 + 1: the partial batch is the last
    trainer.fit(X[:8], Y[:8], epochs=1, progress=False)
    last = trainer.last_batch
    after = [p.data for p in model.parameters()]
    total = dict.fromkeys(last.sample_gradients(0), 0.0)
    for j in range(last.m):
        g = trainer.sample_graph(j)
        assert g.sample == last.samples[j] and g.x == [float(v) for v in X[g.sample]]
        assert [p.data for p in g.model.parameters()] == last.weights != after     # the weights before the step
        assert g.root.data == pytest.approx(g.loss.data / last.m)
        g.root.backward()
        for name, value in g.gradients().items():
            assert abs(value - g.matrix_gradients[name]) < 1e-14, name
            total[name] += value
        view = nn.layer_view(g.model, nn.squared_error, g.x, g.y)                 # its own graph, scale 1
        for l, layer in enumerate(view.layers):
            assert_same(layer.dz, g.DZ[l], 1e-13)
            assert_same(layer.dz, last.DZ[l][:, j].tolist(), 1e-13)
    grads = dict(zip([name for name, _ in model.named_parameters()], last.grads.tolist()))
    for name, value in total.items():
        assert abs(value - grads[name]) < 1e-13
    assert [p.data for p in model.parameters()] == after and all(p.grad == 0 for p in model.parameters())
    # draw, step and explore work on it
    g = trainer.sample_graph(1)
    assert 'Loss^learning' in to_dot(g.root, clusters=g.scopes) and 'L1.n1.w1' in to_dot(g.root)
    g.step().run()
    assert all(abs(g.gradients()[k] - v) < 1e-14 for k, v in g.matrix_gradients.items())
    fresh = trainer.sample_graph(1)
    path = tmp_path / 'sample.html'
    fresh.explore(str(path))
    assert path.stat().st_size > 1000
    with pytest.raises(IndexError, match="0 .. 3"):
        trainer.sample_graph(4)


def test_sample_graph_needs_a_matrix_mode_batch():
    model = MLP(2, [3, 1])
    with pytest.raises(RuntimeError, match="mode='matrix'"):
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1)).sample_graph(0)


# ------------------------------------------------------------------ what it refuses, changing nothing
class TwoLayers(nn.Module):
    def __init__(self):
        self.a, self.b = Layer(2, 3, activation='tanh'), Layer(3, 1, activation='linear')

    def __call__(self, x):
        return self.b(self.a(x))[0]


def snapshot(model, optimizer):
    return [(p.data, p.grad) for p in model.parameters()], optimizer.state_dict()


def test_a_hand_written_module_is_refused_naming_it_and_suggesting_lanes():
    model = TwoLayers()
    with pytest.raises(MatrixModeError, match=r"TwoLayers, a hand-written Module.*mode='lanes'"):
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')

    class MyMLP(MLP):
        pass
    model = MyMLP(2, [2, 1])
    with pytest.raises(MatrixModeError, match="MyMLP, a hand-written Module"):
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')


def mine(o, y):
    return (o - y) ** 2


def test_another_loss_and_mismatched_outputs_are_refused():
    model = MLP(2, [3, 1])
    with pytest.raises(MatrixModeError, match=r"the loss mine .*mode='lanes'"):
        Trainer(model, mine, SGD(model.parameters(), lr=0.1), mode='matrix')
    with pytest.raises(MatrixModeError, match="cross_entropy takes a list of outputs"):
        Trainer(model, nn.cross_entropy, SGD(model.parameters(), lr=0.1), mode='matrix')
    other = MLP(2, [1], seed=3)
    with pytest.raises(MatrixModeError, match=r"params\[0\] is not a parameter of the model"):
        Trainer(model, nn.squared_error, SGD(other.parameters(), lr=0.1), mode='matrix')


def test_fraction_weights_are_refused_and_the_model_is_unchanged():
    X, Y = nn.data.seed_dataset()
    model = Neuron(3, activation='relu', bias=False, grad_at_zero=1)
    optimizer = SGD(model.parameters(), lr=Fraction(1, 10 ** 7), momentum=0.5)
    trainer = Trainer(model, nn.half_squared_error, optimizer, mode='matrix')
    model.w[1].data = Fraction(-3000, 11600000)
    model.w[0].grad = 0.25
    before = snapshot(model, optimizer)
    with pytest.raises(MatrixModeError, match=r"parameter w2 is Fraction\(-3, 11600\), a Fraction.*mode='lanes'"):
        trainer.fit(X, Y, epochs=1, progress=False)
    assert snapshot(model, optimizer) == before


def test_a_fit_that_fails_keeps_the_last_batch_to_see():
    model = MLP(2, [3, 1], seed=2)
    trainer = Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')
    trainer.fit([(1.0, 2.0), (0.5, -1.0)], [1.0, 0.0], progress=False)
    last = trainer.last_batch
    with pytest.raises(FloatingPointError):
        trainer.fit([(1.0, 2.0), (0.5, -1.0)], [1.0, math.inf], progress=False)
    assert trainer.last_batch is last and trainer.sample_graph(1).sample == last.samples[1]


def test_a_value_in_X_and_a_bad_label_are_refused_before_any_step():
    model = MLP(2, [3, 1])
    optimizer = SGD(model.parameters(), lr=0.1)
    before = snapshot(model, optimizer)
    trainer = Trainer(model, nn.hinge, optimizer, batch_size=1, mode='matrix')
    with pytest.raises(MatrixModeError, match=r"X\[1\]\[0\] is Value"):
        trainer.fit([(1.0, 2.0), (Value(1.0), 2.0)], [1, -1], progress=False)
    with pytest.raises(ValueError, match=r"Y\[1\] is 0: hinge's labels are -1 or \+1"):
        trainer.fit([(1.0, 2.0), (1.0, 2.0)], [1, 0], progress=False)
    assert snapshot(model, optimizer) == before


def test_a_failed_step_loses_nothing_and_says_where():
    """an inf loss in the second batch: the first batch's step stays, the second is undone,
    and the error is the one accumulate mode gives."""
    messages = []
    for mode in ('accumulate', 'matrix'):
        model = MLP(1, [2, 1], activation='tanh', seed=1)
        optimizer = Adam(model.parameters(), lr=0.01)
        trainer = Trainer(model, nn.squared_error, optimizer, batch_size=2, shuffle=False, mode=mode)
        X, Y = [(0.5,), (0.1,), (0.2,), (0.3,)], [1.0, 2.0, 1e200, 0.0]
        seen = []
        with pytest.raises(FloatingPointError) as info:
            trainer.fit(X, Y, epochs=1, progress=False,
                        callback=lambda s: seen.append(snapshot(model, optimizer)))
        assert len(seen) == 1 and snapshot(model, optimizer) == seen[0]
        messages.append(str(info.value))
    assert messages[1] == "Trainer: at epoch 1, batch 2, sample X[2]: the loss is inf; " + trainer_module.STOPPED
    assert messages[0].startswith("Trainer: at epoch 1, batch 2, sample X[2]")    # accumulate: pow overflows first


def test_a_nan_gradient_is_named_and_the_step_undone():
    model = MLP(1, [2, 1], activation='relu', seed=1)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    trainer = Trainer(model, nn.half_squared_error, optimizer, mode='matrix')
    trainer.fit([(1.0,), (2.0,)], [0.0, 1.0], epochs=1, progress=False)
    model.layers[1].neurons[0].w[0].data = math.inf     # inf * 0 somewhere: nan
    before = snapshot(model, optimizer)
    with pytest.raises(FloatingPointError, match=r"Trainer: at epoch 1, batch 1.*is (nan|inf)"):
        trainer.fit([(1.0,), (2.0,)], [0.0, 1.0], epochs=1, progress=False)
    assert str(snapshot(model, optimizer)) == str(before)


def test_import_nn_without_numpy_and_the_matrix_mode_says_what_it_needs():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "import nn\n"
            "m = nn.MLP(2, [2, 1]); opt = nn.SGD(m.parameters(), lr=0.1)\n"
            "nn.Trainer(m, nn.squared_error, opt).fit([(1, 2)], [1.0], progress=False)\n"
            "try:\n"
            "    nn.Trainer(m, nn.squared_error, opt, mode='matrix')\n"
            "except nn.MatrixModeError as e:\n"
            "    print(e)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=root,
                         env=dict(os.environ, PYTHONPATH=root), timeout=60)
    assert out.returncode == 0, out.stderr
    advice = out.stdout.split("needs numpy", 1)[1]       # lanes need numpy too: advice that works instead
    assert "pip install numpy" in advice and "mode='accumulate'" in advice and "mode='lanes'" not in advice


def test_relu_at_exactly_zero_uses_grad_at_zero():
    """the articles' ReLU passes the gradient at 0: a sample at x = 0 with zero biases puts
    every first-layer z exactly at 0, and the slope there decides the biases' step."""
    X, Y = [(0.0, 0.0), (1.0, -0.5), (0.5, 0.5)], [1.0, -1.0, 0.5]
    weights = {}
    for slope in (0, 1):
        for mode in ('accumulate', 'matrix'):
            model = MLP(2, [3, 1], activation='relu', seed=6)
            for neuron in model.layers[0].neurons:
                neuron.grad_at_zero = slope
            Trainer(model, nn.half_squared_error, SGD(model.parameters(), lr=0.1), mode=mode).fit(
                X, Y, epochs=1, progress=False)
            weights[slope, mode] = [p.data for p in model.parameters()]
        assert_same(weights[slope, 'accumulate'], weights[slope, 'matrix'])
    assert weights[0, 'matrix'] != weights[1, 'matrix']


def test_binary_cross_entropy_of_a_non_probability_names_the_log_and_the_value():
    """a linear neuron's output is no probability: log(p) fails, as in accumulate mode, and nothing changes."""
    model = Neuron(1, activation='linear', seed=0)
    model.w[0].data = 1.0
    optimizer = SGD(model.parameters(), lr=0.1)
    before = snapshot(model, optimizer)
    for mode in ('accumulate', 'matrix'):
        trainer = Trainer(model, nn.binary_cross_entropy, optimizer, shuffle=False, mode=mode)
        with pytest.raises(ValueError, match=r"log\(.*-0\.5.*\): log is defined only for positive numbers"):
            trainer.fit([(0.5,), (-0.5,)], [1, 1], progress=False)
        assert snapshot(model, optimizer) == before
    with pytest.raises(ValueError, match=r"binary_cross_entropy at sample X\[1\]: log\(p=-0.5\)"):
        trainer.fit([(0.5,), (-0.5,)], [1, 1], progress=False)


def test_a_layer_whose_neurons_differ_is_refused():
    model = MLP(2, [3, 1], activation='tanh')
    model.layers[0].neurons[1].activation = 'relu'
    with pytest.raises(MatrixModeError, match=r"the neurons of layer L1 differ in activation \(\['relu', 'tanh'\]\)"):
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')
    model = MLP(2, [3, 1], activation='tanh')
    model.extra = Value(1.0)
    with pytest.raises(MatrixModeError, match="parameters besides its neurons' w and b"):
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(1, 12), batch_size=st.one_of(st.none(), st.integers(1, 12)),
       loss=st.sampled_from(LOSSES), optimizer=st.sampled_from(sorted(OPTIMIZERS)), epochs=st.integers(1, 3))
def test_random_models_data_and_batches_agree_with_accumulate(seed, n, batch_size, loss, optimizer, epochs):
    ref, _, ref_history = train('accumulate', loss, optimizer, seed, n, batch_size, epochs)
    model, _, history = train('matrix', loss, optimizer, seed, n, batch_size, epochs)
    # Adam divides a gradient by its own running size: where a gradient is only rounding
    # noise, the two modes' noise becomes steps of up to lr * 1e-15 / eps = lr * 1e-7 each
    # (test_matrix_adam.py); seed=0, n=12, full batch, hinge, 1 epoch differs by 2.8e-11
    steps = epochs * -(-n // (batch_size or n))
    tol = steps * 0.01 * 1e-7 if optimizer == 'adam' else 1e-12
    assert_same([p.data for p in ref.parameters()], [p.data for p in model.parameters()], tol)
    assert_same(ref_history.epoch_loss, history.epoch_loss)


def test_an_overflowing_pre_activation_stops_matrix_mode_as_the_nan_stops_accumulate():
    # w = 1e200 on x = (1e200, -1e200, -1e200): the scalar sum is inf - inf = nan, the loss nan
    for mode in ('accumulate', 'matrix'):
        model = nn.Neuron(3, activation='linear')
        for w in model.w:
            w.data = 1e200
        before = [p.data for p in model.parameters()]
        trainer = Trainer(model, nn.hinge, SGD(model.parameters(), lr=0.1), mode=mode)
        with pytest.raises(FloatingPointError, match=r"epoch 1, batch 1, sample X\[0\]"):
            trainer.fit([(1e200, -1e200, -1e200)], [1], progress=False)
        assert [p.data for p in model.parameters()] == before

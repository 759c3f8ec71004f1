"""The layer view: the articles' vectors read off the graph, held to the articles' formulas
computed independently (002's δ rules exactly in Fractions, 001/003's layer recursion and
003's DZ = P - Y, DW = (1/m) DZ . H^T in numpy float64), to the Trainer's own gradient,
and left without a trace on the model."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import no_grad
from nn import MLP, SGD, Layer, Neuron, Trainer, batch_view, cross_entropy, half_squared_error, layer_view, squared_error


# ------------------------------------------------------------------ 002's model, exactly
small = st.fractions(min_value=-3, max_value=3, max_denominator=3)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(1, 4), grad_at_zero=st.sampled_from([0, 1]))
def test_seed_shaped_models_follow_002s_formulas(data, n, grad_at_zero):
    # small ints and thirds, so that o2 lands exactly on 0 often: the >= 0 rule is exercised
    w = data.draw(st.lists(small, min_size=n, max_size=n))
    x = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    y = data.draw(st.integers(-2, 2))
    model = Neuron(n, activation='relu', bias=False, grad_at_zero=grad_at_zero)
    for p, v in zip(model.w, w):
        p.data = v
    view = layer_view(model, half_squared_error, x, y)

    # the articles' formulas, written out (002, "Run the backward pass"); ReLU'(0) is grad_at_zero
    o1 = x
    o2 = sum(wi * xi for wi, xi in zip(w, x))
    o3 = o2 if o2 > 0 else 0
    delta4 = o3 - y
    passes = o2 >= 0 if grad_at_zero == 1 else o2 > 0
    delta3 = delta4 if passes else 0
    delta2 = [delta3 * wi for wi in w]
    dW2 = [delta3 * xi for xi in o1]
    assert (view.K, view.o(1), view.o(2), view.o(3)) == (3, o1, [o2], [o3])
    assert view.loss == Fraction(1, 2) * (o3 - y) ** 2
    assert view.delta(4) == [delta4] and view.delta(3) == [delta3]
    assert view.delta(2) == delta2 and view.delta(1) == delta2          # δ1 = δ2: L1 is the identity
    assert view.dW(2) == [dW2]


# ------------------------------------------------------------------ any model, in numpy float64
ACT = {'relu': (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
       'tanh': (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
       'sigmoid': (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
       'linear': (lambda z: z, lambda z: np.ones_like(z))}


def weights(model):
    """[(W, b, activation)] per nn layer, as numpy arrays (b zero where there is no bias)."""
    layers = [[model]] if isinstance(model, Neuron) else [model.neurons] if isinstance(model, Layer) else \
        [layer.neurons for layer in model.layers]
    return [(np.array([[float(w.data) for w in n.w] for n in neurons]),
             np.array([float(n.b.data) if n.b is not None else 0.0 for n in neurons]),
             neurons[0].activation) for neurons in layers]


def reference(model, x, y, loss):
    """001's recursion: Z^l = W^l H^(l-1) + b^l, H^l = act(Z^l); at the output
    DZ = P - Y (cross-entropy over softmax) or o - y (1/2 (o - y)^2); then
    dH^(l-1) = W^l^T DZ^l, DZ^l = dH^l * act'(Z^l), DW^l = DZ^l H^(l-1)^T, Db^l = DZ^l."""
    H, Z = [np.array(x, dtype=float)], []
    for W, b, act in weights(model):
        Z.append(W @ H[-1] + b)
        H.append(ACT[act][0](Z[-1]))
    out = H[-1]
    if loss == 'cross_entropy':
        P = np.exp(out - out.max()) / np.exp(out - out.max()).sum()
        dH = P - np.eye(len(out))[y]
    else:
        dH = out - y
    layers = []
    for l in reversed(range(len(Z))):
        W, b, act = weights(model)[l]
        DZ = dH * ACT[act][1](Z[l])
        layers.append(dict(z=Z[l], a=H[l + 1], dz=DZ, da=dH, dW=np.outer(DZ, H[l]), db=DZ))
        dH = W.T @ DZ
    return list(reversed(layers)), dH


MODELS = [
    ("MLP relu, one output", lambda: MLP(3, [4, 3, 1], activation='relu', seed=1), 3, 'half'),
    ("MLP tanh, one output", lambda: MLP(2, [5, 1], activation='tanh', seed=2), 2, 'half'),
    ("MLP sigmoid, softmax output", lambda: MLP(4, [3, 3], activation='sigmoid', seed=3), 4, 'cross_entropy'),
    ("Layer, softmax", lambda: Layer(3, 4, activation='linear', seed=4), 3, 'cross_entropy'),
    ("Neuron tanh with bias", lambda: Neuron(3, activation='tanh', seed=5), 3, 'half'),
]


@pytest.mark.parametrize("name,make,width,loss", MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("seed", range(4))
def test_every_layer_matches_001s_recursion_in_numpy(name, make, width, loss, seed):
    rng = np.random.default_rng(seed)
    model = make()
    for p in model.parameters():
        p.data = float(rng.uniform(-1.5, 1.5))
    x = [float(v) for v in rng.uniform(-2, 2, width)]
    outputs = 1 if isinstance(model, Neuron) else len((model.layers[-1] if isinstance(model, MLP) else model).neurons)
    y = int(rng.integers(outputs)) if loss == 'cross_entropy' else float(rng.uniform(-1, 1))
    view = layer_view(model, cross_entropy if loss == 'cross_entropy' else half_squared_error, x, y)
    layers, dx = reference(model, x, y, loss)
    close = lambda a, b: np.allclose(np.array(a, dtype=float), b, rtol=1e-12, atol=1e-14)
    assert close(view.dx, dx)
    for mine, ref in zip(view.layers, layers):
        for key in ('z', 'a', 'dz', 'da', 'dW'):
            assert close(getattr(mine, key), ref[key]), (name, mine.name, key)
        if mine.db is not None:
            assert close(mine.db, ref['db'])
    # and in the articles' numbering: L1 = identity, then W . o + b and the activation of each layer
    k = 2
    assert close(view.delta(1), dx) and close(view.delta(2), dx) and close(view.o(1), x)
    for mine, ref in zip(view.layers, layers):
        assert close(view.o(k), ref['z']) and close(view.dW(k), ref['dW'])
        if mine.activation != 'linear':
            assert close(view.delta(k + 1), ref['dz']) and close(view.o(k + 1), ref['a'])
            k += 1
        k += 1
    assert k == view.K + 1 and close(view.delta(view.K + 1), layers[-1]['da'])


def test_a_softmax_batch_matches_003s_matrices():
    # 003: P = softmax(W2 H + b2), DZ2 = P - Y, DW2 = (1/m) DZ2 . H^T, Db2 = the mean of DZ2's columns;
    # DZ1 = (W2^T DZ2) * H (1 - H), DW1 = (1/m) DZ1 . X^T; columns are samples
    rng = np.random.default_rng(7)
    m, n, hidden, classes = 6, 3, 4, 3
    model = MLP(n, [hidden, classes], activation='sigmoid')
    for p in model.parameters():
        p.data = float(rng.uniform(-1, 1))
    X = rng.uniform(-2, 2, (m, n))
    labels = [int(c) for c in rng.integers(classes, size=m)]
    batch = batch_view(model, cross_entropy, X.tolist(), labels)

    (W1, b1, _), (W2, b2, _) = weights(model)
    H = 1 / (1 + np.exp(-(W1 @ X.T + b1[:, None])))
    Z2 = W2 @ H + b2[:, None]
    P = np.exp(Z2 - Z2.max(axis=0)) / np.exp(Z2 - Z2.max(axis=0)).sum(axis=0)
    Y = np.eye(classes)[:, labels]
    DZ2 = P - Y
    DZ1 = (W2.T @ DZ2) * H * (1 - H)
    out, hid = batch.layers[1], batch.layers[0]
    # the view's per-sample δ's are those of Loss^learning = loss_i / m: m times them is P - Y
    assert np.allclose(m * np.array(out.dz).T, DZ2, rtol=1e-12, atol=1e-14)
    assert np.allclose(out.dW, DZ2 @ H.T / m, rtol=1e-12, atol=1e-14)
    assert np.allclose(out.db, DZ2.mean(axis=1), rtol=1e-12, atol=1e-14)
    assert np.allclose(hid.dW, DZ1 @ X / m, rtol=1e-12, atol=1e-14)
    assert np.allclose(hid.db, DZ1.mean(axis=1), rtol=1e-12, atol=1e-14)
    assert np.allclose(np.array(hid.a).T, H, rtol=1e-12) and np.allclose(np.array(out.z).T, Z2, rtol=1e-12)
    assert np.allclose(batch.dW(4), DZ2 @ H.T / m) and np.allclose(batch.dW(2), DZ1 @ X / m)


def test_a_batch_matches_pytorch_float64():
    torch = pytest.importorskip("torch")
    model = MLP(3, [5, 4, 2], activation='tanh', seed=11)
    X, labels = [[0.3, -1.2, 2.0], [1.0, 0.5, -0.7], [-0.4, 0.1, 0.9]], [1, 0, 1]
    batch = batch_view(model, cross_entropy, X, labels)
    tensors = []
    h = torch.tensor(X, dtype=torch.float64)
    for i, layer in enumerate(model.layers):
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        tensors.append((W, b))
        h = h @ W.T + b
        if i < len(model.layers) - 1:
            h = torch.tanh(h)
    torch.nn.functional.cross_entropy(h, torch.tensor(labels)).backward()   # the mean over the batch
    for (W, b), mine in zip(tensors, batch.layers):
        assert np.allclose(mine.dW, W.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert np.allclose(mine.db, b.grad.numpy(), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ the Trainer's gradient
class Recording(SGD):
    """SGD that notes the gradient it is given at every step."""
    def step(self):
        self.seen.append([p.grad for p in self.params])
        super().step()


def flat(batch):
    """the batch's summed gradients in model.parameters() order: each neuron's w, then its b."""
    out = []
    for layer in batch.layers:
        for i, row in enumerate(layer.dW):
            out += row + ([layer.db[i]] if layer.db is not None else [])
    return out


@pytest.mark.parametrize("mode", ['accumulate', 'graph'])
@pytest.mark.parametrize("numbers", [Fraction, float])
def test_the_batch_sum_is_the_gradient_the_trainer_applies(mode, numbers):
    model = MLP(2, [3, 1], activation='relu', seed=3)
    for i, p in enumerate(model.parameters()):
        p.data = numbers(Fraction((i * 7) % 11 - 5, 7))
    X = [(numbers(1), numbers(2)), (numbers(-1), numbers(1)), (numbers(3), numbers(-2)), (numbers(2), numbers(2))]
    Y = [numbers(1), numbers(-1), numbers(2), numbers(0)]
    batch = batch_view(model, squared_error, X, Y)
    opt = Recording(model.parameters(), lr=Fraction(1, 10))
    opt.seen = []
    Trainer(model, squared_error, opt, batch_size=None, shuffle=False, mode=mode).fit(X, Y, epochs=1, progress=False)
    applied = opt.seen[0]
    if numbers is Fraction:
        assert flat(batch) == applied
        assert batch.loss_avg == sum((p - y) ** 2 for p, y in
                                     zip([s.output for s in batch.samples], Y)) / len(Y)
    else:
        assert flat(batch) == pytest.approx(applied, rel=1e-12, abs=1e-15)
    # in the articles' numbering too: L2 = W2 . o1 + b2 is the first layer, L4 the output layer
    assert batch.dW(2) == batch.layers[0].dW and batch.db(4) == batch.layers[1].db


def test_the_view_agrees_with_a_plain_backward_through_the_model():
    model = MLP(3, [4, 2], activation='tanh', seed=6)
    x, y = [0.5, -1.0, 2.0], 1
    view = layer_view(model, cross_entropy, x, y)
    model.zero_grad()
    loss = cross_entropy(model(x), y)
    loss.backward()
    assert view.loss == loss.data and view.output == [o.data for o in model(x)]
    assert flat(batch_view(model, cross_entropy, [x], [y])) == [p.grad for p in model.parameters()]


# ------------------------------------------------------------------ the model is left as it was
def test_the_view_leaves_every_grad_and_weight_as_it_was():
    model = MLP(2, [3, 1], seed=2)
    for i, p in enumerate(model.parameters()):
        p.grad = Fraction(i + 1, 3)                     # a half-accumulated batch, say
    grads = [p.grad for p in model.parameters()]
    data = [p.data for p in model.parameters()]
    view = layer_view(model, squared_error, [0.5, 1.5], 2.0)
    batch_view(model, squared_error, [[0.5, 1.5], [1.0, -1.0]], [2.0, 0.0])
    assert [p.grad for p in model.parameters()] == grads
    assert [p.data for p in model.parameters()] == data
    assert any(g != 0 for row in view.dW(2) for g in row)      # the view did see gradients of its own

    def failing(pred, y):
        raise ZeroDivisionError("a loss that fails half-way")
    with pytest.raises(ZeroDivisionError):
        layer_view(model, failing, [0.5, 1.5], 2.0)
    assert [p.grad for p in model.parameters()] == grads


# ------------------------------------------------------------------ how it shows
def seed_view(x=(0, 2000, 3000), y=1):
    model = Neuron(3, activation='relu', bias=False, grad_at_zero=1)
    for w, v in zip(model.w, (Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800))):
        w.data = v
    return model, layer_view(model, half_squared_error, x, y)


def test_a_view_prints_the_articles_rows_in_their_order_with_fractions():
    _, view = seed_view()
    text = str(view)
    lines = text.splitlines()
    symbols = [line.split()[0] for line in lines[3:]]
    assert symbols == ['x', 'o1', 'o2', 'o3', 'y', 'loss', 'δ4', 'δ3', 'δ2', '∂Loss/∂W2', 'δ1']   # 002's order
    row = {line.split()[0]: line for line in lines[3:]}
    assert "(-1/200 ~ -0.005, 3/11600 ~ 0.0002586, -1/5800 ~ -0.0001724)" in row['δ2']
    assert "x1, x2, x3 .grad" in row['δ2'] and "z .grad" in row['δ3'] and "o .grad" in row['δ4']
    assert "[(0, -2000, -3000)]" in row['∂Loss/∂W2'] and "w1, w2, w3 .grad" in row['∂Loss/∂W2']
    assert "1/2 ~ 0.5" in row['loss'] and repr(view) == text


def test_a_batch_view_prints_a_column_per_sample_and_the_sums():
    model, _ = seed_view()
    X, Y = nn.data.seed_dataset()
    text = str(batch_view(model, half_squared_error, X, Y))
    header = text.splitlines()[1]
    assert header.split() == ['sample', '1', 'sample', '2', 'sample', '3', 'sum']
    row = {line.split()[0]: line for line in text.splitlines()[3:]}
    assert row['δ4'].split()[1:] == ['∂Loss^learning/∂o3', '(0)', '(0)', '(-1/3', '~', '-0.3333)']
    assert row['∂Loss^learning/∂W2'].count('[(0, -2000/3 ~ -666.7, -1000)]') == 2     # sample 3, and the sum
    assert "Loss^avg = 1/6" in row['loss']


def test_the_notebook_shows_an_html_table_with_labels_escaped():
    model, view = seed_view()
    model.w[0].label = '<b>w</b>'
    page = layer_view(model, half_squared_error, (0, 2000, 3000), 1)._repr_html_()
    assert page.startswith('<table class="layer-view">') and page.count('<tr>') == 1 + 11
    assert '&lt;b&gt;w&lt;/b&gt;, w2, w3 .grad' in page and '<b>w' not in page
    assert '3/11600 ~ 0.0002586' in page
    X, Y = nn.data.seed_dataset()
    assert batch_view(model, half_squared_error, X, Y)._repr_html_().count('<th>') == 2 + 3 + 1


# ------------------------------------------------------------------ errors name what and where
def test_errors_say_what_is_wrong():
    model, view = seed_view()
    with pytest.raises(TypeError, match="layer_view: expected an nn Neuron, Layer or MLP, got Recording"):
        layer_view(Recording([], 0.1), half_squared_error, (1, 2, 3), 0)
    with pytest.raises(ValueError, match="layer_view: expected 3 inputs, got 2"):
        layer_view(model, half_squared_error, (1, 2), 0)
    with pytest.raises(TypeError, match="layer_view: x must be a sequence of 3 numbers, got int 5"):
        layer_view(model, half_squared_error, 5, 0)
    with pytest.raises(TypeError, match="the loss <lambda> returned float 1.0, not a Value"):
        layer_view(model, lambda o, y: 1.0, (1, 2, 3), 0)
    with pytest.raises(IndexError, match=r"delta\(5\).*L1 = x, L2 = W2 . o1, L3 = relu\(o2\).*from 1 to 4"):
        view.delta(5)
    with pytest.raises(IndexError, match=r"dW\(3\): L3 = relu\(o2\) has no weights; the layers with weights are L2"):
        view.dW(3)
    with pytest.raises(IndexError, match=r"db\(2\): L2 = W2 . o1 has no biases; the layers with biases are none"):
        view.db(2)
    with pytest.raises(ValueError, match="batch_view: X has 3 samples but Y has 2"):
        batch_view(model, half_squared_error, [(1, 2, 3)] * 3, [0, 1])
    with pytest.raises(ValueError, match="batch_view: no samples"):
        batch_view(model, half_squared_error, [], [])
    with no_grad(), pytest.raises(RuntimeError, match=r"layer_view: called inside no_grad\(\)"):
        layer_view(model, half_squared_error, (1, 2, 3), 0)       # else every δ would read 0

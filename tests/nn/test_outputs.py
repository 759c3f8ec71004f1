"""MLP's output_activation and the regression losses over several outputs (issue 19):
by hand, by central differences and with PyTorch float64 as the oracle, in every
Trainer mode, in layer_view, to_torch/from_torch and the lesson page."""
import copy
import math
import random
import re
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

import nn
from autograd import Value, no_grad
from nn import MLP, SGD, Layer, Trainer

from tests.chromium import browser, open_page  # noqa: F401 - the fixture

np = pytest.importorskip('numpy')
torch = pytest.importorskip('torch')

MODES = ('accumulate', 'graph', 'lanes', 'matrix')
OUTPUTS = (None, 'linear', 'sigmoid', 'tanh', 'relu')
REGRESSION = (nn.half_squared_error, nn.squared_error)


def act(name, z):
    """an activation written here from its definition, not from the engine."""
    if name in (None, 'linear'):
        return z
    if name == 'relu':
        return max(z, 0.0)
    if name == 'tanh':
        return math.tanh(z)
    return 1 / (1 + math.exp(-z))


def forward_by_hand(model, x):
    """the model's outputs from its weights, in plain floats."""
    h = list(map(float, x))
    for layer in model.layers:
        h = [act(n.activation, sum(float(w.data) * v for w, v in zip(n.w, h)) + float(n.b.data)) for n in layer.neurons]
    return h


def drawn(model):
    """[(name as drawings write it, Value)] in parameters() order: L1.n1.w1, ..., L1.n1.b, L1.n2.w1, ..."""
    named = [('L%d.n%d.%s' % (k, j, 'w%d' % i if i else 'b'), p)
             for k, layer in enumerate(model.layers, 1) for j, n in enumerate(layer.neurons, 1)
             for i, p in [(i, w) for i, w in enumerate(n.w, 1)] + [(0, n.b)]]
    assert all(a is b for (_, a), b in zip(named, model.parameters()))
    return named


def mean_loss_by_hand(model, X, Y, half):
    """Loss^avg of a regression loss over several outputs: (1/n) Σ_i c Σ_k (o_ik - y_ik)², c = 1/2 or 1."""
    c = 0.5 if half else 1.0
    return sum(c * sum((o - y) ** 2 for o, y in zip(forward_by_hand(model, x), t)) for x, t in zip(X, Y)) / len(X)


# ================================================================== output_activation
def test_the_default_output_is_linear_and_output_activation_sets_only_the_last_layer():
    plain = MLP(2, [3, 2], activation='tanh')
    assert [n.activation for n in plain.layers[-1].neurons] == ['linear', 'linear']
    for out in ('sigmoid', 'tanh', 'relu', 'linear'):
        model = MLP(2, [3, 4, 2], activation='tanh', output_activation=out, seed=3)
        assert [[n.activation for n in layer.neurons] for layer in model.layers] == [['tanh'] * 3, ['tanh'] * 4,
                                                                                     [out] * 2]
        assert model.describe() == "2 -> 3 tanh -> 4 tanh -> 2 %s" % out
        got = [o.data for o in model([0.3, -0.7])]
        assert got == pytest.approx(forward_by_hand(model, [0.3, -0.7]), rel=1e-14, abs=1e-15)
    # the same weights as without it: only the last activation differs
    a, b = MLP(2, [3, 1], seed=4), MLP(2, [3, 1], seed=4, output_activation='sigmoid')
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert b([1, 2]).data == pytest.approx(1 / (1 + math.exp(-a([1, 2]).data)), rel=1e-15)


@pytest.mark.parametrize('bad', ['softmax', 'Sigmoid', '', 1, ['sigmoid'], 'identity'])
def test_a_bad_output_activation_is_refused_naming_mlp_and_the_value(bad):
    with pytest.raises(ValueError) as e:
        MLP(2, [3, 1], output_activation=bad)
    text = str(e.value)
    assert text.startswith("MLP: output_activation") and repr(bad) in text and 'sigmoid' in text


def test_a_bad_hidden_activation_is_refused_by_mlp_too():
    with pytest.raises(ValueError, match=r"^MLP: activation must be one of .*got 'softmax'"):
        MLP(2, [3, 1], activation='softmax')


def random_problem(seed, out, k=2, n=5, targets='list'):
    """an MLP whose last layer has activation `out` and k outputs, and data for a regression loss."""
    rng = random.Random(seed)
    nin = rng.randint(1, 3)
    hidden = [rng.randint(1, 4) for _ in range(rng.randint(0, 2))]
    model = MLP(nin, hidden + [k], activation=rng.choice(['relu', 'tanh', 'sigmoid']), output_activation=out,
                seed=seed)
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]
    Y = [[rng.uniform(-1, 1) for _ in range(k)] if k > 1 else rng.uniform(-1, 1) for _ in range(n)]
    return model, X, Y


def weights_after(mode, seed, out, loss, k=2, epochs=2, batch_size=2):
    model, X, Y = random_problem(seed, out, k)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.3), batch_size=batch_size, mode=mode, seed=seed)
    history = trainer.fit(X, Y, epochs=epochs, progress=False)
    return [p.data for p in model.parameters()], history.step_loss


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(OUTPUTS), st.sampled_from(REGRESSION), st.sampled_from([1, 2, 3]))
def test_every_mode_takes_the_same_steps_with_any_output_activation(seed, out, loss, k):
    ref_w, ref_l = weights_after('accumulate', seed, out, loss, k)
    for mode in MODES[1:]:
        w, l = weights_after(mode, seed, out, loss, k)
        assert w == pytest.approx(ref_w, rel=1e-12, abs=1e-12), mode
        assert [float(v) for v in l] == pytest.approx([float(v) for v in ref_l], rel=1e-12, abs=1e-12), mode


def matrix_gradient(model, X, Y, loss):
    """the gradient of Loss^avg the matrix mode computed (its last batch), in parameters() order,
    on a copy of the model (the step changes the copy's weights only)."""
    model = copy.deepcopy(model)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.1), mode='matrix', shuffle=False)
    trainer.fit(X, Y, epochs=1, progress=False)
    return trainer.last_batch.grads.tolist()


def torch_gradient(model, X, Y, half):
    """the same gradient from to_torch(model) and the loss written in torch, float64."""
    net = nn.to_torch(model)
    out = net(torch.tensor(X, dtype=torch.float64))
    y = torch.tensor(Y, dtype=torch.float64).reshape(out.shape)
    loss = ((out - y) ** 2).sum(dim=-1 if out.dim() == 2 else 0)
    ((0.5 if half else 1.0) * loss).mean().backward()
    grads = {}
    for k, layer in enumerate(model.layers, 1):
        linear = getattr(net, 'L%d' % k)
        for j, n in enumerate(layer.neurons):
            for i in range(len(n.w)):
                grads['L%d.n%d.w%d' % (k, j + 1, i + 1)] = linear.weight.grad[j, i].item()
            grads['L%d.n%d.b' % (k, j + 1)] = linear.bias.grad[j].item()
    return [grads[name] for name, _ in drawn(model)]


def away_from_kinks(model, X, margin=1e-3):
    """True where no relu's input is within margin of 0 (central differences are then smooth)."""
    for x in X:
        h = list(map(float, x))
        for layer in model.layers:
            zs = [sum(float(w.data) * v for w, v in zip(n.w, h)) + float(n.b.data) for n in layer.neurons]
            if layer.neurons[0].activation == 'relu' and any(abs(z) < margin for z in zs):
                return False
            h = [act(n.activation, z) for n, z in zip(layer.neurons, zs)]
    return True


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(OUTPUTS), st.sampled_from(REGRESSION), st.sampled_from([1, 2, 3]))
def test_the_matrix_modes_output_derivatives_against_central_differences_and_torch(seed, out, loss, k):
    model, X, Y = random_problem(seed, out, k)
    assume(away_from_kinks(model, X))
    half = loss is nn.half_squared_error
    got = matrix_gradient(model, X, Y, loss)
    params = model.parameters()
    Yl = [y if isinstance(y, list) else [y] for y in Y]
    for p, g in zip(params, got):
        h, keep = 1e-6, p.data
        p.data = keep + h
        up = mean_loss_by_hand(model, X, Yl, half)
        p.data = keep - h
        down = mean_loss_by_hand(model, X, Yl, half)
        p.data = keep
        assert g == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)
    assert got == pytest.approx(torch_gradient(model, X, Yl, half), rel=1e-12, abs=1e-14)


def test_a_sigmoid_output_step_in_matrix_mode_by_hand():
    """MLP(1, [1]) with a sigmoid output, one sample: every number of the step written out.
    w = 0.5, b = 0, x = 2, y = 1: z = 1, o = σ(1), half squared error.
    ∂loss/∂o = o - 1, σ'(z) = o (1 - o), so ∂loss/∂w = (o - 1) o (1 - o) x, ∂loss/∂b = (o - 1) o (1 - o)."""
    o = 1 / (1 + math.exp(-1.0))
    dz = (o - 1) * o * (1 - o)
    for mode in MODES:
        model = MLP(1, [1], output_activation='sigmoid')
        model.layers[0].neurons[0].w[0].data = 0.5
        Trainer(model, nn.half_squared_error, SGD(model.parameters(), lr=1.0), mode=mode).fit(
            [[2.0]], [1.0], progress=False)
        w, b = (p.data for p in model.parameters())
        assert w == pytest.approx(0.5 - dz * 2, rel=1e-15) and b == pytest.approx(-dz, rel=1e-15), mode


def test_layer_view_and_batch_view_number_a_sigmoid_output_as_the_articles_do():
    model = MLP(2, [2, 2], activation='tanh', output_activation='sigmoid', seed=2)
    view = nn.layer_view(model, nn.half_squared_error, (0.5, -1.0), [0.2, 0.7])
    text = str(view)
    # L1 = x, L2 = W2 . o1 + b2, L3 = tanh(o2), L4 = W4 . o3 + b4, L5 = sigmoid(o4): the output is o5
    assert view.K == 5
    assert re.search(r'L3 = tanh\(o2\)', text) and re.search(r'L5 = sigmoid\(o4\)', text)
    assert 'L6' not in text
    # δ5 = ∂Loss/∂o4 = (o - y) ⊗ σ'(o4) = (o - y) o (1 - o)
    o = forward_by_hand(model, (0.5, -1.0))
    assert view.delta(5) == pytest.approx([(ok - y) * ok * (1 - ok) for ok, y in zip(o, [0.2, 0.7])], rel=1e-13)
    linear = nn.layer_view(MLP(2, [2, 2], activation='tanh', seed=2), nn.half_squared_error, (0.5, -1.0), [0.2, 0.7])
    assert linear.K == 4 and 'sigmoid' not in str(linear)
    batch = nn.batch_view(model, nn.half_squared_error, [(0.5, -1.0), (1.0, 0.0)], [[0.2, 0.7], [0.9, 0.1]])
    assert 'sigmoid(o4)' in str(batch)


def test_to_torch_and_from_torch_keep_the_output_activation():
    for out, module in (('sigmoid', torch.nn.Sigmoid), ('tanh', torch.nn.Tanh), ('relu', torch.nn.ReLU)):
        model = MLP(3, [4, 2], activation='tanh', output_activation=out, seed=7)
        net = nn.to_torch(model)
        assert list(net._modules) == ['L1', 'tanh1', 'L2', '%s2' % out] and isinstance(net[-1], module)
        x = [0.3, -0.2, 0.9]
        assert net(torch.tensor(x, dtype=torch.float64)).tolist() == pytest.approx(
            [o.data for o in model(x)], rel=1e-14, abs=1e-15)
        with torch.no_grad():
            net.L2.bias += 0.25
        nn.from_torch(net, model)
        assert [n.b.data for n in model.layers[-1].neurons] == net.L2.bias.tolist()
        assert net(torch.tensor(x, dtype=torch.float64)).tolist() == pytest.approx(
            [o.data for o in model(x)], rel=1e-14, abs=1e-15)
    assert list(nn.to_torch(MLP(3, [4, 2], activation='tanh'))._modules) == ['L1', 'tanh1', 'L2']


def test_the_lesson_picture_labels_the_output_layers_activation(browser, tmp_path):
    model = MLP(2, [3, 2], activation='tanh', output_activation='sigmoid', seed=1)
    path = nn.lesson(model, nn.half_squared_error, [[0.5, -1.0], [1.0, 0.5]], [[0.2, 0.7], [0.9, 0.1]],
                     str(tmp_path / 'sigmoid_out'), optimizer=SGD(model.parameters(), lr=0.5))
    page, requests, errors = open_page(browser, path)
    heads = page.evaluate("[...document.querySelectorAll('svg text')].map(t => t.textContent)")
    assert 'L1 · tanh' in heads and 'L2 · sigmoid' in heads
    assert not requests and not errors


# ================================================================== losses over several outputs
def test_half_squared_error_over_two_outputs_by_hand_with_its_node_names():
    o = [Value(Fraction(1, 2)), Value(Fraction(3, 4))]
    loss = nn.half_squared_error(o, [0, 1])
    # 1/2 ((1/2 - 0)² + (3/4 - 1)²) = 1/2 (1/4 + 1/16) = 5/32; ∂/∂o_k = o_k - y_k = 1/2, -1/4
    assert loss.data == Fraction(5, 32)
    loss.backward()
    assert [v.grad for v in o] == [Fraction(1, 2), Fraction(-1, 4)]
    labels = {}
    stack = [loss]
    while stack:
        v = stack.pop()
        labels[v.label] = v.data
        stack.extend(v.parents)
    assert labels['loss'] == Fraction(5, 32) and labels['Σe²'] == Fraction(5, 16)
    assert labels['e1'] == Fraction(1, 2) and labels['e1²'] == Fraction(1, 4)
    assert labels['e2'] == Fraction(-1, 4) and labels['e2²'] == Fraction(1, 16)


def test_three_outputs_name_the_running_sums_and_squared_error_is_twice_the_half():
    o = [Value(Fraction(k, 3)) for k in (1, 2, 5)]
    y = [1, 0, Fraction(1, 2)]
    loss = nn.squared_error(o, y)
    # (1/3 - 1)² + (2/3)² + (5/3 - 1/2)² = 4/9 + 4/9 + 49/36 = 81/36 = 9/4
    assert loss.data == Fraction(9, 4) == 2 * nn.half_squared_error(o, y).data
    assert loss.label == 'loss' and loss.parents[0].label == 'Σe²[1..2]'
    loss.backward()
    assert [v.grad for v in o] == [2 * (a.data - b) for a, b in zip(o, y)]


def test_one_output_keeps_its_names():
    loss = nn.half_squared_error(Value(3.0), 1)
    assert loss.label == 'loss' and loss.parents[0].label == 'e²' and loss.parents[0].parents[0].label == 'e'


@pytest.mark.parametrize('loss', REGRESSION)
def test_mismatched_outputs_and_targets_are_refused_naming_the_loss(loss):
    name = loss.__name__
    with pytest.raises(ValueError, match=r"^%s: 2 outputs but 3 targets" % name):
        loss([Value(1.0), Value(2.0)], [1, 2, 3])
    with pytest.raises(ValueError, match=r"^%s: the prediction is a list of 2 outputs.*got 1" % name):
        loss([Value(1.0), Value(2.0)], 1)
    with pytest.raises(ValueError, match=r"^%s: the prediction is one output.*list of 2" % name):
        loss(Value(1.0), [1, 2])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=1, max_size=5),
       st.sampled_from(REGRESSION))
def test_the_several_output_gradient_against_central_differences_and_torch(pairs, loss):
    outs, ys = [o for o, _ in pairs], [y for _, y in pairs]
    values = [Value(o) for o in outs]
    result = loss(values, ys)
    result.backward()
    c = 0.5 if loss is nn.half_squared_error else 1.0

    def f(os_):
        return c * sum((o - y) ** 2 for o, y in zip(os_, ys))
    assert result.data == pytest.approx(f(outs), rel=1e-14, abs=1e-15)
    for k in range(len(outs)):
        up, down = list(outs), list(outs)
        up[k] += 1e-6
        down[k] -= 1e-6
        assert values[k].grad == pytest.approx((f(up) - f(down)) / 2e-6, rel=1e-5, abs=1e-6)
    t = torch.tensor(outs, dtype=torch.float64, requires_grad=True)
    (c * ((t - torch.tensor(ys, dtype=torch.float64)) ** 2).sum()).backward()
    assert [v.grad for v in values] == pytest.approx(t.grad.tolist(), rel=1e-14, abs=1e-15)


def exact_problem():
    """MLP(2, [2, 3]) with Fraction weights, linear outputs (relu hidden), three-output targets."""
    model = MLP(2, [2, 3], seed=5)
    for k, p in enumerate(model.parameters()):
        p.data = Fraction((-1) ** k * (k % 5 + 1), 7)
    X = [[1, 2], [Fraction(1, 2), -1], [3, 0], [-2, 1]]
    Y = [[1, 0, 2], [0, Fraction(1, 3), 1], [2, 2, -1], [0, 0, 0]]
    return model, X, Y


@pytest.mark.parametrize('loss', REGRESSION)
def test_several_output_targets_are_exact_with_fractions_in_the_exact_modes(loss):
    results = {}
    for mode in ('accumulate', 'graph', 'lanes'):
        model, X, Y = exact_problem()
        history = Trainer(model, loss, SGD(model.parameters(), lr=Fraction(1, 10)), batch_size=3, mode=mode).fit(
            X, Y, epochs=2, progress=False)
        results[mode] = ([p.data for p in model.parameters()], history.step_loss)
        assert all(type(v) is Fraction for v in results[mode][0] + results[mode][1])
    assert results['accumulate'] == results['graph'] == results['lanes']


@pytest.mark.parametrize('loss', REGRESSION)
def test_the_first_exact_step_by_the_formula(loss):
    """one full-batch step: Loss^avg = (1/n) Σ_i c Σ_k (o_ik - y_ik)² computed here in Fractions."""
    model, X, Y = exact_problem()
    c = Fraction(1, 2) if loss is nn.half_squared_error else 1

    def by_formula(m):
        total = 0
        for x, y in zip(X, Y):
            h = list(x)
            for layer in m.layers:
                zs = [sum(w.data * v for w, v in zip(n.w, h)) + n.b.data for n in layer.neurons]
                h = [max(z, 0) if n.activation == 'relu' else z for n, z in zip(layer.neurons, zs)]
            total += c * sum((o - t) ** 2 for o, t in zip(h, y))
        return total / len(X)
    expected = by_formula(model)
    history = Trainer(model, loss, SGD(model.parameters(), lr=Fraction(1, 10)), mode='graph').fit(
        X, Y, progress=False)
    assert history.step_loss == [expected] and type(expected) is Fraction


@pytest.mark.parametrize('mode', MODES)
def test_target_checks_take_a_list_of_the_output_width_and_refuse_others(mode):
    model = MLP(2, [3, 2], seed=1, output_activation='sigmoid')
    before = [p.data for p in model.parameters()]
    trainer = Trainer(model, nn.half_squared_error, SGD(model.parameters(), lr=0.1), mode=mode)
    X = [[0.1, 0.2], [0.3, -0.4], [1.0, 0.0]]
    for Y, where, words in (([[0, 1], [1, 0], [0, 1, 1]], 'Y[2]', 'a list of 2 targets, one per output, not 3'),
                            ([[0, 1], 1, [1, 0]], 'Y[1]', 'a list of 2 targets, one per output, not one number'),
                            ([[0, 1], [1, 0], []], 'Y[2]', 'not 0')):
        with pytest.raises(ValueError) as e:
            trainer.fit(X, Y, progress=False)
        assert str(e.value).startswith("Trainer.fit: %s is " % where) and words in str(e.value)
        assert 'half_squared_error' in str(e.value)
        assert [p.data for p in model.parameters()] == before          # refused before the first step
    one = MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match=r"^Trainer\.fit: Y\[0\] is \[0, 1\]: squared_error compares the model's "
                                         r"one output with one number"):
        Trainer(one, nn.squared_error, SGD(one.parameters(), lr=0.1), mode=mode).fit([[0, 0]], [[0, 1]],
                                                                                      progress=False)
    trainer.fit(X, [[0, 1], [1, 0], [0.5, 0.5]], progress=False)
    assert [p.data for p in model.parameters()] != before


@pytest.mark.parametrize('mode', MODES)
def test_a_layer_of_several_outputs_trains_on_list_targets_in_every_mode(mode):
    layer = Layer(2, 2, activation='sigmoid', seed=3)
    X, Y = [[0.5, 1.0], [-1.0, 0.25]], [[0.0, 1.0], [1.0, 0.5]]
    w = [[n.w[0].data, n.w[1].data, n.b.data] for n in layer.neurons]
    Trainer(layer, nn.half_squared_error, SGD(layer.parameters(), lr=1.0), mode=mode).fit(X, Y, progress=False)
    # each neuron j learns from its own output only: Δw_j = -(1/2) Σ_i (o_ij - y_ij) o_ij (1 - o_ij) x_i
    for j, n in enumerate(layer.neurons):
        grads = [0.0, 0.0, 0.0]
        for x, y in zip(X, Y):
            o = act('sigmoid', w[j][0] * x[0] + w[j][1] * x[1] + w[j][2])
            dz = (o - y[j]) * o * (1 - o)
            for k, v in enumerate([x[0], x[1], 1.0]):
                grads[k] += dz * v / 2
        assert [n.w[0].data, n.w[1].data, n.b.data] == pytest.approx(
            [a - g for a, g in zip(w[j], grads)], rel=1e-14, abs=1e-15)


def test_matrix_sample_graph_rebuilds_a_several_output_sample():
    model, X, Y = random_problem(11, 'sigmoid', k=3)
    trainer = Trainer(model, nn.half_squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')
    trainer.fit(X, Y, progress=False)
    graph = trainer.sample_graph(1)
    assert graph.y == Y[trainer.last_batch.samples[1]]
    graph.root.backward()
    got = graph.gradients()
    assert [got[k] for k in graph.matrix_gradients] == pytest.approx(list(graph.matrix_gradients.values()),
                                                                       rel=1e-12, abs=1e-15)


# ================================================================== a textbook network, as drawn
# The 2-2-2 network of Matt Mazur's "A Step by Step Backpropagation Example" (2015): inputs
# i1 = 0.05, i2 = 0.10; hidden h1, h2 and outputs o1, o2 all sigmoid; targets 0.01 and 0.99;
# E_total = Σ_k 1/2 (target_k - out_k)²; one gradient-descent step with η = 0.5.
#   w1 i1->h1 0.15   w2 i2->h1 0.20   w3 i1->h2 0.25   w4 i2->h2 0.30   hidden bias 0.35
#   w5 h1->o1 0.40   w6 h2->o1 0.45   w7 h1->o2 0.50   w8 h2->o2 0.55   output bias 0.60
# The article shares one bias between the neurons of a layer and does not update it. Here each
# neuron has its own bias with that value: the forward pass is the same and so is every weight's
# gradient (a bias's gradient never enters a weight's), so the article's printed weights after the
# step must come out; the four biases' new values are derived below, by hand.
MAZUR = {'L1.n1.w1': 0.15, 'L1.n1.w2': 0.20, 'L1.n2.w1': 0.25, 'L1.n2.w2': 0.30,
         'L2.n1.w1': 0.40, 'L2.n1.w2': 0.45, 'L2.n2.w1': 0.50, 'L2.n2.w2': 0.55,
         'L1.n1.b': 0.35, 'L1.n2.b': 0.35, 'L2.n1.b': 0.60, 'L2.n2.b': 0.60}

# Forward (the article's numbers, 8 or 9 decimals):
#   net_h1 = 0.15·0.05 + 0.20·0.10 + 0.35 = 0.3775,  out_h1 = σ(0.3775) = 0.593269992
#   net_h2 = 0.25·0.05 + 0.30·0.10 + 0.35 = 0.3925,  out_h2 = σ(0.3925) = 0.596884378
#   net_o1 = 0.40·out_h1 + 0.45·out_h2 + 0.60 = 1.105905967,  out_o1 = 0.75136507
#   net_o2 = 0.50·out_h1 + 0.55·out_h2 + 0.60 = 1.224921404,  out_o2 = 0.772928465
#   E_o1 = 1/2 (0.01 - 0.75136507)² = 0.274811083,  E_o2 = 1/2 (0.99 - 0.772928465)² = 0.023560026
#   E_total = 0.298371109
FORWARD = {'out_h1': '0.593269992', 'out_h2': '0.596884378', 'out_o1': '0.75136507', 'out_o2': '0.772928465',
           'E_total': '0.298371109'}
# Output layer: δ_ok = ∂E/∂net_ok = (out_ok - target_k) · out_ok (1 - out_ok)
#   δ_o1 = 0.74136507 · 0.186815602 = 0.138498562
#   δ_o2 = (0.772928465 - 0.99) · 0.175510053 = -0.038098236
#   ∂E/∂w5 = δ_o1 · out_h1 = 0.082167041  ->  w5 = 0.40 - 0.5 · 0.082167041 = 0.35891648
#   w6 = 0.45 - 0.5 · δ_o1 · out_h2 = 0.408666186;  w7 = 0.511301270;  w8 = 0.561370121
#   ∂E/∂b_o1 = δ_o1  ->  b_o1 = 0.60 - 0.5 · 0.138498562 = 0.530750719
#   ∂E/∂b_o2 = δ_o2  ->  b_o2 = 0.60 + 0.5 · 0.038098236 = 0.619049118
# Hidden layer: ∂E/∂out_hj = Σ_k δ_ok · w(hj->ok) (the old weights), δ_hj = that · out_hj (1 - out_hj)
#   ∂E/∂out_h1 = 0.138498562 · 0.40 - 0.038098236 · 0.50 = 0.036350306;  out_h1 (1 - out_h1) = 0.241300709
#   δ_h1 = 0.008771354;  ∂E/∂w1 = δ_h1 · i1 = 0.000438568  ->  w1 = 0.149780716
#   w2 = 0.20 - 0.5 · δ_h1 · 0.10 = 0.19956143
#   ∂E/∂out_h2 = 0.138498562 · 0.45 - 0.038098236 · 0.55 = 0.041370323;  out_h2 (1 - out_h2) = 0.240613417
#   δ_h2 = 0.009954254;  w3 = 0.25 - 0.5 · δ_h2 · 0.05 = 0.24975114;  w4 = 0.29950229
#   b_h1 = 0.35 - 0.5 · δ_h1 = 0.345614323;  b_h2 = 0.35 - 0.5 · δ_h2 = 0.345022873
AFTER = {'L1.n1.w1': '0.149780716', 'L1.n1.w2': '0.19956143', 'L1.n2.w1': '0.24975114', 'L1.n2.w2': '0.29950229',
         'L2.n1.w1': '0.35891648', 'L2.n1.w2': '0.408666186', 'L2.n2.w1': '0.511301270', 'L2.n2.w2': '0.561370121',
         'L1.n1.b': '0.345614323', 'L1.n2.b': '0.345022873', 'L2.n1.b': '0.530750719', 'L2.n2.b': '0.619049118'}
X_MAZUR, Y_MAZUR = [[0.05, 0.10]], [[0.01, 0.99]]


def as_printed(x, text):
    """x rounds to `text`, a number printed to its last digit (8 or 9 decimals in the article)."""
    digits = len(text.split('.')[1])
    return abs(x - float(text)) <= 0.5 * 10 ** -digits * (1 + 1e-9)


def mazur():
    """the network as the article draws it, built with nn's MLP and its weights set by name."""
    model = MLP(2, [2, 2], activation='sigmoid', output_activation='sigmoid')
    params = dict(drawn(model))
    assert sorted(params) == sorted(MAZUR)
    for name, v in MAZUR.items():
        params[name].data = v
    return model


def test_the_textbook_forward_pass_and_error():
    model = mazur()
    o1, o2 = model(X_MAZUR[0])
    loss = nn.half_squared_error([o1, o2], Y_MAZUR[0])
    assert as_printed(o1.data, FORWARD['out_o1']) and as_printed(o2.data, FORWARD['out_o2'])
    assert as_printed(loss.data, FORWARD['E_total'])
    assert o1.label == 'o1' and o1.parents[0].label == 'L2.n1.z' and loss.label == 'loss'
    h1, h2 = o1.parents[0].parents[2:4]          # z = dot(w1, w2, h1, h2, b): the hidden outputs
    assert (h1.label, h2.label) == ('L1.n1.a', 'L1.n2.a')
    assert as_printed(h1.data, FORWARD['out_h1']) and as_printed(h2.data, FORWARD['out_h2'])


@pytest.mark.parametrize('mode', MODES)
def test_one_sgd_step_of_the_textbook_network_gives_the_articles_numbers(mode):
    model = mazur()
    Trainer(model, nn.half_squared_error, SGD(model.parameters(), lr=0.5), mode=mode).fit(
        X_MAZUR, Y_MAZUR, progress=False)
    got = dict((name, p.data) for name, p in drawn(model))
    for name, v in AFTER.items():                 # the article's digits, the last rounded
        assert as_printed(got[name], v), (name, got[name], v)


def test_the_textbook_step_against_the_derivation_in_full_precision_and_torch():
    # the derivation above, in float64 from its formulas (not rounded)
    s = lambda z: 1 / (1 + math.exp(-z))        # noqa: E731
    i1, i2, t1, t2, eta = 0.05, 0.10, 0.01, 0.99, 0.5
    m = MAZUR
    h1 = s(m['L1.n1.w1'] * i1 + m['L1.n1.w2'] * i2 + m['L1.n1.b'])
    h2 = s(m['L1.n2.w1'] * i1 + m['L1.n2.w2'] * i2 + m['L1.n2.b'])
    o1 = s(m['L2.n1.w1'] * h1 + m['L2.n1.w2'] * h2 + m['L2.n1.b'])
    o2 = s(m['L2.n2.w1'] * h1 + m['L2.n2.w2'] * h2 + m['L2.n2.b'])
    d_o1, d_o2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    d_h1 = (d_o1 * m['L2.n1.w1'] + d_o2 * m['L2.n2.w1']) * h1 * (1 - h1)
    d_h2 = (d_o1 * m['L2.n1.w2'] + d_o2 * m['L2.n2.w2']) * h2 * (1 - h2)
    grad = {'L1.n1.w1': d_h1 * i1, 'L1.n1.w2': d_h1 * i2, 'L1.n1.b': d_h1,
            'L1.n2.w1': d_h2 * i1, 'L1.n2.w2': d_h2 * i2, 'L1.n2.b': d_h2,
            'L2.n1.w1': d_o1 * h1, 'L2.n1.w2': d_o1 * h2, 'L2.n1.b': d_o1,
            'L2.n2.w1': d_o2 * h1, 'L2.n2.w2': d_o2 * h2, 'L2.n2.b': d_o2}
    derived = {name: m[name] - eta * g for name, g in grad.items()}
    for name, v in AFTER.items():                 # the comments' rounded numbers are these
        assert as_printed(derived[name], v), (name, derived[name], v)
    # nn, by backward of the loss
    model = mazur()
    loss = nn.half_squared_error(model(X_MAZUR[0]), Y_MAZUR[0])
    loss.backward()
    assert loss.data == pytest.approx(0.5 * ((o1 - t1) ** 2 + (o2 - t2) ** 2), rel=1e-15)
    for name, p in drawn(model):
        assert p.grad == pytest.approx(grad[name], rel=1e-14), name
    # torch float64: the same module, the same loss, the same SGD step
    net = nn.to_torch(mazur())
    out = net(torch.tensor(X_MAZUR[0], dtype=torch.float64))
    (0.5 * ((out - torch.tensor(Y_MAZUR[0], dtype=torch.float64)) ** 2).sum()).backward()
    torch.optim.SGD(net.parameters(), lr=eta).step()
    stepped = mazur()
    Trainer(stepped, nn.half_squared_error, SGD(stepped.parameters(), lr=eta), mode='matrix').fit(
        X_MAZUR, Y_MAZUR, progress=False)
    for name, p in drawn(stepped):
        layer, neuron, what = name.split('.')
        linear = getattr(net, layer)
        j = int(neuron[1:]) - 1
        theirs = linear.bias[j] if what == 'b' else linear.weight[j, int(what[1:]) - 1]
        assert p.data == pytest.approx(theirs.item(), rel=1e-14), name
        assert p.data == pytest.approx(derived[name], rel=1e-14), name


def test_targets_may_be_a_tuple_or_a_numpy_row():
    for target in ((0, 1), np.array([0.0, 1.0])):
        o = [Value(0.5), Value(0.25)]
        assert nn.half_squared_error(o, target).data == 0.5 * (0.25 + 0.5625)


def test_accuracy_of_several_outputs_targets_says_it_needs_class_labels():
    # a list target per sample is a regression's; before, set(Y) raised a bare "unhashable type: 'list'"
    model = nn.MLP(2, [3, 2], seed=1)
    trainer = nn.Trainer(model, nn.half_squared_error, nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match=r"accuracy: Y\[0\] is a list of 2 targets, one per output; accuracy needs "
                                         r"a class label \(an int\) per sample"):
        trainer.accuracy([(0.1, 0.2), (0.3, 0.4)], [[0.0, 1.0], [1.0, 0.0]])

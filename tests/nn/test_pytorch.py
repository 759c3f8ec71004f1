"""nn.to_torch and nn.from_torch, with PyTorch as the oracle: the module to_torch makes
gives the nn model's outputs and, after the same loss's backward in both, the same
gradient for every parameter (float64, within 1e-12 relative); weights trained in
torch come back by from_torch; bad modules are refused and the model keeps its weights."""
import math
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

import nn
from nn import MLP, Layer, Neuron

torch = pytest.importorskip('torch')       # in the test extra: ./run tests always has it

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOL = 1e-12


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def layers_of(model):
    """[(torch key, neurons, nn name prefixes)], written out here from the model's own lists."""
    if isinstance(model, MLP):
        return [('L%d' % k, l.neurons, ['L%d.n%d.' % (k, j + 1) for j in range(len(l.neurons))])
                for k, l in enumerate(model.layers, 1)]
    if isinstance(model, Layer):
        return [('L1', model.neurons, ['n%d.' % (j + 1) for j in range(len(model.neurons))])]
    return [('L1', [model], [''])]


def pairs(model, net, attribute):
    """(nn name, the nn parameter's data or grad, the torch number at its place) for every parameter:
    row k of L's weight is neuron k+1's weights, bias[k] its bias."""
    out = []
    for key, neurons, names in layers_of(model):
        linear = getattr(net, key)
        W = getattr(linear.weight, attribute)
        for row, (n, name) in enumerate(zip(neurons, names)):
            for i, w in enumerate(n.w):
                out.append((name + 'w%d' % (i + 1), getattr(w, attribute), W[row, i].item()))
            if n.b is not None:
                out.append((name + 'b', getattr(n.b, attribute), getattr(linear.bias, attribute)[row].item()))
            else:
                assert linear.bias is None
    return out


def close(a, b, scale=0.0):
    """|a - b| <= 1e-12 max(|a|, |b|, scale). A gradient is a sum of terms that can cancel:
    MLP(3, [.., 5, ..]) linear gave 0.00041065697876963 here against torch's ...77074, 2.7e-12
    apart relatively, 9e-17 of the model's largest gradient (11.9). So a gradient is compared
    relative to the larger of itself and the model's largest (scale), as np.allclose's atol does."""
    return abs(a - b) <= TOL * max(abs(a), abs(b), scale)


def outputs_of(model, x):
    out = model(x)
    return [out.data] if not isinstance(out, list) else [o.data for o in out]


def compare(model, X, Y):
    """outputs, then ½ Σ_samples Σ_k (o_k - y_k)² backward in both, every gradient compared."""
    net = nn.to_torch(model)
    for name, ours, theirs in pairs(model, net, 'data'):
        assert ours == theirs, name                      # the same weights, bit for bit
    Xt = torch.tensor(X, dtype=torch.float64)
    out_t = net(Xt)
    assert out_t.dtype == torch.float64 and out_t.shape == (len(X), len(Y[0]))
    model.zero_grad()
    total, outputs = 0, []
    for x, y, row in zip(X, Y, out_t.tolist()):
        out = model(x)
        out = out if isinstance(out, list) else [out]
        outputs += [(o.data, r) for o, r in zip(out, row)]
        total = total + sum((o - t) ** 2 for o, t in zip(out, y)) * 0.5
    scale = max(abs(r) for _, r in outputs)
    bad = [(ours, theirs) for ours, theirs in outputs if not close(ours, theirs, scale)]
    assert not bad, bad
    total.backward()
    (0.5 * ((out_t - torch.tensor(Y, dtype=torch.float64)) ** 2).sum()).backward()
    checked = pairs(model, net, 'grad')
    scale = max(abs(theirs) for _, _, theirs in checked)
    bad = [(name, ours, theirs) for name, ours, theirs in checked if not close(ours, theirs, scale)]
    assert not bad, bad
    return checked


def data(nin, nout, n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = (torch.rand(n, nin, generator=g, dtype=torch.float64) * 4 - 2).tolist()
    Y = (torch.rand(n, nout, generator=g, dtype=torch.float64) * 2 - 1).tolist()
    return X, Y


MODELS = {
    'Neuron relu': lambda: Neuron(3, seed=1),
    'Neuron tanh no bias': lambda: Neuron(3, activation='tanh', bias=False, seed=2),
    'Neuron sigmoid': lambda: Neuron(2, activation='sigmoid', seed=3),
    'Neuron linear': lambda: Neuron(4, activation='linear', seed=4),
    'Layer tanh': lambda: Layer(3, 4, activation='tanh', seed=5),
    'Layer relu no bias': lambda: Layer(2, 3, bias=False, seed=6),
    'MLP relu': lambda: MLP(2, [8, 8, 1], seed=7),
    'MLP tanh 3 outputs': lambda: MLP(3, [5, 4, 3], activation='tanh', seed=8),
    'MLP sigmoid': lambda: MLP(2, [3, 2], activation='sigmoid', seed=9),
    'MLP relu fused=False': lambda: MLP(2, [4, 2], seed=10, fused=False),
}


@pytest.mark.parametrize('name', MODELS)
def test_outputs_and_gradients_equal_pytorchs(name):
    model = MODELS[name]()
    nin = len(model.w) if isinstance(model, Neuron) else model.nin
    nout = 1 if isinstance(model, Neuron) else len(layers_of(model)[-1][1])
    X, Y = data(nin, nout, seed=len(name))
    checked = compare(model, X, Y)
    assert checked and any(ours != 0 for _, ours, _ in checked)      # something was compared


def test_biases_on_a_hand_set_output_activation():
    """sigmoid outputs set by hand (the textbook network), biases set to nonzero numbers."""
    model = MLP(2, [2, 2], activation='sigmoid', seed=11)
    for n in model.layers[-1].neurons:
        n.activation = 'sigmoid'
    for k, p in enumerate(p for _, p in model.named_parameters()):
        p.data = 0.1 * k - 0.3
    net = nn.to_torch(model)
    assert [type(m).__name__ for m in net] == ['Linear', 'Sigmoid', 'Linear', 'Sigmoid']
    compare(model, [[0.05, 0.1], [0.5, -1.0]], [[0.01, 0.99], [0.3, 0.2]])


def test_fused_makes_no_difference():
    a, b = MLP(3, [4, 2], activation='tanh', seed=3), MLP(3, [4, 2], activation='tanh', seed=3, fused=False)
    ta, tb = nn.to_torch(a), nn.to_torch(b)
    assert all(torch.equal(p, q) for p, q in zip(ta.state_dict().values(), tb.state_dict().values()))
    assert str(ta) == str(tb)


def test_relu_at_exactly_zero():
    """x = 0 and zero biases put every first-layer z at exactly 0. torch.nn.ReLU's derivative
    there is 0, which is nn's default grad_at_zero=0; a model with grad_at_zero=1 (the
    articles') gets this module's ReLU(grad_at_zero=1), and the gradients agree with it too.
    With torch.nn.ReLU in its place they would not: the first layer's would be 0."""
    X, Y = [[0.0, 0.0], [0.0, 0.0]], [[1.0], [-0.5]]
    grads = {}
    for g in (0, 1):
        model = MLP(2, [3, 1], seed=6)
        for n in model.layers[0].neurons:
            n.grad_at_zero = g
        net = nn.to_torch(model)
        assert type(net.relu1).__name__ == 'ReLU'
        assert isinstance(net.relu1, torch.nn.ReLU) == (g == 0)
        grads[g] = dict((name, ours) for name, ours, _ in compare(model, X, Y))
    # the first layer's biases learn only through relu's slope at 0
    assert all(grads[0]['L1.n%d.b' % k] == 0 for k in (1, 2, 3))
    assert any(grads[1]['L1.n%d.b' % k] != 0 for k in (1, 2, 3))
    assert str(nn.to_torch(Neuron(2, grad_at_zero=1))) == 'Sequential(\n  (L1): Linear(in_features=2, out_features=1, bias=True)\n  (relu1): ReLU(grad_at_zero=1)\n)'


def test_relu_with_its_own_slope_keeps_relus_values_and_moves_with_the_module():
    model = Layer(2, 3, seed=2)
    model.neurons[1].grad_at_zero = 0.5                   # one per neuron: the others keep 0
    relu = nn.to_torch(model).relu1
    assert relu.grad_at_zero.tolist() == [0.0, 0.5, 0.0]
    z = torch.tensor([[-2.0, 0.0, 3.0], [0.0, -0.0, 1e-300]], dtype=torch.float64, requires_grad=True)
    out = relu(z)
    assert out.tolist() == [[0.0, 0.0, 3.0], [0.0, 0.0, 1e-300]]
    out.sum().backward()
    assert z.grad.tolist() == [[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]
    assert relu.float().grad_at_zero.dtype == torch.float32  # a buffer: .float(), .to(device) take it along
    assert 'grad_at_zero' not in nn.to_torch(model).state_dict().__repr__()


def test_one_sample_without_a_batch_dimension():
    model = Layer(3, 2, activation='tanh', seed=4)
    out = nn.to_torch(model)(torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64))
    assert out.shape == (2,)
    assert all(close(o.data, t) for o, t in zip(model([0.5, -1.0, 2.0]), out.tolist()))
    assert nn.to_torch(Neuron(2))(torch.zeros(2, dtype=torch.float64)).shape == (1,)


def test_exact_weights_are_rounded_to_float64():
    from fractions import Fraction
    model = Neuron(2, activation='linear')
    model.w[0].data, model.w[1].data, model.b.data = Fraction(1, 3), 2, Fraction(-7, 10)
    net = nn.to_torch(model)
    assert net.L1.weight.tolist() == [[1 / 3, 2.0]] and net.L1.bias.tolist() == [-0.7]


def test_torchs_random_generator_is_not_advanced():
    torch.manual_seed(5)
    before = torch.get_rng_state()
    nn.to_torch(MLP(4, [16, 16, 2]))
    assert torch.equal(torch.get_rng_state(), before)


@settings(max_examples=40, deadline=None)
@given(nin=st.integers(1, 4), widths=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       activation=st.sampled_from(['relu', 'tanh', 'sigmoid', 'linear']), bias=st.booleans(),
       seed=st.integers(0, 10 ** 6), n=st.integers(1, 4))
def test_random_shapes(nin, widths, activation, bias, seed, n):
    model = MLP(nin, widths, activation=activation, seed=seed)
    if not bias:
        for layer in model.layers:
            for neuron in layer.neurons:
                neuron.b = None
    X, Y = data(nin, widths[-1], n=n, seed=seed)
    compare(model, X, Y)


# ------------------------------------------------------------------ the round trip

def test_train_in_torch_then_load_back_equals_training_in_nn():
    """to_torch, 5 steps of torch.optim.SGD on the batch mean of ½(o - y)², from_torch: the
    weights nn.SGD reaches from the same start with the same loss, and the module's own."""
    X, Y = nn.data.moons(20, noise=0.1, seed=0, labels=(-1, 1))
    model, twin = MLP(2, [6, 6, 1], seed=3), MLP(2, [6, 6, 1], seed=3)
    net = nn.to_torch(model)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    ours = nn.SGD(twin.parameters(), lr=0.05, momentum=0.9)
    for _ in range(5):
        opt.zero_grad()
        (0.5 * ((net(Xt).squeeze(1) - Yt) ** 2).mean()).backward()
        opt.step()
        twin.zero_grad()
        loss = sum(nn.half_squared_error(twin(x), y) for x, y in zip(X, Y)) / len(X)
        loss.backward()
        ours.step()
    before = [p.data for p in model.parameters()]
    assert nn.from_torch(net, model) is model
    loaded = pairs(model, net, 'data')
    assert all(ours == theirs for _, ours, theirs in loaded)         # exactly the module's numbers
    assert [p.data for p in model.parameters()] != before
    assert all(type(p.data) is float for p in model.parameters())
    scale = max(abs(p.data) for p in model.parameters())
    for (name, a), b in zip(((n, p.data) for n, p in twin.named_parameters()), (p.data for p in model.parameters())):
        assert close(a, b, scale), (name, a, b)


def test_from_a_float32_module_and_through_a_wrapper():
    model = MLP(2, [3, 1], seed=1)
    net = nn.to_torch(MLP(2, [3, 1], seed=2)).float()

    class Wrapper(torch.nn.Module):          # as DistributedDataParallel holds it: .module
        def __init__(self, module):
            super().__init__()
            self.module = module
    nn.from_torch(Wrapper(net), model)
    assert [p.data for p in model.parameters()] == [v for _, _, v in pairs(model, net, 'data')]
    assert model.layers[0].neurons[0].w[0].data == net.L1.weight[0, 0].item()   # float32's number, exactly


def test_through_distributed_data_parallel(tmp_path):
    """the README's way on to several processes: one gloo process here, the same wrapper."""
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method='file://%s' % (tmp_path / 'rendezvous'), rank=0, world_size=1)
    try:
        model = MLP(2, [4, 1], seed=0)
        ddp = torch.nn.parallel.DistributedDataParallel(nn.to_torch(model))
        opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
        x = torch.tensor([[0.5, -1.0], [1.0, 0.25]], dtype=torch.float64)
        (ddp(x) ** 2).mean().backward()
        opt.step()
        nn.from_torch(ddp, model)
        assert [p.data for p in model.parameters()] == [v for _, _, v in pairs(model, ddp.module, 'data')]
    finally:
        dist.destroy_process_group()


# ------------------------------------------------------------------ refusals

def weights(model):
    return [p.data for p in model.parameters()]


def test_other_modules_are_refused_by_name():
    class Mine(nn.Module):
        def __init__(self):
            self.w = nn.Neuron(2).w
    for f in (lambda m: nn.to_torch(m), lambda m: nn.from_torch(torch.nn.Linear(2, 1), m)):
        with pytest.raises(TypeError, match=r"takes an nn.Neuron, nn.Layer or nn.MLP, got Mine \(a Module of your own"):
            f(Mine())
        with pytest.raises(TypeError, match=r"got int"):
            f(3)


def test_from_torch_refuses_what_is_not_a_torch_module():
    model = MLP(2, [3, 1])
    with pytest.raises(TypeError, match=r"from_torch: expected a torch.nn.Module .*got OrderedDict; to load a state_dict"):
        nn.from_torch(nn.to_torch(model).state_dict(), model)
    with pytest.raises(ValueError, match=r"from_torch: the model has 2 layers \(L1 2 -> 3, L2 3 -> 1\), the Conv1d has 0 "
                                         r"torch.nn.Linear layers"):
        nn.from_torch(torch.nn.Conv1d(2, 3, 1), model)


def test_a_shape_mismatch_names_the_parameter_and_loads_nothing():
    model = MLP(2, [3, 2, 1], seed=0)
    before = weights(model)
    other = nn.to_torch(MLP(2, [3, 3, 1], seed=1))
    with pytest.raises(ValueError, match=r"from_torch: L2.weight has shape \(3, 3\), the model's L2 needs \(2, 3\)"):
        nn.from_torch(other, model)
    assert weights(model) == before
    with pytest.raises(ValueError, match=r"from_torch: the model has 3 layers .* the Sequential has 2 torch.nn.Linear "
                                         r"layers \(L1, L2\)"):
        nn.from_torch(nn.to_torch(MLP(2, [3, 1])), model)
    assert weights(model) == before


def test_a_nan_anywhere_loads_nothing():
    model = MLP(2, [3, 2, 1], seed=0)
    before = weights(model)
    net = nn.to_torch(MLP(2, [3, 2, 1], seed=4))
    with torch.no_grad():
        net.L2.weight[1, 2] = math.nan            # after L1 and most of L2 were read
    with pytest.raises(ValueError, match=r"from_torch: L2.weight\[1, 2\] is nan \(the model's L2.n2.w3\); nothing was "
                                         r"loaded, the model keeps its weights"):
        nn.from_torch(net, model)
    assert weights(model) == before
    with torch.no_grad():
        net.L2.weight[1, 2] = 0.0
        net.L3.bias[0] = -math.inf
    with pytest.raises(ValueError, match=r"L3.bias\[0\] is -inf \(the model's L3.n1.b\)"):
        nn.from_torch(net, model)
    assert weights(model) == before


def test_a_bias_that_differs_is_named():
    model = Layer(2, 3)
    before = weights(model)
    with pytest.raises(ValueError, match=r"from_torch: L1 has no bias, the model's L1 neurons have one \(n1.b, ...\)"):
        nn.from_torch(nn.to_torch(Layer(2, 3, bias=False)), model)
    with pytest.raises(ValueError, match=r"from_torch: L1 has a bias, the model's L1 neurons have none \(bias=False\)"):
        nn.from_torch(nn.to_torch(model), Layer(2, 3, bias=False))
    assert weights(model) == before
    neuron = Neuron(3)
    with pytest.raises(ValueError, match=r"from_torch: L1 has no bias, the model's L1 neurons have one \(b\)"):
        nn.from_torch(nn.to_torch(Neuron(3, bias=False)), neuron)
    with pytest.raises(ValueError, match=r"from_torch: Linear.weight has shape \(1, 2\), the model's L1 needs \(1, 3\) "
                                         r"\(1 neuron of 3 inputs\)"):
        nn.from_torch(torch.nn.Linear(2, 1), neuron)


def test_what_a_torch_layer_cannot_hold_is_refused_by_name():
    tied = MLP(2, [2, 1])
    tied.layers[0].neurons[1].b = tied.layers[0].neurons[0].b
    for f in (nn.to_torch, lambda m: nn.from_torch(nn.to_torch(MLP(2, [2, 1])), m)):
        with pytest.raises(ValueError, match=r"L1.n2.b is L1.n1.b, one parameter in two places"):
            f(tied)
    mixed = Layer(2, 2)
    mixed.neurons[1].activation = 'tanh'
    with pytest.raises(ValueError, match=r"to_torch: the neurons of L1 have different activations \(n1 relu, n2 tanh\)"):
        nn.to_torch(mixed)
    half = Layer(2, 2)
    half.neurons[0].b = None
    with pytest.raises(ValueError, match=r"to_torch: in L1 some neurons have a bias and some none \(n1 no bias, n2 bias\)"):
        nn.to_torch(half)
    odd = Neuron(2, activation='linear')
    odd.activation = 'softplus'
    with pytest.raises(ValueError, match=r"to_torch: the neuron has the activation 'softplus'"):
        nn.to_torch(odd)
    slope = Neuron(2, grad_at_zero=math.nan)
    with pytest.raises(ValueError, match=r"to_torch: the neuron has grad_at_zero=nan; it must be a finite number"):
        nn.to_torch(slope)


# ------------------------------------------------------------------ torch stays optional

def run_child(code):
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_nn_does_not_import_torch():
    out = run_child("import sys, nn\nm = nn.MLP(2, [3, 1]); m([1.0, 2.0])\n"
                    "print('torch' in sys.modules, nn.to_torch.__module__)\n")
    assert out.split() == ['False', 'nn.pytorch']


def test_without_torch_the_error_says_how_to_install_it():
    code = ("import sys\n"
            "class NoTorch:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'torch' or name.startswith('torch.'):\n"
            "            raise ModuleNotFoundError('torch is blocked in this test', name=name)\n"
            "sys.meta_path.insert(0, NoTorch())\n"
            "import nn\n"
            "m = nn.MLP(2, [3, 1])\n"
            "for call in (lambda: nn.to_torch(m), lambda: nn.from_torch(None, m)):\n"
            "    try:\n        call()\n    except ImportError as e:\n        print(e)\n")
    lines = run_child(code).splitlines()
    assert lines == ["nn.%s needs PyTorch, which is not installed: pip install -e '.[torch]' in the clone (PyTorch "
                     "2.13.0, its CPU wheel), or pip install torch==2.13.0" % f for f in ('to_torch', 'from_torch')]


def test_the_advice_names_an_extra_the_project_has():
    text = open(os.path.join(ROOT, 'pyproject.toml'), encoding='utf-8').read()
    extras = text.split('[project.optional-dependencies]')[1].split('\n[')[0]     # tomllib is 3.11+
    assert '\ntorch = ["torch==2.13.0"]\n' in extras and '"torch==2.13.0"' in extras.split('\ntest = ')[1]

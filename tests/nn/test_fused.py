"""A neuron is one node: nn builds z = w . x + b as one dot node by default, and fused=False
records the binary operations as before. Both forms give the same numbers (==) in every
Trainer mode; the fused graph is small and every node in it is named for what it is."""
import copy
import math
import random
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import Value, graph_nodes, record_scopes, step
from autograd.notation import Naming
from nn import MLP, SGD, Layer, Neuron, Trainer
from nn.layerview import _pre_activation

np = pytest.importorskip('numpy')
from autograd.lanes import columns  # noqa: E402  (needs numpy)

LAST_RESORT = re.compile(r'[tv]\d+')          # the names Naming gives a node nobody named
ACTIVATIONS = [('relu', 0), ('relu', 1), ('tanh', 0), ('sigmoid', 0), ('linear', 0)]
MODES = ['accumulate', 'graph', 'lanes', 'matrix']


def neurons_of(model):
    if isinstance(model, Neuron):
        return [model]
    if isinstance(model, Layer):
        return model.neurons
    return [n for layer in model.layers for n in layer.neurons]


def problem(kind, activation, grad_at_zero, bias, seed, fused):
    """a random model of `kind` (its hidden neurons of `activation`), data with exact zeros
    (so that relu meets 0 exactly and its grad_at_zero counts) and a loss that fits it."""
    rng = random.Random(seed)
    nin = rng.randint(1, 4)
    X = [[rng.choice([0.0, rng.uniform(-2, 2)]) for _ in range(nin)] for _ in range(7)]
    X[0] = [0.0] * nin
    if kind == 'neuron':
        model = Neuron(nin, activation=activation, bias=bias, grad_at_zero=grad_at_zero, seed=seed, fused=fused)
        loss = nn.binary_cross_entropy if activation == 'sigmoid' else nn.half_squared_error
        Y = [rng.choice([0, 1, 0.25]) for _ in X] if activation == 'sigmoid' else [rng.uniform(-1, 1) for _ in X]
    elif kind == 'layer':
        k = rng.randint(2, 4)
        model = Layer(nin, k, activation=activation, bias=bias, grad_at_zero=grad_at_zero, seed=seed, fused=fused)
        loss, Y = nn.cross_entropy, [rng.randrange(k) for _ in X]
    else:
        model = MLP(nin, [rng.randint(1, 5), rng.randint(1, 4), 1], activation=activation, seed=seed, fused=fused)
        for n in neurons_of(model):
            n.grad_at_zero = grad_at_zero
            if not bias:
                n.b = None              # an MLP without biases: each neuron is w . x alone
        model.label_parameters()
        loss = rng.choice([nn.squared_error, nn.hinge])
        Y = [rng.choice([-1, 1]) for _ in X]
    return X, Y, model, loss


def train(mode, kind, activation, grad_at_zero, bias, seed, fused):
    X, Y, model, loss = problem(kind, activation, grad_at_zero, bias, seed, fused)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.1, momentum=0.5), batch_size=3, seed=seed, mode=mode)
    history = trainer.fit(X, Y, epochs=2, progress=False)
    return [p.data for p in model.parameters()], history


# ------------------------------------------------------------------ the same numbers
@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('kind', ['neuron', 'layer', 'mlp'])
@pytest.mark.parametrize('activation,grad_at_zero', ACTIVATIONS)
@pytest.mark.parametrize('bias', [True, False])
def test_fused_and_binary_neurons_train_to_the_same_weights_and_losses(mode, kind, activation, grad_at_zero, bias):
    for seed in range(2):
        fused, h_fused = train(mode, kind, activation, grad_at_zero, bias, seed, True)
        binary, h_binary = train(mode, kind, activation, grad_at_zero, bias, seed, False)
        if mode != 'lanes':
            # the dot adds b + w1 x1 + w2 x2 + ... in the chain's order: the same floats, bit for bit
            assert fused == binary
            assert h_fused.step_loss == h_binary.step_loss and h_fused.epoch_loss == h_binary.epoch_loss
            continue
        # lanes: the fused form's dot is one matrix-vector product X w (BLAS, its own order of
        # adding) and its weight gradients one X^T g; the binary form adds lane arrays in the
        # chain's order. Each is within rounding of accumulate (and of the other), not bit for bit.
        reference, h_ref = train('accumulate', kind, activation, grad_at_zero, bias, seed, True)
        for got, history in ((fused, h_fused), (binary, h_binary)):
            assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(got, reference))
            assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
                       for a, b in zip(history.step_loss, h_ref.step_loss))


# floats whose sums round (drawn by hypothesis alone they are often small integers, which add exactly),
# hypothesis' own floats, signed zeros, and exact fractions
number = st.one_of(st.integers(0, 2 ** 32).map(lambda seed: random.Random(seed).uniform(-10, 10)),
                   st.floats(-1e3, 1e3, allow_nan=False), st.sampled_from([0.0, -0.0, 1.0]),
                   st.fractions(min_value=-20, max_value=20, max_denominator=9))


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from(ACTIVATIONS), st.booleans())
def test_a_neuron_fused_or_not_gives_the_same_value_and_gradients(data, activation, bias):
    n = data.draw(st.integers(1, 6))
    ws, xs = data.draw(st.lists(number, min_size=n, max_size=n)), data.draw(st.lists(number, min_size=n, max_size=n))
    b, upstream = data.draw(number), data.draw(number)
    if activation[0] in ('tanh', 'sigmoid'):            # floats only: they give floats anyway
        ws, xs, b = [float(v) for v in ws], [float(v) for v in xs], float(b)
    results = []
    for fused in (True, False):
        neuron = Neuron(n, activation=activation[0], grad_at_zero=activation[1], bias=bias, fused=fused)
        for w, v in zip(neuron.w, ws):
            w.data = v
        if bias:
            neuron.b.data = b
        x = [Value(v) for v in xs]
        out = neuron(x)
        (out * upstream).backward()
        results.append([out.data] + [p.grad for p in neuron.parameters()] + [v.grad for v in x])
    fused, binary = results
    assert fused == binary
    assert [type(v) for v in fused] == [type(v) for v in binary]
    assert [math.copysign(1, v) for v in fused if v == 0 and isinstance(v, float)] == \
        [math.copysign(1, v) for v in binary if v == 0 and isinstance(v, float)]


def test_fused_and_binary_lanes_are_equal_with_fractions():
    """exact lanes go term by term in the chain's order: there the two forms are equal, with ==."""
    rng = random.Random(3)
    X = [tuple(Fraction(rng.randint(-20, 20), 8) for _ in range(3)) for _ in range(5)]
    Y = [Fraction(rng.randint(-20, 20), 8) for _ in range(5)]
    results = []
    for mode, fused in (('lanes', True), ('lanes', False), ('accumulate', True)):
        model = MLP(3, [3, 1], seed=2, fused=fused)
        for p in model.parameters():
            p.data = Fraction(p.data).limit_denominator(5)
        Trainer(model, nn.squared_error, SGD(model.parameters(), lr=Fraction(1, 10)), batch_size=2, seed=1,
                mode=mode).fit(X, Y, epochs=1, progress=False)
        results.append([p.data for p in model.parameters()])
    assert results[0] == results[1] == results[2]
    assert all(isinstance(v, (int, Fraction)) for v in results[0])


# ------------------------------------------------------------------ the graph
def one_sample(fused):
    model = MLP(2, [16, 16, 1], fused=fused)
    return model, nn.squared_error(model([0.5, -1.0]), 1.0)


def test_micrograds_mlp_is_406_nodes_and_675_steps_fused_981_and_1250_binary():
    # by hand, MLP(2,[16,16,1]), squared error, one sample. Leaves: 2 inputs and 16*3 + 16*17 + 17 = 337
    # parameters. Fused: a dot and a relu per hidden neuron (64), the output's dot, e = o - y and e²: 406 nodes;
    # steps: 16 * (5 + 1) in L1, 16 * (33 + 1) in L2, 33 into the output's dot, 2 in the loss = 675.
    model, loss = one_sample(True)
    assert len(graph_nodes(loss)) == 339 + 64 + 1 + 2 == 406
    assert len(step(loss)) == 16 * 6 + 16 * 34 + 33 + 2 == 675
    ops = [node.op for node in graph_nodes(loss) if not node.is_leaf()]
    assert sorted(set(ops)) == ['**', '-', 'dot', 'relu'] and ops.count('dot') == 33 and ops.count('relu') == 32
    # binary: n products and n sums per neuron of n inputs with a bias, 2 edges each, and its relu
    model, loss = one_sample(False)
    assert len(graph_nodes(loss)) == 339 + 16 * (4 + 1) + 16 * (32 + 1) + 32 + 2 == 981
    assert len(step(loss)) == 16 * (8 + 1) + 16 * (64 + 1) + 64 + 2 == 1250
    assert 'dot' not in {node.op for node in graph_nodes(loss)}


def test_a_neurons_dot_holds_its_weights_inputs_and_bias():
    model = MLP(2, [3, 1])
    out = model([0.5, -1.0])
    z = out                                                  # the output neuron is linear: o is its dot
    hidden = model.layers[0].neurons
    ws, xs, b = z.dot_operands
    assert ws == tuple(model.layers[1].neurons[0].w) and b is model.layers[1].neurons[0].b
    assert [x.label for x in xs] == ['L1.n1.a', 'L1.n2.a', 'L1.n3.a']
    assert all(x.op == 'relu' and x.parents[0].op == 'dot' for x in xs)
    assert xs[1].parents[0].dot_operands[0] == tuple(hidden[1].w)
    # its value is b + w . x, by hand from the numbers
    assert z.data == b.data + ws[0].data * xs[0].data + ws[1].data * xs[1].data + ws[2].data * xs[2].data


# ------------------------------------------------------------------ names
def names_of(root):
    return set(Naming(root).names.values())


def losses_with_their_models():
    """(loss, model, target, the loss's own node names): MLP(2,[4,4,1]) (with a sigmoid output for
    binary cross-entropy, three outputs for cross-entropy), the names as each loss's docstring lists them."""
    def mlp(outputs=1, last=None):
        model = MLP(2, [4, 4, outputs], seed=5)
        if last:
            model.layers[-1].neurons[0].activation = last
        return model
    return [
        (nn.half_squared_error, mlp(), 1.0, {'e', 'e²', 'loss'}),
        (nn.squared_error, mlp(), 1.0, {'e', 'loss'}),
        (nn.hinge, mlp(), -1, {'margin', '1-margin', 'loss'}),
        (nn.binary_cross_entropy, mlp(last='sigmoid'), 1, {'log(p)', 'loss'}),
        (nn.binary_cross_entropy, mlp(last='sigmoid'), 0, {'1-p', 'log(1-p)', 'loss'}),
        (nn.binary_cross_entropy, mlp(last='sigmoid'), 0.25,
         {'log(p)', 'y·log(p)', '1-p', 'log(1-p)', '(1-y)·log(1-p)', 'loglik', 'loss'}),
        (nn.cross_entropy, mlp(3), 2, {'l1-m', 'l2-m', 'l3-m', 'exp(l1-m)', 'exp(l2-m)', 'exp(l3-m)',
                                       'Σexp[1..2]', 'Σexp', 'log(Σexp)', 'logsumexp', 'loss'}),
    ]


def model_names(model, outputs):
    """the names the model's own nodes get: inputs, parameters, every neuron's z and a, the output(s)."""
    names = {'x1', 'x2'} | {p.label for p in model.parameters()} | outputs
    for l, layer in enumerate(model.layers, 1):
        for k, n in enumerate(layer.neurons, 1):
            names.add('L%d.n%d.z' % (l, k))
            if n.activation != 'linear':
                names.add('L%d.n%d.a' % (l, k))
    return names


@pytest.mark.parametrize('scopes', [False, True])
def test_every_node_of_an_mlps_loss_is_named_for_what_it_is(scopes):
    for loss_fn, model, y, loss_names in losses_with_their_models():
        with record_scopes() if scopes else _nothing():
            out = model([0.5, -1.0])
            root = loss_fn(out, y)
        outputs = {'o1', 'o2', 'o3'} if isinstance(out, list) else {'o'}
        # an output neuron's last node (its z, or its a under an activation) is named o, o1, ... instead
        named_o = {'L3.n%d.%s' % (k, 'z' if n.activation == 'linear' else 'a')
                   for k, n in enumerate(model.layers[-1].neurons, 1)}
        assert names_of(root) == (model_names(model, outputs) - named_o) | loss_names, loss_fn.__name__


def test_binary_cross_entropy_with_logits_names_both_branches():
    model = Neuron(1, activation='linear', bias=False)
    for w, names in ((1.0, {'z·y', 'z-z·y', '-z', 'exp(-z)', '1+exp(-z)', 'log(1+exp(-z))'}),
                     (-1.0, {'-z', '-z·y', 'exp(z)', '1+exp(z)', 'log(1+exp(z))'})):
        model.w[0].data = w
        root = nn.binary_cross_entropy_with_logits(model([2.0]), 0.7)
        assert names_of(root) == {'x1', 'w1', 'o', 'loss'} | names
        # and the value is the formula's: max(z, 0) - z y + log(1 + exp(-|z|)) at z = 2w
        z = 2 * w
        assert root.data == pytest.approx(max(z, 0) - z * 0.7 + math.log1p(math.exp(-abs(z))), rel=1e-15)


@pytest.mark.parametrize('scopes', [False, True])
def test_a_layer_and_a_neuron_alone_are_named_too(scopes):
    with record_scopes() if scopes else _nothing():
        layer = Layer(2, 3, activation='tanh')
        root = nn.cross_entropy(layer([0.5, -1.0]), 0)
        neuron = Neuron(2, activation='sigmoid')
        single = nn.binary_cross_entropy(neuron([0.5, -1.0]), 0.25)
    assert names_of(root) == ({'x1', 'x2', 'o1', 'o2', 'o3'} | {p.label for p in layer.parameters()}
                              | {'n1.z', 'n2.z', 'n3.z'} | {'l1-m', 'l2-m', 'l3-m', 'exp(l1-m)', 'exp(l2-m)',
                                                            'exp(l3-m)', 'Σexp[1..2]', 'Σexp', 'log(Σexp)',
                                                            'logsumexp', 'loss'})
    assert names_of(single) == {'x1', 'x2', 'w1', 'w2', 'b', 'z', 'o', 'log(p)', 'y·log(p)', '1-p', 'log(1-p)',
                                '(1-y)·log(1-p)', 'loglik', 'loss'}


def test_softmax_names_its_probabilities():
    ps = nn.softmax(MLP(2, [3])([0.5, -1.0]))
    assert [p.label for p in ps] == ['p1', 'p2', 'p3']
    names = names_of(ps[0])
    assert {'v1-m', 'exp(v1-m)', 'Σexp[1..2]', 'Σexp', 'p1'} <= names and not any(map(LAST_RESORT.fullmatch, names))


def test_a_batch_graph_numbers_each_samples_loss_nodes():
    model = MLP(2, [3, 1], seed=1)
    losses = [nn.half_squared_error(model(x), y) for x, y in (([0.5, -1.0], 1.0), ([1.0, 2.0], 0.0))]
    total = losses[0] + losses[1]
    total.label = 'total'
    names = Naming(total).names
    assert not [n for n in names.values() if LAST_RESORT.fullmatch(n)]
    assert names[losses[0]] == 'loss#1' and names[losses[1].parents[0]] == 'e²#2'
    assert names[losses[1].parents[0].parents[0]] == 'e#2' and names[losses[0].parents[0].parents[0].parents[0]] == 'o#1'


@pytest.mark.parametrize('loss_fn,y,make', [
    (nn.half_squared_error, [1.0, -0.5, 0.0], lambda: MLP(2, [4, 4, 1])),
    (nn.squared_error, [1.0, -0.5, 0.0], lambda: MLP(2, [4, 4, 1])),
    (nn.hinge, [1, -1, 1], lambda: MLP(2, [4, 4, 1])),
    (nn.binary_cross_entropy, [1, 0, 0.25], lambda: Neuron(2, activation='sigmoid')),
    (nn.binary_cross_entropy_with_logits, [1, 0, 0.7], lambda: MLP(2, [4, 4, 1])),
    (nn.cross_entropy, [0, 2, 1], lambda: MLP(2, [4, 4, 3]))], ids=lambda v: getattr(v, '__name__', ''))
def test_a_lanes_batch_is_named_for_what_it_is(loss_fn, y, make):
    model = make()
    losses = loss_fn(model(columns([[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]])), y)
    names = names_of(losses.sum())
    assert [n for n in names if LAST_RESORT.fullmatch(n)] == ['t1']      # only the sum we made here
    assert {'x1', 'x2', 'loss'} <= names


def test_names_do_not_change_a_users_labels():
    model = Neuron(2, activation='linear')
    x = Value(3.0, 'height')
    out = model([x, 1.0])
    out.label = 'prediction'
    loss = nn.squared_error(out, 1.0)
    assert names_of(loss) == {'height', 'x2', 'w1', 'w2', 'b', 'prediction', 'e', 'loss'}


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# ------------------------------------------------------------------ the seed articles' model
def test_the_seed_model_computes_z_as_one_dot_node_by_hand():
    from demos.seed_worked_example import seed_model
    model = seed_model()
    out = model((0, 2000, 3000))
    z = out.parents[0]
    assert out.op == 'relu' and z.op == 'dot' and z.label == 'z'
    # z = w2 . o1 = 2000 * (-3/11600) + 3000 * 1/5800 = -30/58 + 30/58 = 0, exact
    assert z.data == 0 and isinstance(z.data, Fraction)
    assert z.parents == tuple(model.w) + z.dot_operands[1] and [x.label for x in z.dot_operands[1]] == ['x1', 'x2', 'x3']
    assert z.local_grads == (0, 2000, 3000, Fraction(1, 200), Fraction(-3, 11600), Fraction(1, 5800))


# ------------------------------------------------------------------ the layer view and sample_graph
@pytest.mark.parametrize('activation,grad_at_zero', ACTIVATIONS)
def test_the_layer_view_is_the_same_fused_or_not_and_reads_the_dot(activation, grad_at_zero):
    for seed in range(3):
        X, Y, fused, loss = problem('mlp', activation, grad_at_zero, True, seed, True)
        binary = copy.deepcopy(fused)
        binary.fused = False
        a, b = nn.batch_view(fused, loss, X, Y), nn.batch_view(binary, loss, X, Y)
        for sa, sb in zip(a.samples, b.samples):
            assert sa.layers == sb.layers and sa.rows() == sb.rows()
        assert a.dW(2) == b.dW(2)
    # the pre-activation the view reads is the neuron's dot node (the chain's last + without fused)
    model = MLP(2, [2, 1])
    xs = nn.layers.as_values([0.5, -1.0], 'test', 2)
    n = model.layers[0].neurons[0]
    assert _pre_activation(n, n.forward(xs), 'L1').op == 'dot'
    n.fused = False
    assert _pre_activation(n, n.forward(xs), 'L1').op == '+'


def test_the_layer_view_of_a_fused_mlp_matches_pytorch_float64():
    torch = pytest.importorskip('torch')
    model = MLP(3, [4, 2], activation='tanh', seed=7)
    x, y = [0.3, -1.2, 2.0], 1
    view = nn.layer_view(model, nn.cross_entropy, x, y)
    assert view.stages[1].sources['o'] == 'L1.n1.z, ..., L1.n4.z'
    h = torch.tensor(x, dtype=torch.float64)
    Ws, bs, zs = [], [], []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        z = W @ h + b
        z.retain_grad()
        Ws.append(W), bs.append(b), zs.append(z)
        h = torch.tanh(z) if layer.neurons[0].activation == 'tanh' else z
    torch.nn.functional.cross_entropy(h[None, :], torch.tensor([y])).backward()
    for mine, W, b, z in zip(view.layers, Ws, bs, zs):
        assert np.allclose(mine.z, z.detach().numpy(), rtol=1e-14, atol=1e-15)
        assert np.allclose(mine.dz, z.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert np.allclose(mine.dW, W.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert np.allclose(mine.db, b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_sample_graph_builds_the_models_form_and_fused_false_gives_the_chain():
    X, Y, model, _ = problem('mlp', 'relu', 0, True, 4, True)
    trainer = Trainer(model, nn.squared_error, SGD(model.parameters(), lr=0.1), batch_size=4, mode='matrix')
    trainer.fit(X[:4], Y[:4], epochs=1, progress=False)
    fused, binary = trainer.sample_graph(2), trainer.sample_graph(2, fused=False)
    neurons = len(neurons_of(model))
    fused_ops = [n.op for n in graph_nodes(fused.root)]
    assert fused_ops.count('dot') == neurons and '+' not in fused_ops
    assert 'dot' not in {n.op for n in graph_nodes(binary.root)}
    assert not [name for name in names_of(fused.root) if LAST_RESORT.fullmatch(name)]
    assert {'L1.n1.z', 'L2.n1.a', 'e', 'loss', 'Loss^learning'} <= names_of(fused.root)
    assert fused.root.data == binary.root.data
    fused.root.backward(), binary.root.backward()
    assert fused.gradients() == binary.gradients()
    assert all(abs(fused.gradients()[k] - v) < 1e-14 for k, v in fused.matrix_gradients.items())
    # a model made with fused=False gives the chain by default; fused=True overrides it on the copy only
    model.fused = False
    assert 'dot' not in {n.op for n in graph_nodes(trainer.sample_graph(2).root)}
    assert 'dot' in {n.op for n in graph_nodes(trainer.sample_graph(2, fused=True).root)} and model.fused is False
    with pytest.raises(TypeError, match=r"sample_graph: fused must be True .* or False .*, got str 'no'"):
        trainer.sample_graph(2, fused='no')


# ------------------------------------------------------------------ the option itself
@pytest.mark.parametrize('make,owner', [(lambda f: Neuron(2, fused=f), 'Neuron'), (lambda f: Layer(2, 3, fused=f), 'Layer'),
                                        (lambda f: MLP(2, [3, 1], fused=f), 'MLP')])
@pytest.mark.parametrize('bad', [1, 0, 'yes', None, 1.0, np.array([True])])
def test_fused_must_be_a_bool_naming_the_class_and_the_value(make, owner, bad):
    with pytest.raises(TypeError, match=r"^%s: fused must be True .* got %s %s$" % (owner, type(bad).__name__,
                                                                                  re.escape(repr(bad)))):
        make(bad)
    model = make(True)
    with pytest.raises(TypeError, match=r"^%s: fused must be" % owner):
        model.fused = bad
    assert model.fused is True
    model.fused = np.bool_(False)                       # numpy's bools are bools
    assert model.fused is False and make(np.bool_(False)).fused is False


def test_the_switch_is_per_neuron_and_shown_and_saved_files_do_not_care():
    model = MLP(2, [3, 1])
    assert model.fused is True and repr(model) == "MLP(2 -> 3 relu -> 1 linear)"
    model.layers[0].neurons[1].fused = False
    assert model.fused is None and model.layers[0].fused is None and model.layers[1].fused is True
    assert repr(model) == "MLP(2 -> 3 relu -> 1 linear, some neurons fused=False)"
    out = model([1.0, 2.0])
    z1, z2 = (a.parents[0] for a in out.dot_operands[1][:2])
    assert z1.op == 'dot' and z2.op == '+' and z2.label == 'L1.n2.z'
    model.fused = False
    assert model.fused is False and all(n.fused is False for n in neurons_of(model))
    assert repr(model) == "MLP(2 -> 3 relu -> 1 linear, fused=False)"
    assert repr(Neuron(2, fused=False)) == "Neuron(2 inputs, relu, fused=False)"
    assert MLP(2, [3, 1], fused=False).state_dict() == MLP(2, [3, 1]).state_dict()

"""Neuron, Layer, MLP; the seed articles' model in a few lines, with its per-sample pass exact."""
from fractions import Fraction

import pytest

from autograd import Value
from nn import MLP, SGD, Layer, Neuron, half_squared_error

SEED_X = [(100, 2000, 100), (200, 0, 0), (0, 2000, 3000)]
SEED_Y = [0, 1, 1]
SEED_W = [Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800)]


def seed_model():
    """L3(L2(L1(X))): identity, then w . x with no bias, then the articles' ReLU."""
    model = Neuron(3, activation='relu', bias=False, grad_at_zero=1)
    for w, v in zip(model.w, SEED_W):
        w.data = v
    return model


def test_seed_forward_pass_is_exact():
    # by hand: 100/200 - 2000*3000/11600000 + 100/5800 = 29/58 - 30/58 + 1/58 = 0, etc.
    model = seed_model()
    assert [model(x).data for x in SEED_X] == [0, 1, 0]


def test_seed_per_sample_pass_with_learning_rate_one():
    # 002: samples 1 and 2 have zero loss; sample 3 has dLoss/dw = (o3 - y) x = -(0, 2000, 3000)
    model = seed_model()
    opt = SGD(model.parameters(), lr=1)
    for x, y in zip(SEED_X, SEED_Y):
        opt.zero_grad()
        half_squared_error(model(x), y).backward()
        opt.step()
    assert [w.data for w in model.w] == [Fraction(1, 200), 2000 - Fraction(3000, 11600000), 3000 + Fraction(1, 5800)]
    assert all(isinstance(w.data, Fraction) for w in model.w)


def test_seed_epoch_with_small_learning_rate_gives_the_articles_outputs():
    # 004: alpha = 1e-7 gives outputs (0.43, 1, 1.3) after one per-sample epoch; checked by hand:
    # only sample 3 moves w, by 1e-7 * (0, 2000, 3000): outputs 100*0 + 2000*2e-4 + 100*3e-4 = 0.43,
    # 1 (w1 unchanged), 2000*2e-4 + 3000*3e-4 = 1.3
    model = seed_model()
    opt = SGD(model.parameters(), lr=Fraction(1, 10 ** 7))
    for x, y in zip(SEED_X, SEED_Y):
        opt.zero_grad()
        half_squared_error(model(x), y).backward()
        opt.step()
    assert [model(x).data for x in SEED_X] == [Fraction(43, 100), 1, Fraction(13, 10)]


def test_mlp_shapes_and_micrograd_breaking_case():
    assert isinstance(MLP(2, [16, 1, 1])([0.5, -1.0]), Value)
    out = MLP(3, [4, 2])([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 1)([1.0, 2.0]), list)


def test_initialisation_is_seeded_and_reproducible():
    a, b, c = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=4)
    assert a.state_dict() == b.state_dict() != c.state_dict()


def test_parameters_order_and_names():
    m = MLP(2, [3, 1])
    names = [n for n, _ in m.named_parameters()]
    assert names[:3] == ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b']
    assert len(names) == len(set(names)) == 3 * 3 + 4
    assert repr(m) == "MLP(2 -> 3 relu -> 1 linear)"


def test_activations():
    n = Neuron(1, activation='tanh')
    n.w[0].data = 0.5
    assert n([2.0]).op == 'tanh'
    for act, op in (('sigmoid', 'sigmoid'), ('relu', 'relu'), ('linear', 'dot')):
        assert Neuron(1, activation=act, bias=False)([1.0]).op == op
    # fused=False: a linear neuron without bias is the one product w1 * x1
    assert Neuron(1, activation='linear', bias=False, fused=False)([1.0]).op == '*'


@pytest.mark.parametrize("model,x,expected,got", [
    (Neuron(3), [1.0, 2.0], "3", "2"), (Layer(2, 4), [1.0], "2", "1"), (MLP(2, [3, 1]), [1, 2, 3], "2", "3")])
def test_wrong_input_width_names_both(model, x, expected, got):
    with pytest.raises(ValueError) as e:
        model(x)
    assert "expected %s inputs, got %s" % (expected, got) in str(e.value)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="activation"):
        Neuron(2, activation='swish')
    with pytest.raises(ValueError, match="nin"):
        Neuron(0)

"""Shared parameters: one Value at two places (layer.neurons[1].b = layer.neurons[0].b).

It is listed once, at its first place, and stepped once with the gradient that
backward() sums over its places, as PyTorch does with one nn.Parameter used twice
(PyTorch is the oracle below). Files keep the tie; the matrix mode refuses it."""
import json
from fractions import Fraction

import pytest

import nn
from nn import MLP, Layer, Trainer
from nn.matrix import MatrixModeError

torch = pytest.importorskip('torch')       # in the test extra: ./run tests always has it


def tied_layer():
    """Layer(1, 2) linear, w = 1 and 2, one bias b = 0 shared by both neurons."""
    layer = Layer(1, 2, activation='linear')
    layer.neurons[0].w[0].data, layer.neurons[1].w[0].data = Fraction(1), Fraction(2)
    layer.neurons[1].b = layer.neurons[0].b
    layer.neurons[0].b.data = Fraction(0)
    return layer


def tied_mlp(bias=0.25):
    """MLP(2, [2, 1]) tanh, its first layer's two neurons sharing one bias."""
    model = MLP(2, [2, 1], activation='tanh', seed=3)
    first = model.layers[0].neurons
    first[1].b = first[0].b
    first[0].b.data = bias
    return model


def test_a_shared_parameter_is_listed_once_at_its_first_place():
    model = tied_mlp()
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == len(model.parameters()) == 8        # 9 places, 8 parameters
    assert 'layers.0.neurons.0.b' in names and 'layers.0.neurons.1.b' not in names
    assert len({id(p) for p in model.parameters()}) == 8
    assert model.ties() == {'layers.0.neurons.1.b': 'layers.0.neurons.0.b'}
    assert model.ties(drawn=True) == {'L1.n2.b': 'L1.n1.b'}
    assert MLP(2, [2, 1]).ties() == {}
    model.label_parameters()
    assert model.layers[0].neurons[1].b.label == 'L1.n1.b'        # named after its first place
    assert [n for n, _ in model.drawn_parameters()][2:5] == ['L1.n1.b', 'L1.n2.w1', 'L1.n2.w2']


def test_sgd_steps_a_shared_bias_once_with_the_summed_gradient():
    # by hand: x = 3, o1 = 1*3 + 0 = 3, o2 = 2*3 + 0 = 6, y = (1, 2),
    # loss = 1/2 (o1 - 1)^2 + 1/2 (o2 - 2)^2: dloss/db = (3 - 1) + (6 - 2) = 6,
    # dloss/dw1 = 2 * 3 = 6, dloss/dw2 = 4 * 3 = 12; lr 1/10: b = -3/5 (stepping twice gave -6/5)
    layer = tied_layer()
    o1, o2 = layer([Fraction(3)])
    loss = (o1 - 1) ** 2 * Fraction(1, 2) + (o2 - 2) ** 2 * Fraction(1, 2)
    opt = nn.SGD(layer.parameters(), lr=Fraction(1, 10))
    opt.zero_grad()
    loss.backward()
    b = layer.neurons[0].b
    assert b.grad == 6
    opt.step()
    assert b.data == Fraction(-3, 5) and layer.neurons[1].b is b
    assert [n.w[0].data for n in layer.neurons] == [Fraction(2, 5), Fraction(4, 5)]
    # PyTorch, one nn.Parameter used by both outputs
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    tb = torch.zeros((), dtype=torch.float64, requires_grad=True)
    o = w * 3.0 + tb
    (0.5 * ((o - torch.tensor([1.0, 2.0], dtype=torch.float64)) ** 2).sum()).backward()
    tsgd = torch.optim.SGD([w, tb], lr=0.1)
    tsgd.step()
    assert tb.item() == pytest.approx(-0.6, abs=1e-15) and float(b.data) == pytest.approx(tb.item(), abs=1e-15)


def test_an_optimizer_given_a_value_twice_keeps_it_once():
    layer = tied_layer()
    b = layer.neurons[0].b
    for opt in (nn.SGD([b, b], lr=0.1, momentum=0.9), nn.Adam([b, b], lr=0.1)):
        assert opt.params == [b]
    opt = nn.SGD([b, b], lr=1)
    b.data, b.grad = 0.0, 0.5
    opt.step()
    assert b.data == -0.5


class TorchTwin(torch.nn.Module):
    """MLP(2, [2, 1]) tanh with its first layer's bias one shared scalar nn.Parameter."""

    def __init__(self, model):
        super().__init__()
        f64 = dict(dtype=torch.float64)
        first, last = model.layers
        self.W1 = torch.nn.Parameter(torch.tensor([[float(v.data) for v in n.w] for n in first.neurons], **f64))
        self.b1 = torch.nn.Parameter(torch.tensor(float(first.neurons[0].b.data), **f64))   # one for both
        self.W2 = torch.nn.Parameter(torch.tensor([[float(v.data) for v in last.neurons[0].w]], **f64))
        self.b2 = torch.nn.Parameter(torch.tensor([float(last.neurons[0].b.data)], **f64))

    def forward(self, X):
        return (torch.tanh(X @ self.W1.T + self.b1) @ self.W2.T + self.b2)[:, 0]

    def as_nn(self):
        """the parameters in the nn model's order (first places): W1 row 1, b, W1 row 2, W2, b2."""
        W1, W2 = self.W1.tolist(), self.W2.tolist()[0]
        return W1[0] + [self.b1.item()] + W1[1] + W2 + [self.b2.item()]


X = [(0.5, -1.0), (-0.3, 0.8), (1.2, 0.4), (-0.7, -0.2)]
Y = [0.3, -0.5, 0.9, -0.1]


@pytest.mark.parametrize('mode', ['accumulate', 'graph', 'lanes'])
@pytest.mark.parametrize('optimizer', ['SGD', 'Adam'])
def test_the_trainer_steps_a_shared_bias_as_pytorch_does(mode, optimizer):
    model = tied_mlp()
    twin = TorchTwin(model)
    if optimizer == 'SGD':
        opt, topt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9), torch.optim.SGD(twin.parameters(), lr=0.1,
                                                                                       momentum=0.9)
    else:
        opt, topt = nn.Adam(model.parameters(), lr=0.05), torch.optim.Adam(twin.parameters(), lr=0.05)
    Trainer(model, nn.half_squared_error, opt, batch_size=2, shuffle=False, mode=mode).fit(X, Y, epochs=3,
                                                                                             progress=False)
    TX, TY = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    for _ in range(3):
        for start in (0, 2):
            topt.zero_grad()
            (0.5 * (twin(TX[start:start + 2]) - TY[start:start + 2]) ** 2).mean().backward()
            topt.step()
    ours = [float(p.data) for p in model.parameters()]
    assert model.layers[0].neurons[1].b is model.layers[0].neurons[0].b
    assert ours[2] != 0.25                                          # the shared bias moved
    assert max(abs(a - b) for a, b in zip(ours, twin.as_nn())) < 1e-12, (ours, twin.as_nn())


def test_the_matrix_mode_refuses_a_tie_naming_it_and_changes_nothing():
    model = tied_mlp(bias=0.0)
    before = model.state_dict()
    with pytest.raises(MatrixModeError, match=r"L1\.n2\.b is L1\.n1\.b.*shared.*mode='accumulate'"):
        Trainer(model, nn.half_squared_error, nn.SGD(model.parameters(), lr=0.1), mode='matrix')
    assert model.state_dict() == before
    # tied after the Trainer was made: refused when fit checks the model again
    model = MLP(2, [2, 1], activation='tanh', seed=3)
    trainer = Trainer(model, nn.half_squared_error, nn.SGD(model.parameters(), lr=0.1), mode='matrix')
    model.layers[0].neurons[1].b = model.layers[0].neurons[0].b
    with pytest.raises(MatrixModeError, match=r"L1\.n2\.b is L1\.n1\.b"):
        trainer.fit(X, Y, progress=False)


def test_save_and_load_keep_the_tie(tmp_path):
    model = tied_mlp(bias=Fraction(1, 3))
    path = tmp_path / 'tied.json'
    model.save(path)
    body = json.loads(path.read_text())
    assert body['ties'] == {'layers.0.neurons.1.b': 'layers.0.neurons.0.b'}
    assert 'layers.0.neurons.1.b' not in body['parameters'] and len(body['parameters']) == 8
    other = tied_mlp(bias=0.0)
    for p in other.parameters():
        p.data = 7.0
    other.load(path)
    assert other.state_dict() == model.state_dict()
    assert other.layers[0].neurons[1].b is other.layers[0].neurons[0].b
    assert other.layers[0].neurons[1].b.data == Fraction(1, 3)
    other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict()


def test_a_tied_file_is_refused_by_an_untied_model_and_the_other_way_round(tmp_path):
    tied, untied = tied_mlp(), MLP(2, [2, 1], activation='tanh', seed=3)
    tied.save(tmp_path / 'tied.json')
    untied.save(tmp_path / 'untied.json')
    for model, name in ((untied, 'tied.json'), (tied, 'untied.json')):
        before = model.state_dict()
        with pytest.raises(ValueError, match=r"shares parameters as .*layers\.0\.neurons\.1\.b"):
            model.load(tmp_path / name)
        assert model.state_dict() == before
    before = untied.state_dict()
    with pytest.raises(ValueError, match=r"missing \['layers\.0\.neurons\.1\.b'\]"):
        untied.load_state_dict(tied.state_dict())
    with pytest.raises(ValueError, match=r"unknown \['layers\.0\.neurons\.1\.b'\].*shares parameters"):
        tied.load_state_dict(before)
    assert untied.state_dict() == before


def test_a_file_whose_ties_are_not_a_dict_is_refused(tmp_path):
    model = tied_mlp()
    path = tmp_path / 'tied.json'
    model.save(path)
    body = json.loads(path.read_text())
    before = model.state_dict()
    for ties in ([], ['layers.0.neurons.1.b'], 'layers.0.neurons.1.b', {'layers.0.neurons.1.b': 'layers.0.neurons.1.w.0'}):
        body['ties'] = ties
        path.write_text(json.dumps(body))
        with pytest.raises(ValueError, match=r"load .*tied\.json: (its \"ties\" are|the file's model shares)"):
            model.load(path)
        assert model.state_dict() == before

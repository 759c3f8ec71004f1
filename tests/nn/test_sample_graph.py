"""nn.sample_graph: one sample's Loss as a scalar graph on a copy of the model."""
import copy
from fractions import Fraction

import numpy as np
import pytest

import nn
from autograd import no_grad
from nn import sample_graph


def hand_neuron():
    n = nn.Neuron(2, activation='linear')
    n.w[0].data, n.w[1].data, n.b.data = Fraction(1), Fraction(-2), Fraction(1, 2)
    return n


def test_a_linear_neurons_gradients_are_the_articles_by_hand():
    # o = 1*3 - 2*1 + 1/2 = 3/2, y = 2: Loss = 1/2 (o - y)^2, ∂Loss/∂w = (o - y) x = -1/2 (3, 1), ∂Loss/∂b = -1/2;
    # scale 1/4 (a sample of a batch of 4): a quarter of each
    n = hand_neuron()
    g = sample_graph(n, nn.half_squared_error, (3, 1), 2, scale=Fraction(1, 4))
    assert g.loss.data == Fraction(1, 8) and g.root.data == Fraction(1, 32) and g.output.data == Fraction(3, 2)
    g.root.backward()
    assert [w.grad for w in g.model.w] == [Fraction(-3, 8), Fraction(-1, 8)] and g.model.b.grad == Fraction(-1, 8)
    assert g.gradients() == {'w.0': Fraction(-3, 8), 'w.1': Fraction(-1, 8), 'b': Fraction(-1, 8)}
    # the model's own weights and gradients are untouched
    assert all(p.grad == 0 for p in n.parameters()) and n.w[1].data == -2


def test_the_model_keeps_its_gradients_and_the_copy_starts_at_zero():
    model = nn.MLP(3, [4, 2], seed=1)
    for k, p in enumerate(model.parameters()):
        p.grad = k + 0.5
    before = [(p.data, p.grad) for p in model.parameters()]
    g = sample_graph(model, nn.cross_entropy, [0.1, -0.2, 0.3], 1)
    assert all(p.grad == 0 for p in g.model.parameters())
    g.root.backward()
    assert [(p.data, p.grad) for p in model.parameters()] == before
    assert [p.data for p in g.model.parameters()] == [d for d, _ in before]


def test_a_batch_sample_is_the_matrix_modes_sample_graph():
    X = [[0.5, -1.0, 0.25], [-0.3, 0.8, 0.1], [0.9, 0.2, -0.7], [0.0, -0.4, 0.6]]
    Y = [0, 2, 1, 2]
    model = nn.MLP(3, [5, 3], seed=2)
    before = copy.deepcopy(model)
    trainer = nn.Trainer(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1), batch_size=4, shuffle=False,
                         mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    for j in range(4):
        theirs = trainer.sample_graph(j)
        theirs.root.backward()
        mine = sample_graph(before, nn.cross_entropy, X[theirs.sample], Y[theirs.sample], scale=Fraction(1, 4))
        mine.root.backward()
        assert abs(mine.root.data - theirs.root.data) <= 1e-15
        a, b = mine.gradients(), theirs.gradients()
        assert a.keys() == b.keys() and max(abs(a[k] - b[k]) for k in a) <= 1e-15 and max(map(abs, a.values())) > 1e-3


def test_layers_are_boxed_and_the_layer_view_reads_the_same_numbers():
    model = nn.MLP(4, [3, 2], seed=0)
    x, y = np.array([0.5, 0.25, -1.0, 2.0]), np.int64(1)          # a numpy row and label, as nn.data.digits gives
    g = sample_graph(model, nn.cross_entropy, x, y)
    assert g.x == [0.5, 0.25, -1.0, 2.0] and type(g.y) is int
    assert {path[0] for path in g.scopes.values() if path} == {'L1', 'L2'}
    view, direct = g.layer_view(), nn.layer_view(model, nn.cross_entropy, g.x, 1)
    assert view.delta(view.K + 1) == direct.delta(direct.K + 1) and view.o(view.K) == direct.o(direct.K)
    assert 'cluster' in g.draw().source


def test_bad_input_is_refused_by_name():
    with pytest.raises(TypeError, match="sample_graph: expected an nn Neuron, Layer or MLP, got list"):
        sample_graph([1, 2], nn.half_squared_error, [1], 1)
    with no_grad(), pytest.raises(RuntimeError, match="sample_graph: called inside no_grad"):
        sample_graph(hand_neuron(), nn.half_squared_error, (3, 1), 2)
    with pytest.raises(TypeError, match="sample_graph: the loss <lambda> returned float 1.0"):
        sample_graph(hand_neuron(), lambda o, y: 1.0, (3, 1), 2)


def test_the_matrix_modes_sample_graph_is_one_and_its_layer_view_is_its_share():
    """trainer.sample_graph(j) is an nn.SampleGraph (draw, step, explore, layer_view, gradients);
    its layer_view is of Loss^learning = loss_j / m, so its δ at the output is DZ's column j / m."""
    X = [[0.5, -1.0, 0.25], [-0.3, 0.8, 0.1], [0.9, 0.2, -0.7]]
    Y = [0, 2, 1]
    model = nn.MLP(3, [4, 3], seed=5)
    trainer = nn.Trainer(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1), batch_size=3, shuffle=False,
                         mode='matrix')
    trainer.fit(X, Y, epochs=1, progress=False)
    g = trainer.sample_graph(1)
    assert isinstance(g, nn.SampleGraph) and g.scale == Fraction(1, 3)
    view = g.layer_view()
    delta = view.delta(view.K + 1)
    assert max(abs(d - dz / 3) for d, dz in zip(delta, g.DZ[-1])) <= 1e-15 and max(map(abs, delta)) > 1e-3
    p = np.exp(np.array(view.o(view.K)) - max(view.o(view.K)))
    p /= p.sum()
    assert max(abs(d - (q - (k == Y[g.sample])) / 3) for k, (d, q) in enumerate(zip(delta, p))) <= 1e-15

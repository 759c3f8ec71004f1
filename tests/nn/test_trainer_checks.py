"""The Trainer's rules and checks that the issue "Reliability, round 3" found wrong or late
(issue 20, defects 4, 5, 7 and 8): which class an output stands for, every target checked
against the model's outputs before the first step, a number beyond float range in matrix
mode, and counts given as numpy integers. Every expected value is worked out here."""
from fractions import Fraction

import pytest

from nn import (MLP, SGD, Layer, Neuron, Trainer, binary_cross_entropy, binary_cross_entropy_with_logits,
                cross_entropy, data, half_squared_error, hinge, squared_error)

np = pytest.importorskip("numpy")

MODES = ['accumulate', 'graph', 'lanes', 'matrix']


# ------------------------------------------------------------------ 4. the class of a logit
def logits_by_hand(model, X):
    """z for every sample of MLP(2,[8,1]) (relu, then linear), in numpy from the weights alone."""
    hidden, out = model.layers
    W1 = np.array([[w.data for w in n.w] for n in hidden.neurons])
    b1 = np.array([n.b.data for n in hidden.neurons])
    w2 = np.array([w.data for w in out.neurons[0].w])
    H = np.maximum(np.array(X) @ W1.T + b1, 0.0)
    return H @ w2 + out.neurons[0].b.data


@pytest.fixture(scope='module')
def trained_on_logits():
    """the issue's case: moons(200, noise 0.25), MLP(2,[8,1]) trained with
    binary_cross_entropy_with_logits (SGD 0.5, batches of 16, 30 epochs) to where 9 samples
    have 0 <= z < 0.5: there the old rule (>= 0.5) and the logit's (z >= 0) differ."""
    X, Y = data.moons(200, noise=0.25)
    model = MLP(2, [8, 1], seed=0)
    Trainer(model, binary_cross_entropy_with_logits, SGD(model.parameters(), lr=0.5), batch_size=16,
            mode='matrix').fit(X, Y, epochs=30, progress=False)
    return model, X, Y


def test_the_logits_loss_counts_class_1_from_z_at_or_above_0(trained_on_logits):
    model, X, Y = trained_on_logits
    z = logits_by_hand(model, X)
    assert ((z >= 0) & (z < 0.5)).sum() == 9                 # the samples where the two rules differ
    right = int(((z >= 0) * 1 == np.array(Y)).sum())
    assert right == 168                                      # 0.840, the figure
    trainer = Trainer(model, binary_cross_entropy_with_logits, SGD(model.parameters(), lr=0.5))
    assert trainer.accuracy(X, Y) == right / 200
    assert trainer.evaluate(X, Y)['accuracy'] == right / 200


@pytest.mark.parametrize('mode', MODES)
def test_history_counts_the_logits_class_as_accuracy_does(trained_on_logits, mode):
    # a full batch's epoch accuracy counts the predictions of the weights before its one step
    model, X, Y = trained_on_logits
    z = logits_by_hand(model, X)
    right = int(((z >= 0) * 1 == np.array(Y)).sum())
    weights = model.state_dict()
    try:
        history = Trainer(model, binary_cross_entropy_with_logits, SGD(model.parameters(), lr=0.5),
                          mode=mode).fit(X, Y, epochs=1, progress=False)
    finally:
        model.load_state_dict(weights)
    assert history.epoch_accuracy == [right / 200]


def test_a_probability_keeps_the_articles_rule_of_one_half():
    # sigmoid output p: class 1 where p >= 1/2, both for binary_cross_entropy and squared error
    model = Neuron(1, activation='linear', bias=False)
    model.w[0].data = 1.0
    X, Y = [(0.25,), (0.5,), (0.75,), (0.0,)], [0, 1, 1, 0]     # outputs 0.25, 0.5, 0.75, 0.0
    for loss in (binary_cross_entropy, squared_error, half_squared_error):
        assert Trainer(model, loss, SGD(model.parameters(), lr=0.1)).accuracy(X, Y) == 1.0
    # the same outputs read as logits: 0.25 and 0.0 are class 1 now, so two of four are wrong
    assert Trainer(model, binary_cross_entropy_with_logits, SGD(model.parameters(), lr=0.1)).accuracy(X, Y) == 0.5


# ------------------------------------------------------------------ 5. every target's shape, before any step
X3 = [(0.5, -1.0), (1.0, 2.0), (-0.3, 0.7)]
ONE = "squared_error compares the model's one output with one number, so a target is a number, not a list"
WRONG_SHAPES = {
    # the issue's: two good targets, then a one-element list (it used to fail after two steps)
    'a list at the end': (lambda: MLP(2, [3, 1], seed=0), squared_error, [0.5, 1.0, [0.0]],
                          r"Trainer\.fit: Y\[2\] is \[0\.0\]: " + ONE),
    'a column of one-element lists': (lambda: MLP(2, [3, 1], seed=0), squared_error, [[0.5], [1.0], [0.0]],
                                      r"Trainer\.fit: Y\[0\] is \[0\.5\]: " + ONE),
    'numbers for three outputs': (lambda: MLP(2, [3, 3], seed=0), squared_error, [0.5, 1.0, 0.0],
                                  r"Trainer\.fit: Y\[0\] is 0\.5: the model gives a list of 3 outputs, so "
                                  r"squared_error takes a list of 3 targets, one per output, not one number"),
    'a Layer of one neuron gives a list': (lambda: Layer(2, 1, seed=0), half_squared_error, [0.5, 1.0, 0.0],
                                           r"Y\[0\] is 0\.5: the model gives a list of 1 output, so "
                                           r"half_squared_error takes a list of 1 target, one per output"),
    'hinge with a list': (lambda: Neuron(2, seed=0), hinge, [1, -1, [1]], r"Y\[2\] is \[1\]: hinge compares"),
    'logits from one output': (lambda: MLP(2, [3, 1], seed=0), cross_entropy, [0, 1, 1],
                               r"Y\[0\] is 0: cross_entropy takes a list of logits, one per class, but the "
                               r"model gives one output"),
    'a loss of your own, shapes mixed': (lambda: MLP(2, [3, 1], seed=0), lambda o, y: (o - y) ** 2, [0.5, 1.0, [0.0]],
                                         r"Y\[2\] is \[0\.0\]: every target must have the shape of Y\[0\] = 0\.5 "
                                         r"\(one number\)"),
    'a loss of your own, a list too short': (lambda: MLP(2, [3, 3], seed=0),
                                             lambda o, y: sum((a - b) ** 2 for a, b in zip(o, y)),
                                             [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
                                             r"Y\[0\] is \[1\.0, 0\.0\]: the model gives a list of 3 outputs, so a "
                                             r"list target has 3 numbers"),
}


@pytest.mark.parametrize('mode', ['accumulate', 'graph', 'lanes'])
@pytest.mark.parametrize('case', WRONG_SHAPES)
def test_a_target_of_the_wrong_shape_is_refused_before_the_first_step(case, mode):
    make, loss, Y, message = WRONG_SHAPES[case]
    model = make()
    before = model.state_dict()
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.1), batch_size=1, mode=mode)
    with pytest.raises(ValueError, match=message):
        trainer.fit(X3, Y, epochs=2, progress=False)
    assert model.state_dict() == before
    with pytest.raises(ValueError, match=message.replace('fit', 'evaluate')):
        trainer.evaluate(X3, Y)


@pytest.mark.parametrize('case', ['a list at the end', 'a column of one-element lists'])
def test_matrix_mode_names_the_target_too(case):
    make, loss, Y, message = WRONG_SHAPES[case]
    model = make()
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        Trainer(model, loss, SGD(model.parameters(), lr=0.1), batch_size=1, mode='matrix').fit(X3, Y, progress=False)
    assert model.state_dict() == before


@pytest.mark.parametrize('mode', ['accumulate', 'graph', 'lanes'])
def test_list_targets_for_a_loss_of_your_own_still_train(mode):
    # three outputs against three targets, a loss written by hand: nothing to refuse
    model = MLP(2, [3, 3], seed=0)
    before = model.state_dict()

    def total_squared_error(out, y):
        return sum(((o - t) ** 2 for o, t in zip(out, y)), out[0] * 0)
    Y = [[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0]]
    history = Trainer(model, total_squared_error, SGD(model.parameters(), lr=0.1), batch_size=1,
                      mode=mode).fit(X3, Y, epochs=2, progress=False)
    assert len(history.step_loss) == 6 and model.state_dict() != before


# ------------------------------------------------------------------ 7. matrix mode: a number beyond float range
BEYOND = 10 ** 400          # an exact int no float can hold (the largest float is about 1.8e308)


@pytest.mark.parametrize('X, Y, where, shown', [
    ([(1.0, 2.0), (BEYOND, 1.0)], [1.0, 0.0], r"X\[1\]\[0\]", r"1000000000000000\.\.\.00000000 \(401 characters\)"),
    ([(1.0, 2.0), (0.5, -1.0)], [1.0, -BEYOND], r"Y\[1\]", r"-100000000000000\.\.\.00000000 \(402 characters\)"),
    ([(1, 2), (1, Fraction(BEYOND, 3))], [1, 0], r"X\[1\]\[1\]", r"Fraction\(1000000\.\.\.0000, 3\) \(414 characters\)"),
    ([(1, 2), (1, 10 ** 5000)], [1, 0], r"X\[1\]\[1\]", r"an int of more than 4300 digits"),
], ids=['an int in X', 'an int in Y', 'a Fraction in X', 'an int past the int-to-str limit'])
def test_matrix_mode_names_the_number_too_large_for_a_float(X, Y, where, shown):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    trainer = Trainer(model, squared_error, SGD(model.parameters(), lr=0.1), mode='matrix')
    with pytest.raises(OverflowError, match=r"Trainer\(mode='matrix'\): %s is %s: too large for a float \(about "
                                            r"1\.8e308 at most\), and the matrix mode computes in float64"
                       % (where, shown)):
        trainer.fit(X, Y, progress=False)
    assert model.state_dict() == before


def test_matrix_mode_names_a_weight_too_large_for_a_float():
    model = MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.data = 1                                        # int weights: the matrix mode takes them
    model.layers[1].neurons[0].w[2].data = BEYOND
    with pytest.raises(OverflowError, match=r"parameter L2\.n1\.w3 is 1000000000000000\.\.\."):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.1), mode='matrix').fit(
            [(1.0, 2.0)], [1.0], progress=False)


# ------------------------------------------------------------------ 8. counts: numpy integers, and no bools
@pytest.mark.parametrize('count', [np.int64(2), np.int32(2), np.uint8(2)], ids=lambda c: type(c).__name__)
def test_batch_size_and_epochs_take_numpy_integers(count):
    X, Y = [(0.5, -1.0), (1.0, 2.0), (-0.3, 0.7)], [1.0, 0.0, 1.0]
    model = MLP(2, [3, 1], seed=0)
    trainer = Trainer(model, squared_error, SGD(model.parameters(), lr=0.1), batch_size=count)
    assert type(trainer.batch_size) is int
    history = trainer.fit(X, Y, epochs=count, progress=False)
    assert len(history.epoch_loss) == 2 and len(history.step_loss) == 4       # batches of 2 and 1, twice


@pytest.mark.parametrize('value, shown', [(True, 'bool True'), (np.True_, 'bool np.True_'), (-1, 'int -1'),
                                          (2.0, 'float 2.0'), (np.float64(2.0), r'float64 np.float64\(2.0\)'),
                                          (None, 'NoneType None'), ('2', "str '2'")],
                         ids=['True', 'numpy True', '-1', '2.0', 'numpy 2.0', 'None', "'2'"])
def test_epochs_must_be_a_count_and_true_is_none(value, shown):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"Trainer\.fit: epochs must be an int >= 0, got %s$" % shown):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.1)).fit([(0.5, -1.0)], [1.0], epochs=value,
                                                                           progress=False)
    assert model.state_dict() == before


@pytest.mark.parametrize('value, shown', [(True, 'bool True'), (np.True_, 'bool np.True_'), (np.int64(0), 'int64 np.int64\\(0\\)'),
                                          (np.float64(2.0), r'float64 np.float64\(2.0\)')],
                         ids=['True', 'numpy True', 'numpy 0', 'numpy 2.0'])
def test_batch_size_must_be_a_count_and_true_is_none(value, shown):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"Trainer: batch_size must be None or an int >= 1, got %s$" % shown):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.1), batch_size=value)


@pytest.mark.parametrize('X, Y, named', [
    ([(1.0, 2.0), (0.5, 1.0), (BEYOND, 1.0)], [1.0, 0.0, 1.0], r"sample X\[2\] \(X\[2\]\[0\] is too large for a float\)"),
    ([(1.0, 2.0), (0.5, 1.0), (0.5, 1.0)], [1.0, BEYOND, 1.0], r"sample X\[1\] \(Y\[1\] is too large for a float\)"),
], ids=['in X', 'in Y'])
def test_lanes_mode_names_the_sample_whose_number_is_too_large_for_a_float(X, Y, named):
    # the batch is one lane graph, and numpy's conversion names no lane: the Trainer finds the sample
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(FloatingPointError, match=r"Trainer: at epoch 1, batch 1, %s, in the forward pass: "
                                                 r"OverflowError" % named):
        Trainer(model, squared_error, SGD(model.parameters(), lr=0.1), mode='lanes', shuffle=False).fit(
            X, Y, progress=False)
    assert model.state_dict() == before

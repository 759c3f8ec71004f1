"""Each demo runs, and its key numbers are checked against the articles and hand derivations."""
import json
import math
import os
from fractions import Fraction

import pytest

import nn
from demos import batch_backprop_matrix, first_graph, moons, seed_worked_example, sgd_vs_batch
from demos.__main__ import DEMOS, main


def test_first_graph(tmp_path, capsys):
    result = first_graph.main(out=str(tmp_path))
    L = result['root']
    # L = tanh(ab + c), a=2, b=-3, c=10: dL/da = b (1 - tanh^2 4), dL/db = a (1 - tanh^2 4), dL/dc = 1 - tanh^2 4
    slope = 1 - math.tanh(4.0) ** 2
    a, b = L.parents[0].parents[0].parents
    c = L.parents[0].parents[1]
    assert math.isclose(a.grad, -3 * slope) and math.isclose(b.grad, 2 * slope) and math.isclose(c.grad, slope)
    assert len(result['steps']) == 3
    assert "d.grad += ∂L/∂d · L.grad = %.4g · 1" % slope in capsys.readouterr().out
    if result['picture']:
        assert os.path.getsize(result['picture']) > 1000


def test_seed_worked_example(tmp_path):
    r = seed_worked_example.main(out=str(tmp_path))
    # the articles' numbers (002, 004, 000), each derived by hand in tests/nn/test_trainer.py
    assert r['per_sample_w'] == [Fraction(1, 200), 2000 - Fraction(3000, 11600000), 3000 + Fraction(1, 5800)]
    assert r['epoch_outputs'] == [Fraction(43, 100), 1, Fraction(13, 10)]
    assert r['batch_outputs'] == [Fraction(43, 300), 1, Fraction(13, 30)]
    assert r['loss_avg'] == Fraction(1, 6)
    assert -2e-16 < r['float_o2'] < 0                      # floats: just below 0, ReLU blocks it
    assert r['float_outputs'] == [0, 1, 0] and r['relu0_outputs'] == [0, 1, 0]
    for path in r['pictures'].values():
        assert os.path.exists(path)


def test_sgd_vs_batch(tmp_path):
    r = sgd_vs_batch.main(out=str(tmp_path), n=64, epochs=3)
    steps = {name: len(h.step_loss) for name, (h, _, _) in r['results'].items()}
    assert steps == {"full batch (64)": 3, "mini-batch (32)": 6, "SGD (1)": 192}
    assert os.path.getsize(r['picture']) > 10_000
    # 001's closed form (1/m) sum (y^ - y) x beside the engine's gradient, for w1, w2 and b
    check = r['gradient_check']
    assert [name for name, _, _ in check] == ['w1', 'w2', 'b']
    assert all(abs(engine - article) <= 1e-15 and abs(engine) > 1e-3 for _, engine, article in check)


def test_sgd_vs_batch_closed_form_is_001s_formula():
    # by hand, a neuron with w = (1, -1), b = 0.5 on x = (1, 0) -> y = 1 and x = (0, 2) -> y = 0:
    # y^ = sigmoid(1.5) and sigmoid(-1.5); dJ/dw = 1/2 ((y^1 - 1) (1, 0) + y^2 (0, 2)), dJ/db = 1/2 (y^1 - 1 + y^2)
    model = nn.Neuron(2, activation='sigmoid')
    model.w[0].data, model.w[1].data, model.b.data = 1.0, -1.0, 0.5
    s = lambda z: 1 / (1 + math.exp(-z))
    dw, db = sgd_vs_batch.closed_form(model, [(1.0, 0.0), (0.0, 2.0)], [1, 0])
    assert dw == pytest.approx([(s(1.5) - 1) / 2, s(-1.5)], rel=1e-15)
    assert db == pytest.approx((s(1.5) - 1 + s(-1.5)) / 2, rel=1e-15)


def test_batch_backprop_matches_the_matrix_formulas():
    r = batch_backprop_matrix.main()
    assert len(r['rows']) == 4 * 3 + 4 + 3 * 4 + 3 and len(r['dz_rows']) == 3 * 5
    assert r['max_difference'] <= 1e-12
    # each column of P - Y sums to 0 (the probabilities sum to 1, Y is one-hot), read off the layer view
    for j in range(5):
        assert abs(sum(engine for name, engine, _ in r['dz_rows'] if name.endswith('[%d]' % j))) <= 1e-12


def test_moons_reaches_full_training_accuracy(tmp_path):
    r = moons.main(out=str(tmp_path))
    assert r['accuracy'] == 1.0 and os.path.exists(r['picture'])


def test_demos_command_lists_and_rejects_unknown_names(capsys):
    assert main(['--list']) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in DEMOS)
    with pytest.raises(SystemExit):
        main(['no_such_demo'])


def test_mlp_explorer_writes_one_page_for_the_whole_pass(tmp_path):
    from demos import mlp_explorer
    r = mlp_explorer.main(out=str(tmp_path))
    # MLP(2,[4,4,1]): 4 neurons of 2 inputs + bias, 4 of 4 + bias, 1 of 4 + bias = 12 + 20 + 5 parameters;
    # steps: each hidden neuron's dot (5 or 9 edges) and tanh (1), the output's dot (9), e and loss (2)
    assert r['parameters'] == 37 and r['steps'] == 4 * 6 + 4 * 10 + 9 + 2 and r['loss'].label == 'loss'
    if r['page']:
        text = open(r['page'], encoding='utf-8').read()
        assert os.listdir(tmp_path) == ['mlp_explorer.html'] and text.count('<svg') == 1
        assert '"name":"L2.n3.w4"' in text and os.path.getsize(r['page']) < 1_000_000


def test_lesson_writes_the_seed_lesson_and_the_moons_lesson(tmp_path):
    from demos import lesson
    r = lesson.main(out=str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ['lesson_moons.html', 'lesson_seed.html'] and r['untouched']
    seed = json.loads(open(r['seed'], encoding='utf-8').read().split('const D = ')[1].split(';\n')[0])
    backward = next(f for f in seed['frames'] if f['phase'] == 'backward')
    # the 3rd data input's backward pass, as Recapitulation for the Learning Process prints it
    assert ["δ4", "∂Loss/∂o3", "(-1)"] in backward['rows'] and ["∂Loss/∂W2", "δ3 o1^T", "-(0, 2000, 3000)"] in backward['rows']
    # MLP(2,[16,16,1]): 16 * 3 + 16 * 17 + 17 parameters; the page's target is 5 MB
    assert r['moons_parameters'] == 337 and os.path.getsize(r['moons']) < 5_000_000

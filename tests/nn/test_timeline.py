"""nn.timeline: training over time, recorded from the real Trainer's run; and its view
(static/timeline.js) in a real headless Chromium with the network refused."""
import json
import os
from fractions import Fraction

import pytest

from tests.chromium import browser, open_page  # noqa: F401 - the fixture

import nn
from nn import timeline
from nn.trainer import predict_class

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(ROOT, 'out', 'screenshots')        # kept for a person to look at (CI artifact)


def weights_of(model):
    return [[[w.data for w in n.w] + [n.b.data if n.b is not None else None] for n in neurons]
            for neurons in timeline.neurons_of(model, 'test')]


def set_weights(model, theta):
    """the model with the weights params[e] (a copy of what record saw)."""
    for neurons, rows in zip(timeline.neurons_of(model, 'test'), theta):
        for n, row in zip(neurons, rows):
            for w, v in zip(n.w, row):
                w.data = v
            if n.b is not None:
                n.b.data = row[-1]
    return model


def moons_record(epochs=12, batch_size=None, seed=0, mode=None, loss=nn.binary_cross_entropy_with_logits,
                 widths=(8, 8, 1)):
    X, Y = nn.data.moons(40)
    model = nn.MLP(2, list(widths))
    return model, X, Y, timeline.record(model, loss, X, Y, epochs=epochs, batch_size=batch_size, seed=seed,
                                        mode=mode)


# ------------------------------------------------------------------ the numbers are the Trainer's
@pytest.mark.parametrize('mode', ['matrix', 'lanes', 'accumulate', 'graph'])
def test_the_last_params_are_the_trained_models_weights_and_the_first_its_starting_ones(mode):
    X, Y = nn.data.moons(30)
    model = nn.MLP(2, [4, 4, 1])
    before = weights_of(model)
    data = timeline.record(model, nn.hinge, X, [2 * y - 1 for y in Y], epochs=5, batch_size=8, mode=mode)
    assert data['mode'] == mode and len(data['params']) == 6
    assert data['params'][0] == before and data['params'][5] == weights_of(model)
    assert data['params'][0] != data['params'][5]          # it did train the model it was given


@pytest.mark.parametrize('batch_size', [None, 7, 1])
def test_every_epoch_is_the_trainers_history_and_weights(batch_size):
    """an independent run: the same Trainer, fit one epoch at a time (its shuffle generator
    goes on from epoch to epoch), weights read after each; and the History of one fit."""
    model, X, Y, data = moons_record(epochs=6, batch_size=batch_size, seed=4)
    assert data['mode'] == 'matrix'
    twin = nn.MLP(2, [8, 8, 1])
    trainer = nn.Trainer(twin, nn.binary_cross_entropy_with_logits, nn.SGD(twin.parameters(), lr=0.1),
                         batch_size=batch_size, seed=4, mode='matrix')
    after = [weights_of(twin)]
    for _ in range(6):
        trainer.fit(X, Y, epochs=1, progress=False)
        after.append(weights_of(twin))
    assert data['params'] == after
    again = nn.MLP(2, [8, 8, 1])
    history = nn.Trainer(again, nn.binary_cross_entropy_with_logits, nn.SGD(again.parameters(), lr=0.1),
                         batch_size=batch_size, seed=4, mode='matrix').fit(X, Y, epochs=6, progress=False)
    assert data['loss'] == history.epoch_loss and data['accuracy'] == history.epoch_accuracy
    assert len(data['loss']) == len(data['accuracy']) == data['epochs'] == 6


def test_the_same_seed_gives_the_same_data_and_another_seed_another():
    first = json.dumps(moons_record(batch_size=5, seed=1)[3])
    assert json.dumps(moons_record(batch_size=5, seed=1)[3]) == first
    assert json.dumps(moons_record(batch_size=5, seed=2)[3]) != first     # the shuffle differs


def test_the_seed_articles_batch_step_exactly():
    """article 000 (Batch Learning): one batch step of 1e-7 on its three samples; by hand the
    weights move by 1e-7 (0, 2000/3, 1000) and Loss^avg = 1/6 (tests/nn/test_trainer.py)."""
    from demos.seed_worked_example import seed_model
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    data = timeline.record(model, nn.half_squared_error, X, Y, optimizer=nn.SGD(model.parameters(),
                           lr=Fraction(1, 10 ** 7)), epochs=1)
    assert data['mode'] == 'accumulate'          # exact weights: the exact mode
    assert data['loss'] == [1 / 6] and data['accuracy'] == [2 / 3] and data['boundary'] is None
    w = [Fraction(1, 200), Fraction(2, 30000) - Fraction(3000, 11600000), Fraction(1, 10000) + Fraction(1, 5800)]
    assert data['params'][1] == [[[float(v) for v in w] + [None]]]
    assert [w.data for w in model.w] == w        # the model itself stays exact


def test_the_data_is_plain_json():
    data = moons_record(epochs=3)[3]

    def kinds(x):
        if isinstance(x, dict):
            assert all(isinstance(k, str) for k in x)
            return set().union({dict}, *map(kinds, x.values()))
        if isinstance(x, list):
            return set().union({list}, *map(kinds, x))
        return {type(x)}
    assert kinds(data) <= {dict, list, str, int, float, bool, type(None)}
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_zero_epochs_records_the_starting_weights_only():
    model, X, Y, data = moons_record(epochs=0)
    assert data['loss'] == [] and data['accuracy'] == [] and data['params'] == [weights_of(model)]
    assert len(data['boundary']['grids']) == 1


def test_targets_that_are_not_classes_have_no_accuracy_and_no_boundary():
    X = [(0.0, 1.0), (1.0, 0.5), (2.0, -1.0)]
    data = timeline.record(nn.MLP(2, [3, 1]), nn.half_squared_error, X, [0.5, 1.5, -0.25], epochs=2)
    assert data['accuracy'] is None and data['boundary'] is None and len(data['loss']) == 2
    data = timeline.record(nn.MLP(3, [2, 1]), nn.hinge, [(0, 1, 2), (1, 0, 2)], [1, -1], epochs=1)
    assert data['accuracy'] is not None and data['boundary'] is None      # classes, but 3-D


def test_mode_none_takes_the_fastest_that_gives_accumulates_numbers():
    X, Y = nn.data.moons(30)
    assert moons_record(epochs=1)[3]['mode'] == 'matrix'
    odd = nn.Layer(2, 1)                      # a neuron the matrix mode cannot take as a layer: lanes can
    odd.neurons[0].activation = 'tanh'
    odd.neurons.append(nn.Neuron(2, activation='relu', seed=5))
    two_outputs = timeline.record(odd, nn.cross_entropy, X, Y, epochs=1)
    assert two_outputs['mode'] == 'lanes'

    def my_loss(out, y):
        return (out - y) ** 2
    assert timeline.record(nn.MLP(2, [3, 1]), my_loss, X, Y, epochs=1)['mode'] == 'accumulate'
    # and the numbers: within 1e-12 of accumulate's
    reference, got = (timeline.record(nn.MLP(2, [6, 6, 1]), nn.binary_cross_entropy_with_logits, X, Y, epochs=4,
                                      batch_size=10, mode=mode) for mode in ('accumulate', None))
    assert got['mode'] == 'matrix' and len(got['loss']) == 4
    for a, b in zip(reference['loss'] + reference['accuracy'], got['loss'] + got['accuracy']):
        assert abs(a - b) <= 1e-12
    flat = lambda p: [v for layer in p for row in layer for v in row if v is not None]   # noqa: E731
    assert max(abs(a - b) for a, b in zip(flat(reference['params'][-1]), flat(got['params'][-1]))) <= 1e-12


def test_the_default_optimizer_is_sgd_with_lr_0_1():
    model, X, Y, data = moons_record(epochs=1)
    assert data['optimizer'] == 'SGD(lr=0.1)' and timeline.DEFAULT_LR == 0.1
    # by hand: one full-batch step moves each weight by -0.1 times its gradient; here the output bias
    twin = nn.MLP(2, [8, 8, 1])
    trainer = nn.Trainer(twin, nn.binary_cross_entropy_with_logits, nn.SGD(twin.parameters(), lr=1.0))
    b0 = twin.layers[-1].neurons[0].b.data
    trainer.fit(X, Y, epochs=1, progress=False)
    gradient = b0 - twin.layers[-1].neurons[0].b.data
    assert abs(data["params"][1][-1][0][-1] - (b0 - 0.1 * gradient)) < 1e-12     # matrix beside accumulate


# ------------------------------------------------------------------ the boundary
def centre(b, i):
    r, c = divmod(i, b['nx'])
    return (b['x'][0] + (c + 0.5) * (b['x'][1] - b['x'][0]) / b['nx'],
            b['y'][1] - (r + 0.5) * (b['y'][1] - b['y'][0]) / b['ny'])


def check_cells(data, model, cells, signed=False):
    """the grid at `cells` against the model's own scalar forward, model(x).data, every epoch."""
    b = data['boundary']
    for e, theta in enumerate(data['params']):
        set_weights(model, theta)
        for i in cells:
            out = model(centre(b, i))
            v = b['grids'][e][i]
            if isinstance(out, list):
                assert v == predict_class([o.data for o in out], signed)
            else:
                assert abs(v - out.data) <= 5e-3 * abs(out.data) + 1e-12     # 3 significant digits
                assert predict_class(v, signed, b['threshold']) == predict_class(out.data, signed, b['threshold'])


def test_the_grids_are_the_models_forward_pass_at_the_cell_centres():
    model, X, Y, data = moons_record(epochs=5)
    b = data['boundary']
    assert b['cells'] == 'numpy' and len(b['grids']) == 6 and all(len(g) == b['nx'] * b['ny'] for g in b['grids'])
    assert max(b['nx'], b['ny']) == timeline.CELLS
    assert b['points'] == [[x, y, label] for (x, y), label in zip(X, Y)]
    assert b['x'][0] < min(x for x, _ in X) and b['y'][1] > max(y for _, y in X)
    check_cells(data, nn.MLP(2, [8, 8, 1]), range(0, b['nx'] * b['ny'], 37))
    assert b['grids'][0] != b['grids'][5]


def test_without_numpy_the_grids_are_pure_python_on_a_coarser_grid(monkeypatch):
    monkeypatch.setattr(timeline, '_np', None)
    model, X, Y, data = moons_record(epochs=3)
    b = data['boundary']
    assert data['mode'] == 'accumulate' and b['cells'] == 'python'
    assert max(b['nx'], b['ny']) == timeline.CELLS_WITHOUT_NUMPY
    check_cells(data, nn.MLP(2, [8, 8, 1]), range(0, b['nx'] * b['ny'], 7))


def test_several_outputs_give_a_class_per_cell():
    X, Y = nn.data.blobs(30, k=3)
    model = nn.MLP(2, [6, 3])
    data = timeline.record(model, nn.cross_entropy, X, Y, epochs=4)
    b = data['boundary']
    assert b['outputs'] == 3 and b['threshold'] is None and b['classes'] == [0, 1, 2] and 'argmax' in b['rule']
    assert {v for g in b['grids'] for v in g} <= {0, 1, 2}
    check_cells(data, nn.MLP(2, [6, 3]), range(0, b['nx'] * b['ny'], 11))


@pytest.mark.parametrize('loss, labels, threshold, accuracy', [(nn.binary_cross_entropy_with_logits, (0, 1), 0, 0.75),
                                                                (nn.binary_cross_entropy, (0, 1), 0.5, 1.0),
                                                                (nn.hinge, (-1, 1), 0, 0.75)])
def test_the_class_rule_is_the_trainers(loss, labels, threshold, accuracy):
    """a linear neuron whose output is x1, by hand: the Trainer calls class 1 where x1 >= 0.5
    for 0/1 labels and a probability, x1 >= 0 for a logit (losses.class_threshold), and x1 > 0 for -1/+1."""
    neuron = nn.Neuron(2, activation='linear')
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, 0.0, 0.0
    X = [(-1.0, -1.0), (1.0, 1.0), (0.5, 0.0), (0.25, 0.5)]
    Y = [labels[0], labels[1], labels[1], labels[0]]
    data = timeline.record(neuron, loss, X, Y, epochs=0)
    b = data['boundary']
    assert b['threshold'] == threshold and b['signed'] == (labels[0] == -1) and b['classes'] == list(labels)
    for i, v in enumerate(b['grids'][0]):
        x1 = centre(b, i)[0]
        assert abs(v - x1) <= 5e-3 * abs(x1)
        assert predict_class(v, labels[0] == -1, threshold) == (labels[1] if x1 > threshold else labels[0])
    # the Trainer's own accuracy agrees at the samples: x1 = 0.5 is class 1 (>= 0.5, >= 0, > 0); x1 = 0.25
    # is class 0 for a probability, and class 1 for a logit and for -1/+1 (a miss)
    trainer = nn.Trainer(neuron, loss, nn.SGD(neuron.parameters(), lr=0.1))
    assert trainer.accuracy(X, Y) == accuracy
    if loss is nn.binary_cross_entropy_with_logits:
        assert 'logit' in b['rule']


def test_a_rounded_cell_never_changes_class():
    assert timeline._cells([[0.49996, 0.5004, 0.123456, -1234.5678]], 1, False) == [0.49996, 0.5, 0.123, -1230.0]
    assert timeline._cells([[1e-9, -1e-9, 0.0]], 1, True) == [1e-9, -1e-9, 0.0]


# ------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize('change, error, words', [
    ({'epochs': -1}, ValueError, "epochs must be an int >= 0, got -1"),
    ({'epochs': 2.0}, ValueError, "epochs must be an int >= 0, got 2.0"),
    ({'epochs': True}, ValueError, "got True"),
    ({'epochs': '3'}, ValueError, "got '3'"),
    ({'batch_size': 0}, ValueError, "batch_size must be None (the whole batch) or an int >= 1, got 0"),
    ({'seed': 1.5}, ValueError, "seed must be an int, got 1.5"),
    ({'mode': 'fast'}, ValueError, "mode must be None"),
    ({'optimizer': 'sgd'}, TypeError, "optimizer must be None (SGD, lr=0.1) or an optimizer"),
    ({'loss': 'hinge'}, TypeError, "loss must be a function"),
    ({'Y': [0, 1]}, ValueError, "X has 40 samples but Y has 2"),
    ({'model': nn.Module()}, TypeError, "must be an nn.Neuron, nn.Layer or nn.MLP"),
])
def test_bad_arguments_are_named(change, error, words):
    X, Y = nn.data.moons(40)
    arguments = dict(model=nn.MLP(2, [3, 1]), loss=nn.hinge, X=X, Y=Y, epochs=1)
    arguments.update(change)
    before = weights_of(arguments['model']) if not type(arguments['model']) is nn.Module else None
    with pytest.raises(error) as caught:
        timeline.record(**arguments)
    assert str(caught.value).startswith('nn.timeline.record: ') and words in str(caught.value)
    if before is not None:
        assert weights_of(arguments['model']) == before          # refused before any step


def test_a_diverging_run_says_so_and_keeps_the_last_finite_weights():
    X, Y = nn.data.moons(20)
    model = nn.MLP(2, [8, 8, 1])
    with pytest.raises(FloatingPointError) as caught:
        timeline.record(model, nn.squared_error, X, Y, optimizer=nn.SGD(model.parameters(), lr=50.0), epochs=200)
    assert str(caught.value).startswith('nn.timeline.record: Trainer: at epoch') and 'SGD(lr=50.0)' in str(caught.value)


# ------------------------------------------------------------------ the view, in Chromium
def harness(tmp_path, data, name='timeline', epoch=None):
    """one offline page: timeline.js and the data inlined; onEpoch's calls kept in window.calls."""
    options = '{}' if epoch is None else '{epoch: %d}' % epoch
    html = ('<!doctype html><html><head><meta charset="utf-8"><title>timeline</title></head>'
            '<body style="margin:16px"><div id="tl"></div><script>%s</script><script>\n'
            'window.calls = [];\nconst DATA = %s;\n'
            'window.view = Timeline.mount(document.getElementById("tl"), DATA, '
            '(e, params) => calls.push([e, params]), %s);\n</script></body></html>'
            % (timeline.script(), json.dumps(data), options))
    path = tmp_path / (name + '.html')
    path.write_text(html, encoding='utf-8')
    return str(path)


CURVE = '''cls => {
  const p = document.querySelector('polyline.' + cls + '-curve');
  const [x0, x1, a, b] = p.dataset.x.split(' ').map(Number), [y0, y1, c, d] = p.dataset.y.split(' ').map(Number);
  return p.getAttribute('points').trim().split(/\\s+/).map(s => s.split(',').map(Number))
          .map(([px, py]) => [x0 + (px - a) / (b - a) * (x1 - x0), y0 + (py - c) / (d - c) * (y1 - y0), (y1 - y0) / (c - d)]);
}'''

MARKER = '''cls => {
  const p = document.querySelector('polyline.' + cls + '-curve'), line = document.querySelector('.' + cls + '-marker');
  const dot = document.querySelector('.' + cls + '-dot');
  const [x0, x1, a, b] = p.dataset.x.split(' ').map(Number), [y0, y1, c, d] = p.dataset.y.split(' ').map(Number);
  return {epoch: x0 + (+line.getAttribute('x1') - a) / (b - a) * (x1 - x0), shown: dot.style.display !== 'none',
          value: y0 + (+dot.getAttribute('cy') - c) / (d - c) * (y1 - y0)};
}'''

CELLS = '''() => Array.from(document.querySelectorAll('.cells rect')).map(r => [r.getAttribute('fill'), r.getAttribute('data-class')])'''


def test_the_page_shows_historys_curves_and_follows_the_slider(browser, tmp_path):
    X, Y = nn.data.moons(100)
    model = nn.MLP(2, [16, 16, 1])
    data = timeline.record(model, nn.binary_cross_entropy_with_logits, X, Y, epochs=100)
    twin = nn.MLP(2, [16, 16, 1])        # History from a Trainer of its own
    history = nn.Trainer(twin, nn.binary_cross_entropy_with_logits, nn.SGD(twin.parameters(), lr=0.1),
                         mode='matrix').fit(X, Y, epochs=100, progress=False)
    page, requests, errors = open_page(browser, harness(tmp_path, data, epoch=0))

    # the curves' points, read back through the axes' mapping, are History's (to the 3 decimals of a pixel)
    for cls, expected in (('loss', history.epoch_loss), ('accuracy', history.epoch_accuracy)):
        points = page.evaluate(CURVE, cls)
        assert [round(e) for e, _, _ in points] == list(range(1, 101))
        for (_, v, per_px), h in zip(points, expected):
            assert abs(v - h) <= 1e-3 * per_px

    # the slider by keyboard: each change moves the markers and calls onEpoch(e, params[e])
    assert page.evaluate('calls.length') == 0 and page.evaluate(MARKER, 'loss')['shown'] is False
    page.focus('input.timeline-slider')
    for key, e in (('ArrowRight', 1), ('ArrowRight', 2), ('End', 100), ('ArrowLeft', 99), ('Home', 0)):
        page.keyboard.press(key)
        call = page.evaluate('calls[calls.length - 1]')
        assert call[0] == e and call[1] == data['params'][e]
        for cls, values in (('loss', history.epoch_loss), ('accuracy', history.epoch_accuracy)):
            marker = page.evaluate(MARKER, cls)
            assert abs(marker['epoch'] - e) < 1e-6 and marker['shown'] == (e >= 1)
            if e >= 1:
                assert abs(marker['value'] - values[e - 1]) < 1e-6 * max(1, abs(values[e - 1])) + 1e-3
        assert page.input_value('input.timeline-slider') == str(e)
    page.click('button[aria-label="next epoch"]')
    assert page.evaluate('calls[calls.length - 1][0]') == 1 and 'after epoch 1 of 100' in page.inner_text('.timeline-bar')

    # the boundary: each cell's class is the model's (its scalar forward at the cell's centre)
    b = data['boundary']
    seen = {}
    for e in (0, 1, 100):
        page.evaluate('e => view.setEpoch(e)', e)
        cells = page.evaluate(CELLS)
        seen[e] = (cells, page.get_attribute('path.edge', 'd'))
        assert len(cells) == b['nx'] * b['ny'] and page.get_attribute('.cells', 'data-epoch') == str(e)
        set_weights(twin, data['params'][e])
        for i in range(0, len(cells), 23):
            assert int(cells[i][1]) == predict_class(twin(centre(b, i)).data, False, b['threshold'])
        orange = {fill for fill, k in cells if k == '0'}      # class 0's cells are orange: red above blue
        assert all(int(f[4:-1].split(',')[0]) > int(f[4:-1].split(',')[2]) for f in orange)
    assert seen[0][0] != seen[1][0] != seen[100][0] and seen[0][1] != seen[100][1]
    assert seen[100][1].count('M') > 10         # a boundary line is drawn
    assert requests == [] and errors == []


def readable(page):
    """every piece of text in the view: its font size, and whether it lies inside the viewport's width"""
    return page.evaluate('''() => {
      const out = [], walk = document.createTreeWalker(document.querySelector('.timeline'), NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        out.push({text: n.textContent.slice(0, 30), size: parseFloat(getComputedStyle(n.parentElement).fontSize),
                  inside: r.left >= 0 && r.right <= innerWidth});
      }
      return {texts: out, overflow: document.documentElement.scrollWidth > innerWidth};
    }''')


@pytest.mark.parametrize('width, height', [(1280, 800), (1024, 768)])
def test_screenshots_of_the_moons_are_readable(browser, tmp_path, width, height):
    X, Y = nn.data.moons(100)
    data = timeline.record(nn.MLP(2, [16, 16, 1]), nn.binary_cross_entropy_with_logits, X, Y, epochs=100)
    page, requests, errors = open_page(browser, harness(tmp_path, data, epoch=30), width, height)
    found = readable(page)
    assert len(found['texts']) > 20 and not found['overflow']
    for t in found['texts']:
        assert t['size'] >= 10 and t['inside'], t
    # the whole view, boundary included, fits the screen
    box = page.evaluate('() => document.querySelector(".timeline").getBoundingClientRect().toJSON()')
    assert box['right'] <= width and box['bottom'] <= height
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, 'timeline_moons_%dx%d.png' % (width, height)))
    page.evaluate('view.setEpoch(0)')
    page.screenshot(path=os.path.join(SHOTS, 'timeline_moons_epoch0_%dx%d.png' % (width, height)))
    assert requests == [] and errors == []


def test_other_data_draw_without_errors(browser, tmp_path):
    """three classes (a class per cell), no boundary (3-D inputs), and no epochs at all"""
    X, Y = nn.data.blobs(60, k=3)
    blobs = timeline.record(nn.MLP(2, [8, 3]), nn.cross_entropy, X, Y, epochs=20)
    seed_like = timeline.record(nn.MLP(3, [2, 1]), nn.hinge, [(0, 1, 2), (1, 0, 2)], [1, -1], epochs=3)
    none = moons_record(epochs=0)[3]
    for name, data, width in (('blobs', blobs, 1024), ('three_d', seed_like, 1024), ('zero', none, 700)):
        page, requests, errors = open_page(browser, harness(tmp_path, data, name), width, 768)
        assert requests == [] and errors == [], name
        assert page.query_selector('.timeline-plane') is not None or data['boundary'] is None
        if name == 'blobs':
            classes = {k for _, k in page.evaluate(CELLS)}
            assert classes == {'0', '1', '2'}
            page.screenshot(path=os.path.join(SHOTS, 'timeline_blobs_1024x768.png'))
        if name == 'zero':
            assert 'no training recorded' in page.inner_text('.timeline-charts')
            assert page.is_disabled('input.timeline-slider')
            page.screenshot(path=os.path.join(SHOTS, 'timeline_zero_epochs_700x768.png'))
        for t in readable(page)['texts']:
            assert t['size'] >= 10 and t['inside'], (name, t)

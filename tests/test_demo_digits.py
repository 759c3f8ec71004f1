"""The digits demo: its accuracy, lanes beside matrix, the explained mistake, its picture and pages.
Every number is checked by numpy from the trained weights, not by the Trainer or the demo's own helpers."""
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import nn
from demos import digits

from tests.chromium import browser, open_page  # noqa: F401 - the fixture

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp('digits')
    return digits.main(out=str(out))


def layers_of(model):
    """[(W, b)] read off the model's Values, written out here rather than taken from the demo"""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]), np.array([n.b.data for n in layer.neurons]))
            for layer in model.layers]


def logits(model, X):
    (W1, b1), (W2, b2) = layers_of(model)
    return np.maximum(X @ W1.T + b1, 0) @ W2.T + b2


def test_test_accuracy_is_at_least_95_percent(run):
    X, y, Xt, yt = run['data']
    model = run['model']
    assert [len(layer.neurons) for layer in model.layers] == [32, 10] and len(model.parameters()) == 64 * 32 + 32 + 33 * 10
    right = (logits(model, Xt).argmax(axis=1) == yt).sum()
    assert right / len(yt) >= 0.95 and len(yt) == 360
    assert right / len(yt) == run['accuracy']
    # the curves: one point per epoch, the last test point the final accuracy
    assert [len(run['curves'][k]) for k in ('loss', 'train', 'test')] == [digits.EPOCHS] * 3
    assert run['curves']['test'][-1] == right / len(yt)


def test_lanes_weights_equal_matrix_weights(run):
    a = np.array([p.data for p in run['model'].parameters()])
    b = np.array([p.data for p in run['lanes_model'].parameters()])
    start = np.array([p.data for p in nn.MLP(64, [32, 10], seed=digits.SEED).parameters()])
    assert len(a) == len(b) == 2410
    assert np.abs(a - b).max() <= 1e-12
    assert np.abs(a - start).max() > 0.1          # both trained: far from where they started
    assert run['difference'] == np.abs(a - b).max()


def test_the_explained_image_is_misclassified_and_its_output_delta_is_softmax_minus_onehot(run):
    X, y, Xt, yt = run['data']
    e = run['explained']
    i, label = e['index'], e['label']
    o = logits(run['model'], Xt[i:i + 1])[0]
    assert label == yt[i] and o.argmax() != label and o.argmax() == e['predicted']
    # the most confident mistake: the largest loss -log softmax(o)_y among the misclassified
    O = logits(run['model'], Xt)
    wrong = np.nonzero(O.argmax(axis=1) != yt)[0]
    loss = np.log(np.exp(O).sum(axis=1)) - O[np.arange(len(yt)), yt]
    assert list(wrong) == list(run['wrong']) and i == wrong[np.argmax(loss[wrong])]
    view = e['view']
    p = np.exp(o - o.max())
    p /= p.sum()
    onehot = np.eye(10)[label]
    assert np.abs(np.array(view.o(view.K)) - o).max() <= 1e-12
    assert np.abs(np.array(view.delta(view.K + 1)) - (p - onehot)).max() <= 1e-12
    assert abs(view.loss - loss[i]) <= 1e-12


def test_the_scalar_graph_of_the_explained_image_gives_the_layer_views_gradients(run):
    e = run['explained']
    graph = e['graph']
    graph.root.backward()
    (W1, _), (W2, _) = layers_of(run['model'])
    dW1, dW2 = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in graph.model.layers]
    assert graph.gradients()['layers.1.neurons.0.w.0'] == dW2[0, 0]
    # ∂Loss/∂W = δ o^T (Recapitulation for the Learning Process), from numpy's own forward pass
    X, y, Xt, yt = run['data']
    x = Xt[e['index']]
    h = np.maximum(x @ W1.T + layers_of(run['model'])[0][1], 0)
    o = h @ W2.T + layers_of(run['model'])[1][1]
    d_out = np.exp(o - o.max()) / np.exp(o - o.max()).sum() - np.eye(10)[e['label']]
    d_hidden = (W2.T @ d_out) * (h > 0)
    assert np.abs(dW2 - np.outer(d_out, h)).max() <= 1e-12
    assert np.abs(dW1 - np.outer(d_hidden, x)).max() <= 1e-12
    # the model itself was never touched by the sample's backward pass
    assert all(p.grad == 0 for p in run['model'].parameters())
    assert e['steps'] > 2410


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n' and head[12:16] == b'IHDR'
    return struct.unpack('>II', head[16:24])


def test_the_picture_is_a_png_with_the_mistakes_in_red(run):
    assert png_size(run['picture']) == (1500, 740)          # figsize (15, 7.4) at 100 dpi
    from matplotlib.image import imread
    pixels = imread(run['picture'])[:, :, :3]
    red = (np.abs(pixels - np.array([0xd6, 0x27, 0x28]) / 255).max(axis=2) < 0.05)
    # the grid of digits, the left 36%: each mistake's frame is 4 points wide around a cell of about
    # 70 px, and its labels red: hundreds of red pixels each, where a picture without marks has none
    assert red[:, :540].sum() > 300 * len(run['wrong']) and pixels.std() > 0.1


@pytest.mark.parametrize('size', [(1280, 800), (1024, 768)])
def test_the_pages_open_in_chromium_without_errors(run, browser, size, tmp_path):  # noqa: F811
    e = run['explained']
    for name, expect in (('explorer', 'Test image %d: %s read as %s' % (e['index'], digits.a_digit(e['label']), digits.a_digit(e['predicted']))),
                         ('lesson', 'One training iteration on test image %d' % e['index'])):
        page, requests, errors = open_page(browser, os.path.abspath(e[name]), *size)
        page.wait_for_load_state('load')
        assert expect in page.inner_text('body'), name
        if name == 'explorer':
            page.keyboard.press('ArrowRight')               # a step: the page replays the pass
            page.wait_for_timeout(200)
            assert 'step 0 of' not in page.inner_text('body')
        else:
            page.keyboard.press('ArrowRight')
            page.wait_for_timeout(200)
            assert 'forward' in page.inner_text('body').lower()
        page.screenshot(path=str(tmp_path / ('%s.png' % name)))
        page.close()
        assert not errors and not requests, (name, errors, requests)


BLOCK_SKLEARN = ("import sys\n"
                 "class NoSklearn:\n"
                 "    def find_spec(self, name, path=None, target=None):\n"
                 "        if name == 'sklearn' or name.startswith('sklearn.'):\n"
                 "            raise ModuleNotFoundError('scikit-learn is blocked in this test', name=name)\n"
                 "sys.meta_path.insert(0, NoSklearn())\n"
                 "from demos.__main__ import main\n"
                 "sys.exit(main(sys.argv[1:]))\n")


def test_without_scikit_learn_the_demo_says_what_to_install_and_is_skipped(tmp_path):
    out = subprocess.run([sys.executable, '-c', BLOCK_SKLEARN, 'digits', '--out', str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'pip install scikit-learn' in out.stdout and './run demos' in out.stdout
    assert 'Traceback' not in out.stderr and os.listdir(tmp_path) == []


@pytest.mark.parametrize('size', [(1280, 800), (1024, 768)])
def test_the_lesson_of_the_explained_image_shows_every_number_readable(run, browser, size):  # noqa: F811
    from tests.nn.test_lesson import READABLE
    page, requests, errors = open_page(browser, os.path.abspath(run['explained']['lesson']), *size)
    for k in range(page.evaluate('D.frames.length')):
        page.evaluate('lesson.go(%d)' % k)
        result = page.evaluate(READABLE)
        assert result['circles'] == 64 + 32 + 10 and result['scrolls'] and not result['sideMoved'], (k, result)
        assert not result['overlaps'] and not result['onCircles'] and not result['small'], (k, result)
        assert not result['unreachable'] and result['shown'] >= 64, (k, result)
    assert not errors and not requests

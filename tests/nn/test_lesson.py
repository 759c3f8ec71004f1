"""nn.lesson: one training iteration at the network's scale, opened in a real headless Chromium
with the network refused and page errors recorded."""
import copy
import json
import os
import re
from fractions import Fraction

import pytest

from tests.chromium import browser, open_page  # noqa: F401 - the fixture

import nn
from autograd import Value
from demos.seed_worked_example import seed_model
from nn.lesson import num

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(ROOT, 'out', 'screenshots')        # kept for a person to look at
SIZES = ((1280, 800), (1024, 768))


def page_data(path):
    text = open(path, encoding='utf-8').read()
    return text, json.loads(text.split('const D = ')[1].split(';\n')[0])


def seed_lesson(tmp_path, sample=2):
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    return nn.lesson(model, nn.half_squared_error, X, Y, str(tmp_path / 'seed'),
                     optimizer=nn.SGD(model.parameters(), lr=1), sample=sample)


def moons_lesson(tmp_path, widths, name, **options):
    X, Y = nn.data.moons(100, seed=0)
    model = nn.MLP(2, widths)
    options.setdefault('optimizer', nn.SGD(model.parameters(), lr=0.1))
    return nn.lesson(model, nn.squared_error, X, Y, str(tmp_path / name), **options)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    # two frames: a scroll just set is otherwise not yet on the screen the screenshot takes
    page.evaluate('new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))')
    page.screenshot(path=os.path.join(SHOTS, name))


def crumb(page):
    return re.sub(r'\s+', ' ', page.locator('#crumbs').inner_text()).strip()


def rows(page):
    return [re.sub(r'\s+', ' ', t).strip() for t in page.locator('#rows .val').all_inner_texts()]


def go_to(page, phase, layer=None):
    """press PageDown from the start until the frame is `phase` (of `layer`, nn's name)."""
    page.evaluate('lesson.go(0)')
    for _ in range(40):
        f = page.evaluate('[D.frames[lesson.frame].phase, D.frames[lesson.frame].layer]')
        if f[0] == phase and (layer is None or f[1] == layer):
            return
        page.keyboard.press('PageDown')
    raise AssertionError("no frame %s %s" % (phase, layer))


# ------------------------------------------------------------------ the numbers
def test_the_seed_lesson_shows_the_articles_numbers_for_the_third_sample(browser, tmp_path):
    path = seed_lesson(tmp_path)
    page, requests, errors = open_page(browser, path)
    go_to(page, 'backward')
    shown = rows(page)
    # Recapitulation for the Learning Process, the 3rd data input: δ4 = (0) - (1) = (-1), δ3 = (-1) since
    # o2 = (0) >= 0, ∂Loss/∂W2 = δ3 * o1 = (-1) * (0, 2000, 3000) = -(0, 2000, 3000)
    assert "δ4 = (-1)" in shown and "δ3 = (-1)" in shown and "∂Loss/∂W2 = -(0, 2000, 3000)" in shown
    assert crumb(page) == "backward"
    go_to(page, 'update')
    shown = rows(page)
    # ŵ2 = w2 + (0, 2000, 3000) = (1/200, 2000 - 3/11600, 3000 + 1/5800); 2000 - 3/11600 = 23199997/11600
    assert "ΔW2 = (0, 2000, 3000)" in shown
    assert any(r.startswith("Ŵ2 = (1/200, 23199997/11600, 17400001/5800) ≈ (0.005, 1999.999741, 3000.000172)")
               for r in shown), shown
    go_to(page, 'forward')
    # o2 = (1/200)·0 - (3/11600)·2000 + (1/5800)·3000 = -15/29 + 15/29 = 0
    assert "o2 = (0)" in rows(page) and "o3 = (0)" in rows(page)
    for w, h in SIZES:
        page.set_viewport_size({'width': w, 'height': h})
        for phase in ('start', 'forward', 'loss', 'backward', 'update', 'next'):
            go_to(page, phase)
            shot(page, 'lesson_seed_%s_%dx%d.png' % (phase, w, h))
    assert not requests and not errors


def test_the_update_shown_is_the_trainers_and_the_model_is_left_as_it_was(tmp_path):
    X, Y = nn.data.moons(20, seed=1)
    for sample, make in ((3, lambda ps: nn.Adam(ps, lr=0.05)), (None, lambda ps: nn.SGD(ps, lr=0.5, momentum=0.9))):
        model = nn.MLP(2, [4, 4, 1])
        optimizer = make(model.parameters())
        nn.Trainer(model, nn.squared_error, optimizer, batch_size=5).fit(X, Y, epochs=1, progress=False)
        nn.squared_error(model(X[0]), Y[0]).backward()          # gradients and optimizer state that are not 0
        params = model.parameters()
        weights, grads = [p.data for p in params], [p.grad for p in params]
        state = optimizer.state_dict()
        twin = copy.deepcopy((model, optimizer))
        _, data = page_data(nn.lesson(model, nn.squared_error, X, Y, str(tmp_path / 'u'), optimizer=optimizer,
                                      sample=sample))
        assert [p.data for p in params] == weights and [p.grad for p in params] == grads
        assert optimizer.state_dict() == state and optimizer.params == params
        # the Trainer's step on a copy: on the sample alone, or on the whole batch
        m, o = twin
        xs, ys = (X, Y) if sample is None else ([X[sample]], [Y[sample]])
        nn.Trainer(m, nn.squared_error, o, batch_size=None, shuffle=False).fit(xs, ys, epochs=1, progress=False)
        shown = [w for layer in data['layers'] for n in layer['neurons'] for w in n['ws']]
        assert [w['w2'] for w in shown] == [num(p.data) for p in m.parameters()]
        assert [w['w'] for w in shown] == [num(v) for v in weights]
        assert [w['v2'] for w in shown] == [p.data for p in m.parameters()]
        assert any(w['vd'] != 0 for w in shown)


def test_the_seed_lesson_updates_exactly_and_the_loss_after_is_the_next_forward_pass(tmp_path):
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    _, data = page_data(nn.lesson(model, nn.half_squared_error, X, Y, str(tmp_path / 's'),
                                  optimizer=nn.SGD(model.parameters(), lr=1), sample=2))
    assert [w.data for w in model.w] == [Fraction(1, 200), Fraction(-3, 11600), Fraction(1, 5800)]
    ws = data['layers'][0]['neurons'][0]['ws']
    assert [w['d'] for w in ws] == ['0', '2000', '3000'] and [w['g'] for w in ws] == ['0', '-2000', '-3000']
    # the next pass on (0, 2000, 3000): 2000 (2000 - 3/11600) + 3000 (3000 + 1/5800) = 13,000,000 exactly
    # (the fractions cancel: -6000/11600 + 3000/5800 = 0), so loss = (13,000,000 - 1)^2 / 2
    assert data['layers'][0]['neurons'][0]['z2'] == '13000000'
    assert data['loss2'] == num(Fraction(12999999 ** 2, 2))
    words = data['frames'][-1]['words']
    assert 'higher' in words


def test_a_model_that_is_not_a_neuron_layer_or_mlp_is_refused_with_a_pointer_to_explore(tmp_path):
    with pytest.raises(TypeError, match=r"lesson: expected an nn Neuron, Layer or MLP, got Value .*autograd\.explore"):
        nn.lesson(Value(2.0), nn.squared_error, [(1.0,)], [1.0], str(tmp_path / 'v'))
    model = nn.MLP(2, [3, 1])
    other = nn.MLP(2, [3, 1])
    with pytest.raises(ValueError, match="the optimizer's parameters are not the model's"):
        nn.lesson(model, nn.squared_error, [(1.0, 2.0)], [1.0], str(tmp_path / 'v'),
                  optimizer=nn.SGD(other.parameters(), lr=0.1))
    with pytest.raises(ValueError, match=r"sample must be None .* 0\.\.0 into X, got 5"):
        nn.lesson(model, nn.squared_error, [(1.0, 2.0)], [1.0], str(tmp_path / 'v'), sample=5)
    assert not os.listdir(tmp_path)


def test_what_lesson_returns_shows_the_page_inline_in_a_notebook(tmp_path):
    path = seed_lesson(tmp_path)
    assert path == str(tmp_path / 'seed.html') and os.listdir(tmp_path) == ['seed.html']
    inline = path._repr_html_()
    assert inline.startswith('<iframe srcdoc="') and 'const D = ' in inline.replace('&#x27;', "'")
    text = open(path, encoding='utf-8').read()
    assert not re.search(r'(src|href)\s*=\s*["\']?https?:', text)     # nothing fetched from anywhere


def test_a_layer_and_a_neuron_with_bias_work_too(browser, tmp_path):
    X, Y = nn.data.moons(10, seed=2)
    for model, name in ((nn.Layer(2, 3, activation='tanh'), 'layer'), (nn.Neuron(2, 'sigmoid'), 'neuron')):
        loss = nn.cross_entropy if name == 'layer' else nn.squared_error    # 3 outputs: scores of classes 0..2
        path = nn.lesson(model, loss, X, Y, str(tmp_path / name))
        page, requests, errors = open_page(browser, path)
        for _ in range(10):
            page.keyboard.press('PageDown')
        assert page.evaluate('D.frames[lesson.frame].phase') == 'next'
        page.locator('#n-0-1' if name == 'layer' else '#n-0-0').dispatch_event('click')
        assert crumb(page).startswith('backward › n2' if name == 'layer' else 'backward › neuron')
        assert not requests and not errors


# ------------------------------------------------------------------ interaction
def test_pagedown_pageup_drill_into_a_neuron_and_back(browser, tmp_path):
    path = moons_lesson(tmp_path, [4, 4, 1], 'm4')
    page, requests, errors = open_page(browser, path)
    assert crumb(page) == 'start' and page.locator('#counter').inner_text() == '1 / 10'
    page.keyboard.press('PageDown')
    assert crumb(page) == 'forward › L1' and page.locator('#counter').inner_text() == '2 / 10'
    page.keyboard.press('PageDown'); page.keyboard.press('PageDown'); page.keyboard.press('PageDown')
    assert crumb(page) == 'loss'
    page.keyboard.press('PageUp')
    assert crumb(page) == 'forward › L3'
    for _ in range(2):
        page.keyboard.press('PageDown')
    assert crumb(page) == 'backward › L3'
    # a weight: L2.n2's third weight, the line from L1.n3
    page.locator('#w-1-1-2').dispatch_event('click')
    assert crumb(page) == 'backward › L2 › n2 › w3'
    assert page.locator('#dtext').inner_text().startswith('L2.n2.w3.grad += ')
    assert page.locator('#w-1-1-2').get_attribute('class').split() == ['w', 'hot']
    assert page.locator('#n-1-1').get_attribute('class').split() == ['neuron', 'focus']
    first = page.locator('#dcount').inner_text()
    page.keyboard.press('PageDown')
    assert page.locator('#dcount').inner_text() != first and page.locator('#dtext').inner_text().startswith('L2.n2.w4')
    page.keyboard.press('PageUp')
    assert page.locator('#dcount').inner_text() == first
    # the neuron's steps are exactly those whose ends are its z, a, w_i or b
    listed = page.locator('#dlist li').all_inner_texts()
    assert listed and all(re.search(r'L2\.n2\.', t) for t in listed)
    assert any(t.startswith('L1.n3.a.grad += ') for t in listed)        # its z passes to its input x3 = L1.n3.a
    # one click back to the network, at the frame it was at
    page.locator('#crumbs a').first.click()
    assert crumb(page) == 'backward › L3' and page.locator('#drill').is_hidden()
    page.locator('#n-0-3').dispatch_event('click')
    assert crumb(page).startswith('backward › L1 › n4')
    page.locator('#back').click()
    assert crumb(page) == 'backward › L3'
    page.locator('#n-2-0').dispatch_event('click')
    page.keyboard.press('Escape')
    assert crumb(page) == 'backward › L3'
    # at a forward frame a neuron opens at its forward steps, z = w · x + b, then a = relu(z)
    go_to(page, 'forward', 1)
    page.locator('#n-1-1').dispatch_event('click')
    assert crumb(page) == 'forward › L2 › n2 › z' and page.locator('#dtext').inner_text().startswith('L2.n2.z = L2.n2.w · ')
    page.keyboard.press('PageDown')
    assert crumb(page) == 'forward › L2 › n2 › a'
    assert re.match(r'L2\.n2\.a = relu\(L2\.n2\.z\) = relu\(-?[0-9.]+\) = [0-9.]+$', page.locator('#dtext').inner_text())
    page.keyboard.press('PageDown')
    assert crumb(page).startswith('backward › L2 › n2') and not requests and not errors


# ------------------------------------------------------------------ geometry and screenshots
GEOMETRY = '''() => {
  const bad = [], small = [];
  const view = {w: window.innerWidth, h: window.innerHeight};
  document.querySelectorAll('#nodes .neuron').forEach(g => {
    const r = g.querySelector('circle').getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !g.contains(hit) || r.left < 0 || r.top < 0 || r.right > view.w || r.bottom > view.h)
      bad.push(g.id + ' under ' + (hit ? hit.tagName + '#' + hit.id + '.' + hit.getAttribute('class') : 'nothing'));
  });
  document.querySelectorAll('svg text, #side *, #bar *, #phases span').forEach(e => {
    if (!e.textContent.trim() || e.getClientRects().length === 0) return;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < 10) small.push(e.tagName + ' ' + size + ' ' + e.textContent.slice(0, 20));
  });
  return {bad, small, circles: document.querySelectorAll('#nodes .neuron').length};
}'''


def test_every_phase_of_mlp_16_16_1_keeps_every_neuron_in_view_and_uncovered(browser, tmp_path):
    path = moons_lesson(tmp_path, [16, 16, 1], 'm16')
    for w, h in SIZES:
        page, requests, errors = open_page(browser, path, w, h)
        frames = page.evaluate('D.frames.length')
        assert frames == 10
        for k in range(frames):
            page.evaluate('lesson.go(%d)' % k)
            result = page.evaluate(GEOMETRY)
            assert result['circles'] == 2 + 16 + 16 + 1 and not result['bad'] and not result['small'], (k, result)
            phase = page.evaluate('D.frames[lesson.frame].phase')
            if phase in ('forward', 'backward', 'update') and page.evaluate('D.frames[lesson.frame].layer') in (None, 1):
                shot(page, 'lesson_mlp16_%s_%dx%d.png' % (phase, w, h))
        page.locator('#n-1-5').dispatch_event('click')           # drilling narrows the picture: still uncovered
        result = page.evaluate(GEOMETRY)
        assert not result['bad'] and not result['small'], result
        shot(page, 'lesson_mlp16_drill_%dx%d.png' % (w, h))
        assert not requests and not errors


def test_over_time_panel_redraws_the_weights_from_the_recorded_training(browser, tmp_path):
    X, Y = nn.data.moons(40, seed=0)
    model = nn.MLP(2, [4, 4, 1])
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    path = nn.lesson(model, nn.squared_error, X, Y, str(tmp_path / 't'), optimizer=optimizer, epochs=5)
    _, data = page_data(path)
    page, requests, errors = open_page(browser, path)
    alone, without = page_data(moons_lesson(tmp_path, [4, 4, 1], 'now'))      # epochs=0: no panel, no script
    assert without['timeline'] is None and 'window.Timeline = {mount' not in alone
    assert data['timeline']['epochs'] == 5 and len(data['timeline']['params']) == 6
    # the curve is the History of the same training, run here on a copy of the model
    m, o = copy.deepcopy((model, optimizer))
    history = nn.Trainer(m, nn.squared_error, o, mode=data['timeline']['mode']).fit(X, Y, epochs=5, progress=False)
    assert data['timeline']['loss'] == pytest.approx([float(v) for v in history.epoch_loss], rel=1e-12)
    page.locator('#tab-time').click()
    widths = lambda: page.evaluate("Array.from(document.querySelectorAll('line.w')).map(l => l.getAttribute('stroke-width'))")
    at_end = widths()
    assert crumb(page) == 'over time › epoch 5'
    page.keyboard.press('PageUp'); page.keyboard.press('PageUp')
    assert crumb(page) == 'over time › epoch 3' and widths() != at_end
    page.locator('#tab-iter').click()
    assert crumb(page) == 'start' and not requests and not errors


def test_a_batch_lesson_updates_from_loss_avg_and_says_whose_numbers_the_picture_shows(browser, tmp_path):
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    path = nn.lesson(model, nn.half_squared_error, X, Y, str(tmp_path / 'batch'),
                     optimizer=nn.SGD(model.parameters(), lr=Fraction(1, 10 ** 7)), sample=None)
    page, requests, errors = open_page(browser, path)
    assert "the first sample's" in page.locator('#words').inner_text()
    go_to(page, 'loss')
    # Batch Learning: loss^avg = 1/3 (0 + 0 + 1/2) = 1/6 (the article prints 5/6, a slip)
    assert "Loss^avg = 1/6 ≈ 0.1666666667" in rows(page)
    assert 'Loss^avg = 1/6 ≈ 0.1666666667' in page.locator('.lossbox').text_content()
    go_to(page, 'backward')
    # only the 3rd sample has a gradient: ∂Loss^avg/∂W2 = 1/3 δ3 o1 = -(0, 2000/3, 1000)
    assert "∂Loss^avg/∂W2 = -(0, 2000/3, 1000) ≈ -(0, 666.6666667, 1000)" in rows(page)
    go_to(page, 'next')
    # Batch Learning's step with α = 1e-7: w2 + 1e-7 (0, 2000/3, 1000), and on the first sample, (100, 2000, 100),
    # the output is 1/2 + 2000 (-3/11600 + 1/15000) + 100 (1/5800 + 1/10000) = 1/2 - 15/29 + 2/15 + 1/58 + 1/100
    # = 43/300 (the article's 0.14)
    assert page.evaluate('D.layers[0].neurons[0].a2') == "43/300 ≈ 0.1433333333"
    assert not requests and not errors


def test_a_neuron_made_of_binary_operations_owns_every_step_of_its_chain(tmp_path):
    X, Y = nn.data.moons(10, seed=0)
    model = nn.MLP(2, [2, 1], fused=False)          # L2.n1: o = (b + w1 * x1) + w2 * x2, three nodes
    _, data = page_data(nn.lesson(model, nn.squared_error, X, Y, str(tmp_path / 'chain'), sample=1))
    mine = [data['steps'][q] for q in data['layers'][1]['neurons'][0]['steps']]
    texts = [s['t'] for s in mine]
    # forward: its two products and two sums; backward: into its three chain nodes from o, its 3 parameters,
    # its 2 inputs, and o's own gradient from e
    assert sum(s['ph'] == 'forward' for s in mine) == 4
    for start in ('L2.n1.w1.grad', 'L2.n1.w2.grad', 'L2.n1.b.grad', 'L1.n1.a.grad', 'L1.n2.a.grad', 'o.grad'):
        assert sum(t.startswith(start + ' += ') for t in texts) == 1, start
    assert sum(s['ph'] == 'backward' for s in mine) == 1 + 3 + 3 + 2
    assert [s['r']['1.0'] for s in mine if s['t'].startswith('L1.n2.a.grad')] == ['x2']


# ------------------------------------------------------------------ a wide network, every number readable
READABLE = '''() => {
  const box = document.getElementById('scroller') || document.scrollingElement;
  box.scrollTop = 0; box.scrollLeft = 0;
  const R = e => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const say = t => (t.getAttribute('data-of') || (t.closest('.neuron') || {}).id || '') + ' "' + t.textContent + '"';
  const texts = Array.from(document.querySelectorAll('svg text')).filter(t => t.textContent.trim() && t.getClientRects().length);
  const boxes = texts.map(t => R(t));
  const overlaps = [], onCircles = [], small = [], unreachable = [];
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++)
      if (meet(boxes[i], boxes[j])) overlaps.push(say(texts[i]) + ' / ' + say(texts[j]));
  const circles = Array.from(document.querySelectorAll('#nodes circle')).map(c => [c.parentNode.id, R(c)]);
  texts.forEach((t, i) => {
    circles.forEach(([id, c]) => { if (meet(boxes[i], c)) onCircles.push(say(t) + ' on ' + id); });
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (size < 10 || boxes[i].height < 10) small.push(say(t) + ' ' + size + ' px, ' + boxes[i].height + ' px high');
  });
  const side = JSON.stringify(R(document.getElementById('side')));
  document.querySelectorAll('#nodes .neuron').forEach(g => {
    const circle = g.querySelector('circle');
    circle.scrollIntoView({block: 'nearest', inline: 'nearest'});
    const c = R(circle), x = c.left + c.width / 2, y = c.top + c.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !g.contains(hit) || x < 0 || y < 0 || x > innerWidth || y > innerHeight)
      unreachable.push(g.id + ' under ' + (hit ? hit.tagName + '#' + hit.id : 'nothing'));
  });
  const order = Array.from(document.getElementById('net').children).map(e => e.id);
  return {texts: texts.length, circles: circles.length, overlaps: overlaps.slice(0, 8), onCircles: onCircles.slice(0, 8),
          small: small.slice(0, 8), unreachable: unreachable.slice(0, 8), order,
          sideMoved: JSON.stringify(R(document.getElementById('side'))) !== side,
          scrolls: box.scrollHeight > box.clientHeight, shown: Array.from(document.querySelectorAll('#notes text.val')).length};
}'''


def test_a_64_input_network_shows_every_number_readable_in_every_phase_at_both_sizes(browser, tmp_path):
    X, y, Xt, yt = nn.data.digits()
    model = nn.MLP(64, [32, 10], seed=0)
    path = nn.lesson(model, nn.cross_entropy, [list(Xt[96])], [int(yt[96])], str(tmp_path / 'digits'),
                     optimizer=nn.SGD(model.parameters(), lr=0.1))
    pictured = {'start', 'forward 1', 'loss', 'backward 1', 'backward 0', 'update', 'next'}
    for w, h in SIZES:
        page, requests, errors = open_page(browser, path, w, h)
        frames = page.evaluate('D.frames.length')
        assert frames == 8
        for k in range(frames):
            page.evaluate('lesson.go(%d)' % k)
            phase, layer = page.evaluate('[D.frames[lesson.frame].phase, D.frames[lesson.frame].layer]')
            result = page.evaluate(READABLE)
            assert result['circles'] == 64 + 32 + 10 and result['scrolls'], (phase, layer, result)
            assert not result['overlaps'] and not result['onCircles'] and not result['small'], (phase, layer, result)
            assert not result['unreachable'] and not result['sideMoved'], (phase, layer, result)
            assert result['order'] == ['lines', 'nodes', 'notes']           # the lines under circles and labels
            # the numbers are there: the 64 inputs' always; z and a of every neuron of L1 at its forward frame
            assert result['shown'] >= 64 + (2 * 32 if (phase, layer) == ('forward', 0) else 0), (phase, result['shown'])
            word = phase + ('' if layer is None else ' %d' % layer)
            if word in pictured:
                page.evaluate("document.getElementById('scroller').scrollTop = 0")
                shot(page, 'lesson_digits_%s_%dx%d.png' % (word.replace(' ', ''), w, h))
                if word == 'backward 0':
                    page.evaluate("const s = document.getElementById('scroller'); s.scrollTop = s.scrollHeight")
                    shot(page, 'lesson_digits_backward0_bottom_%dx%d.png' % (w, h))
        # drilled into a neuron far down: the picture scrolls to it, still every number readable
        page.evaluate("document.getElementById('scroller').scrollTop = 0")
        page.locator('#n-0-29').dispatch_event('click')
        assert crumb(page).startswith('backward › L1 › n30')
        top = page.evaluate("document.getElementById('scroller').scrollTop")
        in_view = '''() => { const r = document.querySelector('#n-0-29 circle').getBoundingClientRect(),
                             b = document.getElementById('scroller').getBoundingClientRect();
                             return r.top >= b.top + 28 && r.bottom <= b.bottom; }'''
        assert page.evaluate(in_view)
        shot(page, 'lesson_digits_drill_%dx%d.png' % (w, h))
        result = page.evaluate(READABLE)
        assert top > 0 and not result['overlaps'] and not result['onCircles'] and not result['unreachable'], result
        assert not requests and not errors
        page.close()


@pytest.mark.parametrize('which', ['seed', 'mlp16'])
def test_the_seed_and_mlp_16_16_1_fit_their_pane_with_every_number_readable(browser, tmp_path, which):
    path = seed_lesson(tmp_path) if which == 'seed' else moons_lesson(tmp_path, [16, 16, 1], 'm16')
    fits = '''() => { const b = document.getElementById('scroller');
                      return b.scrollHeight <= b.clientHeight && b.scrollWidth <= b.clientWidth; }'''
    for w, h in SIZES:
        page, requests, errors = open_page(browser, path, w, h)
        for k in range(page.evaluate('D.frames.length')):
            page.evaluate('lesson.go(%d)' % k)
            assert page.evaluate(fits), k                      # no scrolling: the whole network at once
            result = page.evaluate(READABLE)
            assert not result['overlaps'] and not result['onCircles'] and not result['small'], (k, result)
            assert not result['unreachable'] and result['shown'] >= 2, (k, result)
        page.locator('#n-0-0' if which == 'seed' else '#n-1-5').dispatch_event('click')
        for _ in range(4):                                     # a few steps, each with its other end lit
            assert page.evaluate(fits)
            result = page.evaluate(READABLE)
            assert not result['overlaps'] and not result['onCircles'] and not result['unreachable'], result
            page.keyboard.press('PageDown')
        shot(page, 'lesson_%s_drill_%dx%d.png' % (which, w, h))
        assert not requests and not errors
        page.close()

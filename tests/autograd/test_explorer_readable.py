"""The explorer at an MLP's scale, opened in a real headless Chromium with the network refused:
every step's two nodes on screen, uncovered and readable; the side panel (step lens, legend,
keys) beside the drawing and folding away; the breadcrumb and the progress per layer; the
trivial steps passed over; a presenter's clicker (PageDown, PageUp)."""
import re
import os
import shutil

import pytest

import nn
from autograd import Value, explore, record_scopes, step
from autograd.explore import crumbs, trivial
from autograd.notation import fmt

# the explorer's browser, page helpers and screenshot folder (not tests: nothing is collected twice)
from tests.autograd.test_explore import browser, open_page, shot  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which('dot') is None, reason="the Graphviz dot program is not installed")
SIZES = [(1280, 800), (1024, 768)]


def mlp_loss(widths):
    """one sample's loss graph of nn.MLP(2, widths) (seeded weights), with its layers recorded."""
    model = nn.MLP(2, widths)
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model([0.5, -1.0]), 1.0)
    return loss, scopes


@pytest.fixture(scope='module')
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp('readable')
    made = {}
    for widths in ([4, 4, 1], [16, 16, 1]):
        loss, scopes = mlp_loss(widths)
        made[widths[0]] = (loss, explore(loss, str(folder / ('mlp%d' % widths[0])), clusters=scopes))
    return made


def geometry(page):
    """the current step's two value boxes (the operation's result, passing gradient, and the input
    receiving it): inside the drawing's part of the viewport? the element at each centre (it, or a
    child of it?); the text's font size times the zoom, and its rendered height, in CSS px."""
    return page.evaluate('''() => {
      const s = D.steps[explorer.step - 1], v = document.getElementById('graph').getBoundingClientRect();
      const zoom = d3.zoomTransform(document.getElementById('graph')).k;
      return [s.n, s.p].map(id => {
        const g = document.getElementById(id), r = g.getBoundingClientRect(), t = g.querySelector('text');
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return {id, name: t.textContent,
                inside: r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom
                        && r.right <= window.innerWidth && r.bottom <= window.innerHeight,
                uncovered: hit !== null && (hit === g || g.contains(hit)),
                hit: hit ? hit.tagName + '#' + hit.id + '.' + hit.getAttribute('class') : null,
                px: parseFloat(t.getAttribute('font-size')) * zoom, height: t.getBoundingClientRect().height};
      }); }''')


def assert_readable(page, k):
    page.evaluate('k => explorer.go(k)', k)
    for node in geometry(page):
        assert node['inside'] and node['uncovered'] and node['px'] >= 10 and node['height'] >= 10, (k, node)


@pytest.mark.parametrize("width,height", SIZES)
def test_every_step_of_a_small_mlp_shows_both_nodes_uncovered_and_readable(browser, pages, width, height):  # noqa: F811
    loss, path = pages[4]
    page, requests, errors = open_page(browser, path, width, height)
    n = page.evaluate('D.steps.length')
    assert n == len(step(loss)) == 76
    for k in range(1, n + 1):
        assert_readable(page, k)
    assert requests == [] and errors == []
    page.close()


@pytest.mark.parametrize("width,height", SIZES)
def test_forty_steps_across_a_wide_mlp_show_both_nodes_uncovered_and_readable(browser, pages, width, height):  # noqa: F811
    loss, path = pages[16]
    page, requests, errors = open_page(browser, path, width, height)
    n = page.evaluate('D.steps.length')
    assert n == len(step(loss))
    sample = sorted(set([1, 2, 3, n] + [1 + i * (n - 1) // 39 for i in range(40)]))
    assert len(sample) >= 40
    cut = 0
    for k in sample:
        assert_readable(page, k)
        cut += page.evaluate("document.querySelector('.cutlayer') !== null")
    # the layout's long edges (a whole layer's height apart) were cut short, not shrunk
    assert cut > 0
    assert requests == [] and errors == []
    page.close()


def test_a_long_edge_is_cut_short_with_a_band_that_says_so(browser, pages):  # noqa: F811
    loss, path = pages[16]
    page, _, errors = open_page(browser, path)
    # the first step into a first-layer activation from the last neuron of layer 2: a long edge
    k = page.evaluate("D.steps.findIndex(s => s.t.startsWith('L1.n1.a.grad += ∂(L2.n16.z)')) + 1")
    assert k > 0
    assert_readable(page, k)
    band = page.evaluate("document.querySelector('.cutlayer .band text').textContent")
    assert 'px of the drawing cut out here' in band
    hidden = page.evaluate("document.querySelectorAll('g.cut').length")
    assert hidden > 10
    # the current edge is still drawn (squeezed across the band), and on screen it joins its input to its operation
    edge = page.evaluate('''() => { const s = D.steps[explorer.step - 1], e = document.getElementById(s.e),
        box = id => document.getElementById(id).getBoundingClientRect(), r = e.getBoundingClientRect(), p = box(s.p), op = box(s.n + 'op');
      return {shown: !e.classList.contains('cut') && getComputedStyle(e).display !== 'none', d: e.querySelector('path').getAttribute('d'),
              joins: r.top <= Math.min(p.bottom, op.bottom) + 2 && r.bottom >= Math.max(p.top, op.top) - 2}; }''')
    assert edge['shown'] and edge['joins'], edge
    page.keyboard.press('f')                               # the whole graph: nothing cut any more
    assert page.evaluate("document.querySelectorAll('g.cut').length + document.querySelectorAll('.cutlayer').length") == 0
    restored = page.evaluate("k => document.getElementById(D.steps[k - 1].e).querySelector('path').getAttribute('d')", k)
    source = open(path, encoding='utf-8').read()
    assert restored != edge['d'] and ('d="%s"' % restored) in source      # dot's own route again
    shot(page, 'explorer_cut_fit.png')
    assert errors == []


def test_page_down_and_page_up_step_as_the_arrows_do(browser, pages):  # noqa: F811
    page, _, errors = open_page(browser, pages[4][1])
    for key in ('PageDown', 'PageDown', 'PageDown', 'PageUp', 'ArrowRight', 'ArrowLeft'):
        page.keyboard.press(key)
    assert page.evaluate('explorer.step') == 2
    assert page.inner_text('#counter') == 'step 2 of 76'
    assert errors == []


@pytest.mark.parametrize("width,height", SIZES)
def test_the_side_panel_stands_beside_the_drawing_and_folds_away(browser, pages, width, height):  # noqa: F811
    page, _, errors = open_page(browser, pages[16][1], width, height)
    page.evaluate('explorer.go(300)')
    rect = "(id => { const r = document.getElementById(id).getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })"
    drawing, side = page.evaluate(rect + "('graph')"), page.evaluate(rect + "('side')")
    assert drawing[1] <= side[0] and side[1] <= width          # beside it, not over it
    for part in ('lenssection', 'legend', 'helpsection'):
        r = page.evaluate(rect + "('%s')" % part)
        assert r[0] >= drawing[1], part
    page.click('#collapse')
    wide = page.evaluate(rect + "('graph')")
    assert wide[1] - wide[0] >= drawing[1] - drawing[0] + 300     # the drawing gets the room
    assert not page.locator('#legend').is_visible() and not page.locator('#lenssection').is_visible()
    assert_readable(page, 300)                                     # and still follows the step
    shot(page, 'explorer_panel_collapsed_%dx%d.png' % (width, height))
    page.click('#collapse')
    assert page.evaluate(rect + "('graph')") == drawing and page.locator('#legend').is_visible()
    page.keyboard.press('h')
    assert not page.locator('#legend').is_visible()
    assert errors == []


def test_the_lens_draws_the_operation_with_every_input_at_12_px(browser, pages):  # noqa: F811
    loss, path = pages[16]
    page, _, errors = open_page(browser, path)
    # L2.n6.z = w · x + b has 33 inputs: its 16 weights, the 16 activations of layer 1, its bias
    k = page.evaluate("D.steps.findIndex(s => s.t.startsWith('L2.n6.w7.grad')) + 1")
    page.evaluate('k => explorer.go(k)', k)
    lens = page.evaluate('''() => {
      const boxes = Array.from(document.querySelectorAll('#lens g.box'));
      return {names: boxes.map(b => b.querySelector('text').textContent),
              receiver: Array.from(document.querySelectorAll('#lens g.box.receiver')).map(b => b.textContent),
              current: document.querySelectorAll('#lens line.arrow.current').length,
              sizes: Array.from(document.querySelectorAll('#lens text')).map(t => parseFloat(getComputedStyle(t).fontSize)),
              op: document.querySelector('#lens g.op text').textContent}; }''')
    inputs = ['L2.n6.w%d' % i for i in range(1, 17)] + ['L1.n%d.a' % i for i in range(1, 17)] + ['L2.n6.b']
    assert sorted(name.split(' = ')[0] for name in lens['names'][1:]) == sorted(inputs)
    assert lens['names'][0] == 'L2.n6.z' and lens['op'] == 'w · x + b'
    assert len(lens['receiver']) == 1 and lens['receiver'][0].startswith('L2.n6.w7 = ') and lens['current'] == 1
    assert min(lens['sizes']) >= 12
    # the step's numbers beside it: local (x_7 = L1.n7.a), upstream, contribution, before -> after
    stepper = step(loss).run()
    s = stepper.steps[k - 1]
    x7 = next(p for p in s.node.parents if stepper.names[p] == 'L1.n7.a')
    rows = page.inner_text('#lensnums').split('\n')
    assert s.parent_name == 'L2.n6.w7' and rows[0] == 'local ∂(L2.n6.z)/∂(L2.n6.w7)\t' + fmt(x7.data)
    assert rows[1] == '× L2.n6.z.grad\t' + fmt(s.node.grad) and rows[2].startswith('= contribution\t')
    shot(page, 'explorer_lens_dot.png')
    assert errors == []


def test_the_breadcrumb_reads_phase_layer_neuron_parameter(browser, pages):  # noqa: F811
    assert crumbs('L2.n6.w7', 'backward') == ['backward', 'L2', 'n6', 'w7']
    assert crumbs('L1.n12.a', 'backward') == ['backward', 'L1', 'n12', 'a']
    assert crumbs('e²', 'backward') == ['backward', 'e²'] and crumbs('x1', 'forward') == ['forward', 'x1']
    page, _, errors = open_page(browser, pages[4][1])
    for start, expected in (('L2.n3.w4.grad', 'backward › L2 › n3 › w4'), ('e.grad', 'backward › e'),
                            ('L1.n2.b.grad', 'backward › L1 › n2 › b'), ('x2.grad', 'backward › x2')):
        k = page.evaluate("start => D.steps.findIndex(s => s.t.startsWith(start)) + 1", start)
        assert k > 0, start
        page.evaluate('k => explorer.go(k)', k)
        assert page.inner_text('#crumbs') == expected
    assert errors == []


def test_progress_counts_each_layers_steps_done(browser, pages):  # noqa: F811
    loss, path = pages[4]
    steps = step(loss).run().steps

    def layer(name):         # counted here from the names, apart from the page's own code
        return name.split('.')[0] if name.startswith('L') and '.' in name else (
            'inputs' if name in ('x1', 'x2') else 'outside layers')
    page, _, errors = open_page(browser, path)
    for k in (0, 5, 40, 76):
        page.evaluate('k => explorer.go(k)', k)
        shown = page.evaluate('''() => Array.from(document.querySelectorAll('#progress .group'))
                                  .map(g => [g.children[0].textContent, g.children[2].textContent])''')
        expected = {}
        for s in steps:
            done, total = expected.get(layer(s.parent_name), (0, 0))
            expected[layer(s.parent_name)] = (done + (s.number <= k), total + 1)
        assert dict(shown) == {name: '%d/%d' % counts for name, counts in expected.items()}, k
    assert errors == []


def test_skipping_trivial_steps_passes_over_exactly_local_1_or_contribution_0(browser, pages, tmp_path):  # noqa: F811
    loss, _ = pages[4]
    steps = step(loss).run().steps
    plain = [s.number for s in steps if not (s.local == 1 or s.contribution == 0)]    # counted independently
    assert 0 < len(plain) < len(steps) and [s.number for s in steps if not trivial(s)] == plain
    page, _, errors = open_page(browser, explore(loss, str(tmp_path / 'skip'), skip_trivial=True))
    assert page.is_checked('#skip')
    assert page.inner_text('#trivial') == '(%d of %d)' % (len(steps) - len(plain), len(steps))
    seen = []
    for _ in range(len(steps)):
        page.keyboard.press('PageDown')
        if not seen or page.evaluate('explorer.step') != seen[-1]:
            seen.append(page.evaluate('explorer.step'))
    last = len(steps)
    assert seen == plain + ([last] if last not in plain else [])
    assert '%d skipped in all' % (len(steps) - len(plain)) in page.inner_text('#skipped')
    back = [p for p in reversed(plain) if p != last] + [0]
    for expected in back:
        page.keyboard.press('PageUp')
        assert page.evaluate('explorer.step') == expected
    page.uncheck('#skip')                     # off: every step again
    page.evaluate('explorer.go(0)')
    page.keyboard.press('PageDown'); page.keyboard.press('PageDown')
    assert page.evaluate('explorer.step') == 2
    assert errors == []


def test_skip_trivial_must_be_a_bool(tmp_path):
    a = Value(2.0, 'a'); L = a * 3.0
    with pytest.raises(TypeError, match=r"explore: skip_trivial must be True or False, got 'yes'"):
        explore(L, str(tmp_path / 'p'), skip_trivial='yes')
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("width,height", SIZES)
def test_screenshots_of_the_seed_graph_and_a_wide_mlp(browser, pages, tmp_path, width, height):  # noqa: F811
    from demos.seed_worked_example import seed_model
    model = seed_model()
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model((0, 2000, 3000)), 1)
    page, requests, errors = open_page(browser, explore(loss, str(tmp_path / 'seed'), clusters=scopes), width, height)
    k = page.evaluate("D.steps.findIndex(s => s.t.startsWith('w2.grad')) + 1")
    assert_readable(page, k)
    # the seed articles' numbers: z.grad = -1, x2 = 2000, so w2.grad = -2000
    # the seed articles' numbers, by hand: w2's local derivative is x2 = 2000, z.grad = ReLU'(0) · o.grad = 1 · (0 - 1)
    # = -1, so the contribution is 2000 · -1 = -2000; w2 had no gradient before ('-')
    assert page.inner_text('#lensnums').split('\n') == ['local ∂z/∂w2\t2000', '× z.grad\t-1', '= contribution\t-2000',
                                                          'w2.grad\t- → -2000']
    shot(page, 'explorer_seed_w2_%dx%d.png' % (width, height))
    page.close()
    page, requests2, errors2 = open_page(browser, pages[16][1], width, height)
    k = page.evaluate("D.steps.findIndex(s => s.t.startsWith('L1.n9.a.grad += ∂(L2.n9.z)')) + 1")
    assert_readable(page, k)
    shot(page, 'explorer_mlp16_backward_%dx%d.png' % (width, height))
    assert requests == requests2 == [] and errors == errors2 == []


# ------------------------------------------------------------------ forward steps in the page

def boxes_text(page):
    """every value box's name -> [its data text, its grad text], as the page shows them now."""
    return page.evaluate('''() => { const out = {};
      for (const id in D.nodes) { const g = document.getElementById(id); if (!g) continue;
        const t = Array.from(g.querySelectorAll('text')).map(t => t.textContent);
        out[D.nodes[id].name] = [t.find(x => x.startsWith('data ')), t.find(x => x.startsWith('grad '))]; }
      return out; }''')


def test_the_forward_pass_comes_first_one_operation_a_step(browser, tmp_path):  # noqa: F811
    from autograd import graph_nodes
    loss, scopes = mlp_loss([4, 4, 1])
    ops = [n for n in graph_nodes(loss) if not n.is_leaf()]
    leaves = [n for n in graph_nodes(loss) if n.is_leaf()]
    grads = [n.grad for n in graph_nodes(loss)]
    path = explore(loss, str(tmp_path / 'fw'), clusters=scopes, forward=True)
    assert [n.grad for n in graph_nodes(loss)] == grads                     # every .grad left as it was
    page, requests, errors = open_page(browser, path)
    assert page.evaluate('D.forward') == len(ops) and page.evaluate('D.steps.length') == len(ops) + 76
    names = step(loss).naming.names
    at_start = boxes_text(page)
    # nothing computed yet: every operation's value '-', every leaf's known; no gradient anywhere
    assert all(at_start[names[n]][0] == 'data -' for n in ops)
    assert all(at_start[names[n]][0] == 'data ' + fmt(n.data) for n in leaves)
    assert all(grad == 'grad -' for _, grad in at_start.values())
    assert page.inner_text('#crumbs') == 'forward › start'
    computed = []
    for j in range(1, len(ops) + 1):
        page.keyboard.press('PageDown')
        k = page.evaluate('explorer.step')
        assert k == j
        node = page.evaluate('k => D.nodes[D.steps[k - 1].n].name', k)
        computed.append(node)
        shown = boxes_text(page)
        assert shown[node][0] != 'data -'
        # each operation once its inputs are known: evaluation order
        assert all(shown[names[n]][0] == ('data ' + fmt(n.data) if names[n] in computed else 'data -') for n in ops)
        assert all(grad == 'grad -' for _, grad in shown.values())
    assert sorted(computed) == sorted(names[n] for n in ops)
    assert page.inner_text('#crumbs') == 'forward › ' + ' › '.join(crumbs(computed[-1], 'forward')[1:])
    first = computed[0]                                        # L1.n1.z = w · x + b, the first neuron's sum
    assert first == 'L1.n1.z'
    page.keyboard.press('PageDown')                            # the backward pass begins: loss.grad = 1
    shown = boxes_text(page)
    assert shown['loss'][1] == 'grad 1.0' and page.inner_text('#crumbs') == 'backward › e²'
    page.keyboard.press('PageUp')                              # back across the boundary: no gradient again
    assert all(grad == 'grad -' for _, grad in boxes_text(page).values())
    page.keyboard.press('Home')
    assert boxes_text(page) == at_start
    assert requests == [] and errors == []


@pytest.mark.parametrize("width,height", SIZES)
def test_screenshots_of_forward_steps(browser, pages, tmp_path, width, height):  # noqa: F811
    from demos.seed_worked_example import seed_model
    model = seed_model()
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model((0, 2000, 3000)), 1)
    page, requests, errors = open_page(browser, explore(loss, str(tmp_path / 'seed'), clusters=scopes, forward=True),
                                       width, height)
    page.evaluate("explorer.go(D.steps.findIndex(s => s.t.startsWith('z = ')) + 1)")
    # z = w · x = 0 · 1/200 + 2000 · (-3/11600) + 3000 · 1/5800 = 0, by hand (the articles' third sample)
    # the typeset step marks the value computed with 'new' under it (Step.mathml)
    assert re.search(r'=\s*0\s*(new)?\s*$', page.inner_text('#math')) and page.inner_text('#crumbs') == 'forward › z'
    shot(page, 'explorer_seed_forward_%dx%d.png' % (width, height))
    page.close()
    loss, scopes = mlp_loss([16, 16, 1])
    page, requests2, errors2 = open_page(browser, explore(loss, str(tmp_path / 'm16'), clusters=scopes, forward=True),
                                         width, height)
    page.evaluate("explorer.go(D.steps.findIndex(s => s.t.startsWith('L2.n6.z = ')) + 1)")
    assert page.inner_text('#crumbs') == 'forward › L2 › n6 › z'
    lens = page.evaluate("Array.from(document.querySelectorAll('#lens g.box')).length")
    assert lens == 1 + 33                                       # the result and its 33 inputs
    node = page.evaluate('''() => {                     // the node computed: on screen, uncovered, readable
      const g = document.getElementById(D.steps[explorer.step - 1].n), r = g.getBoundingClientRect(),
            v = document.getElementById('graph').getBoundingClientRect(),
            hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      return {inside: r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom, uncovered: g.contains(hit),
              px: parseFloat(g.querySelector('text').getAttribute('font-size')) * d3.zoomTransform(document.getElementById('graph')).k}; }''')
    assert node['inside'] and node['uncovered'] and node['px'] >= 10, node
    shot(page, 'explorer_mlp16_forward_%dx%d.png' % (width, height))
    assert requests == requests2 == [] and errors == errors2 == []


def test_a_forward_steppers_page_opens_at_its_step_and_keeps_it(tmp_path):
    from tests.autograd.test_explore import page_data
    loss, _ = mlp_loss([4, 4, 1])
    s = step(loss, forward=True)
    for _ in range(3):
        s.next()
    page = s.explore(str(tmp_path / 'at3'))
    data = page_data(page)[1]
    assert data['at'] == 3 and data['forward'] == s.forward_count > 3 and data['steps'][2]['f'] == 1
    assert s.position == 3 and s.phase == 'forward' and s.grads == {}
    assert s._repr_html_().startswith('<iframe srcdoc="')
    with pytest.raises(ValueError, match=r"explore: forward=True, but the stepper given has no forward steps"):
        explore(loss, str(tmp_path / 'x'), stepper=step(loss), forward=True)
    with pytest.raises(TypeError, match=r"explore: forward must be True or False, got 1"):
        explore(loss, str(tmp_path / 'y'), forward=1)

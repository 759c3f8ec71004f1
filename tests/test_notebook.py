"""In a real Jupyter kernel (nbclient): a Value shows its graph, a Step its equation typeset, a
Stepper both, and a long fit a progress bar; the notebook, exported to HTML, shows them in Chromium."""
import os
import re
import shutil

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from tests.chromium import browser, open_page  # noqa: E402,F401 - the fixture

ROOT = os.path.dirname(os.path.abspath(__file__ + '/..'))
needs_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="the Graphviz dot program is not installed")

CELLS = [
    "from autograd import Value, step\n"
    "a = Value(2.0, label='a'); b = Value(-3.0, label='b')\n"
    "L = (a * b + a).tanh(); L.label = 'L'\n"
    "L",
    "s = step(L)\ns.next()",
    "s.next(); s",
    "import nn\nmodel = nn.MLP(2, [16, 16, 1])\nloss = nn.squared_error(model([0.5, -1.0]), 1.0)\nloss",
    "X, Y = nn.data.moons(100, seed=0, labels=(-1, 1))\n"
    "trainer = nn.Trainer(model, nn.hinge, nn.SGD(model.parameters(), 0.05), batch_size=10)\n"
    "history = trainer.fit(X, Y, epochs=150)",   # several seconds: past the bar's 1 s delay
    "history = nn.Trainer(nn.Neuron(2), nn.hinge, nn.SGD([], 0.1)).fit(X[:4], Y[:4], epochs=3)",
    # the README's first example (demos/first_graph.py), drawn
    "from autograd import draw\n"
    "a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c')\n"
    "e = a * b; e.label = 'e'\nd = e + c; d.label = 'd'\nf = d.tanh(); f.label = 'L'\nf.backward()\ndraw(f)",
    "m4 = nn.MLP(2, [4, 4, 1])\nloss4 = nn.squared_error(m4([0.5, -1.0]), 1.0)\nloss4.backward()\ndraw(loss4)",
    "loss4",
    "history = trainer.fit(X, Y, epochs=20, progress=False)\nhistory",      # 20 more epochs of cell 4's model
    "forward = step(f, forward=True)\nforward.next()",
]
FIRST_DRAWING, MLP_DRAWING, MLP_VALUE, HISTORY, FORWARD = 6, 7, 8, 9, 10


@pytest.fixture(scope='module')
def executed():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',
                                     resources={'metadata': {'path': ROOT}})
    client.execute()
    return nb


def mime(cell):
    bundle = {}
    for out in cell.outputs:
        bundle.update(out.get('data', {}))
    return bundle


@needs_dot
def test_a_value_displays_its_graph(executed):
    data = mime(executed.cells[0])
    html = data['text/html']
    assert '<svg' in html and 'overflow:auto' in html
    assert '>L</text>' in html and '>a</text>' in html and 'data 2.0' in html.replace('&#160;', ' ')
    assert data['text/plain'].startswith('Value(data=')


def test_a_step_displays_its_equation_typeset(executed):
    data = mime(executed.cells[1])
    # t1 = a * b, t2 = t1 + a, L = tanh(t2): the first step is L -> t2
    assert data['text/plain'].startswith('<Step 1: t2.grad += ∂L/∂t2 · L.grad = ')
    assert data['text/html'].startswith('<math display="block"') and '<mfrac>' in data['text/html']
    assert data['text/latex'].startswith('$$') and r'\frac{\partial \mathrm{L}}{\partial \mathrm{t2}}' in data['text/latex']


@needs_dot
def test_a_stepper_displays_the_explorer_at_its_step(executed):
    html = mime(executed.cells[2])['text/html']
    # the explorer page itself, in an iframe's srcdoc (works with no kernel), opening at step 2
    assert html.startswith('<iframe srcdoc="') and '&lt;svg id=&quot;graph&quot;' in html
    assert '&quot;at&quot;:2,' in html and 'explorer.animate' not in html.split('srcdoc')[0]


@needs_dot
def test_a_large_graph_shows_the_part_near_the_root_and_says_so(executed):
    html = mime(executed.cells[3])['text/html']
    assert 'This graph has' in html and '<svg' in html and 'draw(root, depth=d)' in html


def test_a_long_fit_shows_a_progress_bar_and_a_short_one_none(executed):
    assert any('application/vnd.jupyter.widget-view+json' in out.get('data', {})
               for out in executed.cells[4].outputs)
    assert executed.cells[5].outputs == []


def exported_page(browser, executed, tmp_path, width, height):
    """the executed notebook exported to HTML (nbconvert) and opened in Chromium, offline: the
    template's CDN scripts are refused at once instead of waited for; (page, page errors)."""
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(executed)
    page_path = tmp_path / 'notebook.html'
    page_path.write_text(body, encoding='utf-8')
    page, _, errors = open_page(browser, str(page_path), width, height)
    return page, errors


@needs_dot
def test_the_exported_notebook_shows_equation_and_picture_in_chromium(browser, executed, tmp_path):  # noqa: F811
    page, _ = exported_page(browser, executed, tmp_path, 1100, 900)
    try:
        equation = page.locator('math.step').first
        assert equation.is_visible()
        box = equation.bounding_box()
        assert box['height'] >= 20 and box['width'] >= 200            # typeset, not squeezed
        assert 'local' in equation.text_content()
        graph = page.locator('.autograd-drawing > svg').first
        assert graph.is_visible()
        # the drawing's text is drawn at a size a person reads (a small graph is not squeezed much)
        heights = graph.evaluate('svg => Array.from(svg.querySelectorAll("text")).map(e => e.getBoundingClientRect().height)')
        frame = page.frame_locator('iframe').first               # the Stepper's explorer, at its step
        assert frame.locator('#counter').inner_text() == 'step 2 of 5'
        assert frame.locator('#graph').is_visible() and 't1.grad +=' in frame.locator('#eqtext').inner_text()
        page.screenshot(path=str(tmp_path / 'notebook.png'), full_page=True)
        keep = os.environ.get('SCREENSHOT_DIR')
        if keep:
            shutil.copy(tmp_path / 'notebook.png', os.path.join(keep, 'notebook.png'))
        assert heights and min(h for h in heights if h > 0) >= 9, heights
    finally:
        page.close()


def test_history_shows_its_curves_and_one_line(executed):
    data = mime(executed.cells[HISTORY])
    assert data['text/plain'].startswith('History(20 epochs (200 steps), loss ') and len(data['text/plain']) < 100
    assert data['text/html'].count('<svg') == 1 and 'History: 20 epochs (200 steps), loss ' in data['text/html']


def test_a_forward_step_displays_typeset(executed):
    data = mime(executed.cells[FORWARD])
    assert data['text/plain'] == '<Step 1: e = a * b = 2.0 * -3.0 = -6.0>'
    assert data['text/html'].startswith('<math display="block" class="step forward">')
    assert data['text/latex'].startswith(r'$$\mathrm{e} = \mathrm{a} \cdot \mathrm{b} = 2.0 \cdot -3.0')


BLANK = 24      # CSS px: the most a drawing's box may hold beyond what is drawn, on any side (dot's margins
                # and the legend's spacing are 13 px at most; the old letterboxed drawings had hundreds)

# the picture of each output area: its width; each svg or img shown in it (not inside another svg), its
# size and, for dot's drawings, the box of everything drawn (nodes, edges, clusters, the legend) in it
MEASURE = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map((area, k) => {
    const a = area.getBoundingClientRect();
    const pictures = Array.from(area.querySelectorAll('svg, img, iframe'))
        .filter(p => !(p.parentElement && p.parentElement.closest('svg')) && p.checkVisibility())
        .map(p => {
            const r = p.getBoundingClientRect();
            const drawn = Array.from(p.querySelectorAll('g.node, g.edge, g.cluster, g.graph > text, g.graph > polygon:not(:first-of-type)'))
                .map(g => g.getBoundingClientRect()).filter(q => q.width || q.height);
            const box = drawn.length ? {left: Math.min(...drawn.map(q => q.left)), top: Math.min(...drawn.map(q => q.top)),
                                        right: Math.max(...drawn.map(q => q.right)), bottom: Math.max(...drawn.map(q => q.bottom))} : null;
            return {tag: p.tagName.toLowerCase(), cls: p.getAttribute('class') || '', left: r.left, top: r.top,
                    width: r.width, height: r.height, drawn: box};
        });
    return {index: k, width: a.width, left: a.left, height: a.height, pictures: pictures};
})"""


@needs_dot
@pytest.mark.parametrize('width, height', [(1280, 800), (1024, 768)])
def test_in_chromium_every_drawing_fits_its_cell_and_fills_its_box(browser, executed, tmp_path,  # noqa: F811
                                                                   width, height):
    page, errors = exported_page(browser, executed, tmp_path, width, height)
    try:
        areas = page.evaluate(MEASURE)
        assert len(areas) >= 10
        pictures = 0
        for area in areas:
            for picture in area['pictures']:
                pictures += 1
                # never wider than the cell, nor sticking out of it
                assert picture['width'] <= area['width'] + 0.5, (width, area['index'], picture)
                assert picture['left'] + picture['width'] <= area['left'] + area['width'] + 0.5, picture
                box = picture['drawn']
                if box is not None:          # dot's drawing: what is drawn fills its box (dot's margin aside)
                    margins = [box['left'] - picture['left'], box['top'] - picture['top'],
                               picture['left'] + picture['width'] - box['right'],
                               picture['top'] + picture['height'] - box['bottom']]
                    assert max(margins) <= BLANK, (width, area['index'], margins, picture)
        assert pictures >= 7         # five drawings, the explorer's frame, History
        # the first example: whole at the cell's width, its natural size one click away
        first = page.locator('.autograd-drawing', has_text='data 10.0').first
        fitted_svg = first.locator(':scope > svg')
        area_width = page.evaluate("e => e.closest('.jp-OutputArea-output').getBoundingClientRect().width",
                                   first.element_handle())
        natural = float(re.search(r'max-width:(\d+)px', fitted_svg.get_attribute('style')).group(1))
        assert natural > area_width            # too wide for the cell at this size: scaled down to its width
        assert fitted_svg.bounding_box()['width'] == pytest.approx(first.bounding_box()['width'], abs=0.5)
        assert 'L' in fitted_svg.text_content() and 'tanh' in fitted_svg.text_content()     # the root is in it
        first.locator('summary').click()
        scroller = first.locator('details > div')
        sizes = page.evaluate("e => [e.clientWidth, e.scrollWidth, e.getBoundingClientRect().width]",
                              scroller.element_handle())
        assert sizes[2] <= area_width + 0.5 and sizes[1] == pytest.approx(natural, abs=1) and sizes[1] > sizes[0]
        page.screenshot(path=str(tmp_path / 'opened.png'))
        first.locator('summary').click()
        # History is a picture, with its line under it
        history = page.locator('.history').first
        assert history.locator('svg').is_visible() and history.locator('svg polyline.loss').count() == 1
        assert history.locator('svg').bounding_box()['width'] <= area_width + 0.5
        assert 'History: 20 epochs' in history.inner_text()
        assert page.locator('math.step.forward').first.is_visible()
        shot = tmp_path / ('notebook-%dx%d.png' % (width, height))
        page.screenshot(path=str(shot), full_page=True)
        keep = os.environ.get('SCREENSHOT_DIR')
        if keep:
            shutil.copy(shot, os.path.join(keep, shot.name))
            shutil.copy(tmp_path / 'opened.png', os.path.join(keep, 'natural-size-%dx%d.png' % (width, height)))
        assert errors == [] or all('require' in e or 'MathJax' in e for e in errors), errors
    finally:
        page.close()

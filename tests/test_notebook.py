"""In a real Jupyter kernel (nbclient): a Value shows its graph, a Step its equation typeset, a
Stepper both, and a long fit a progress bar; the notebook, exported to HTML, shows them in Chromium."""
import os
import shutil

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = os.path.dirname(os.path.abspath(__file__ + '/..'))
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
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
]


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


@needs_dot
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_the_exported_notebook_shows_equation_and_picture_in_chromium(executed, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(executed)
    page_path = tmp_path / 'notebook.html'
    page_path.write_text(body, encoding='utf-8')
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu'])
        try:
            page = browser.new_page(viewport={'width': 1100, 'height': 900})
            # offline: the template's CDN scripts are refused at once instead of waited for
            page.route('**/*', lambda route: route.continue_() if route.request.url.startswith('file:')
                       else route.abort())
            page.goto('file://%s' % page_path)
            equation = page.locator('math.step').first
            assert equation.is_visible()
            box = equation.bounding_box()
            assert box['height'] >= 20 and box['width'] >= 200            # typeset, not squeezed
            assert 'local' in equation.text_content()
            graph = page.locator('svg').first
            assert graph.is_visible()
            # the drawing's text is drawn at a size a person reads (not squeezed to the cell)
            heights = page.eval_on_selector_all('svg text', 'els => els.slice(0, 40).map(e => e.getBoundingClientRect().height)')
            frame = page.frame_locator('iframe').first               # the Stepper's explorer, at its step
            assert frame.locator('#counter').inner_text() == 'step 2 of 5'
            assert frame.locator('#graph').is_visible() and 't1.grad +=' in frame.locator('#eqtext').inner_text()
            page.screenshot(path=str(tmp_path / 'notebook.png'), full_page=True)
            keep = os.environ.get('SCREENSHOT_DIR')
            if keep:
                shutil.copy(tmp_path / 'notebook.png', os.path.join(keep, 'notebook.png'))
            assert heights and min(h for h in heights if h > 0) >= 9, heights
            keep = os.environ.get('SCREENSHOT_DIR')
            if keep:
                shutil.copy(tmp_path / 'notebook.png', os.path.join(keep, 'notebook.png'))
        finally:
            browser.close()

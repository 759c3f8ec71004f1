"""to_dot and draw: labels, local derivatives on edges, kinds, clusters, depth, determinism, real dot."""
import os
import re
import shutil
from fractions import Fraction

import pytest

import nn
from autograd import GraphvizNotFound, Value, draw, record_scopes, to_dot


def example():
    a, b = Value(2.0, 'a'), Value(-3.0, 'b')
    c = a * b; c.label = 'c'
    L = c + 1.5; L.label = 'L'
    L.backward()
    return a, b, c, L


def test_dot_shows_labels_data_grads_ops_and_local_derivatives():
    a, b, c, L = example()
    dot = to_dot(L, params=[a])
    assert 'label="{a|data 2.0|grad -3.0}"' in dot and 'label="{c|data -6.0|grad 1.0}"' in dot
    assert '[shape=ellipse, label="*"]' in dot and '[shape=ellipse, label="+"]' in dot
    # edges into c's op carry dc/da = b = -3.0 and dc/db = a = 2.0
    ids = {line.split()[0]: line for line in dot.splitlines() if 'shape=record' in line}
    a_id = next(k for k, v in ids.items() if '{a|' in v)
    b_id = next(k for k, v in ids.items() if '{b|' in v)
    c_id = next(k for k, v in ids.items() if '{c|' in v)
    # and hovering an edge says which derivative it is: ∂c/∂a, ∂c/∂b
    assert '%s -> %sop [label="-3.0", tooltip="∂c/∂a = -3.0", labeltooltip="∂c/∂a = -3.0"];' % (a_id, c_id) in dot
    assert '%s -> %sop [label="2.0", tooltip="∂c/∂b = 2.0", labeltooltip="∂c/∂b = 2.0"];' % (b_id, c_id) in dot
    # the constant 1.5 is its own kind of node, with a dashed edge (no gradient flows to it)
    assert 'label="1.5"' in dot and '[style=dashed]' in dot
    # parameter, input, constant and result are told apart, with a legend (the graph's own label)
    legend = dot[dot.index('label=<<table'):]
    assert 'bgcolor="#cfe2ff" align="left">parameter<' in legend and 'bgcolor="#e9ecef" align="left">constant<' in legend


def test_dot_is_deterministic_and_independent_of_object_ids():
    first = to_dot(example()[-1])
    second = to_dot(example()[-1])
    assert first == second
    assert to_dot(example()[-1], rankdir='TB').count('rankdir=TB') == 1


def test_node_ids_follow_creation_order():
    a = Value(1.0, 'a'); b = Value(2.0, 'b')
    c = a * b; c.label = 'c'
    d = Value(3.0, 'd')
    e = c + d; e.label = 'e'
    f = e.tanh(); f.label = 'f'
    dot = to_dot(f)
    ids = [line.split('{')[1].split('|')[0] for line in dot.splitlines() if 'shape=record' in line]
    assert ids == ['a', 'b', 'c', 'd', 'e', 'f']                 # written out by hand: creation order
    assert [line.split()[0] for line in dot.splitlines() if 'shape=record' in line][:6] == ['n%d' % k for k in range(6)]


def test_fractions_show_exactly_and_as_decimals():
    x = Value(Fraction(43, 300), 'x')
    assert 'data 43/300 ~ 0.1433' in to_dot(x * 1)


def test_depth_limits_the_subgraph():
    a, b, c, L = example()
    d = (L * L).tanh()
    shallow = to_dot(d, depth=1)
    assert '{L|' not in shallow and '{a|' not in shallow
    assert '{L|' in to_dot(d, depth=2) and '{a|' in to_dot(d, depth=4)


def test_clusters_by_module_call():
    model = nn.MLP(2, [3, 1])
    with record_scopes() as scopes:
        loss = nn.squared_error(model([0.5, -1.0]), 1.0)
    dot = to_dot(loss, params=model.parameters(), clusters=scopes)
    assert dot.count('subgraph cluster_') == 2 + 3 + 1          # 2 layers, 3 + 1 neurons
    # clusters are named like the nodes in them: layer L1, neuron L1.n3 (counted from 1)
    assert 'label="L1"' in dot and 'label="L1.n3"' in dot and 'label="L2.n1"' in dot
    assert '{L1.n3.w2|' in dot and '{L1.n3.z|' in dot and '{L1.n3.a|' in dot
    # outside record_scopes, the model's nodes carry no scopes and nothing is recorded; the names are the same
    plain = to_dot(nn.squared_error(model([0.5, -1.0]), 1.0))
    assert 'label="L1"' not in plain and '{L1.n3.z|' in plain and '{L1.n3.w2|' in plain


def test_bad_rankdir():
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(Value(1.0), rankdir='XY')


graphviz = pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="the Graphviz dot program is not installed")


def test_draw_returns_a_digraph_with_the_same_dot():
    L = example()[-1]
    d = draw(L)
    assert isinstance(d, graphviz.Digraph)
    assert d.source == to_dot(L)


@needs_dot
def test_render_svg_with_real_dot(tmp_path):
    L = example()[-1]
    path = draw(L).render(str(tmp_path / 'g'), format='svg', cleanup=True)
    svg = open(path, encoding='utf-8').read()
    assert svg.lstrip().startswith('<?xml') and 'data &#45;6.0' in svg    # dot writes - as &#45;


@needs_dot
def test_micrograd_mlp_loss_renders_to_svg(tmp_path):
    model = nn.MLP(2, [16, 16, 1])
    with record_scopes() as scopes:
        loss = nn.squared_error(model([0.5, -1.0]), 1.0)
    loss.backward()
    path = draw(loss, params=model.parameters(), clusters=scopes).render(str(tmp_path / 'mlp'), format='svg')
    assert os.path.getsize(path) > 100_000


def test_without_dot_the_dot_text_stays_and_rendering_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))          # no dot anywhere on PATH
    d = draw(example()[-1])
    assert d.source.startswith('digraph {')
    with pytest.raises(GraphvizNotFound) as e:
        d.render(str(tmp_path / 'g'), format='svg')
    assert 'apt-get install graphviz' in str(e.value) and 'brew install graphviz' in str(e.value)


DOT = shutil.which('dot')


def test_labels_are_escaped_for_dot_and_long_ones_cut_visibly():
    odd = Value(1.0, 'line one\nline two')
    ent = Value(2.0, '&lt;b&gt; {x|y} "q" \\ \x00 \x1b[31m')
    long = Value(3.0, 'w' * 20000)
    dot = to_dot(odd * ent + long)
    assert '{line one\\nline two|' in dot                         # a line break, not dropped
    assert '&amp;lt;b&amp;gt; \\{x\\|y\\} \\"q\\" \\\\ \\\\x00 \\\\x1b[31m|' in dot
    assert '\x00' not in dot and '\x1b' not in dot
    assert 'w' * 120 + '… (+19880 characters)|' in dot and 'w' * 121 not in dot


@pytest.mark.skipif(DOT is None, reason="the Graphviz dot program is not installed")
def test_dot_renders_odd_labels_as_written(tmp_path):
    import subprocess
    odd = Value(1.0, 'line one\nline two')
    ent = Value(2.0, '&lt;b&gt; <i>')
    nul = Value(3.0, 'a\x00b' + 'w' * 20000)
    svg = subprocess.run([DOT, '-Tsvg'], input=to_dot(odd * ent + nul).encode(), capture_output=True,
                         timeout=120, check=True).stdout.decode()
    texts = re.findall(r'<text[^>]*>([^<]*)</text>', svg)
    assert 'line one' in texts and 'line two' in texts
    assert '&amp;lt;b&amp;gt; &lt;i&gt;' in texts           # shown literally, as typed
    assert any(t.startswith('a\\x00bwww') and '(+' in t for t in texts)


def test_a_graph_too_big_for_graphviz_is_refused_with_a_way_out():
    x = Value(1.0, 'x')
    y = x
    for _ in range(3000):
        y = y * 1.0 + 0.0
    with pytest.raises(ValueError, match=r"to_dot: this graph has 6,001 nodes, more than max_nodes=5,000 that Graphviz "
                                         r"lays out in reasonable time \(it would take about \d+ (s|min|h) \(18,00\d "
                                         r"nodes and 18,00\d edges.*depth=.*max_nodes=None"):
        to_dot(y)
    assert to_dot(y, depth=3).count('shape=record') < 10
    assert to_dot(y, max_nodes=None).count('shape=record') == 6001


def test_the_wrong_type_is_named():
    for f in (to_dot, draw):
        with pytest.raises(TypeError, match="to_dot: expected a Value, got NoneType None"):
            f(None)


def test_legend_explains_the_notation_and_a_steppers_colours():
    from autograd import step
    a, b, c, L = example()
    plain = to_dot(L)
    assert 'x.grad: ∂root/∂x, summed so far<br align="left"/>' in plain
    assert 'red edge' not in plain
    s = step(L)
    s.next()
    dot = s.draw().source
    assert 'green edge: step done' in dot and 'red edge: the current step' in dot
    assert 'grad -: no gradient has reached it yet' in dot


def test_without_dot_a_notebook_shows_the_text_tree(monkeypatch):
    from autograd import render
    a, b, c, L = example()
    monkeypatch.setattr(render.shutil, 'which', lambda name: None)
    bundle = L._repr_mimebundle_()
    assert bundle['text/html'].startswith('<pre') and 'L = +   data -4.5   grad 1' in bundle['text/html']
    assert bundle['text/plain'] == repr(L)


def test_a_leaf_root_steps_like_backward():
    from autograd import step
    x = Value(2.0, 'x')
    x.grad = 5
    s = step(x)
    assert len(s) == 0 and x.grad == 6 and s.next() is None       # backward() of a leaf adds 1
    s.reset()
    assert x.grad == 5


# ------------------------------------------------------------------ how long dot takes: the guard and the timeouts

def rnn(steps):
    """h = tanh(h * w + 0.1 t), one weight w shared by every step: a small graph whose edges from w
    reach far down it, which dot's default settings take minutes on (36 steps: over 400 s)."""
    w, h = Value(0.9, 'w'), Value(0.5, 'h0')
    for t in range(steps):
        h = (h * w + 0.1 * t).tanh()
    return h


def test_a_graph_dot_would_take_long_on_is_refused_with_the_estimate_and_the_way_to_ask_anyway():
    from autograd import GraphTooBig
    from autograd.render import MAX_SECONDS, layout_cost
    h = rnn(100)                                       # 302 values only, but w's edges span 1e5 ranks
    with pytest.raises(GraphTooBig) as e:
        to_dot(h)
    message = str(e.value)
    estimate = layout_cost(to_dot(h, max_nodes=None)).seconds
    assert estimate > MAX_SECONDS
    assert re.search(r"would take about \d+ (s|min|h) to lay out this graph", message), message
    assert 'max_nodes=None' in message and 'depth=' in message and 'nodes and' in message
    assert isinstance(e.value, ValueError)              # what a caller caught before
    assert to_dot(h, depth=6).count('shape=record') < 10


def test_the_estimate_counts_the_ranks_long_edges_cross_not_only_nodes():
    from autograd.render import layout_cost
    x = Value(1.0, 'x')
    y = x
    for _ in range(36):
        y = (y * 1.0 + 0.1).tanh()                     # the rnn's ops, each step its own constant weight
    chain, shared = layout_cost(to_dot(y)), layout_cost(to_dot(rnn(36)))
    assert chain.nodes >= shared.nodes and chain.edges >= shared.edges
    assert shared.span > 10 * chain.span and shared.seconds > 10 * chain.seconds


@needs_dot
def test_the_36_step_rnn_is_laid_out_with_the_settings_every_drawing_gets(tmp_path):
    from autograd.render import LAYOUT, MAX_SECONDS, layout_cost
    h = rnn(36)
    dot = to_dot(h)                                    # not refused: the settings make it seconds
    assert LAYOUT in dot.splitlines()[1]
    assert layout_cost(dot).seconds < MAX_SECONDS
    # with dot's defaults this runs past DOT_TIMEOUT and raises GraphvizTimeout instead
    path = draw(h).render(str(tmp_path / 'rnn'), format='svg', cleanup=True)
    assert open(path, encoding='utf-8').read().count('class="node"') == layout_cost(dot).nodes


@needs_dot
def test_dot_is_stopped_at_its_timeout_with_the_graphs_size_and_the_way_on(tmp_path):
    from autograd import GraphvizTimeout
    h = rnn(30)                                        # a second or more of dot's work
    d = draw(h)
    for run in (lambda: d.pipe(format='svg', timeout=0.05),
                lambda: d.render(str(tmp_path / 'g'), format='svg', timeout=0.05)):
        with pytest.raises(GraphvizTimeout) as e:
            run()
        message = str(e.value)
        assert re.match(r"dot was stopped after \d+ s laying out this graph \(\d+ nodes and \d+ edges, spanning "
                        r"[\d,]+ ranks in all; estimated at \d+ s\)", message), message
        assert 'timeout=None' in message and 'depth=' in message
    assert not os.path.exists(str(tmp_path / 'g.svg'))
    assert d.pipe(format='svg', timeout=None).startswith(b'<?xml')     # no limit: it finishes


@needs_dot
def test_a_notebook_shows_a_part_dot_lays_out_quickly_and_the_text_tree_when_dot_runs_too_long(monkeypatch):
    from autograd import render
    h = rnn(36)                                        # 110 values: few enough, but slower than NOTEBOOK_SECONDS
    assert len(render.Naming(h).nodes) <= render.NOTEBOOK_NODES
    assert render.layout_cost(to_dot(h)).seconds > render.NOTEBOOK_SECONDS
    cell = render.notebook_graph(h)
    assert re.search(r'This graph has 110 nodes, which Graphviz would take about \d+ s to lay out; shown: the \d+ '
                     r'within \d+ steps of', cell) and '<svg' in cell
    monkeypatch.setattr(render, 'NOTEBOOK_TIMEOUT', 0.05)
    cell = render.notebook_graph(rnn(30), depth=200)     # the whole graph: a second or more of dot's work
    assert 'dot was stopped after' in cell and '<svg' not in cell and '<pre' in cell and 'tanh' in cell


def first_example():
    """the README's first example (demos/first_graph.py): L = tanh(a * b + c)."""
    a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c')
    e = a * b; e.label = 'e'
    d = e + c; d.label = 'd'
    L = d.tanh(); L.label = 'L'
    L.backward()
    return L


def svg_size(svg):
    return tuple(float(x) for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())


@needs_dot
def test_the_legend_makes_no_column_wider():
    # as a cluster of nodes, each legend entry took a rank of its own and the graph's columns grew to
    # its widest entry: the first example was 1,411 pt wide with it, 1,183 pt without
    L = first_example()
    with_legend, without = (draw(L, legend=legend).pipe(format='svg').decode() for legend in (True, False))
    assert svg_size(with_legend)[0] == svg_size(without)[0]
    assert svg_size(with_legend)[1] > svg_size(without)[1]              # the legend is there, above
    for words in ('input / other leaf', 'result of an operation', 'x.grad: ∂root/∂x, summed so far'):
        assert '>%s</text>' % words in with_legend


def test_a_forward_steppers_legend_says_what_data_dash_means():
    from autograd import step
    s = step(first_example(), forward=True)
    s.next()
    assert 'data -: not computed yet' in s.draw().source
    assert 'data -: not computed yet' not in step(first_example()).draw().source


@needs_dot
def test_a_drawing_fits_the_cells_width_with_its_natural_size_one_click_away():
    from autograd.render import NATURAL_CONTROL, fitted
    L = first_example()
    svg = draw(L).pipe(format='svg').decode()
    width, height = (x * 4 / 3 for x in svg_size(svg))                   # pt -> px
    assert width > NATURAL_CONTROL
    html = draw(L)._repr_mimebundle_()['text/html']
    assert html == fitted(svg) and '<?xml' not in html
    fit, natural = re.findall(r'<svg style="([^"]*)"', html)[::-1]       # the control (and its copy) come first
    assert fit == 'display:block;width:100%%;max-width:%dpx;height:auto' % round(width)
    assert natural == 'display:block;max-width:none;width:%dpx;height:%dpx' % (round(width), round(height))
    assert '<details' in html and 'natural size (%s &#215; %s px, scrolls)' % (
        format(round(width), ','), format(round(height), ',')) in html
    copy = html[html.index('<details'):html.index('</details>')]
    assert 'overflow:auto' in copy and ' id="' not in copy               # no id twice in the page
    # a small drawing: no control
    small = draw(Value(1.0, 'x') * 2, legend=False)._repr_mimebundle_()['text/html']
    assert '<details' not in small and small.count('<svg') == 1
    # a format asked for is graphviz's own
    assert list(draw(L)._repr_mimebundle_(include=['image/svg+xml'])) == ['image/svg+xml']
    # a Value shows the same fitted drawing
    assert L._repr_mimebundle_()['text/html'] == html


@needs_dot
def test_a_steppers_fallback_drawing_is_fitted_too(monkeypatch):
    # where the explorer page cannot be built (here: refused), a Stepper shows its equation and the drawing
    from autograd import step, stepper as stepper_module
    from autograd.render import fitted

    def refuse(*args, **kwargs):
        raise ValueError("refused")
    monkeypatch.setattr(stepper_module, 'explorer_html', refuse)
    s = step(first_example(), forward=True)
    s.next()
    shown = s._repr_html_()
    assert shown.startswith('<div class="stepper"><div style="font-family:monospace">step 1 of ')
    assert '<math display="block" class="step forward">' in shown
    drawing = shown[shown.index('<div class="autograd-drawing">'):-len('</div>')]
    assert drawing == fitted(s.draw().pipe(format='svg').decode())
    # e = a * b computed (dot writes - as &#45;), d = e + c not yet
    assert '>data &#45;6.0</text>' in drawing and '>data &#45;</text>' in drawing and 'data 4.0' not in drawing


def test_dot_failed_names_dots_error_even_after_many_warnings():
    """dot's "Error: trouble in init_rank" came after kilobytes of warnings on the digits' graph,
    and the message kept only its last 500 characters: the error line must stay in it."""
    from autograd.render import DotFailed, layout_cost
    cost = layout_cost('digraph { a -> b }')
    warnings = "".join("Warning: node t%d, port w%d unrecognized\n" % (k, k) for k in range(100))
    stderr = (warnings + "Error: trouble in init_rank\n" + warnings).encode()
    message = str(DotFailed(1, ['dot'], b'', stderr, cost))
    assert "Error: trouble in init_rank" in message and "Warning: node t99, port w99 unrecognized" in message
    assert len(message) < 1000
    short = str(DotFailed(1, ['dot'], b'', b"Warning: x\nError: y\n", cost))
    assert short.endswith(": Warning: x\nError: y") and "other lines" not in short
    assert "failed (exit status 1)" in message

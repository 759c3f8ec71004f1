"""Rendering: the graph as Graphviz DOT, with every number the chain rule uses.

Value nodes are boxes (label | data | grad); each operation is its own ellipse
(a dot's reads w · x + b); an edge from an input to an operation is labelled with
the local derivative d out / d in, the number backprop multiplies by, and hovering
it says which derivative it is (a dot's in words: ∂z/∂w2 = x2 = 0.5). Parameters,
other leaves and plain-number constants are coloured apart, with a legend.

to_dot() needs nothing but Python. draw() wraps the same text in a
graphviz.Digraph (pip install graphviz), which shows inline in Jupyter and
renders files with the `dot` program.
"""
import html
import shutil

from .backward import parents_of
from .notation import (NOTATION, Naming, dot_inputs, dot_symbol, fmt, is_parameter, is_reduction, lane, local_symbol,
                       local_words, printable)
from .value import Value

KINDS = {  # kind: (fill colour, what the legend says)
    'param': ('#cfe2ff', 'parameter'),
    'input': ('#fff3cd', 'input / other leaf'),
    'result': ('#ffffff', 'result of an operation'),
    'constant': ('#e9ecef', 'constant'),
}
EDGE_COLOURS = {'done': '#2ca02c', 'current': '#d62728'}

MAX_NODES = 5000      # Graphviz takes minutes past this, and crashes around 1e5 nodes
MAX_LABEL = 120       # characters of a label shown in a box; the rest is cut, visibly


def grad_text(node, grads=None, sample=None):
    """node's gradient as drawings and trees show it: from `grads` where given
    (a stepper's gradients so far, '-' for a node not reached yet), else .grad;
    in a lane graph, sample `sample`'s lane (every lane where None)."""
    if grads is None:
        return fmt(lane(node.grad, sample))
    return fmt(lane(grads[node], sample)) if node in grads else '-'


def _escape(text, record=True):
    """text for a DOT label: DOT's special characters escaped (in a record's fields also
    {}|<>), '&' kept from being read as an HTML entity, newlines as line breaks, other
    control characters visible as \\xNN; a record's text cut past MAX_LABEL with a note of
    how much (a title or note, record=False, holds a whole equation and is not cut)."""
    text = _cut(text) if record else str(text)
    special = '{}|<>"\\' if record else '"\\'
    return '\\n'.join(''.join('\\' + c if c in special else '&amp;' if c == '&' else c for c in printable(line))
                       for line in text.split('\n'))


def to_dot(root, rankdir='LR', params=(), depth=None, clusters=None, legend=True,
           grads=None, done=(), current=None, title=None, stepping=False, max_nodes=MAX_NODES, naming=None,
           sample=None):
    """DOT source for root's graph.

    rankdir: 'LR' (left to right) or 'TB' (top to bottom).
    params: Values drawn as parameters; an nn model's parameters are found without it.
    depth: draw only nodes within this many edges of root.
    clusters: {node: ('L1', 'L1.n3')}, as record_scopes() records; boxes them by module call.
    grads: {node: gradient} to show instead of .grad (the stepper's gradients so far);
    nodes missing from it show 'grad -'. done: (node, input slot) edges already
    stepped through; current: the edge just stepped, highlighted. stepping: the
    legend explains those colours.
    max_nodes: a larger graph raises ValueError (None: no limit).
    sample: in a lane graph (a batch), show this sample's lane (None: a few lanes of each);
    an edge into a shared weight is labelled Σ, the sum over the samples.
    Names come from notation.Naming, as in every other view.
    """
    return dot_layout(root, rankdir, params, depth, clusters, legend, grads, done, current, title, stepping,
                      max_nodes, naming, sample=sample)[0]


def dot_layout(root, rankdir='LR', params=(), depth=None, clusters=None, legend=True, grads=None, done=(),
               current=None, title=None, stepping=False, max_nodes=MAX_NODES, naming=None, element_ids=False,
               sample=None, tooltips=True):
    """to_dot's work: returns (DOT text, {node: its DOT id}, [clusters as (id, name, member ids, parent id)]).
    element_ids: every node, edge and cluster gets an id= the SVG keeps (the explorer's handles):
    a value box n5, its operation n5op, a constant n5c1 and its edge c5_1 (numbered by
    its place among the operands), the edge of slot k e5_k (a binary op's input 0 or 1,
    a dot's parent k), the edge from the operation to its result o5, a cluster cl2.
    tooltips: each edge and its number say on hover which local derivative they carry (the
    explorer, which shows that in its own panel, leaves them out of its page)."""
    if not isinstance(root, Value):
        raise TypeError("to_dot: expected a Value, got %s %r" % (type(root).__name__, root))
    if rankdir not in ('LR', 'TB'):
        raise ValueError("to_dot: rankdir must be 'LR' or 'TB', got %r" % (rankdir,))
    naming = naming or Naming(root)
    nodes = naming.within(depth)
    if max_nodes is not None and len(nodes) > max_nodes:
        raise ValueError("to_dot: this graph has %s nodes%s, more than max_nodes=%s that Graphviz lays out "
                         "in reasonable time; draw a part with depth= (e.g. depth=3), or pass max_nodes=None"
                         % (format(len(nodes), ','), '' if depth is None else ' within depth %d' % depth,
                            format(max_nodes, ',')))
    ids = {node: "n%d" % k for k, node in enumerate(nodes)}

    def named(element_id):
        return ', id="%s"' % element_id if element_ids else ''
    shown = naming.names
    params = set(params)
    done = set(done)
    # newrank: clusters lay out about 10x faster (an MLP(2,[16,16,1]) loss: 11 s -> 1 s)
    lines = ['digraph {', '  rankdir=%s; newrank=true;' % rankdir, '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    if sample is not None:          # say whose numbers these are
        title = "%s(numbers: the lane of sample %d)" % (title + "\n" if title else "", sample)
    if title:
        lines.append('  labelloc=t; label="%s";' % _escape(title, record=False))
    kinds_used = set()
    body = {}            # node -> its DOT statements, so clusters can hold them
    edges = []
    for node in nodes:
        kind = 'result' if not node.is_leaf() else 'param' if node in params or is_parameter(node) else 'input'
        kinds_used.add(kind)
        k = ids[node][1:]
        statements = ['%s [shape=record, style=filled, fillcolor="%s", label="{%s|data %s|grad %s}"%s];'
                      % (ids[node], KINDS[kind][0], _escape(shown[node]), _escape(fmt(lane(node.data, sample))),
                         _escape(grad_text(node, grads, sample)), named(ids[node]))]
        if not node.is_leaf():
            op_id = ids[node] + "op"
            op_text = (dot_symbol(node) if node.dot_operands is not None else node.op if not node.parameter
                       else "%s (at 0: %s)" % (node.op, fmt(node.parameter)))
            statements.append('%s [shape=ellipse, label="%s"%s];' % (op_id, _escape(op_text), named(op_id)))
            edges.append('%s -> %s%s;' % (op_id, ids[node], ' [id="o%s"]' % k if element_ids else ''))
            for place, operand, slot, local, words in edge_words(node, shown, sample):
                if isinstance(operand, Value):
                    if operand not in ids:       # beyond the depth limit
                        continue
                    tip = ', tooltip="{0}", labeltooltip="{0}"'.format(_escape(words, record=False)) if tooltips else ''
                    edges.append('%s -> %s [label="%s"%s%s%s];'
                                 % (ids[operand], op_id, _escape(_edge_label(local, sample)), tip,
                                    _edge_style((node, slot), done, current), named('e%s_%d' % (k, slot))))
                else:
                    kinds_used.add('constant')
                    const_id = "%sc%d" % (ids[node], place)
                    statements.append('%s [shape=box, style="filled,rounded", fillcolor="%s", label="%s"%s];'
                                      % (const_id, KINDS['constant'][0], _escape(fmt(lane(operand, sample))),
                                         named(const_id)))
                    edges.append('%s -> %s [style=dashed%s];' % (const_id, op_id, named('c%s_%d' % (k, place))))
        body[node] = statements
    grouped, groups = _grouped(nodes, body, _with_leaves(nodes, clusters or {}), ids, element_ids)
    lines += grouped
    lines += ['  ' + e for e in edges]
    if legend:
        lines += _legend(kinds_used, stepping or grads is not None)
    lines.append('}')
    return '\n'.join(lines) + '\n', ids, groups


def edge_words(node, names, sample=None):
    """node's operands, constants included, in order, each as (place, operand, slot, local,
    words): place its index among the operands; slot its edge's number (None for a constant);
    local the local derivative toward it; words that derivative as a hover shows it,
    ∂c/∂a = 3.0, or on a dot's edge with what it is, ∂(L1.n3.z)/∂(L1.n3.w2) = x2 = 0.5."""
    name = _cut(names[node])          # a long label is cut here too, as in its box
    if node.dot_operands is None:
        return [(slot, operand, slot if local is not None else None, local,
                 "%s = %s" % (local_symbol(name, _cut(names[operand])), _edge_label(local, sample))
                 if local is not None else '')
                for slot, (operand, local) in enumerate(zip(node.operands, (node._da, node._db)))]
    locals_ = node.local_grads
    rows = []
    for place, (role, operand, partner, slot) in enumerate(dot_inputs(node)):
        if slot is None:
            rows.append((place, operand, None, None, ''))
            continue
        local = locals_[slot]
        shown = _cut(names[partner]) if isinstance(partner, Value) else None
        rows.append((place, operand, slot, local,
                     local_words(name, _cut(names[operand]), role, shown, _edge_label(local, sample))))
    return rows


def _cut(text):
    """text cut past MAX_LABEL characters, with a note of how much."""
    text = str(text)
    if len(text) > MAX_LABEL:
        text = "%s… (+%d characters)" % (text[:MAX_LABEL], len(text) - MAX_LABEL)
    return text


def _edge_label(local, sample):
    """an edge's local derivative; into a shared weight, the sum over the samples (Σ),
    with the chosen sample's own slope."""
    if is_reduction(local):
        if sample is None:
            return fmt(local)
        return "Σ over %d samples (sample %d: %s)" % (local.n, sample, fmt(local.lane(sample)))
    return fmt(lane(local, sample))



def _edge_style(edge, done, current):
    if edge == current:
        return ', color="{0}", fontcolor="{0}", penwidth=3'.format(EDGE_COLOURS['current'])
    if edge in done:
        return ', color="{0}", fontcolor="{0}", penwidth=2'.format(EDGE_COLOURS['done'])
    return ''


def _with_leaves(nodes, clusters):
    """clusters, with each leaf that has no scope of its own (a weight, an input)
    boxed with its first consumer: it keeps dot's layout compact and fast."""
    if not clusters:
        return clusters
    placed = dict(clusters)
    for node in nodes:
        for parent in parents_of(node):
            if parent.is_leaf() and parent not in placed and node in clusters:
                placed[parent] = clusters[node]
    return placed


def _grouped(nodes, body, clusters, ids, element_ids):
    """node statements, nested in one labelled cluster per scope path; and the clusters
    as [(id, name, ids of the value boxes in it and in its sub-clusters, parent id)]."""
    tree = {'nodes': [], 'children': {}}
    for node in nodes:
        place = tree
        for name in clusters.get(node, ()):
            place = place['children'].setdefault(name, {'nodes': [], 'children': {}})
        place['nodes'].append(node)
    lines, groups = [], []

    def emit(place, indent, parent):
        members = [ids[node] for node in place['nodes']]
        for node in place['nodes']:
            lines.extend(indent + s for s in body[node])
        for name, child in place['children'].items():
            cid = 'cl%d' % len(groups)
            groups.append(None)
            lines.append('%ssubgraph cluster_%s {' % (indent, cid[2:]))
            lines.append('%s  label="%s"; style="rounded,dashed"; color="#888888";%s'
                         % (indent, _escape(name), ' id="%s";' % cid if element_ids else ''))
            inner = emit(child, indent + '  ', cid)
            groups[int(cid[2:])] = (cid, name, inner, parent)
            members += inner
            lines.append(indent + '}')
        return members
    emit(tree, '  ', None)
    return lines, groups


def _legend(kinds_used, stepping):
    """the kinds of box used, the notation, and, for a stepper's drawing, the edge colours."""
    lines = ['  subgraph cluster_legend {', '    label="legend"; style=dotted;']
    entries = ['legend_%s [shape=box, style=filled, fillcolor="%s", label="%s"];' % (kind, KINDS[kind][0], KINDS[kind][1])
               for kind in ('param', 'input', 'constant', 'result') if kind in kinds_used]
    entries.append('legend_notation [shape=note, label="%s"];' % _escape(NOTATION, record=False))
    if stepping:
        entries.append('legend_edges [shape=plaintext, label=<'
                       '<font color="%s">green edge: step done</font><br/>'
                       '<font color="%s">red edge: the current step</font><br/>'
                       'black edge: not reached yet<br/>grad -: no gradient has reached it yet>];'
                       % (EDGE_COLOURS['done'], EDGE_COLOURS['current']))
    ids = [e.split()[0] for e in entries]
    lines += ['    ' + e for e in entries]
    lines += ['    %s -> %s [style=invis];' % pair for pair in zip(ids, ids[1:])]
    lines.append('  }')
    return lines


class GraphvizNotFound(RuntimeError):
    """rendering to a file needs the Graphviz `dot` program."""


INSTALL_HINT = ("rendering needs the Graphviz program `dot`, which was not found. Install it: "
                "`apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS), "
                "`conda install graphviz`, or see https://graphviz.org/download/ . "
                "The DOT text is still there: draw(...).source or to_dot(...).")


def draw(root, **options):
    """root's graph as a graphviz.Digraph (see to_dot for the options): it shows inline
    in Jupyter, and .render('name', format='svg'|'png'|'pdf') writes a file. Without
    the `dot` program, .source still gives the DOT and rendering raises GraphvizNotFound."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("draw() needs the graphviz package: pip install graphviz "
                          "(to_dot() needs nothing)") from None
    dot = to_dot(root, **options).splitlines()
    digraph = _drawing_class(graphviz)(body=[line + '\n' for line in dot[1:-1]])
    return digraph


_DRAWING = {}


def _drawing_class(graphviz):
    """graphviz.Digraph whose rendering explains how to install Graphviz when `dot` is missing."""
    if 'class' not in _DRAWING:
        class Drawing(graphviz.Digraph):
            def render(self, *args, **kwargs):
                try:
                    return super().render(*args, **kwargs)
                except graphviz.ExecutableNotFound:
                    raise GraphvizNotFound(INSTALL_HINT) from None

            def pipe(self, *args, **kwargs):
                try:
                    return super().pipe(*args, **kwargs)
                except graphviz.ExecutableNotFound:
                    raise GraphvizNotFound(INSTALL_HINT) from None
        _DRAWING['class'] = Drawing
    return _DRAWING['class']


# ------------------------------------------------------------------ notebooks
NOTEBOOK_NODES = 120     # drawn inline in full up to this size; above it, the part nearest the root


def notebook_graph(root, naming=None, **options):
    """HTML for a notebook cell: the graph as SVG at its natural size in a box as wide
    as the cell that scrolls (a big graph is never squeezed or cut off); past
    NOTEBOOK_NODES nodes, the part within the largest depth that fits, with a note;
    without the `dot` program, the text tree."""
    naming = naming or Naming(root)
    note = ''
    depth = options.pop('depth', None)
    if depth is None and len(naming.nodes) > NOTEBOOK_NODES:
        depth = 0
        while len(naming.within(depth + 1)) <= NOTEBOOK_NODES:
            depth += 1
        note = ('<p style="font-family:sans-serif">This graph has %d nodes; shown: the %d within %d steps of '
                '<code>%s</code>. <code>draw(root, depth=d)</code> draws more.</p>'
                % (len(naming.nodes), len(naming.within(depth)), depth, html.escape(naming[root])))
    try:
        if shutil.which('dot') is None:
            raise GraphvizNotFound(INSTALL_HINT)
        svg = draw(root, depth=depth, naming=naming, **options).pipe(format='svg').decode('utf-8')
    except (ImportError, GraphvizNotFound):
        from .stepper import tree
        return note + '<pre style="max-height:40em;overflow:auto">%s</pre>' % html.escape(
            tree(root, grads=options.get('grads'), max_lines=300, naming=naming))
    # without the XML prologue, which cannot stand inside HTML; at its natural size, which
    # notebook styles (svg {max-width: 100%}) would otherwise squeeze into unreadable text
    svg = svg[svg.index('<svg'):].replace('<svg ', '<svg style="max-width:none" ', 1)
    return note + '<div style="max-width:100%%;max-height:80vh;overflow:auto">%s</div>' % svg


def notebook_bundle(value):
    """what a Value shows as a notebook cell's result: its graph (see notebook_graph)."""
    return {'text/plain': repr(value), 'text/html': notebook_graph(value)}

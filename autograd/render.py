"""Rendering: the graph as Graphviz DOT, with every number the chain rule uses.

Value nodes are boxes (label | data | grad); each operation is its own ellipse;
an edge from an input to an operation is labelled with the local derivative
d out / d in, the number backprop multiplies by. Parameters, other leaves and
plain-number constants are coloured apart, with a legend.

to_dot() needs nothing but Python. draw() wraps the same text in a
graphviz.Digraph (pip install graphviz), which shows inline in Jupyter and
renders files with the `dot` program.
"""
from collections import deque
from fractions import Fraction

from .backward import parents_of
from .value import Value

KINDS = {  # kind: (fill colour, what the legend says)
    'param': ('#cfe2ff', 'parameter'),
    'input': ('#fff3cd', 'input / other leaf'),
    'result': ('#ffffff', 'result of an operation'),
    'constant': ('#e9ecef', 'constant'),
}


def fmt(x):
    """a number as a learner wants to read it: exact fractions as 43/300 ~ 0.1433."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        return "%s/%s ~ %.4g" % (x.numerator, x.denominator, float(x))
    if isinstance(x, float):
        text = "%.4g" % x
        # a whole float keeps its ".0", so 2.0 never reads as the int 2
        return text + ".0" if text.lstrip('-').isdigit() else text
    return str(x)


def grad_text(node, grads=None):
    """node's gradient as drawings and trees show it: from `grads` where given
    (a stepper's partial sums, '-' for a node not reached yet), else .grad."""
    if grads is None:
        return fmt(node.grad)
    return fmt(grads[node]) if node in grads else '-'


def walk_order(root, depth=None):
    """The nodes to draw, inputs first: root's whole graph, or those within `depth`
    edges of root. The order depends only on the graph, so the DOT is deterministic.

    The whole graph is walked depth first, first input before second, each node
    after its inputs: the order in which Python evaluated the expression, so for
    operations it is their creation order (a node keeps no creation counter: that
    would cost memory on every node), and each leaf comes just before its first use.
    """
    if depth is None:
        order, seen, stack = [], {root}, [root]
        while stack:
            node = stack[-1]
            for parent in parents_of(node):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
                    break
            else:
                order.append(stack.pop())
        return order
    nodes, seen, queue = [], {root}, deque([(root, 0)])
    while queue:
        node, d = queue.popleft()
        nodes.append(node)
        if d < depth:
            for p in parents_of(node):
                if p not in seen:
                    seen.add(p)
                    queue.append((p, d + 1))
    return nodes[::-1]


def names(nodes):
    """{node: what equations call it}: its label, or n<k> from the drawing order."""
    return {node: node.label or "n%d" % k for k, node in enumerate(nodes)}


def _escape(text):
    return ''.join('\\' + c if c in '{}|<>"\\' else c for c in str(text))


def to_dot(root, rankdir='LR', params=(), depth=None, clusters=None, legend=True,
           grads=None, done=(), current=None, title=None):
    """DOT source for root's graph.

    rankdir: 'LR' (left to right) or 'TB' (top to bottom).
    params: Values drawn as parameters (e.g. model.parameters()).
    depth: draw only nodes within this many edges of root.
    clusters: {node: ('layer 0', 'neuron 3')}, as scopes() records; boxes them by module call.
    grads: {node: gradient} to show instead of .grad (the stepper's partial sums);
    nodes missing from it show no gradient yet. done: (node, parent slot) edges
    already stepped through; current: the edge just stepped, highlighted.
    """
    if rankdir not in ('LR', 'TB'):
        raise ValueError("to_dot: rankdir must be 'LR' or 'TB', got %r" % (rankdir,))
    nodes = walk_order(root, depth)
    ids = {node: "n%d" % k for k, node in enumerate(nodes)}
    shown = names(nodes)
    params = set(params)
    done = set(done)
    # newrank: clusters lay out about 10x faster (an MLP(2,[16,16,1]) loss: 11 s -> 1 s)
    lines = ['digraph {', '  rankdir=%s; newrank=true;' % rankdir, '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    if title:
        lines.append('  labelloc=t; label="%s";' % _escape(title))
    kinds_used = set()
    body = {}            # node -> its DOT statements, so clusters can hold them
    edges = []
    for node in nodes:
        kind = 'result' if not node.is_leaf() else 'param' if node in params else 'input'
        kinds_used.add(kind)
        statements = ['%s [shape=record, style=filled, fillcolor="%s", label="{%s|data %s|grad %s}"];'
                      % (ids[node], KINDS[kind][0], _escape(shown[node]), _escape(fmt(node.data)),
                         _escape(grad_text(node, grads)))]
        if not node.is_leaf():
            op_id = ids[node] + "op"
            op_text = node.op if not node.parameter else "%s (at 0: %s)" % (node.op, fmt(node.parameter))
            statements.append('%s [shape=ellipse, label="%s"];' % (op_id, _escape(op_text)))
            edges.append('%s -> %s;' % (op_id, ids[node]))
            for slot, (operand, local) in enumerate(zip(node.operands, (node._da, node._db))):
                if isinstance(operand, Value):
                    if operand not in ids:       # beyond the depth limit
                        continue
                    edges.append('%s -> %s [label="%s"%s];' % (ids[operand], op_id, _escape(fmt(local)),
                                                              _edge_style((node, slot), done, current)))
                else:
                    kinds_used.add('constant')
                    const_id = "%sc%d" % (ids[node], slot)
                    statements.append('%s [shape=box, style="filled,rounded", fillcolor="%s", label="%s"];'
                                      % (const_id, KINDS['constant'][0], _escape(fmt(operand))))
                    edges.append('%s -> %s [style=dashed];' % (const_id, op_id))
        body[node] = statements
    lines += _grouped(nodes, body, _with_leaves(nodes, clusters or {}))
    lines += ['  ' + e for e in edges]
    if legend:
        lines += _legend(kinds_used)
    lines.append('}')
    return '\n'.join(lines) + '\n'


def _edge_style(edge, done, current):
    if edge == current:
        return ', color="#d62728", fontcolor="#d62728", penwidth=3'
    if edge in done:
        return ', color="#2ca02c", fontcolor="#2ca02c", penwidth=2'
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


def _grouped(nodes, body, clusters):
    """node statements, nested in one labelled cluster per scope path."""
    tree = {'nodes': [], 'children': {}}
    for node in nodes:
        place = tree
        for name in clusters.get(node, ()):
            place = place['children'].setdefault(name, {'nodes': [], 'children': {}})
        place['nodes'].append(node)
    lines, counter = [], [0]

    def emit(place, indent):
        for node in place['nodes']:
            lines.extend(indent + s for s in body[node])
        for name, child in place['children'].items():
            lines.append('%ssubgraph cluster_%d {' % (indent, counter[0]))
            counter[0] += 1
            lines.append('%s  label="%s"; style="rounded,dashed"; color="#888888";' % (indent, _escape(name)))
            emit(child, indent + '  ')
            lines.append(indent + '}')
    emit(tree, '  ')
    return lines


def _legend(kinds_used):
    lines = ['  subgraph cluster_legend {', '    label="legend"; style=dotted;']
    previous = None
    for kind in ('param', 'input', 'constant', 'result'):
        if kind in kinds_used:
            lines.append('    legend_%s [shape=box, style=filled, fillcolor="%s", label="%s"];'
                         % (kind, KINDS[kind][0], KINDS[kind][1]))
            if previous:
                lines.append('    legend_%s -> legend_%s [style=invis];' % (previous, kind))
            previous = kind
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

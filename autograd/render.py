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
from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import namedtuple
from typing import TYPE_CHECKING, Iterable, Optional

from .backward import parents_of
from .files import write_atomic
from .notation import (NOTATION, Naming, check_sample, dot_inputs, dot_symbol, fmt, grad_text, is_parameter, is_reduction, lane, local_symbol,
                       local_words, printable)
from .text import tree
from . import value as value_module
from .value import Value

if TYPE_CHECKING:
    import graphviz

KINDS = {  # kind: (fill colour, what the legend says)
    'param': ('#cfe2ff', 'parameter'),
    'input': ('#fff3cd', 'input / other leaf'),
    'result': ('#ffffff', 'result of an operation'),
    'constant': ('#e9ecef', 'constant'),
}
EDGE_COLOURS = {'done': '#2ca02c', 'current': '#d62728'}

MAX_NODES = 5000      # Graphviz takes minutes past this, and crashes around 1e5 nodes
# How dot lays every drawing out (graph attributes in the DOT text, so draw(), notebooks and explore
# all get them). nslimit=2: the network simplex that places nodes across the ranks stops after
# 2 x (nodes) iterations. A shared value feeding many far-apart operations (an RNN's weight) makes
# it run for minutes otherwise (36 steps of h = tanh(h*w + c): over 400 s, now 4 s); graphs that
# converge sooner (an MLP) are not affected. remincross=false: no second pass of crossing
# minimisation over the whole graph after the one inside each cluster (an MLP(2,[64,64,1]) with
# clusters: 10 s -> 5 s, as readable). benchmarks/layout_shapes.py measures them.
LAYOUT = 'nslimit=2; remincross=false;'
MAX_SECONDS = 15      # a graph dot is estimated to take longer on is refused (max_nodes=None: lay it out anyway)
DOT_TIMEOUT = 60      # wall-clock seconds dot may run before it is stopped (see dot_timeout)
MAX_LABEL = 120       # characters of a label shown in a box; the rest is cut, visibly


def _escape(text, record=True):
    """text for a DOT label: DOT's special characters escaped (in a record's fields also
    {}|<>), '&' kept from being read as an HTML entity, newlines as line breaks, other
    control characters visible as \\xNN; a record's text cut past MAX_LABEL with a note of
    how much (a title or note, record=False, holds a whole equation and is not cut)."""
    text = _cut(text) if record else str(text)
    special = '{}|<>"\\' if record else '"\\'
    return '\\n'.join(''.join('\\' + c if c in special else '&amp;' if c == '&' else c for c in printable(line))
                       for line in text.split('\n'))


def to_dot(root: Value, rankdir: str = 'LR', params: Iterable[Value] = (), depth: Optional[int] = None,
           clusters: Optional[dict] = None, legend: bool = True, grads: Optional[dict] = None, done: Iterable = (),
           current: Optional[tuple] = None, title: Optional[str] = None, stepping: bool = False,
           max_nodes: Optional[int] = MAX_NODES, naming: Optional[Naming] = None, sample: Optional[int] = None,
           values: Optional[dict] = None, computed: Optional[Value] = None) -> str:
    """DOT source for root's graph.

    rankdir: 'LR' (left to right) or 'TB' (top to bottom).
    params: Values drawn as parameters; an nn model's parameters are found without it.
    depth: draw only nodes within this many edges of root.
    clusters: {node: ('L1', 'L1.n3')}, as record_scopes() records; boxes them by module call.
    grads: {node: gradient} to show instead of .grad (the stepper's gradients so far);
    nodes missing from it show 'grad -'. done: (node, input slot) edges already
    stepped through; current: the edge just stepped, highlighted. stepping: the
    legend explains those colours.
    max_nodes: a larger graph, or one Graphviz is estimated to take more than MAX_SECONDS
    to lay out (layout_cost), raises ValueError saying how long it would take (None: no limit).
    sample: in a lane graph (a batch), show this sample's lane (None: a few lanes of each);
    an edge into a shared weight is labelled Σ, the sum over the samples.
    values: {node: data} known so far (a stepper in its forward pass); nodes missing from it
    show 'data -' (None: every node's data). computed: the node the forward pass just computed, outlined.
    Names come from notation.Naming, as in every other view.
    """
    return dot_layout(root, rankdir, params, depth, clusters, legend, grads, done, current, title, stepping,
                      max_nodes, naming, sample=sample, values=values, computed=computed)[0]


def dot_layout(root, rankdir='LR', params=(), depth=None, clusters=None, legend=True, grads=None, done=(),
               current=None, title=None, stepping=False, max_nodes=MAX_NODES, naming=None, element_ids=False,
               sample=None, tooltips=True, values=None, computed=None):
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
    sample = check_sample('to_dot', sample, naming.nodes)
    nodes = naming.within(depth)
    too_many = max_nodes is not None and len(nodes) > max_nodes
    if too_many and len(nodes) > 10 * max_nodes:         # not even worth writing out to estimate
        raise GraphTooBig(_too_many(nodes, depth, max_nodes, "many minutes, if it finishes at all"))
    ids = {node: "n%d" % k for k, node in enumerate(nodes)}

    def named(element_id):
        return ', id="%s"' % element_id if element_ids else ''
    shown = naming.names
    params = set(params)
    done = set(done)
    # newrank: clusters lay out about 10x faster (an MLP(2,[16,16,1]) loss: 11 s -> 1 s).
    # height=0.3 (dot's default is 0.5 inch, a box 36 pt tall around one 11 pt line) and nodesep=0.15
    # (0.25): a layer's column of weights is what makes an MLP's drawing tall, and the rest of the
    # drawing sits in the middle of its height; MLP(2,[4,4,1]): 2,153 -> 1,536 px tall, no text smaller
    lines = ['digraph {', '  rankdir=%s; newrank=true; nodesep=0.15; %s' % (rankdir, LAYOUT),
             '  node [fontname="Helvetica", fontsize=11, height=0.3];', '  edge [fontname="Helvetica", fontsize=10];']
    if sample is not None:          # say whose numbers these are
        title = "%s(numbers: the lane of sample %d)" % (title + "\n" if title else "", sample)
    if title and not legend:
        lines.append('  labelloc=t; label="%s";' % _escape(title, record=False))
    kinds_used = set()
    body = {}            # node -> its DOT statements, so clusters can hold them
    edges = []
    for node in nodes:
        kind = 'result' if not node.is_leaf() else 'param' if node in params or is_parameter(node) else 'input'
        kinds_used.add(kind)
        k = ids[node][1:]
        data = fmt(lane(node.data, sample)) if values is None or node in values else '-'
        outline = ', color="%s", penwidth=3' % EDGE_COLOURS['current'] if node is computed else ''
        statements = ['%s [shape=record, style=filled, fillcolor="%s", label="{%s|data %s|grad %s}"%s%s];'
                      % (ids[node], KINDS[kind][0], _escape(shown[node]), _escape(data),
                         _escape(grad_text(node, grads, sample)), outline, named(ids[node]))]
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
        lines += _legend(kinds_used, stepping or grads is not None, title, values is not None)
    lines.append('}')
    text = '\n'.join(lines) + '\n'
    if max_nodes is not None:
        cost = layout_cost(text)
        if too_many:
            raise GraphTooBig(_too_many(nodes, depth, max_nodes, "about %s (%s)"
                                        % (_duration(cost.seconds), cost)))
        if cost.seconds > MAX_SECONDS:
            raise GraphTooBig("to_dot: Graphviz would take about %s to lay out this graph%s (estimated from its %s), "
                              "more than MAX_SECONDS=%d; draw a part with depth= (e.g. depth=3), or pass "
                              "max_nodes=None to lay it out anyway"
                              % (_duration(cost.seconds), '' if depth is None else ' within depth %d' % depth, cost,
                                 MAX_SECONDS))
    return text, ids, groups


class GraphTooBig(ValueError):
    """to_dot's refusal of a graph Graphviz would take too long to lay out; it says how long, and how to ask anyway."""


def _too_many(nodes, depth, max_nodes, estimate):
    return ("to_dot: this graph has %s nodes%s, more than max_nodes=%s that Graphviz lays out in reasonable time "
            "(it would take %s, estimated); draw a part with depth= (e.g. depth=3), or pass max_nodes=None"
            % (format(len(nodes), ','), '' if depth is None else ' within depth %d' % depth, format(max_nodes, ','),
               estimate))


def _duration(seconds):
    if seconds < 90:
        return "%.0f s" % max(seconds, 1)
    if seconds < 5400:
        return "%.0f min" % (seconds / 60)
    return "%.0f h" % (seconds / 3600)


_EDGE = re.compile(r'\s*(\w+)\s*->\s*(\w+)')
_NODE = re.compile(r'\s*(\w+)\s*\[')


class LayoutCost(namedtuple('LayoutCost', 'nodes edges span seconds')):
    """a DOT text's nodes and edges as dot sees them, how many ranks its edges span in all,
    and the CPU seconds dot is estimated to take on it (layout_cost)."""

    def __str__(self):
        return "%s nodes and %s edges, spanning %s ranks in all" % tuple(format(n, ',') for n in self[:3])


def layout_cost(dot):
    """how long `dot` (with LAYOUT) takes on this DOT text, estimated from its shape: dot places
    each edge one rank at a time, so an edge from a value to an operation far down the graph
    (a weight shared by every step of an RNN) costs as much as a chain of nodes that long.
    Ranks are taken as dot takes them (the longest path from the inputs, each input just
    before its first use, two ranks per edge where edges have labels); the time is a law
    (_seconds) fitted to dot's CPU time on benchmarks/layout_shapes.py's graphs and scaled up
    to be above every one of them. Reads only `a -> b` and `a [` statements, in a few ms."""
    nodes, edges, span, squares, crossing, ranks, clusters = layout_shape(dot)
    return LayoutCost(nodes, edges, span, _seconds(nodes, span, squares, crossing, ranks, clusters))


def layout_shape(dot):
    """(nodes, edges, ranks spanned by the edges, sum of the squares of their spans, crossing work,
    ranks, whether it has clusters): what layout_cost estimates from. Crossing work: the sum over pairs
    of neighbouring ranks of (edges between them) x (nodes in the second, counting the points
    where longer edges pass), what one count of edge crossings costs dot."""
    succ, edges, labels, clusters = {}, 0, False, False
    for line in dot.splitlines():
        m = _EDGE.match(line)
        if m:
            a, b = m.groups()
            succ.setdefault(a, []).append(b)
            succ.setdefault(b, [])
            edges += 1
            labels = labels or 'label=' in line
            continue
        m = _NODE.match(line)
        if m and m.group(1) not in ('node', 'edge', 'graph'):
            succ.setdefault(m.group(1), [])
        elif 'subgraph cluster_' in line and 'cluster_legend' not in line:
            clusters = True
    indegree = dict.fromkeys(succ, 0)
    for heads in succ.values():
        for b in heads:
            indegree[b] += 1
    rank = dict.fromkeys(succ, 0)
    ready = [n for n, k in indegree.items() if k == 0]
    while ready:                                  # longest path from the inputs
        a = ready.pop()
        for b in succ[a]:
            rank[b] = max(rank[b], rank[a] + 1)
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    has_input = {b for heads in succ.values() for b in heads}
    for a, heads in succ.items():                 # an input sits just before its first use
        if heads and a not in has_input:
            rank[a] = min(rank[b] for b in heads) - 1
    per_rank = 2 if labels else 1
    low = min(rank.values(), default=0)
    width = [0] * (per_rank * (max(rank.values(), default=0) - low) + 2)
    starts, ends, spans = [0] * len(width), [0] * len(width), []
    for a, heads in succ.items():
        ra = per_rank * (rank[a] - low)
        width[ra] += 1
        for b in heads:
            rb = per_rank * (rank[b] - low)
            spans.append(rb - ra)
            starts[ra] += 1
            ends[rb] += 1
    crossing, passing = 0, 0
    for r in range(len(width) - 1):
        passing += starts[r] - ends[r]       # edges between rank r and r + 1
        crossing += passing * (width[r + 1] + passing - ends[r + 1])
    return len(succ), edges, sum(spans), sum(k * k for k in spans), crossing, len(width) - 1, clusters


def _seconds(nodes, span, squares, crossing, ranks, clusters):
    """the fitted law (benchmarks/layout_shapes.py --fit): a term for the size, one for routing long
    edges (squares of spans), one for counting crossings (a layer feeding every node of the next;
    inside clusters, a tenth) and one for placing nodes across many ranks (network simplex)."""
    return (FIT['a'] * (nodes + span) ** FIT['p'] + FIT['b'] * squares ** FIT['q']
            + FIT['c'] * crossing ** FIT['r'] * (FIT['clustered'] if clusters else 1)
            + FIT['d'] * (nodes * ranks) ** FIT['s'])


# benchmarks/layout_shapes.py --fit benchmarks/layout_fit.jsonl (graphviz 2.43): 35 graphs from 0.05 to 160 s
# (MLPs fused and as binary chains, with and without clusters; RNNs; long chains; powers). The log error is
# 0.27 (rms); the law is scaled up 1.9x so that no graph took longer than its estimate (they took 0.34-1.0x of it)
FIT = {'a': 0.00529, 'p': 0.438, 'b': 7.05e-08, 'q': 1.29, 'c': 1.5e-08, 'r': 1.24, 'clustered': 0.101,
       'd': 1.36e-11, 's': 1.62}


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


def _legend(kinds_used, stepping, title=None, forward=False):
    """the title (if any), the kinds of box used, the notation and, for a stepper's drawing, the edge
    colours, as the graph's own label above the drawing. Not a cluster of nodes: dot would give each
    of those nodes a rank of its own, and on a left-to-right graph that made every column as wide as
    the legend's widest entry (the README's 5-node example: 1,881 px wide instead of 1,577)."""
    swatches = ''.join('<tr><td border="1" bgcolor="%s" align="left">%s</td></tr>' % (KINDS[kind][0], KINDS[kind][1])
                       for kind in ('param', 'input', 'constant', 'result') if kind in kinds_used)
    columns = ['<table border="0" cellspacing="2" cellpadding="1">%s</table>' % swatches, _html_lines(NOTATION)]
    if stepping:
        columns.append('<font color="%s">green edge: step done</font><br align="left"/><font color="%s">red edge: '
                       'the current step</font><br align="left"/>black edge: not reached yet<br align="left"/>grad -: '
                       'no gradient has reached it yet<br align="left"/>%s' % (EDGE_COLOURS['done'], EDGE_COLOURS['current'],
                       'data -: not computed yet (forward pass)<br align="left"/>' if forward else ''))
    rows = '<tr><td align="left" colspan="%d">%s</td></tr>' % (len(columns), _html_lines(title)) if title else ''
    rows += '<tr>%s</tr>' % ''.join('<td align="left" valign="top">%s</td>' % column for column in columns)
    return ['  labelloc=t; labeljust=l; fontname="Helvetica"; fontsize=11;',
            '  label=<<table border="0" cellspacing="3" cellpadding="2">%s</table>>;' % rows]


def _html_lines(text):
    """text for a cell of a Graphviz HTML label: escaped, control characters visible, each line left-aligned."""
    return ''.join(html.escape(printable(line), quote=False) + '<br align="left"/>' for line in str(text).split('\n'))


class GraphvizNotFound(RuntimeError):
    """rendering to a file needs the Graphviz `dot` program."""


class GraphvizTimeout(TimeoutError):
    """`dot` ran past its time limit and was stopped; the message names the graph's size and the way on."""


INSTALL_HINT = ("rendering needs the Graphviz program `dot`, which was not found. Install it: "
                "`apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS), "
                "`conda install graphviz`, or see https://graphviz.org/download/ . "
                "The DOT text is still there: draw(...).source or to_dot(...).")


def dot_timeout(dot):
    """the wall-clock seconds `dot` gets on this text by default: DOT_TIMEOUT, or 4 x the estimate
    (layout_cost) for a graph estimated at more than a quarter of that (one asked for with max_nodes=None)."""
    return max(DOT_TIMEOUT, 4 * layout_cost(dot).seconds)


def run_dot(dot, format='svg', timeout='auto', quiet=False, encoding='utf-8'):
    """`dot -T<format>` on DOT text; its output as bytes. timeout: wall-clock seconds before dot is
    stopped with GraphvizTimeout ('auto': dot_timeout(dot); None: no limit). dot's warnings go to
    stderr unless quiet; a failure or a crash (dot 2.43 crashes on some graphs far past the guard)
    raises DotFailed, a subprocess.CalledProcessError that names the graph's size and what dot said."""
    if timeout == 'auto':
        timeout = dot_timeout(dot)
    command = ['dot', '-T' + format]
    try:
        done = subprocess.run(command, input=dot.encode(encoding), capture_output=True, timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFound(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        cost = layout_cost(dot)
        raise GraphvizTimeout("dot was stopped after %s laying out this graph (%s; estimated at %s); draw a part "
                              "with depth= (e.g. depth=3), or pass timeout=None to wait as long as it takes"
                              % (_duration(timeout), cost, _duration(cost.seconds))) from None
    if done.returncode:
        raise DotFailed(done.returncode, command, done.stdout, done.stderr, layout_cost(dot))
    if done.stderr and not quiet:
        sys.stderr.write(done.stderr.decode(encoding, 'replace'))
    return done.stdout


class DotFailed(subprocess.CalledProcessError):
    """`dot` failed or crashed; the message names the graph's size and what dot said."""

    def __init__(self, returncode, command, output, stderr, cost):
        super().__init__(returncode, command, output, stderr)
        self.cost = cost

    def __str__(self):
        try:
            how = "crashed (%s)" % signal.Signals(-self.returncode).name
        except ValueError:
            how = "failed (exit status %d)" % self.returncode
        return "dot %s on this graph (%s; estimated at %s)%s" % (how, self.cost, _duration(self.cost.seconds),
                                                                _what_dot_said(self.stderr))


def _what_dot_said(stderr, room=500):
    """': ' and dot's messages, its "Error: ..." lines first (a long run of warnings before
    one would push it out of the last `room` characters), cut to `room` characters."""
    said = stderr.decode('utf-8', 'replace').strip() if stderr else ''
    if not said:
        return ''
    lines = said.splitlines()
    errors = [line for line in lines if line.startswith('Error')]
    if errors and len(said) > room:
        said = "\n".join(errors[:3] + ["(%d other lines; the last:)" % (len(lines) - len(errors[:3]))] + [said[-room:]])
    else:
        said = said[-room:]
    return ': ' + said


def draw(root: Value, **options: object) -> 'graphviz.Digraph':
    """root's graph as a graphviz.Digraph (see to_dot for the options): it shows inline
    in Jupyter, and .render('name', format='svg'|'png'|'pdf') writes a file. Without
    the `dot` program, .source still gives the DOT and rendering raises GraphvizNotFound.
    .render() and .pipe() stop dot after timeout= seconds (run_dot; 'auto' unless given)
    with GraphvizTimeout."""
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
    """graphviz.Digraph whose rendering runs dot with a time limit (run_dot) and explains how to
    install Graphviz when `dot` is missing. Options that only graphviz knows (renderer,
    formatter, engine, outfile...) go to graphviz's own rendering, which has no time limit."""
    if 'class' not in _DRAWING:
        class Drawing(graphviz.Digraph):
            def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
                """in a notebook: the drawing fitted to the cell (fitted()); where a format was asked
                for (include=), graphviz's own; without `dot` or past NOTEBOOK_TIMEOUT, what went wrong."""
                if include is not None:
                    return super()._repr_mimebundle_(include, exclude, **kwargs)
                try:
                    svg = self.pipe(format='svg', timeout=NOTEBOOK_TIMEOUT, encoding='utf-8')
                except (GraphvizNotFound, GraphvizTimeout, DotFailed) as error:
                    return {'text/plain': str(error), 'text/html': '<pre>%s</pre>' % html.escape(str(error))}
                return {} if 'text/html' in (exclude or ()) else {'text/html': fitted(svg)}

            def render(self, filename=None, directory=None, view=False, cleanup=False, format=None, *args,
                       timeout='auto', quiet=False, quiet_view=False, **kwargs):
                if args or kwargs or self.engine != 'dot':
                    return self._graphviz(super().render, filename, directory, view, cleanup, format, *args,
                                          quiet=quiet, quiet_view=quiet_view, **kwargs)
                format = format or self.format
                source = self.save(filename, directory=directory)
                rendered = source + '.' + format
                output = run_dot(self.source, format, timeout, quiet, self.encoding)
                write_atomic(rendered, output)     # a failed write leaves the old drawing
                if cleanup:
                    os.remove(source)
                if view or quiet_view:
                    self._view(rendered, format=format, quiet=quiet_view)
                return rendered

            def pipe(self, format=None, *args, timeout='auto', quiet=False, encoding=None, **kwargs):
                if args or kwargs or self.engine != 'dot':
                    return self._graphviz(super().pipe, format, *args, quiet=quiet, encoding=encoding, **kwargs)
                output = run_dot(self.source, format or self.format, timeout, quiet, self.encoding)
                return output.decode(encoding) if encoding is not None else output

            @staticmethod
            def _graphviz(method, *args, **kwargs):
                try:
                    return method(*args, **kwargs)
                except graphviz.ExecutableNotFound:
                    raise GraphvizNotFound(INSTALL_HINT) from None
        _DRAWING['class'] = Drawing
    return _DRAWING['class']


# ------------------------------------------------------------------ notebooks
NOTEBOOK_NODES = 120     # drawn inline in full up to this size; above it, the part nearest the root
NOTEBOOK_SECONDS = 5     # and if dot is estimated to take longer on it (layout_cost), a smaller part
NOTEBOOK_TIMEOUT = 30    # dot is stopped after this many seconds (wall clock); the cell shows the text tree


def notebook_graph(root, naming=None, **options):
    """HTML for a notebook cell: the graph as SVG at its natural size in a box as wide
    as the cell that scrolls (a big graph is never squeezed or cut off); past
    NOTEBOOK_NODES nodes, or NOTEBOOK_SECONDS of estimated layout, the part within the
    largest depth that fits, with a note; without the `dot` program, or where dot runs
    past NOTEBOOK_TIMEOUT, the text tree."""
    naming = naming or Naming(root)
    note = ''
    depth = options.pop('depth', None)
    if depth is None:
        depth, seconds = _notebook_depth(root, naming, options)
        if depth is not None:
            note = ('<p style="font-family:sans-serif">This graph has %d nodes%s; shown: the %d within %d steps of '
                    '<code>%s</code>. <code>draw(root, depth=d)</code> draws more.</p>'
                    % (len(naming.nodes), '' if seconds is None else
                       ', which Graphviz would take about %s to lay out' % _duration(seconds),
                       len(naming.within(depth)), depth, html.escape(naming[root])))
    try:
        if shutil.which('dot') is None:
            raise GraphvizNotFound(INSTALL_HINT)
        svg = draw(root, depth=depth, naming=naming, **options).pipe(format='svg', timeout=NOTEBOOK_TIMEOUT)
        svg = svg.decode('utf-8')
    except (ImportError, GraphvizNotFound, GraphTooBig, GraphvizTimeout) as error:
        if isinstance(error, (GraphTooBig, GraphvizTimeout)):
            note += '<p style="font-family:sans-serif">%s. The text tree:</p>' % html.escape(str(error))
        return note + '<pre style="max-height:40em;overflow:auto">%s</pre>' % html.escape(
            tree(root, grads=options.get('grads'), max_lines=300, naming=naming))
    return note + fitted(svg)


NATURAL_CONTROL = 600    # px: a drawing wider than this gets a control to see it at its natural size
_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')
_ID = re.compile(r'\sid="[^"]*"')


def fitted(svg):
    """HTML for a notebook cell showing dot's SVG whole: as wide as the cell (scaled down, keeping its
    aspect, never up past its natural size), so it is never cut off and its box is exactly the
    drawing; and, for a drawing wider than NATURAL_CONTROL px, a <details> control that opens it at
    its natural size in a box that scrolls. Both sizes are set on the <svg> itself: a notebook's
    own style (svg {max-width: 100%}) without height:auto would keep the height of the natural size
    and leave the scaled drawing in a tall empty box. No script: a <details> works where a
    notebook strips scripts (an untrusted notebook, an exported page)."""
    svg = svg[svg.index('<svg'):]          # without the XML prologue, which cannot stand inside HTML
    size = _SIZE.search(svg)
    if size is None:                       # not dot's usual header: leave its size alone
        return '<div style="max-width:100%%;overflow:auto">%s</div>' % svg
    width, height = (float(x) * 4 / 3 for x in size.groups())     # pt -> CSS px
    picture = svg.replace('<svg ', '<svg style="display:block;width:100%%;max-width:%.0fpx;height:auto" ' % width, 1)
    if width <= NATURAL_CONTROL:
        return '<div class="autograd-drawing">%s</div>' % picture
    natural = _ID.sub('', svg).replace(      # a second copy, its ids left out so none is repeated in the page
        '<svg ', '<svg style="display:block;max-width:none;width:%.0fpx;height:%.0fpx" ' % (width, height), 1)
    return ('<div class="autograd-drawing"><details style="font-family:sans-serif;font-size:12px">'
            '<summary style="cursor:pointer;color:#555">natural size (%s &#215; %s px, scrolls)</summary>'
            '<div style="max-width:100%%;max-height:80vh;overflow:auto">%s</div></details>%s</div>'
            % (format(round(width), ','), format(round(height), ','), natural, picture))


def _notebook_depth(root, naming, options):
    """(depth, estimate): depth None (the whole graph) where it has at most NOTEBOOK_NODES nodes and
    dot is estimated to lay it out within NOTEBOOK_SECONDS, else the largest depth whose part does;
    estimate: the whole graph's seconds where that is why it is cut, else None."""
    depth, whole = None, None
    if len(naming.nodes) > NOTEBOOK_NODES:
        depth = 0
        while len(naming.within(depth + 1)) <= NOTEBOOK_NODES:
            depth += 1
    options = dict(options, max_nodes=None)
    while depth != 0:
        seconds = layout_cost(to_dot(root, depth=depth, naming=naming, **options)).seconds
        if seconds <= NOTEBOOK_SECONDS:
            break
        if depth is None:
            whole = seconds
            depth = 0
            while len(naming.within(depth)) < len(naming.nodes):
                depth += 1
        depth -= 1
    return depth, whole


def notebook_bundle(value):
    """what a Value shows as a notebook cell's result: its graph (see notebook_graph)."""
    return {'text/plain': repr(value), 'text/html': notebook_graph(value)}


value_module._display = notebook_bundle      # Value._repr_mimebundle_ calls it; value.py imports no view

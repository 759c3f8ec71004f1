"""Graph shapes for timing Graphviz layouts, as DOT text in render.py's style.

    python benchmarks/layout_shapes.py --list                # the shapes, with nodes and edges
    python benchmarks/layout_shapes.py --write DIR           # each shape as DIR/NAME.dot
    python benchmarks/layout_shapes.py --time [NAME ...] [--flags=-Gnslimit=2] [--repeats 3] [--timeout 120]
    python benchmarks/layout_shapes.py rnn30 fused32 --compare='layout|plain|plain -Gsplines=polyline'

Shapes:
  fusedW / fusedW-flat   MLP(2,[W,W,1]) on one sample with a squared-error loss, drawn as the
                         fused graph we are moving to: one n-ary 'dot' op per neuron,
                         z = w . x + b, whose inputs are its weights, the previous layer's
                         activations (shared by every neuron of the layer) and its bias; then
                         one relu per hidden neuron. With record_scopes() clusters, or without.
                         Written exactly as render.dot_layout writes a graph for the explorer
                         (element ids, a stepper's legend), from a real forward and backward pass.
  binaryW / binaryW-flat the same model as the real code draws it today (nn.MLP, a chain of
                         binary ops per neuron), from render.dot_layout itself.
  rnnS                   h = (h * w + 0.1 * t).tanh() for S steps, ONE shared weight w:
                         the real code's graph.
  chainS, powS           a long thin chain, and one input used at every depth (see make).
Each row's time is dot's CPU time (getrusage of the child), median of --repeats. --compare's flag
sets: 'layout' is the text as render writes it (with render.LAYOUT), 'plain' the text without
LAYOUT (dot's own defaults), either followed by dot flags (-G flags cannot undo attributes the
text sets).

    python benchmarks/layout_shapes.py --measure fit.jsonl && python benchmarks/layout_shapes.py --fit fit.jsonl

times FIT_SHAPES as render writes them and fits render.layout_cost's law (render.FIT).

What was found (graphviz 2.43, a shared 2-core VM whose speed drifted 1.5x during the day):
dot's defaults take 0.6 s on fused32 with clusters (1.5 s flat), 12 s on fused64 (60 s flat), and
over 400 s on rnn36, whose x-positioning network simplex runs ~1e5 iterations; nslimit=2 bounds it
(rnn36: 4 s; no change on the MLPs, whose simplex converges sooner); remincross=false halves
clustered MLPs (fused64: 10 -> 5 s). splines=line/false are 10x faster on the rnn but draw edges
through boxes (unreadable); polyline, searchsize, mclimit, ordering=out gain little or lose.
sfdp, neato and osage lay fused32 out in 0.2-5 s but unreadably (overlaps, no flow). dot 2.43
crashes (SIGSEGV) on rnn50 and rnn60 with nslimit=2, after 18 s; the guard refuses those.
"""
import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import nn  # noqa: E402
from autograd import Value, record_scopes  # noqa: E402
from autograd.notation import evaluation_order, fmt  # noqa: E402
from autograd.render import KINDS, LAYOUT, _escape, _grouped, _legend, dot_layout, layout_cost, layout_shape  # noqa: E402


# ------------------------------------------------------------------ the fused graph, by hand

class Node:
    """a Value as the fused graph will have it: inputs are (node, local derivative) or (number, None)."""

    def __init__(self, name, kind, data, op=None, inputs=(), scope=()):
        self.name, self.kind, self.data, self.op = name, kind, data, op
        self.inputs = list(inputs)
        self.scope = scope
        self.grad = 0.0

    def parents(self):
        return [n for n, _ in self.inputs if isinstance(n, Node)]


def fused_mlp(nin, widths, seed=0, x=(0.5, -1.0), target=1.0):
    """the fused graph of squared_error(MLP(nin, widths)(x), target), with its gradients."""
    rng = random.Random(seed)
    acts = [Node('x%d' % (i + 1), 'input', v) for i, v in enumerate(x)]
    for k, width in enumerate(widths, 1):
        last = k == len(widths)
        layer = 'L%d' % k
        out = []
        for j in range(1, width + 1):
            prefix = '%s.n%d.' % (layer, j)
            scope = (layer, layer + '.n%d' % j)
            w = [Node(prefix + 'w%d' % (i + 1), 'param', rng.uniform(-1, 1)) for i in range(len(acts))]
            b = Node(prefix + 'b', 'param', 0.0)
            inputs = []
            for wi, xi in zip(w, acts):
                inputs += [(wi, xi.data), (xi, wi.data)]
            inputs.append((b, 1))
            z = Node('o' if last else prefix + 'z', 'result', sum(wi.data * xi.data for wi, xi in zip(w, acts)) + b.data,
                     'dot', inputs, scope)
            if last:
                out.append(z)
            else:
                a = Node(prefix + 'a', 'result', max(z.data, 0.0), 'relu', [(z, 1.0 if z.data > 0 else 0.0)], scope)
                out.append(a)
        acts = out
    o = acts[0]
    d = Node('t1', 'result', o.data - target, '-', [(o, 1), (target, None)])
    loss = Node('loss', 'result', d.data ** 2, '**', [(d, 2 * d.data), (2, None)])
    order = evaluation_order(loss, parents=Node.parents)
    loss.grad = 1.0
    for node in reversed(order):
        for parent, local in node.inputs:
            if isinstance(parent, Node):
                parent.grad += local * node.grad
    return loss, order


def fused_dot(order, clusters=True, rankdir='LR', graph_attrs=''):
    """DOT text for the fused graph, statement for statement as dot_layout writes the explorer's
    (element_ids=True, stepping=True); graph_attrs go on the graph line."""
    ids = {node: 'n%d' % k for k, node in enumerate(order)}
    lines = ['digraph {', '  rankdir=%s; newrank=true; %s%s' % (rankdir, LAYOUT, graph_attrs),
             '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=10];']
    body, edges, kinds = {}, [], set()
    for node in order:
        k = ids[node][1:]
        kinds.add(node.kind)
        statements = ['%s [shape=record, style=filled, fillcolor="%s", label="{%s|data %s|grad %s}", id="%s"];'
                      % (ids[node], KINDS[node.kind][0], _escape(node.name), _escape(fmt(node.data)),
                         _escape(fmt(node.grad)), ids[node])]
        if node.op:
            op_id = ids[node] + 'op'
            statements.append('%s [shape=ellipse, label="%s", id="%s"];' % (op_id, _escape(node.op), op_id))
            edges.append('%s -> %s [id="o%s"];' % (op_id, ids[node], k))
            for slot, (parent, local) in enumerate(node.inputs):
                if isinstance(parent, Node):
                    edges.append('%s -> %s [label="%s", id="e%s_%d"];' % (ids[parent], op_id, _escape(fmt(local)), k, slot))
                else:
                    kinds.add('constant')
                    const_id = '%sc%d' % (ids[node], slot)
                    statements.append('%s [shape=box, style="filled,rounded", fillcolor="%s", label="%s", id="%s"];'
                                      % (const_id, KINDS['constant'][0], _escape(fmt(parent)), const_id))
                    edges.append('%s -> %s [style=dashed, id="c%s_%d"];' % (const_id, op_id, k, slot))
        body[node] = statements
    scopes = {}
    if clusters:
        scopes = {node: node.scope for node in order if node.scope}
        for node in order:                       # render._with_leaves: a leaf goes with its first consumer
            for parent in node.parents():
                if not parent.op and parent not in scopes and node in scopes:
                    scopes[parent] = scopes[node]
    grouped, _ = _grouped(order, body, scopes, ids, True)
    lines += grouped + ['  ' + e for e in edges] + _legend(kinds, True)
    lines.append('}')
    return '\n'.join(lines) + '\n'


# ------------------------------------------------------------------ today's graphs, by the real code

def binary_mlp(nin, widths, clusters=True):
    model = nn.MLP(nin, widths)
    with record_scopes() as scopes:
        loss = nn.squared_error(model([0.5, -1.0][:nin]), 1.0)
    return _explorer_dot(loss, scopes if clusters else None, model.parameters())


def rnn(steps, clusters=True):
    w, h = Value(0.9, 'w'), Value(0.5, 'h0')
    for t in range(steps):
        h = (h * w + 0.1 * t).tanh()
    return _explorer_dot(h, None, [w])


def _explorer_dot(root, clusters, params):
    """the DOT text explore() lays out (its gradients, its legend, element ids)."""
    from autograd.stepper import Stepper
    from autograd.explore import _replay
    s = Stepper(root)
    try:
        final = _replay(s)[2]
    finally:
        s.reset()
    return dot_layout(root, params=params, clusters=clusters, grads=final, stepping=True, max_nodes=None,
                      naming=s.naming, element_ids=True)[0]


# ------------------------------------------------------------------ the shapes

SHAPES = ['fused16', 'fused16-flat', 'fused32', 'fused32-flat', 'fused38', 'fused38-flat', 'fused64', 'fused64-flat',
          'binary16', 'binary16-flat', 'binary32', 'binary32-flat', 'rnn20', 'rnn30', 'rnn36']


def make(name):
    """the DOT text of a shape named as in SHAPES: fusedW, binaryW (MLP(2,[W,W,1])), '-flat' without
    clusters; rnnS (S steps); also chainS (y = y * 1.0 + 0.0, S times: long and thin) and powS
    (x + x*x + x*x*x ..., S terms: one input used at every depth, like the rnn's weight)."""
    m = re.fullmatch(r'(fused|binary|rnn|chain|pow)(\d+)(-flat)?', name)
    if not m:
        raise ValueError("unknown shape %r (see SHAPES)" % name)
    kind, n, flat = m.group(1), int(m.group(2)), bool(m.group(3))
    if kind == 'fused':
        return fused_dot(fused_mlp(2, [n, n, 1])[1], clusters=not flat)
    if kind == 'binary':
        return binary_mlp(2, [n, n, 1], clusters=not flat)
    if kind == 'rnn':
        return rnn(n)
    if kind == 'chain':
        y = Value(1.0, 'x')
        for _ in range(n):
            y = y * 1.0 + 0.0
        return _explorer_dot(y, None, [])
    x = Value(0.5, 'x')
    p = s = x
    for _ in range(n - 1):
        p = p * x
        s = s + p
    return _explorer_dot(s, None, [])


def shapes():
    """{name: a function returning the DOT text} for SHAPES."""
    return {name: (lambda name=name: make(name)) for name in SHAPES}


def size(dot):
    """(value boxes, all DOT nodes, edges) of render-style DOT text, without the legend."""
    lines = [line.strip() for line in dot.splitlines()]
    boxes = sum(1 for line in lines if 'shape=record' in line and not line.startswith('legend'))
    nodes = sum(1 for line in lines if '[shape=' in line and not line.startswith('legend'))
    edges = sum(1 for line in lines if ' -> ' in line and not line.startswith('legend'))
    return boxes, nodes, edges


def with_attrs(dot, attrs):
    """dot with graph attributes added on its rankdir line (as render would emit them)."""
    return dot.replace('newrank=true;', 'newrank=true; %s' % attrs, 1) if attrs else dot


def plain(dot):
    """dot without render.LAYOUT's graph attributes: what dot does by default."""
    return dot.replace(' ' + LAYOUT, '', 1)


def time_dot(dot, flags=(), timeout=120, engine='dot', fmt='svg'):
    """dot's CPU seconds (child user + system) for one layout, or None past timeout (wall) or on a crash.
    flags 'plain' (first): without render.LAYOUT's settings, dot's own defaults."""
    if flags and flags[0] == 'plain':
        dot, flags = plain(dot), flags[1:]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run([engine, '-T' + fmt, *flags], input=dot.encode('utf-8'), capture_output=True,
                              timeout=timeout)
        ok = done.returncode == 0
        if not ok:
            print("(%s failed: exit %d)" % (engine, done.returncode), file=sys.stderr)
    except subprocess.TimeoutExpired:
        ok = False
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu if ok else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('names', nargs='*')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--write')
    ap.add_argument('--time', action='store_true')
    ap.add_argument('--flags', default='', help="dot command-line flags, space separated")
    ap.add_argument('--attrs', default='', help="graph attributes added to the DOT text, e.g. 'nslimit=2;'")
    ap.add_argument('--engine', default='dot')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--compare', metavar='FLAGS|FLAGS|...',
                    help="time each shape under each of these flag sets (e.g. 'layout|plain|plain -Gnslimit=5'), round-robin, "
                         "so that a noisy machine slows each alike; prints median and fastest")
    ap.add_argument('--measure', metavar='FILE.jsonl', help="time the shapes for the fit (all of FIT_SHAPES unless named)")
    ap.add_argument('--fit', metavar='FILE.jsonl', help="fit layout_cost's law to --measure's times")
    args = ap.parse_args()
    print(threads())
    if args.measure:
        return measure(args.names or FIT_SHAPES, args.measure, args.repeats, args.timeout)
    if args.fit:
        return fit(args.fit)
    names = args.names or SHAPES
    table = {name: (lambda name=name: make(name)) for name in names}
    if args.compare:
        args.compare = ['' if f.strip() == 'layout' else f.strip() for f in args.compare.split('|')]
        return compare(table, names, args)
    for name in names:
        dot = with_attrs(table[name](), args.attrs)
        boxes, nodes, edges = size(dot)
        if args.write:
            os.makedirs(args.write, exist_ok=True)
            with open(os.path.join(args.write, name + '.dot'), 'w', encoding='utf-8') as f:
                f.write(dot)
        if args.time:
            times = []
            for _ in range(args.repeats):
                t = time_dot(dot, args.flags.split(), args.timeout, args.engine)
                times.append(float('inf') if t is None else t)
                if t is None:
                    break
            med = statistics.median(times)
            print("| %s | %d | %d | %d | %s %s %s | %s |" % (name, boxes, nodes, edges, args.engine, args.flags,
                                                            args.attrs, '> %g' % args.timeout if med == float('inf')
                                                            else '%.2f' % med), flush=True)
        elif args.list or not args.write:
            print("%-14s %5d value boxes %5d DOT nodes %5d edges" % (name, boxes, nodes, edges))


FIT_SHAPES = (['fused%d%s' % (w, f) for w in (8, 16, 24, 32, 38, 48, 64) for f in ('', '-flat')]
              + ['binary%d%s' % (w, f) for w in (4, 8, 12, 16, 24, 32) for f in ('', '-flat')]
              + ['rnn%d' % n for n in (10, 20, 30, 36, 45, 60)] + ['chain%d' % n for n in (100, 300, 1000, 2000)]
              + ['pow%d' % n for n in (10, 20, 30, 40, 60)])


def measure(names, path, repeats, timeout):
    """dot's CPU time on each shape as render writes it (with LAYOUT), median of repeats, with
    layout_shape's numbers; appended to the JSON lines file `path` (a shape already there is skipped)."""
    done = set()
    if os.path.exists(path):
        done = {json.loads(line)['name'] for line in open(path)}
    for name in names:
        if name in done:
            continue
        dot = make(name)
        times = []
        for _ in range(repeats):
            t = time_dot(dot, (), timeout)
            times.append(float('inf') if t is None else t)
            if t is None:
                break
        nodes, edges, span, squares, crossing, ranks, clusters = layout_shape(dot)
        row = dict(name=name, nodes=nodes, edges=edges, span=span, squares=squares, crossing=crossing, ranks=ranks,
                   clusters=clusters,
                   seconds=statistics.median(times), fastest=min(times), estimate=layout_cost(dot).seconds)
        with open(path, 'a') as f:
            f.write(json.dumps(row) + '\n')
        print("%-14s %5d nodes %6d edges %7d span  dot %.2f s (est. %.2f)" % (name, nodes, edges, span, row['seconds'],
                                                                              row['estimate']), flush=True)


def fit(path):
    """fit render._seconds's law to the measured shapes (least squares on log time; the shapes
    are made again for their numbers), scale it up so that no shape's time is above its
    estimate, and print each shape's measured time beside the new estimate."""
    import numpy as np
    from scipy.optimize import least_squares
    rows = [json.loads(line) for line in open(path)]
    rows = [r for r in rows if r['seconds'] != float('inf') and r['seconds'] >= 0.05]
    x = np.array([layout_shape(make(r['name'])) for r in rows], float)
    nodes, span, squares, crossing, ranks, clusters = x[:, 0], x[:, 2], x[:, 3], x[:, 4], x[:, 5], x[:, 6]
    y = np.log([r['seconds'] for r in rows])

    def model(v):
        la, p, lb, q, lc, r, lk, ld, s = v
        return np.logaddexp.reduce([la + p * np.log(nodes + span), lb + q * np.log(np.maximum(squares, 1)),
                                    lc + r * np.log(np.maximum(crossing, 1)) + np.where(clusters > 0, lk, 0),
                                    ld + s * np.log(nodes * ranks)])
    start = [np.log(1e-6), 1.2, np.log(1e-9), 1.5, np.log(1e-8), 1.2, np.log(0.1), np.log(1e-8), 1.0]
    best = least_squares(lambda v: model(v) - y, start).x
    slack = max(0.0, float(np.max(y - model(best))))
    la, p, lb, q, lc, r, lk, ld, s = best
    law = dict(a=np.exp(la + slack), p=p, b=np.exp(lb + slack), q=q, c=np.exp(lc + slack), r=r, clustered=np.exp(lk),
               d=np.exp(ld + slack), s=s)
    print("FIT = {%s}" % ", ".join("'%s': %.3g" % kv for kv in law.items()))
    print("rms error of log time %.2f; scaled up by %.2f" % (np.sqrt(np.mean((model(best) - y) ** 2)), np.exp(slack)))
    for row, est in zip(rows, np.exp(model(best) + slack)):
        print("%-14s measured %7.2f s  estimate %7.2f s" % (row['name'], row['seconds'], est))


def compare(table, names, args):
    print("| graph | value boxes | DOT nodes | edges | flags | dot CPU s, median (fastest) of %d |" % args.repeats)
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        dot = table[name]()
        boxes, nodes, edges = size(dot)
        times = {flags: [] for flags in args.compare}
        for _ in range(args.repeats):
            for flags in args.compare:
                if times[flags] and times[flags][-1] == float('inf'):
                    continue                 # it timed out once: once is enough
                t = time_dot(dot, flags.split(), args.timeout, args.engine)
                times[flags].append(float('inf') if t is None else t)
        for flags in args.compare:
            med = statistics.median(times[flags])
            shown = '> %g (wall)' % args.timeout if med == float('inf') else '%.2f (%.2f)' % (med, min(times[flags]))
            print("| %s | %d | %d | %d | %s | %s |" % (name, boxes, nodes, edges, flags or 'layout', shown), flush=True)


if __name__ == '__main__':
    main()

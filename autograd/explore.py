"""explore(root, path): the whole backward pass (forward=True: the forward pass first) in ONE
self-contained, offline page.

The graph is laid out once, by Graphviz's `dot`, and every chain-rule step is
data (which edge, whose .grad becomes what, the equation), so the page grows
with nodes + steps, not nodes x steps. In the page: pan and zoom (mouse, touch,
keys) with d3-zoom, vendored in static/ with its licence; the view follows the
current edge at a readable size; buttons, arrow keys, a slider and play/pause
to step; hover or click a node for its numbers and its op's formula; fold a
layer or neuron (a record_scopes() cluster) to one box; search a node by name.
Nothing covers the drawing: help, legend and the step lens (the receiving operation
with all its inputs, drawn large) stand in a side panel that folds away. Where a step's
two ends lie too far apart to show both at a readable size, the view cuts the stretch
between them out (marked) instead of shrinking them. Each step says where it is
(phase > layer > neuron > parameter, from the names) and how far each layer has got;
trivial steps (a local derivative of 1, a contribution of 0) can be passed over.

Every text the page shows comes from notation.py, as in every other view.
"""
from __future__ import annotations

import html
import json
import os
import re
from importlib import resources
from typing import Iterable, Optional, Union

from . import notation
from .backward import grad_lock
from .files import write_atomic
from .notation import fmt
from .ops import OPS
from .render import MAX_NODES, GraphTooBig, dot_layout, edge_words, run_dot
from .steps import Stepper
from .text import check_root
from .value import Value

FOLLOW_SCALE = (0.92, 1.6)    # zoom range when following a step: 11-unit text stays >= 10 CSS px (11 x 0.92)


class ExplorerPage(str):
    """The page's path; in Jupyter it shows the page itself, inline (an iframe whose
    srcdoc holds the page, so a notebook exported to HTML keeps it, with no kernel)."""
    html = ''

    def _repr_html_(self):
        return iframe(self.html)


def iframe(page, height=640):
    return ('<iframe srcdoc="%s" style="width:100%%;height:%dpx;border:1px solid #ccc" '
            'sandbox="allow-scripts"></iframe>' % (html.escape(page, quote=True), height))


def explore(root: Value, path: Union[str, os.PathLike], title: Optional[str] = None, clusters: Optional[dict] = None,
            params: Iterable[Value] = (), rankdir: str = 'LR', at: int = 0, max_nodes: Optional[int] = MAX_NODES,
            stepper: Optional[Stepper] = None, sample: Optional[int] = None, timeout: Union[str, float, None] = 'auto',
            skip_trivial: bool = False, forward: bool = False) -> ExplorerPage:
    """Write the explorer page for root's backward pass to `path` (.html added where the
    name has none); returns its path, which Jupyter shows inline. clusters: from
    `with record_scopes() as clusters:`, to fold layers and neurons; at: the step the
    page opens at (Stepper.explore passes its own); sample: in a lane graph (a batch), the
    sample whose lane the page shows (0 unless given), the sums into shared weights being
    steps of their own. Every .grad is left as it was. Needs Graphviz's `dot`.
    A graph dot would take long on is refused (max_nodes: see to_dot); dot is stopped after
    timeout seconds (render.run_dot: 'auto' unless given; None: no limit) with GraphvizTimeout.
    skip_trivial: the page opens with "skip trivial steps" on (see trivial()).
    forward: the forward pass first, one operation at a time, each value appearing as it is
    computed ('-' before), then the backward steps (a stepper given decides this itself)."""
    check_root('explore', root)
    page = explorer_html(root, title=title, clusters=clusters, params=params, rankdir=rankdir, at=at,
                         stepper=stepper, max_nodes=max_nodes, sample=sample, timeout=timeout,
                         skip_trivial=skip_trivial, forward=forward)
    path = os.fspath(path)
    if not os.path.splitext(path)[1]:
        path += '.html'
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_atomic(path, page)          # a failed write (a full disk, Ctrl-C) leaves the old page
    result = ExplorerPage(path)
    result.html = page
    return result


def flipbook(root: Value, folder: Union[str, os.PathLike], title: Optional[str] = None,
             **options: object) -> ExplorerPage:
    """The flip-book of earlier versions, now the explorer page: folder/index.html."""
    return explore(root, os.path.join(os.fspath(folder), 'index.html'), title=title, **options)


def explorer_html(root, title=None, clusters=None, params=(), rankdir='LR', at=0, stepper=None,
                  max_nodes=MAX_NODES, sample=None, timeout='auto', skip_trivial=False, forward=False):
    """the page as a string (see explore). stepper: a Stepper on root, whose state is
    kept (the page replays the pass from its start)."""
    for name, flag in (('skip_trivial', skip_trivial), ('forward', forward)):
        if not isinstance(flag, bool):
            raise TypeError("explore: %s must be True or False, got %r" % (name, flag))
    if stepper is not None and forward and not stepper.forward:
        raise ValueError("explore: forward=True, but the stepper given has no forward steps "
                         "(make it with step(root, forward=True))")
    own = stepper is None
    stepper = stepper or Stepper(root, sample, forward)
    sample = stepper.sample
    position, started = stepper.position, stepper.started
    # the whole replay holds grad_lock (re-entrant, as each step takes it too): a Trainer step in
    # another thread neither changes the page's numbers nor sees the replay's gradients
    with grad_lock:
        stepper.reset()                  # every .grad as before the stepper, to replay from the start
        try:
            steps, start, final = _replay(stepper, sample)
        finally:
            stepper.reset()              # every .grad as it was; a caller's stepper back where it stood
            if not own:
                for _ in range(position):
                    stepper.next()
                if started and not stepper.started:
                    stepper._start()
    naming = stepper.naming
    try:
        dot, ids, groups = dot_layout(root, rankdir=rankdir, params=params, clusters=clusters, grads=final,
                                      stepping=True, max_nodes=max_nodes, naming=naming, element_ids=True,
                                      sample=sample, tooltips=False,      # the page's panel says it on hover
                                      legend=False)                       # the side panel holds it
    except GraphTooBig as refused:       # to_dot's advice (depth=) is not explore's: the page shows a whole graph
        raise GraphTooBig(explore_advice(str(refused))) from None
    svg = _svg(dot, timeout)
    groups_seen = []                  # [phase, layer] in the order the steps first reach them
    data = {
        'forward': stepper.forward_count,
        'steps': [_step_data(s, ids, before, sample, groups_seen) for s, before in steps],
        'groups': groups_seen,
        'skip': skip_trivial,
        'start': {ids[node]: text for node, text in start.items()},
        'nodes': {ids[node]: _node_data(node, naming, ids, sample) for node in naming.nodes if node in ids},
        'edges': _edges(steps, ids, naming, sample),
        'clusters': [{'id': cid, 'name': name, 'members': members, 'parent': parent}
                     for cid, name, members, parent in groups],
        'root': ids[root],
        'at': max(0, min(int(at), len(steps))),
        'follow': FOLLOW_SCALE,
    }
    title = title or "%s %s, one %sstep at a time%s" % (
        "The forward pass and backprop through" if stepper.forward else "Backprop through",
        notation.printable(naming[root]), "" if stepper.forward else "chain-rule ",
        "" if sample is None else " (the lane of sample %d)" % sample)
    library = resources.files('autograd').joinpath('static', 'd3-zoom.min.js').read_text(encoding='utf-8')
    values = {'title': html.escape(title), 'svg': svg, 'library': library, 'data': script_json(data),
              'notation': html.escape(notation.NOTATION).replace('\n', '<br>')}
    # one pass, so that nothing inserted (a label reading "%(data)s") is read as a placeholder
    return re.sub(r'%\((\w+)\)s', lambda m: values[m.group(1)], PAGE)


def explore_advice(message):
    """to_dot's refusal, reworded for explore, which takes no depth=: lay it out anyway, or
    explore a smaller graph (draw(root, depth=3) draws a part)."""
    message = re.sub(r'^to_dot: ', 'explore: ', message)
    return re.sub(r'; draw a part with depth= \(e\.g\. depth=3\), or pass max_nodes=None.*$',
                  '; pass max_nodes=None to lay it out anyway, or explore a smaller graph '
                  '(one sample, a smaller model); draw(root, depth=3) draws a part of this one', message)


def _replay(stepper, sample=None):
    """run the stepper through; returns ([(Step, the receiver's grad text before; None
    for a forward step)], {node: grad text as the backward pass starts}, {node: .grad at
    the end}); the caller resets it."""
    steps = [(stepper.next(), None) for _ in range(stepper.forward_count)]
    stepper._start()                  # the root's gradient is 1, as backward() starts
    start = {node: fmt(notation.lane(g, sample)) for node, g in stepper.grads.items()}
    reached = set(stepper.grads)
    while True:
        s = stepper.next()
        if s is None:
            break
        steps.append((s, fmt(notation.lane(s.before, sample)) if s.parent in reached else '-'))
        reached.add(s.parent)
    final = {node: node.grad for node in stepper.naming.nodes}
    return steps, start, final


def _step_data(s, ids, before, sample, groups):
    """one step for the page: its edge and ends, the receiver's grad before and after, the
    equation (MathML and text), the numbers (local, upstream, contribution), its breadcrumb,
    its layer (an index into groups, which it extends), and whether it is trivial.
    A forward step: the node computed, its value, equation, breadcrumb and layer."""
    if s.phase == 'forward':
        path = crumbs(s.node_name, 'forward')
        group = ['forward', path[1] if len(path) > 3 else OUTSIDE]
        if group not in groups:
            groups.append(group)
        return {'f': 1, 'n': ids[s.node], 'a': fmt(notation.lane(s.after, sample)), 'm': s.mathml(),
                't': notation.printable(str(s)), 'c': path, 'g': groups.index(group), 'v': 0}
    k = ids[s.node][1:]
    path = crumbs(s.parent_name, 'backward')
    group = ['backward', path[1] if len(path) > 3 else
             INPUTS if s.parent._a is None and not notation.is_parameter(s.parent) else OUTSIDE]
    if group not in groups:
        groups.append(group)
    shown = [fmt(notation.lane(x, sample)) for x in (s.local, s.upstream, s.contribution)]
    return {'e': 'e%s_%d' % (k, s.slot), 'n': ids[s.node], 'p': ids[s.parent], 'b': before,
            'a': fmt(notation.lane(s.after, sample)), 'm': s.mathml(change=False),   # the page shows the change itself
            't': notation.printable(str(s)), 'l': shown[0], 'u': shown[1], 'q': shown[2],
            'y': notation.printable(notation.local_symbol(s.node_name, s.parent_name)),
            'c': path, 'g': groups.index(group), 'v': int(trivial(s))}


# progress groups of steps into nodes whose names say no layer: the inputs, and the rest (the loss's e, o, ...)
INPUTS, OUTSIDE = 'inputs', 'outside layers'
LAYERED = re.compile(r'^(L\d+)\.(n\d+)\.(.+)$')


def crumbs(name, phase):
    """where a step is, from the receiving node's name: 'L2.n6.w7' -> [phase, 'L2', 'n6', 'w7'];
    a name without that structure (loss, e, x1) -> [phase, name]."""
    name = notation.printable(name)
    m = LAYERED.match(name)
    return [phase] + list(m.groups()) if m else [phase, name]


def trivial(s):
    """a step that changes nothing worth a look: its local derivative is exactly 1 (the
    gradient passes on unchanged) or its contribution is exactly 0 (nothing arrives).
    On lanes, in every sample's lane; a sum into a shared weight never is."""
    if notation.is_reduction(s.local):
        return False
    return _every(s.local, 1) or _every(s.contribution, 0)


def _every(x, number):
    if notation.has_lanes(x):
        return all(v == number for v in x.tolist())
    return x == number


def _edges(steps, ids, naming, sample):
    """each stepped edge's element id: [its input's box, its node's box, its local derivative
    in words (render.edge_words), which hovering the edge shows]."""
    steps = [(s, b) for s, b in steps if s.phase == 'backward']
    words = {}
    for s, _ in steps:
        if s.node not in words:
            words[s.node] = {slot: text for _, _, slot, _, text in edge_words(s.node, naming.names, sample)
                             if slot is not None}
    return {'e%s_%d' % (ids[s.node][1:], s.slot): [ids[s.parent], ids[s.node], notation.printable(words[s.node][s.slot])]
            for s, _ in steps}


def _node_data(node, naming, ids, sample=None):
    """what hovering a node shows: name, op, data, the op's formula and local derivatives."""
    info = {'name': notation.printable(naming[node]), 'data': fmt(notation.lane(node.data, sample))}
    if node._a is None:
        info['op'] = ''
        info['kind'] = 'parameter' if notation.is_parameter(node) else 'leaf'
        return info
    op = OPS[node.op]
    info['op'] = node.op
    info['formula'] = op.formula
    info['sym'] = notation.printable(notation.dot_symbol(node) if node.dot_operands is not None else node.op)
    # the lens's inputs, in order: [box id ('' for a constant), name or number, edge slot (-1: none),
    # local derivative, place in a dot's formula ('w_2', 'x_2', 'b'; '' in any other op)]
    roles = [role for role, _, _, _ in notation.dot_inputs(node)] if node.dot_operands is not None else None
    info['in'] = [[ids.get(operand, '') if isinstance(operand, Value) else '',
                   notation.printable(naming[operand]) if isinstance(operand, Value) else fmt(notation.lane(operand, sample)),
                   -1 if slot is None else slot, '' if local is None else fmt(notation.lane(local, sample)),
                   roles[place] if roles else '']
                  for place, operand, slot, local, _ in edge_words(node, naming.names, sample)]
    if node.dot_operands is None:
        info['locals'] = [[notation.local_symbol(naming[node], naming[p]), fmt(notation.lane(d, sample))]
                          for p, d in zip(node.parents, node.local_grads)]
        return info
    # a dot: each local derivative with what it is, ∂(L1.n3.z)/∂(L1.n3.w2) = x2, and its number
    local = node.local_grads
    info['locals'] = [[notation.local_words(naming[node], naming[p], role,
                                            naming[partner] if isinstance(partner, Value) else None, None),
                       fmt(notation.lane(local[slot], sample))]
                      for role, p, partner, slot in notation.dot_inputs(node) if slot is not None]
    return info


def _svg(dot, timeout='auto'):
    """dot's SVG for the page: no XML prologue, and no size or viewBox, so that one unit
    is one CSS pixel at zoom 1 and the page's zoom alone decides how big text is."""
    svg = run_dot(dot, 'svg', timeout).decode('utf-8')
    svg = svg[svg.index('<svg'):]
    head, rest = svg.split('>', 1)
    keep = [a for a in head[4:].split('\n') if a.strip().startswith('xmlns')]
    return '<svg id="graph" %s>%s' % (' '.join(a.strip() for a in keep), rest)


def script_json(data):
    """data as JSON that is safe inside <script>: no '<' at all, so neither '</script>'
    nor '<!--' can change how the browser reads the script (in a script element's text
    the HTML parser acts on nothing that does not start with '<'; '>' and '&' are plain
    text there, and left as they are: the steps' MathML is full of them), and no
    U+2028/U+2029, which end a line in older JavaScript."""
    text = json.dumps(data, separators=(',', ':'))
    for c in '<\u2028\u2029':
        text = text.replace(c, '\\u%04x' % ord(c))
    return text


PAGE = open(os.path.join(os.path.dirname(__file__), 'static', 'explorer.html'), encoding='utf-8').read()

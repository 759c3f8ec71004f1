"""Stepping through backprop one chain-rule step (one edge) at a time, and the
text views that go with it: the forward trace and an indented tree.

The stepper does what backward() does, one edge at a time, on the nodes
themselves: step(root) sets the gradients as backward() starts them (root 1,
intermediates 0, leaves keep what they have accumulated), each .next() does
`parent.grad += local · node.grad`, and after .run() every .grad is exactly
what backward() gives. .prev() undoes one step exactly, .reset() puts back every
gradient as it was before step(root).

    >>> from autograd import Value
    >>> a = Value(3.0, label='a'); b = Value(1.0, label='b')
    >>> c = a * b; c.label = 'c'
    >>> s = step(c)
    >>> print(s.next())
    a.grad += ∂c/∂a · c.grad = 1.0 · 1 = 1.0   (a.grad 0 -> 1.0)
    >>> a.grad
    1.0
"""
from dataclasses import dataclass

from . import notation
from .backward import seed
from .notation import Naming, fmt
from .render import NOTEBOOK_TIMEOUT, GraphvizNotFound, GraphvizTimeout, draw, grad_text, notebook_graph
from .value import Value


@dataclass(frozen=True, repr=False)
class Step:
    """One chain-rule step: parent.grad += local · node.grad."""
    number: int        # 1-based
    node: Value        # the node passing gradient on
    parent: Value      # the input receiving it
    slot: int          # which edge of node: 0 or 1 for a binary op's inputs, 0..k-1 for a dot's parents
    local: object      # ∂node/∂parent, recorded when the op ran
    upstream: object   # node.grad = ∂root/∂node, complete by now
    contribution: object
    before: object     # parent.grad before this step
    after: object      # and after it
    root_name: str
    node_name: str
    parent_name: str
    sample: object = None   # in a lane graph: the sample whose lane the step shows
    partner: object = None  # on a dot's edge, what `local` is: the paired operand's name
                            # (x_i toward w_i, w_i toward x_i) or a number (a constant; 1 toward b)

    @property
    def is_reduction(self):
        """True where lanes are summed into a one-number parent (a shared weight)."""
        return notation.is_reduction(self.local)

    def _shown(self):
        """(local, upstream, contribution, before, after) as one sample's lane shows them."""
        k = self.sample
        return tuple(notation.lane(x, k) for x in (self.local, self.upstream, self.contribution,
                                                    self.before, self.after))

    def _prefix(self):
        lanes = self.sample is not None and any(notation.has_lanes(x) for x in (self.local, self.upstream,
                                                                                 self.contribution))
        return "[sample %d] " % self.sample if lanes else ""

    def __str__(self):
        if self.is_reduction:
            return notation.reduction_text(self.parent_name, self.node_name, self.local, self.upstream,
                                           self.contribution, self.before, self.after, partner=self._summed())
        return self._prefix() + notation.step_text(self.parent_name, self.node_name, *self._shown(),
                                                   partner=self.partner)

    def _summed(self):
        """the partner as it stands in a reduction's sum: a lane operand's entry, x1[i]."""
        if isinstance(self.partner, str):            # a node's name
            operand = next(p for _, _, p, slot in notation.dot_inputs(self.node) if slot == self.slot)
            if notation.has_lanes(operand.data):
                return self.partner + "[i]"
        return self.partner

    def __repr__(self):
        return "<Step %d: %s>" % (self.number, self)

    def mathml(self, change=True):
        """the step typeset (a reduction as text); change: with the receiver's "before -> after"."""
        if self.is_reduction:
            return ('<div class="step reduction" style="font-family:monospace">%s</div>'
                    % notation.html.escape(str(self)))
        prefix = notation.html.escape(self._prefix())
        shown = self._shown() if change else self._shown()[:3]
        return (('<div class="step-sample">%s</div>' % prefix) if prefix else '') + notation.step_mathml(
            self.parent_name, self.node_name, *shown, partner=self.partner)

    def _repr_html_(self):
        return self.mathml()

    def _repr_latex_(self):
        if self.is_reduction:
            return None
        return notation.step_latex(self.parent_name, self.node_name, *self._shown()[:3], partner=self.partner)


class Stepper:
    """step(root): a REPL companion. .next() does one edge, .prev() undoes it,
    .run() goes to the end, .reset() puts every gradient back, .draw() renders the moment.

    On a lane graph (a batch, lanes.py) the steps move the real lane gradients, and
    each shows one sample's lane: `sample` (0 unless given); an edge into a shared
    weight is the reduction step, showing every sample's contribution and their sum."""

    def __init__(self, root, sample=None):
        self.root = root
        self.naming = Naming(root)
        lanes = [len(node.data) for node in self.naming.nodes if notation.has_lanes(node.data)]
        if lanes and sample is None:
            sample = 0
        if sample is not None and not (lanes and 0 <= sample < lanes[0]):
            raise ValueError("step: sample=%r, but this graph carries %s" % (
                sample, "%d samples (0..%d)" % (lanes[0], lanes[0] - 1) if lanes else "no lanes (one sample)"))
        self.sample = sample
        self.names = self.naming.names
        self.edges = self.naming.edges
        self.saved = [(node, node.grad) for node in self.naming.nodes]   # for reset()
        self.steps = []
        self.reached = set()
        self.started = False
        self._partners = {}       # dot node -> what each of its edges' local derivative is (notation.dot_partners)
        self._start()

    def _start(self):
        """the gradients as backward() starts them: root 1, intermediates 0, leaves as they are."""
        for node in self.naming.nodes:
            if node._a is not None:
                node.grad = 0
        if self.root._a is None:
            self.root.grad = self.root.grad + seed(self.root)   # backward() of a leaf accumulates, like any leaf
        else:
            self.root.grad = seed(self.root)
        self.reached = {self.root}
        self.started = True

    def reset(self):
        """every gradient back to what it was before step(root), and the stepper
        to its start (the next .next() begins the backward pass again)."""
        for node, g in self.saved:
            node.grad = g
        self.steps = []
        self.reached = set()
        self.started = False
        return self

    @property
    def position(self):
        return len(self.steps)

    @property
    def grads(self):
        """{node: .grad} for the nodes the backward pass has reached so far, and the
        leaves that already held a gradient; views show '-' for the others."""
        return {node: node.grad for node in self.naming.nodes
                if node in self.reached or (node._a is None and (notation.has_lanes(node.grad) or node.grad != 0))}

    def next(self):
        """perform the next chain-rule step on the nodes' .grad and return it; None when all are done."""
        if not self.started:
            self._start()
        if self.position == len(self.edges):
            return None
        node, slot, parent, local = self.edges[self.position]
        upstream = node.grad
        contribution = local * upstream
        before = parent.grad
        # as backward(): an intermediate's first gradient is the contribution itself (so -0.0
        # stays -0.0), a leaf's is added to what it holds
        after = contribution if parent._a is not None and parent not in self.reached else before + contribution
        parent.grad = after
        step = Step(self.position + 1, node, parent, slot, local, upstream, contribution, before, after,
                    self.names[self.root], self.names[node], self.names[parent], self.sample, self._partner(node, slot))
        self.steps.append(step)
        self.reached.add(parent)
        return step

    def _partner(self, node, slot):
        if node.dot_operands is None:
            return None
        if node not in self._partners:
            self._partners[node] = notation.dot_partners(node, self.names)
        return self._partners[node][slot]

    def prev(self):
        """undo the last step: its parent's .grad goes back to exactly what it held; returns it."""
        if not self.steps:
            return None
        step = self.steps.pop()
        step.parent.grad = step.before
        if all(s.parent is not step.parent for s in self.steps):
            self.reached.discard(step.parent)
        return step

    def run(self):
        """every remaining step; returns the stepper."""
        while self.next() is not None:
            pass
        return self

    def grad(self, node):
        """node's gradient now: its .grad."""
        return node.grad

    def __len__(self):
        return len(self.edges)

    def where(self):
        """where the stepper stands, in words."""
        k, n = self.position, len(self.edges)
        root = notation.printable(self.names[self.root])
        if not self.started:
            return "step 0 of %d, not started (every gradient as before step())" % n
        if k == 0:
            return "step 0 of %d, at the start: %s.grad = %s" % (n, root, fmt(notation.lane(seed(self.root), self.sample)))
        last = self.steps[-1]
        return "step %d of %d%s, last: %s -> %s" % (k, n, " (finished)" if k == n else "",
                                                   notation.printable(last.node_name),
                                                   notation.printable(last.parent_name))

    def __repr__(self):
        so_far = ", ".join("%s=%s" % (notation.printable(self.names[v]), fmt(notation.lane(g, self.sample)))
                           for v, g in self.grads.items())
        return "<Stepper %s; gradients so far: %s>" % (self.where(), so_far)

    def dot_options(self):
        """to_dot options that show this moment: gradients so far, finished and current edges."""
        done = [(s.node, s.slot) for s in self.steps]
        return dict(grads=self.grads, done=done[:-1], current=done[-1] if done else None, sample=self.sample,
                    stepping=True, title=self.where() + (": " + str(self.steps[-1]) if self.steps else ""))

    def draw(self, **options):
        """the graph now: finished edges green, the current one red, gradients so far ('-' where none yet)."""
        return draw(self.root, **dict(self.dot_options(), **options))

    def explore(self, path, **options):
        """the explorer page (explore.explore) of this backward pass, opening at this step."""
        from .explore import explore
        return explore(self.root, path, at=self.position, stepper=self, sample=self.sample, **options)

    def _repr_html_(self):
        """in a notebook: the explorer page at this step, inline; without `dot`, or for a
        graph too big to lay out, the equation and the text tree."""
        from .explore import explorer_html, iframe
        try:
            return iframe(explorer_html(self.root, stepper=self, at=self.position, timeout=NOTEBOOK_TIMEOUT))
        except (GraphvizNotFound, GraphvizTimeout, ValueError):
            pass
        equation = self.steps[-1]._repr_html_() if self.steps else ''
        return ('<div class="stepper"><div style="font-family:monospace">%s</div>%s%s</div>'
                % (notation.html.escape(self.where()), equation,
                   notebook_graph(self.root, self.naming, **self.dot_options())))


def step(root, sample=None):
    """A Stepper over root's backward pass; it sets the gradients as backward() starts them.
    sample: in a lane graph, the sample whose lane the steps show (0 unless given)."""
    _check_root('step', root)
    return Stepper(root, sample)


def _check_root(function, root):
    if not isinstance(root, Value):
        raise TypeError("%s: expected a Value, got %s %r" % (function, type(root).__name__, root))


def trace(root):
    """The forward pass, inputs first, one line per operation:
    ['c = a * b = 2.0 * -3.0 = -6.0', ...]; a dot, as vectors where its names make
    them: 'L1.n3.z = L1.n3.w · x + L1.n3.b = 0.52' (notation.dot_formula)."""
    _check_root('trace', root)
    naming = Naming(root)
    shown = naming.names
    lines = []
    for node in naming.nodes:
        if node.is_leaf():
            continue
        ops = node.operands
        symbols = [notation.printable(shown[o]) if isinstance(o, Value) else fmt(o) for o in ops]
        values = [fmt(o.data if isinstance(o, Value) else o) for o in ops]
        name = notation.printable(shown[node])
        if node.dot_operands is not None:
            lines.append("%s = %s = %s" % (name, notation.dot_formula(node, shown), fmt(node.data)))
        elif len(ops) == 1:
            lines.append("%s = %s(%s) = %s(%s) = %s" % (name, node.op, symbols[0], node.op, values[0], fmt(node.data)))
        else:
            lines.append("%s = %s %s %s = %s %s %s = %s" % (name, symbols[0], node.op, symbols[1],
                                                            values[0], node.op, values[1], fmt(node.data)))
    return lines


MAX_INDENT = 24        # levels; deeper lines carry their depth instead, so the text grows linearly


def tree(root, grads=None, mark=None, max_lines=2000, naming=None):
    """An indented text view of the expression, data and grad on every line; a node
    reached a second time is shown once and then referred to.

    grads: {node: gradient} to show instead of .grad ('-' where none yet).
    mark: a Stepper whose current step is marked (◀ on the node passing gradient
    and the input receiving it). A dot node reads `z = dot: w · x + b`, its inputs
    w_1..w_n, x_1..x_n, b below it, each with its place (`x_3: L1.n3.a`) where its
    name does not already say it (L1.n3.w2 is w_2). Past MAX_INDENT levels a line says its depth
    instead of indenting further, and at most max_lines lines are printed (None: all),
    with a last line saying how many were left out.
    """
    _check_root('tree', root)
    naming = naming or Naming(root)
    shown = naming.names
    marks = {}
    if mark is not None and mark.steps:
        last = mark.steps[-1]
        marks[last.node] = "   ◀ passing gradient to %s" % notation.printable(shown[last.parent])
        marks[last.parent] = "   ◀ receiving gradient from %s (step %d)" % (
            notation.printable(shown[last.node]), last.number)
    lines, seen = [], set()
    # (node, depth, last input?, for each indented ancestor: was it last?, its place in a dot or '')
    stack = [(root, 0, False, (), '')]
    while stack:
        if max_lines is not None and len(lines) >= max_lines:
            lines.append("... cut at %d lines; the graph has %d nodes (tree(root, max_lines=None) shows all)"
                         % (max_lines, len(naming.nodes)))
            break
        node, depth, last, lasts, role = stack.pop()
        lead = _lead(depth, last, lasts)
        if role and (not isinstance(node, Value) or not notation.names_role(shown[node], role)):
            lead += role + ": "
        if not isinstance(node, Value):
            lines.append("%sconstant %s" % (lead, fmt(node)))
            continue
        name = notation.printable(shown[node])
        if node in seen and not node.is_leaf():
            lines.append("%s%s (shown above)" % (lead, name))
            continue
        seen.add(node)
        op = node.op if node.dot_operands is None else "dot: " + notation.dot_symbol(node)
        what = "%s = %s" % (name, op) if not node.is_leaf() else name
        lines.append("%s%s   data %s   grad %s%s" % (lead, what, fmt(node.data), grad_text(node, grads),
                                                    marks.get(node, '')))
        if node.dot_operands is None:
            inputs = [('', operand) for operand in node.operands]
        else:
            inputs = [(role, operand) for role, operand, _, _ in notation.dot_inputs(node)]
        child_lasts = lasts + (last,) if depth and depth < MAX_INDENT else lasts
        for k in reversed(range(len(inputs))):
            stack.append((inputs[k][1], depth + 1, k == len(inputs) - 1, child_lasts, inputs[k][0]))
    return '\n'.join(lines)


def _lead(depth, last, lasts):
    """the indentation and branch of a line at `depth`; `lasts` says, for each
    indented ancestor, whether it was its parent's last input (then no │ runs on)."""
    if depth == 0:
        return ''
    branch = '└─ ' if last else '├─ '
    if depth > MAX_INDENT:
        return '[depth %d] %s' % (depth, branch)
    return ''.join('   ' if l else '│  ' for l in lasts) + branch

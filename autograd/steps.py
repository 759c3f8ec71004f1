"""The chain-rule steps of one pass through a graph, one at a time, on the nodes
themselves: the data every view of a step reads (stepper.py's REPL and notebook
companion, explore.py's page, the terminal stepper).

The backward steps do what backward() does, one edge at a time: starting sets the
gradients as backward() starts them (root 1, intermediates 0, leaves keep what they
have accumulated), each .next() does `parent.grad += local · node.grad`, and after
.run() every .grad is exactly what backward() gives. .prev() undoes one step
exactly, .reset() puts back every gradient as it was before.

With forward=True the forward pass comes first, one operation node at a time in
evaluation order (`c = a * b = 2.0 * -3.0 = -6.0`); a node's value shows only once it
is computed, and no gradient exists until the first backward step.

Every move that writes .grad holds backward's grad_lock, as a Trainer's step does: a
Stepper in another thread waits for the step to end, and never changes what it applies.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, Optional

from . import notation
from .backward import grad_lock, seed
from .notation import Naming, fmt
from .text import forward_terms
from .value import Value


REPR_GRADS = 8           # a Stepper's repr lists every gradient up to this many, else how many and the last step's
REPR_NAME = 60           # characters of a name a Stepper's repr and where() show


def _cut(name):
    return name if len(name) <= REPR_NAME else name[:REPR_NAME] + "…"


def _holding_grad_lock(method):
    """method, run holding grad_lock (see the module's docstring)."""
    @functools.wraps(method)
    def holding(self, *args):
        with grad_lock:
            return method(self, *args)
    return holding


@dataclass(frozen=True, repr=False)
class Step:
    """One step. Backward (phase 'backward'): parent.grad += local · node.grad.
    Forward (phase 'forward'): node's value computed from its inputs; then parent, slot,
    local, upstream, contribution, before and parent_name are None, and after is node.data."""
    number: int        # 1-based, over the whole sequence
    node: Value        # the node passing gradient on (forward: the node computed)
    parent: Value      # the input receiving it
    slot: int          # which edge of node: 0 or 1 for a binary op's inputs, 0..k-1 for a dot's parents
    local: object      # ∂node/∂parent, recorded when the op ran
    upstream: object   # node.grad = ∂root/∂node, complete by now
    contribution: object
    before: object     # parent.grad before this step
    after: object      # and after it (forward: node.data)
    root_name: str
    node_name: str
    parent_name: str
    sample: object = None   # in a lane graph: the sample whose lane the step shows
    partner: object = None  # on a dot's edge, what `local` is: the paired operand's name
                            # (x_i toward w_i, w_i toward x_i) or a number (a constant; 1 toward b)
    phase: str = 'backward'
    equation: str = None    # a forward step's line, text.forward_line
    terms: tuple = None     # and its sides as tokens (text.forward_terms), for the typeset forms

    @property
    def is_reduction(self):
        """True where lanes are summed into a one-number parent (a shared weight)."""
        return self.phase == 'backward' and notation.is_reduction(self.local)

    def _shown(self):
        """(local, upstream, contribution, before, after) as one sample's lane shows them."""
        k = self.sample
        return tuple(notation.lane(x, k) for x in (self.local, self.upstream, self.contribution,
                                                    self.before, self.after))

    def _prefix(self):
        lanes = self.sample is not None and any(notation.has_lanes(x) for x in (
            (self.after,) if self.phase == 'forward' else (self.local, self.upstream, self.contribution)))
        return "[sample %d] " % self.sample if lanes else ""

    def __str__(self) -> str:
        if self.phase == 'forward':
            return self._prefix() + self.equation
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

    def __repr__(self) -> str:
        return "<Step %d: %s>" % (self.number, self)

    def mathml(self, change: bool = True) -> str:
        """the step typeset (a reduction as text); change: with the receiver's "before -> after"."""
        if self.phase == 'forward' and self.terms is not None:
            prefix = notation.html.escape(self._prefix())
            return (('<div class="step-sample">%s</div>' % prefix) if prefix else '') + notation.forward_mathml(self.terms)
        if self.is_reduction or self.phase == 'forward':
            return ('<div class="step %s" style="font-family:monospace">%s</div>'
                    % ('forward' if self.phase == 'forward' else 'reduction', notation.html.escape(str(self))))
        prefix = notation.html.escape(self._prefix())
        shown = self._shown() if change else self._shown()[:3]
        return (('<div class="step-sample">%s</div>' % prefix) if prefix else '') + notation.step_mathml(
            self.parent_name, self.node_name, *shown, partner=self.partner)

    def _repr_html_(self):
        return self.mathml()

    def _repr_latex_(self):
        if self.phase == 'forward' and self.terms is not None:
            return notation.forward_latex(self.terms)
        if self.is_reduction or self.phase == 'forward':
            return None
        return notation.step_latex(self.parent_name, self.node_name, *self._shown()[:3], partner=self.partner)


class Stepper:
    """The steps of root's pass, taken one at a time: .next() does one, .prev() undoes it,
    .run() goes to the end, .reset() back to the start with every gradient as it was.

    On a lane graph (a batch, lanes.py) the steps move the real lane gradients, and
    each shows one sample's lane: `sample` (0 unless given); an edge into a shared
    weight is the reduction step, showing every sample's contribution and their sum.
    forward: the forward pass's steps first, one per operation node (see the module)."""

    def __init__(self, root: Value, sample: Optional[int] = None, forward: bool = False) -> None:
        self.root = root
        self.naming = Naming(root)
        if sample is None and any(notation.has_lanes(node.data) for node in self.naming.nodes):
            sample = 0
        sample = notation.check_sample('step', sample, self.naming.nodes)
        if not isinstance(forward, bool):
            raise TypeError("step: forward must be True or False, got %r" % (forward,))
        self.sample = sample
        self.forward = forward
        self.names = self.naming.names
        self.edges = self.naming.edges
        # the forward pass: every operation node, inputs before the nodes that use them
        self.computing = [node for node in self.naming.nodes if node._a is not None] if forward else []
        self.saved = [(node, node.grad) for node in self.naming.nodes]   # for reset()
        self.steps = []
        self.reached = set()
        self.computed = set()
        self.started = False      # the backward pass: gradients set as backward() starts them
        self._partners = {}       # dot node -> what each of its edges' local derivative is (notation.dot_partners)
        if not forward:
            self._start()

    @_holding_grad_lock
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

    @_holding_grad_lock
    def _unstart(self):
        """every gradient back to what it was before the stepper."""
        for node, g in self.saved:
            node.grad = g
        self.reached = set()
        self.started = False

    def reset(self) -> Stepper:
        """every gradient back to what it was before step(root), and the stepper
        to its start (the next .next() begins the pass again)."""
        self._unstart()
        self.steps = []
        self.computed = set()
        return self

    @property
    def position(self) -> int:
        return len(self.steps)

    @property
    def forward_count(self) -> int:
        """how many forward steps come first (0 unless forward=True)."""
        return len(self.computing)

    @property
    def phase(self) -> str:
        """'forward' until the backward pass has begun (with forward=True), else 'backward'."""
        return 'forward' if self.computing and self.position <= len(self.computing) else 'backward'

    @property
    def values(self) -> Dict[Value, object]:
        """{node: .data} for the nodes whose value is known now: every leaf, and each
        operation node once its forward step is done; every node without forward=True."""
        if not self.forward:
            return {node: node.data for node in self.naming.nodes}
        return {node: node.data for node in self.naming.nodes if node._a is None or node in self.computed}

    @property
    def grads(self) -> Dict[Value, object]:
        """{node: .grad} for the nodes the backward pass has reached so far, and the
        leaves that already held a gradient; views show '-' for the others. Empty
        before the backward pass begins."""
        if not self.started:
            return {}
        return {node: node.grad for node in self.naming.nodes
                if node in self.reached or (node._a is None and (notation.has_lanes(node.grad) or node.grad != 0))}

    @_holding_grad_lock
    def next(self) -> Optional[Step]:
        """take the next step (a backward one on the nodes' .grad) and return it; None when all are done."""
        k = self.position
        if k < len(self.computing):
            node = self.computing[k]
            terms = forward_terms(node, self.names, self.sample)
            step = Step(k + 1, node, None, None, None, None, None, None, node.data, self.names[self.root],
                        self.names[node], None, self.sample, None, 'forward',
                        " = ".join(text for text, _ in terms), tuple(terms))
            self.steps.append(step)
            self.computed.add(node)
            return step
        if k == len(self):
            return None
        if not self.started:
            self._start()
        node, slot, parent, local = self.edges[k - len(self.computing)]
        upstream = node.grad
        contribution = local * upstream
        before = parent.grad
        # as backward(): an intermediate's first gradient is the contribution itself (so -0.0
        # stays -0.0), a leaf's is added to what it holds
        after = contribution if parent._a is not None and parent not in self.reached else before + contribution
        parent.grad = after
        step = Step(k + 1, node, parent, slot, local, upstream, contribution, before, after,
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

    @_holding_grad_lock
    def prev(self) -> Optional[Step]:
        """undo the last step: a backward step's parent .grad goes back to exactly what it
        held (back before the first one, every gradient as before the stepper); returns it."""
        if not self.steps:
            return None
        step = self.steps.pop()
        if step.phase == 'forward':
            self.computed.discard(step.node)
            return step
        step.parent.grad = step.before
        if all(s.parent is not step.parent for s in self.steps):
            self.reached.discard(step.parent)
        if self.forward and self.position == len(self.computing):
            self._unstart()          # back in the forward pass: no gradient exists yet
        return step

    def run(self) -> Stepper:
        """every remaining step; returns the stepper."""
        while self.next() is not None:
            pass
        return self

    def grad(self, node: Value) -> object:
        """node's gradient now: its .grad."""
        return node.grad

    def __len__(self) -> int:
        return len(self.computing) + len(self.edges)

    def where(self) -> str:
        """where the stepper stands, in words."""
        k, n = self.position, len(self)
        root = notation.printable(self.names[self.root])
        if k == 0 and self.computing:
            return "step 0 of %d, at the start of the forward pass (no value computed yet)" % n
        if not self.started and not self.steps:
            return "step 0 of %d, not started (every gradient as before step())" % n
        if k == 0:
            return "step 0 of %d, at the start: %s.grad = %s" % (n, root, fmt(notation.lane(seed(self.root), self.sample)))
        last = self.steps[-1]
        if last.phase == 'forward':
            return "step %d of %d (forward), last: %s computed" % (k, n, notation.printable(_cut(last.node_name)))
        return "step %d of %d%s, last: %s -> %s" % (k, n, " (finished)" if k == n else "",
                                                   notation.printable(_cut(last.node_name)),
                                                   notation.printable(_cut(last.parent_name)))

    def __repr__(self) -> str:
        """where it stands and the gradients so far: every one on a small graph, else how many and the
        last step's two (a finished stepper on MLP(2,[16,16,1]) would otherwise print 400 of them)."""
        grads = self.grads
        if not self.started and self.forward:
            return "<Stepper %s; %d of %d values computed, no gradient yet>" % (
                self.where(), len(self.computed), len(self.computing))
        if len(grads) > REPR_GRADS and self.steps:
            last = self.steps[-1]
            shown = [(v, grads[v]) for v in (last.node, last.parent) if v in grads]
            return "<Stepper %s; %d gradients so far (.grads has them), the last step's: %s>" % (
                self.where(), len(grads), self._pairs(shown))
        if len(grads) > REPR_GRADS:
            shown = list(grads.items())[:REPR_GRADS]
            return "<Stepper %s; %d gradients so far (.grads has them), the first: %s, ...>" % (
                self.where(), len(grads), self._pairs(shown))
        return "<Stepper %s; gradients so far: %s>" % (self.where(), self._pairs(grads.items()) or "none")

    def _pairs(self, pairs):
        return ", ".join("%s=%s" % (notation.printable(_cut(self.names[v])), fmt(notation.lane(g, self.sample)))
                         for v, g in pairs)

    def dot_options(self) -> dict:
        """to_dot options that show this moment: values and gradients so far, finished and current edges."""
        backward = [s for s in self.steps if s.phase == 'backward']
        done = [(s.node, s.slot) for s in backward]
        last = self.steps[-1] if self.steps else None
        return dict(grads=self.grads, done=done[:-1], current=done[-1] if done else None, sample=self.sample,
                    stepping=True, title=self.where() + (": " + str(last) if last else ""),
                    values=self.values if self.forward else None,
                    computed=last.node if last is not None and last.phase == 'forward' else None)

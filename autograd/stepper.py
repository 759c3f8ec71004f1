"""Stepping through backprop one chain-rule step (one edge) at a time, and the
text views that go with it: the forward trace and an indented tree.

The stepper walks the very edges backward() walks, in the same order, but keeps
its gradients to itself: stepping never touches .grad, so a later backward()
is unaffected. After run() its gradients are what backward() computes.

    >>> from autograd import Value
    >>> a = Value(3.0, label='a'); b = Value(1.0, label='b')
    >>> c = a * b; c.label = 'c'
    >>> s = step(c)
    >>> print(s.next())
    dc/da += dc/da * dc/dc = 1 * 1 = 1   (a.grad 0 -> 1)
"""
from dataclasses import dataclass

from .backward import topological_order
from .render import draw, fmt, grad_text, names, walk_order
from .value import Value


@dataclass(frozen=True)
class Step:
    """One chain-rule step: parent.grad += local * node.grad."""
    number: int        # 1-based
    node: Value        # the node passing gradient on
    parent: Value      # the input receiving it
    slot: int          # which input of node: 0 or 1
    local: object      # d node / d parent, recorded when the op ran
    upstream: object   # d root / d node, complete by now
    contribution: object
    before: object     # parent's gradient before this step
    after: object
    root_name: str
    node_name: str
    parent_name: str

    def __str__(self):
        r, n, p = self.root_name, self.node_name, self.parent_name
        return "d%s/d%s += d%s/d%s * d%s/d%s = %s * %s = %s   (%s.grad %s -> %s)" % (
            r, p, n, p, r, n, fmt(self.local), fmt(self.upstream), fmt(self.contribution),
            p, fmt(self.before), fmt(self.after))


class Stepper:
    """step(root): a REPL companion. .next() does one edge, .prev() undoes it,
    .run() goes to the end, .reset() to the start, .draw() renders the moment."""

    def __init__(self, root):
        self.root = root
        self.names = names(walk_order(root))
        self.edges = [(node, slot, parent, local)
                      for node in topological_order(root)
                      for slot, parent, local in ((0, node._a, node._da), (1, node._b, node._db))
                      if local is not None]
        self.reset()

    def reset(self):
        """back to the start: only the root has a gradient, d root / d root = 1."""
        self.grads = {self.root: 1}
        self.steps = []
        return self

    @property
    def position(self):
        return len(self.steps)

    def next(self):
        """perform the next chain-rule step and return it; None when all are done."""
        if self.position == len(self.edges):
            return None
        node, slot, parent, local = self.edges[self.position]
        upstream = self.grads[node]
        contribution = local * upstream
        before = self.grads.get(parent, 0)
        after = before + contribution
        self.grads[parent] = after
        step = Step(self.position + 1, node, parent, slot, local, upstream, contribution, before, after,
                    self.names[self.root], self.names[node], self.names[parent])
        self.steps.append(step)
        return step

    def prev(self):
        """undo the last step (its parent's gradient goes back to what it was); returns it."""
        if not self.steps:
            return None
        step = self.steps.pop()
        if step.before == 0 and all(s.parent is not step.parent for s in self.steps):
            del self.grads[step.parent]            # it had no gradient at all before
        else:
            self.grads[step.parent] = step.before
        return step

    def run(self):
        """every remaining step; returns the stepper."""
        while self.next() is not None:
            pass
        return self

    def grad(self, node):
        """node's gradient so far (0 where nothing has reached it yet)."""
        return self.grads.get(node, 0)

    def __len__(self):
        return len(self.edges)

    def __repr__(self):
        k, n = self.position, len(self.edges)
        if k == 0:
            where = "at the start: d%s/d%s = 1" % (self.names[self.root], self.names[self.root])
        else:
            last = self.steps[-1]
            where = "last: %s -> %s" % (last.node_name, last.parent_name)
        so_far = ", ".join("%s=%s" % (self.names[v], fmt(g)) for v, g in self.grads.items())
        done = " (finished)" if k == n else ""
        return "<Stepper step %d of %d%s, %s; gradients so far: %s>" % (k, n, done, where, so_far)

    def dot_options(self):
        """to_dot options that show this moment: partial gradients, finished and current edges."""
        done = [(s.node, s.slot) for s in self.steps]
        return dict(grads=self.grads, done=done[:-1], current=done[-1] if done else None,
                    title="step %d of %d%s" % (self.position, len(self.edges),
                                               ": " + str(self.steps[-1]) if self.steps else ""))

    def draw(self, **options):
        """the graph now: finished edges green, the current one red, only the gradients so far."""
        return draw(self.root, **dict(self.dot_options(), **options))


def step(root):
    """A Stepper over root's backward pass."""
    if not isinstance(root, Value):
        raise TypeError("step: expected a Value, got %s %r" % (type(root).__name__, root))
    return Stepper(root)


def trace(root):
    """The forward pass, inputs first, one line per operation:
    ['c = a * b = 2.0 * -3.0 = -6.0', ...]."""
    nodes = walk_order(root)
    shown = names(nodes)
    lines = []
    for node in nodes:
        if node.is_leaf():
            continue
        ops = node.operands
        symbols = [shown[o] if isinstance(o, Value) else fmt(o) for o in ops]
        values = [fmt(o.data if isinstance(o, Value) else o) for o in ops]
        if len(ops) == 1:
            lines.append("%s = %s(%s) = %s(%s) = %s" % (shown[node], node.op, symbols[0], node.op, values[0],
                                                         fmt(node.data)))
        else:
            lines.append("%s = %s %s %s = %s %s %s = %s" % (shown[node], symbols[0], node.op, symbols[1],
                                                            values[0], node.op, values[1], fmt(node.data)))
    return lines


def tree(root, grads=None):
    """An indented text view of the expression, data and grad on every line; a node
    reached a second time is shown once and then referred to. grads: {node: gradient}
    to show instead of .grad (a stepper's gradients so far; '-' where none yet)."""
    shown = names(walk_order(root))
    lines, seen = [], set()
    stack = [(root, '', '')]
    while stack:
        node, lead, child_lead = stack.pop()
        if not isinstance(node, Value):
            lines.append("%sconstant %s" % (lead, fmt(node)))
            continue
        if node in seen and not node.is_leaf():
            lines.append("%s%s (shown above)" % (lead, shown[node]))
            continue
        seen.add(node)
        what = "%s = %s" % (shown[node], node.op) if not node.is_leaf() else shown[node]
        lines.append("%s%s   data %s   grad %s" % (lead, what, fmt(node.data), grad_text(node, grads)))
        operands = node.operands
        for k in reversed(range(len(operands))):
            branch, extend = ('└─ ', '   ') if k == len(operands) - 1 else ('├─ ', '│  ')
            stack.append((operands[k], child_lead + branch, child_lead + extend))
    return '\n'.join(lines)

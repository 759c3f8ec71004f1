"""Graph traversal and the chain rule.

A node keeps up to two inputs with their local derivatives (see value.py):
    _a, _da   and   _b, _db,   a local derivative of None meaning "no edge".
A dot node (value.dot, z = w · x + b) has 2n + 1 inputs: both of its local
derivatives are None, _a holds its operands and _b its edges, (parents, locals).
Everything here reads only those four slots, so rendering and stepping can
walk the very same edges in the very same order.

No recursion anywhere: a 1,000,000-deep chain is as easy as a wide one.
"""
from __future__ import annotations

import threading
from itertools import repeat
from operator import mul as _mul
from typing import TYPE_CHECKING, List

from .anomaly import check_gradients
from . import mode
from . import ops

if TYPE_CHECKING:
    from .value import Value


# Whoever writes .grad takes turns under this one process-wide lock: backward() keeps its marks
# in .grad (see its docstring); a Trainer's step holds it from zero_grad() through the optimizer's
# step, so that the gradients it applies are its own; a Stepper holds it for each move (steps.py).
# Re-entrant, because a step calls backward().
grad_lock = threading.RLock()


def is_nary(node):
    """True for a dot node: an operation result whose edges are in _b (see the module's docstring)."""
    return node._da is None and node._db is None and node._a is not None


def parents_of(node):
    """the Values node was computed from, in order (a + a gives (a, a))."""
    if node._db is None:
        if node._da is None:
            return () if node._a is None else node._b[0]
        return (node._a,)
    return (node._b,) if node._da is None else (node._a, node._b)


def local_grads_of(node):
    """d node / d parent for each of parents_of(node)."""
    if is_nary(node):
        return tuple(node._b[1])
    return tuple(d for d in (node._da, node._db) if d is not None)


def edges_of(node):
    """(parent, local derivative) for each incoming edge of node, in order."""
    return tuple(zip(parents_of(node), local_grads_of(node)))


def _next_nary_parent(node, start, unvisited):
    """the index of node's first parent from `start` on that is an unvisited result, or -1."""
    parents = node._b[0]
    for i in range(start, len(parents)):
        if unvisited(parents[i]):
            return i
    return -1


def topological_order(root: Value) -> List[Value]:
    """The nodes backprop visits: root and every non-leaf node below it, each
    before all of its inputs. (Leaves have no inputs to pass gradient on to;
    graph_nodes() adds them.)

    An iterative depth-first search: a node is finished once all of its inputs
    are; the reversed finishing order puts every node before its inputs, so in
    this order a node's gradient is complete before it is passed on.
    """
    finished = []
    seen = {root}
    stack = [root]
    resume = {}          # dot node -> the index of the next parent to look at

    def unvisited(p):
        return p._a is not None and p not in seen
    while stack:
        node = stack[-1]
        # descend into the first non-leaf input not yet seen; finish the node when there is none
        da = node._da
        if da is not None:
            parent = node._a
            if parent._a is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
                continue
        db = node._db
        if db is not None:
            parent = node._b
            if parent._a is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
                continue
        elif da is None and node._a is not None:        # a dot node: its parents in turn
            i = _next_nary_parent(node, resume.get(node, 0), unvisited)
            if i >= 0:
                resume[node] = i + 1
                parent = node._b[0][i]
                seen.add(parent)
                stack.append(parent)
                continue
        finished.append(stack.pop())
    finished.reverse()
    return finished


def graph_nodes(root: Value) -> List[Value]:
    """Every node root depends on: topological_order(root), then the leaves in the order first met."""
    order = topological_order(root)
    seen = set(order)
    leaves = [p for node in order for p in parents_of(node) if p not in seen and not seen.add(p)]
    return order + leaves


def _order_marking_grads(root):
    """topological_order(root) for backward() alone: it marks each node it visits
    by setting its .grad to a fresh object instead of keeping a `seen` set (the
    walk over the bench's 64k-node MLP graph: 16.4 ms -> 13.4 ms). backward()
    overwrites those gradients anyway, and if it is stopped, whether in this walk
    or after, it resets every intermediate to 0 (_reset). Other callers must not
    see .grad change: they use topological_order.
    Returns the order and the mark."""
    mark = []                # a new object per call: a stale gradient never looks visited
    finished = []
    stack = [root]
    resume = {}              # dot node -> the index of the next parent to look at
    root.grad = mark
    while stack:
        node = stack[-1]
        da = node._da
        if da is not None:
            parent = node._a
            if parent._a is not None and parent.grad is not mark:
                parent.grad = mark
                stack.append(parent)
                continue
        db = node._db
        if db is not None:
            parent = node._b
            if parent._a is not None and parent.grad is not mark:
                parent.grad = mark
                stack.append(parent)
                continue
        elif da is None:             # a dot node: its parents in turn, from where it left off
            parents = node._b[0]
            i = resume.get(node, 0)
            for i in range(i, len(parents)):
                parent = parents[i]
                if parent._a is not None and parent.grad is not mark:
                    resume[node] = i + 1
                    parent.grad = mark
                    stack.append(parent)
                    break
            else:
                finished.append(stack.pop())
            continue
        finished.append(stack.pop())
    finished.reverse()
    return finished, mark


def _reset(root, order, leaves_before):
    """after a stopped backward(): every intermediate of root's graph to 0 (the whole
    graph, walked again without marks, if the stop came before `order` was known),
    and the leaves in leaves_before back to their gradients. A second Ctrl-C during
    this does not cut it short: it starts over, and the first one is raised after."""
    while True:
        try:
            for node in order if order is not None else topological_order(root):
                node.grad = 0
            if leaves_before is not None:
                for leaf, g in leaves_before.items():
                    leaf.grad = g
            return
        except KeyboardInterrupt:
            continue


def seed(root):
    """d root/d root, where the chain rule starts: 1.0 for a float root, so that a graph
    with any float in it gets float gradients everywhere (an int slope such as d(a+b)/da = 1
    times a float is a float); 1 for an exact root, so that exact graphs stay exact.
    A lane root (lanes.py) starts at 1 in every lane: each sample's own backward pass."""
    data = root.data
    if data.__class__ is float:
        return 1.0
    return ops.ones(data) if isinstance(data, ops.ARRAY) else 1


def backward(root: Value) -> None:
    """Set node.grad = d root / d node for every node root depends on.

    Leaf gradients ACCUMULATE across calls (the batch trainer relies on it);
    the gradients of intermediate nodes are reset first, so two calls exactly
    double the leaves and leave the intermediates at their one-pass values.
    The reset is free: an intermediate's first incoming gradient replaces the
    walk's mark instead of being added to a zero.

    Threads take turns: the walk keeps its marks in .grad, so backward() holds
    one process-wide lock, grad_lock, and two threads differentiating the same
    graph (or graphs that share nodes) run one after the other, as two calls in
    sequence would; a Trainer's step holds it too, so another thread's backward()
    waits for the step to end. grad() touches no .grad and does not wait.

    If it is stopped at any point (detect_anomaly(), Ctrl-C, an overflow), no mark
    is left behind and every intermediate of root's graph reads 0 (a stop before
    it has its lock changes nothing); under detect_anomaly() the leaves also get
    back the gradients they had before the call, so that a retry counts nothing
    twice. Outside it they may keep part of this call's gradients: zero them to
    retry. A second Ctrl-C during that clean-up does not cut it short.
    """
    try:
        is_leaf = root._a is None
    except AttributeError:
        raise TypeError("backward: expected a Value, got %s %r" % (type(root).__name__, root)) from None
    with grad_lock:
        _backward_locked(root, is_leaf)


def _backward_locked(root, is_leaf):
    """backward()'s work, under its lock. A function of its own so that the `with`
    holds a single call: a stop anywhere in here unwinds through the `with`, which
    releases the lock."""
    if is_leaf:         # d root/d root = 1, accumulated like any leaf
        root.grad = root.grad + seed(root)
        return
    # Everything from the marking walk on is inside the try: a stop at any point
    # (Ctrl-C lands anywhere) resets the intermediates, with no window outside it.
    order = leaves_before = None
    try:
        order, mark = _order_marking_grads(root)
        root.grad = seed(root)
        if mode.current().anomaly:
            # anomaly mode can stop half-way on purpose: keep what the leaves held before
            leaves_before = {p: p.grad for node in order for p in parents_of(node) if p._a is None}
            anomaly = True
        else:
            anomaly = False
        for node in order:
            # the chain rule, one edge at a time: parent.grad += local * node.grad,
            # where an intermediate parent still holding the walk's mark starts from 0.
            # Written `g = g + c`, not `g += c`: the same speed for numbers, and a lane
            # leaf's gradient array is replaced, never changed in place under a reference.
            g = node.grad
            da = node._da
            if da is not None:
                parent = node._a
                if parent.grad is mark:
                    parent.grad = da * g
                else:
                    parent.grad = parent.grad + da * g
            db = node._db
            if db is not None:
                parent = node._b
                if parent.grad is mark:
                    parent.grad = db * g
                else:
                    parent.grad = parent.grad + db * g
            elif da is None:         # a dot node: one edge per weight, input and bias
                parents, locals_ = node._b
                # lane slopes (lanes.py) give every contribution in one product
                contributions = map(_mul, locals_, repeat(g)) if locals_.__class__ is tuple else locals_ * g
                for parent, c in zip(parents, contributions):
                    if parent.grad is mark:
                        parent.grad = c
                    else:
                        parent.grad = parent.grad + c
            if anomaly:
                check_gradients(node)
    except BaseException as error:    # an anomaly, Ctrl-C or an overflow half-way
        _reset(root, order, leaves_before)
        if error.__class__ is OverflowError:     # an exact int too large for a float gradient
            raise OverflowError("backward: the gradient through a %r node%s is too large for a float: %s"
                                % (node.op, " labelled %r" % node.label if node.label else "",
                                   error)) from None
        raise

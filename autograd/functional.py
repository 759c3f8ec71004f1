"""The functional API: switch recording off, or take gradients without touching .grad."""
from __future__ import annotations

from contextlib import contextmanager
from typing import ContextManager, List, Sequence, Union

from . import ops
from .backward import seed, topological_order, edges_of
from . import mode
from .value import Value


@contextmanager
def no_grad() -> ContextManager[None]:
    """Inside this block (or a function it decorates) operations record no graph:
    results are plain leaves. Use it for evaluation and for weight updates."""
    token = mode.switch(recording=False)
    try:
        yield
    finally:
        mode.restore(token)


def is_grad_enabled() -> bool:
    """True where operations record a graph (outside no_grad()), as torch.is_grad_enabled()."""
    return mode.current().recording


def grad(output: Value, inputs: Union[Value, Sequence[Value]], create_graph: bool = False) -> Union[object, List[object]]:
    """[d output / d x for x in inputs], computed without touching any .grad.

    With create_graph=True each gradient is itself a Value whose graph leads back
    to the inputs, so it can be differentiated again (second derivatives, Hessian
    entries, a Newton step). Inputs that output does not depend on get 0.
    """
    if not isinstance(output, Value):
        raise TypeError("grad: output must be a Value, got %s %r" % (type(output).__name__, output))
    single = isinstance(inputs, Value)
    try:
        inputs = [inputs] if single else list(inputs)
    except TypeError:
        raise TypeError("grad: inputs must be a Value or a list of Values, got %s %r"
                        % (type(inputs).__name__, inputs)) from None
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError("grad: inputs[%d] must be a Value, got %s %r" % (i, type(x).__name__, x))

    grads = {output: seed(output)}
    for node in topological_order(output):
        if create_graph and isinstance(node.data, ops.ARRAY):
            raise NotImplementedError("grad(create_graph=True) differentiates one-number graphs only; this "
                                      "graph carries lanes (a batch, lanes.py): take the second derivative "
                                      "of one sample's scalar graph instead")
        g = grads[node]
        edges = _local_values(node) if create_graph else edges_of(node)
        for parent, local in edges:
            contribution = local * g
            grads[parent] = grads[parent] + contribution if parent in grads else contribution

    result = [grads.get(x, 0) for x in inputs]
    if create_graph:
        result = [g if isinstance(g, Value) else Value(g) for g in result]
    return result[0] if single else result


def _local_values(node):
    """node's edges with each local derivative recomputed as a Value, from the op table,
    so that the derivative itself has a graph (the same formula, given Value inputs)."""
    if node._a is None:      # a leaf output (a constant derivative, say) passes nothing on
        return []
    op = ops.OPS[node.op]
    a, b = node._a, node._b
    if op.arity == 'n':       # dot: the formulas given the operands themselves, Values included
        ws, xs, bias = a
        local = op.local(ws, xs, bias, node)
        operands = ws + xs + (bias,)
        return [(p, d) for p, d in zip(operands, local) if isinstance(p, Value)]
    if op.arity == 1:
        return [(a, op.local(a, b, node))]
    da, db = op.local(a, b, node)
    return [(p, d) for p, d, is_edge in ((a, da, node._da is not None), (b, db, node._db is not None))
            if is_edge]

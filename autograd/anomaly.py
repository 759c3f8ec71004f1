"""detect_anomaly(): stop at the first node whose value or gradient is nan or inf."""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import ContextManager

from . import mode, ops


@contextmanager
def detect_anomaly() -> ContextManager[None]:
    """Inside this block every new node's value, and every gradient backward()
    computes, is checked; the first nan or inf raises FloatingPointError naming
    the node. Slower: use it to find where a nan came from."""
    token = mode.switch(anomaly=True)
    try:
        yield
    finally:
        mode.restore(token)


def is_finite(x):
    """False for a float nan or inf; ints and Fractions are always finite; lanes
    (lanes.py) are finite where every lane is."""
    if isinstance(x, ops.ARRAY):
        return all(is_finite(v) for v in x.tolist()) if x.dtype.kind == 'O' else bool(ops.np.isfinite(x).all())
    return not isinstance(x, float) or math.isfinite(x)


def check_gradients(node):
    """raise if node's gradient, or a gradient it has just passed on, is nan or inf."""
    for x in (node,) + node.parents:
        if not is_finite(x.grad):
            g = x.grad
            if isinstance(g, ops.ARRAY):     # lanes: name the first sample whose gradient is not finite
                i = next(i for i, v in enumerate(g.tolist()) if not is_finite(v))
                g = "%r at sample %d" % (g.tolist()[i], i)
            else:
                g = repr(g)
            raise FloatingPointError(
                "detect_anomaly: the gradient of %r is %s, after backprop through %s (op %r)"
                % (x, g, node if x is not node else "it", node.op))

"""A reverse-mode automatic differentiation engine over a scalar computation graph.

    >>> from autograd import Value
    >>> a = Value(2.0, label='a'); b = Value(-3.0, label='b')
    >>> c = a * b + a; c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
"""
from importlib.util import find_spec

from .anomaly import detect_anomaly
from .backward import backward, graph_nodes, topological_order
from .explore import explore, flipbook
from .functional import grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck
from .ops import OPS
from .render import GraphTooBig, GraphvizNotFound, GraphvizTimeout, draw, to_dot
from .scope import record_scopes, scope
from .stepper import Step, Stepper, step, trace, tree
from .value import Value, dot

__all__ = ['Value', 'dot', 'backward', 'topological_order', 'graph_nodes', 'grad', 'no_grad', 'is_grad_enabled',
           'gradcheck', 'GradcheckError', 'detect_anomaly', 'OPS', 'to_dot', 'draw', 'GraphvizNotFound',
           'GraphvizTimeout', 'GraphTooBig', 'record_scopes', 'scope', 'step', 'Step', 'Stepper', 'trace', 'tree', 'explore',
           'flipbook']
__version__ = '0.2.0'           # pyproject.toml reads it; CHANGELOG.md says what each version brought

LAZY = ('Lanes', 'LaneSum', 'ConstantLanes')     # lanes.py needs numpy, an optional extra


def _have_numpy():
    try:
        return find_spec('numpy') is not None
    except (ImportError, ValueError):      # a finder that refuses it: not installed, as far as we are concerned
        return False


# listed where numpy is installed (find_spec looks without importing it), so that
# `from autograd import *` gives Lanes there and still works without numpy
if _have_numpy():
    __all__ += list(LAZY)


def __getattr__(name):
    """autograd.Lanes, loaded on first use: lanes need numpy (an optional extra,
    `pip install numpy`), and `import autograd` does not import it."""
    if name in LAZY:
        try:
            from . import lanes
        except ImportError as error:
            raise ImportError("autograd.%s needs numpy: pip install numpy (%s)"
                              % (name, error)) from None
        return getattr(lanes, name)
    raise AttributeError("module 'autograd' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(LAZY))

"""step(root): a REPL and notebook companion that steps through backprop one
chain-rule step (one edge) at a time (the steps themselves: steps.py).

    >>> from autograd import Value
    >>> a = Value(3.0, label='a'); b = Value(1.0, label='b')
    >>> c = a * b; c.label = 'c'
    >>> s = step(c)
    >>> print(s.next())
    a.grad += ∂c/∂a · c.grad = 1.0 · 1 = 1.0   (a.grad 0 -> 1.0)
    >>> a.grad
    1.0

step(root, forward=True) steps through the forward pass first, one operation at a time.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional, Union

from . import notation
from .explore import ExplorerPage, explore, explorer_html, iframe
from .render import NOTEBOOK_TIMEOUT, GraphvizNotFound, GraphvizTimeout, draw, notebook_graph
from .steps import Step, Stepper as _Steps
from .text import check_root, trace, tree
from .value import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ['Step', 'Stepper', 'step', 'trace', 'tree']


class Stepper(_Steps):
    """step(root): .next() does one step, .prev() undoes it, .run() goes to the end,
    .reset() puts every gradient back, .draw() renders the moment, .explore(path) writes
    the explorer page at it; in a notebook it shows that page inline.

    On a lane graph (a batch, lanes.py) the steps move the real lane gradients, and
    each shows one sample's lane: `sample` (0 unless given); an edge into a shared
    weight is the reduction step, showing every sample's contribution and their sum."""

    def draw(self, **options: object) -> 'graphviz.Digraph':
        """the graph now: finished edges green, the current one red, values and gradients so far ('-' where none yet)."""
        return draw(self.root, **dict(self.dot_options(), **options))

    def explore(self, path: Union[str, os.PathLike], **options: object) -> ExplorerPage:
        """the explorer page (explore.explore) of this pass, opening at this step."""
        return explore(self.root, path, at=self.position, stepper=self, sample=self.sample, **options)

    def _repr_html_(self):
        """in a notebook: the explorer page at this step, inline; without `dot`, or for a
        graph too big to lay out, the equation and the text tree."""
        try:
            return iframe(explorer_html(self.root, stepper=self, at=self.position, timeout=NOTEBOOK_TIMEOUT))
        except (GraphvizNotFound, GraphvizTimeout, ValueError):
            pass
        equation = self.steps[-1]._repr_html_() if self.steps else ''
        return ('<div class="stepper"><div style="font-family:monospace">%s</div>%s%s</div>'
                % (notation.html.escape(self.where()), equation,
                   notebook_graph(self.root, self.naming, **self.dot_options())))


def step(root: Value, sample: Optional[int] = None, forward: bool = False) -> Stepper:
    """A Stepper over root's backward pass; it sets the gradients as backward() starts them.
    sample: in a lane graph, the sample whose lane the steps show (0 unless given).
    forward: step through the forward pass first (the gradients are set when the backward pass begins)."""
    check_root('step', root)
    return Stepper(root, sample, forward)

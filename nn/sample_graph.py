"""sample_graph(model, loss, x, y): any one sample's Loss as a scalar graph, its layers boxed.

The scalar engine's view of one sample, for a sample no batch holds (a test image):
    forward   output = model(x) on a copy of the model,  loss = Loss(output, y)
    root      Loss^learning = scale * loss  (scale 1 unless given; 1/n for a sample of a batch of n)
built inside record_scopes(), so that draw and explore fold each layer and neuron into a box.
root.backward() gives the copy's parameters this sample's gradients; the model itself is
never touched, so it may keep training meanwhile. Trainer.sample_graph(j) is the same graph
for sample j of a matrix-mode Trainer's last batch, with the matrix mode's numbers beside it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from autograd import Value, draw, explore, is_grad_enabled, record_scopes, step
from autograd.backward import grad_lock
from autograd.notation import autolabel

from .layers import MLP, Layer, Neuron, check_fused
from .layerview import layer_view
from .module import Module


@dataclass
class SampleGraph:
    """One sample (x, y) as a scalar graph: .root is Loss^learning = scale * .loss, on
    .model, a copy of the model (the same weights and names, gradients 0)."""
    x: list
    y: object
    model: object           # the copy the graph is built on
    loss_function: Callable # Loss, e.g. nn.cross_entropy
    output: object          # model(x): a Value, or a list of them
    loss: object            # Loss(output, y), a Value
    root: object            # Loss^learning = scale * loss, a Value
    scale: object
    scopes: dict            # record_scopes()'s {node: path}, for clusters=

    def draw(self, **options):
        """autograd.draw of the sample's graph, layers boxed, parameters marked."""
        options.setdefault('clusters', self.scopes)
        options.setdefault('params', self.model.parameters())
        return draw(self.root, **options)

    def step(self):
        """autograd.step: backprop through the sample's graph one chain-rule step at a time."""
        return step(self.root)

    def explore(self, path, **options):
        """autograd.explore: the explorer page of the sample's backward pass."""
        options.setdefault('clusters', self.scopes)
        options.setdefault('params', self.model.parameters())
        return explore(self.root, path, **options)

    def layer_view(self):
        """nn.layer_view of the sample: the articles' o_k and δ_k, with the same scale."""
        return layer_view(self.model, self.loss_function, self.x, self.y, self.scale)

    def gradients(self):
        """{parameter name: .grad} of the copy (run root.backward() first)."""
        return {name: p.grad for name, p in self.model.named_parameters()}


def sample_graph(model: Module, loss: Callable[..., Value], x: Sequence, y: object, scale: object = 1,
                 fused: Optional[bool] = None) -> SampleGraph:
    """Sample (x, y)'s graph of Loss^learning = scale * loss(model(x), y) on a copy of `model`
    (an nn Neuron, Layer or MLP): a SampleGraph. x: numbers (a numpy row is read with .tolist()).
    fused=True or False builds every neuron of the copy that way (one dot node z = w . x + b,
    or its chain of binary operations); None builds them as the model does."""
    if not isinstance(model, (Neuron, Layer, MLP)):
        raise TypeError("sample_graph: expected an nn Neuron, Layer or MLP, got %s" % type(model).__name__)
    if not is_grad_enabled():
        raise RuntimeError("sample_graph: called inside no_grad(), where no graph is recorded; "
                           "call it outside the no_grad() block")
    if fused is not None:
        fused = check_fused('sample_graph', fused)
    x = x.tolist() if hasattr(x, 'tolist') else list(x)
    y = y.item() if hasattr(y, 'item') else y        # a numpy label is an int to the losses
    with grad_lock:                     # the weights between two of a Trainer's steps
        copied = copy.deepcopy(model)
    if fused is not None:
        copied.fused = fused
    for p in copied.parameters():
        p.grad = 0
    with record_scopes() as scopes:     # so that a drawing can box layers and neurons
        output = copied(x)
        loss_value = loss(output, y)
    if not isinstance(loss_value, Value):
        raise TypeError("sample_graph: the loss %s returned %s %r, not a Value"
                        % (getattr(loss, '__name__', loss), type(loss_value).__name__, loss_value))
    root = autolabel(loss_value * scale, 'Loss^learning') if scale != 1 else loss_value
    return SampleGraph(x, y, copied, loss, output, loss_value, root, scale, scopes)

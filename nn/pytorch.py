"""nn models to PyTorch and back: to_torch(model) and from_torch(module, model).

A Layer of n neurons over m inputs is one torch.nn.Linear(m, n) followed by its
activation: the Linear computes z = x W^T + b, every neuron's z = w . x + b at once,
with neuron k's weights as row k of W. So the model's L2.n3.w1 is the module's
L2.weight[2, 0] and L2.n3.b is L2.bias[2] (nn counts from 1, torch from 0). An MLP
becomes a torch.nn.Sequential of them, named L1, relu1, L2, ... ; a Layer or a
Neuron alone is one Linear (a Neuron's has one row), named L1.

relu at exactly 0: torch.nn.ReLU's derivative there is 0, nn's `grad_at_zero=0`
(the default, as in micrograd). A relu neuron with another grad_at_zero (the seed
articles' 1) becomes this module's ReLU(grad_at_zero), which gives the same
values and that derivative at 0, so the gradients agree there too.

torch is imported only when these functions are called: `import nn` needs no torch.
"""
from __future__ import annotations

import math
import numbers
from collections import OrderedDict
from typing import TYPE_CHECKING, Union

from .layers import ACTIVATIONS, MLP, Layer, Neuron

if TYPE_CHECKING:               # for the hints only: nn imports no torch
    import torch

Model = Union[Neuron, Layer, MLP]

INSTALL = ("pip install -e '.[torch]' in the clone (PyTorch 2.13.0, its CPU wheel), "
           "or pip install torch==2.13.0")


def to_torch(model: Model) -> torch.nn.Sequential:
    """An equivalent torch.nn.Module of `model` (an nn.Neuron, nn.Layer or nn.MLP):
    float64, the same weights (Fractions and ints rounded to float64), activations and
    bias layout (bias=False gives Linear(..., bias=False)). It takes a tensor of
    shape (width,) or (n samples, width) and gives (outputs,) or (n, outputs),
    where the nn model gives one Value or a list. `fused` makes no difference."""
    layers = _layers(model, 'to_torch')
    for key, neurons, names in layers:
        kinds = {n.activation for n in neurons}
        if len(kinds) > 1:
            raise ValueError("to_torch: the neurons of %s have different activations (%s); a torch layer is one "
                             "Linear followed by one activation" % (key, _listing(neurons, names, 'activation')))
        if kinds.pop() not in ACTIVATIONS:
            raise ValueError("to_torch: %s has the activation %r, not one of %s"
                             % (names[0].rstrip('.') or 'the neuron', neurons[0].activation, ACTIVATIONS))
    weights = {name: _number(p, name) for name, p in _parameters(layers)}
    torch = _import_torch('to_torch')
    parts = OrderedDict()
    for k, (key, neurons, names) in enumerate(layers, 1):
        bias = neurons[0].b is not None
        # skip_init: no random initialisation, so torch's generator is not advanced
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(neurons[0].w), len(neurons), bias=bias,
                                          dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[weights['%sw%d' % (name, i)] for i in range(1, len(n.w) + 1)]
                                              for n, name in zip(neurons, names)], dtype=torch.float64))
            if bias:
                linear.bias.copy_(torch.tensor([weights[name + 'b'] for name in names], dtype=torch.float64))
        parts[key] = linear
        activation = neurons[0].activation
        if activation != 'linear':
            parts['%s%d' % (activation, k)] = _activation(torch, activation, neurons, names)
    return torch.nn.Sequential(parts)


def from_torch(module: torch.nn.Module, model: Model) -> Model:
    """Load the weights of `module` (a torch.nn.Module whose Linear layers, in order,
    have the model's shapes: what to_torch(model) made, trained, on any device and
    dtype, or inside a wrapper such as DistributedDataParallel) into `model`, as
    Python floats. All or nothing: a wrong module, a shape or bias that differs, or a
    weight that is nan or inf raises an error naming the parameter, and the model
    keeps its weights. The activations are the model's own (they are not read).
    Returns the model."""
    layers = _layers(model, 'from_torch')
    torch = _import_torch('from_torch')
    if not isinstance(module, torch.nn.Module):
        raise TypeError("from_torch: expected a torch.nn.Module (as to_torch makes), got %s%s"
                        % (type(module).__name__, "; to load a state_dict, load it into to_torch(model) first"
                           if isinstance(module, dict) else ""))
    linears = [(name, m) for name, m in module.named_modules() if isinstance(m, torch.nn.Linear)]
    wanted = ", ".join("%s %d -> %d" % (key, len(neurons[0].w), len(neurons)) for key, neurons, _ in layers)
    if len(linears) != len(layers):
        raise ValueError("from_torch: the model has %d layer%s (%s), the %s has %d torch.nn.Linear layer%s%s"
                         % (len(layers), "s" * (len(layers) != 1), wanted, type(module).__name__, len(linears),
                            "s" * (len(linears) != 1),
                            " (%s)" % ", ".join(n or '(the module)' for n, _ in linears) if linears else ""))
    loaded = []                    # (Value, float), applied only when every layer is checked
    for (key, neurons, names), (name, linear) in zip(layers, linears):
        where = (name or type(module).__name__) + '.'
        shape = (len(neurons), len(neurons[0].w))
        if tuple(linear.weight.shape) != shape:
            raise ValueError("from_torch: %sweight has shape %s, the model's %s needs %s (%d neuron%s of %d input%s)"
                             % (where, tuple(linear.weight.shape), key, shape, shape[0], "s" * (shape[0] != 1),
                                shape[1], "s" * (shape[1] != 1)))
        if (linear.bias is None) != (neurons[0].b is None):
            raise ValueError("from_torch: %s has %s, the model's %s neurons have %s"
                             % (name or type(module).__name__, "no bias" if linear.bias is None else "a bias",
                                key, "one (%sb%s)" % (names[0], ", ..." * (len(names) > 1)) if neurons[0].b is not None else "none (bias=False)"))
        W = _floats(torch, linear.weight, where + 'weight')
        for row, (neuron, nname) in enumerate(zip(neurons, names)):
            for i, w in enumerate(neuron.w):
                loaded.append((w, _finite(W[row][i], '%sweight[%d, %d]' % (where, row, i), '%sw%d' % (nname, i + 1))))
        if linear.bias is not None:
            b = _floats(torch, linear.bias, where + 'bias')
            for row, (neuron, nname) in enumerate(zip(neurons, names)):
                loaded.append((neuron.b, _finite(b[row], '%sbias[%d]' % (where, row), nname + 'b')))
    for p, v in loaded:
        p.data = v
    return model


# ------------------------------------------------------------------ the model as layers

def _layers(model, what):
    """[(key, neurons, names)]: one entry per Linear layer, its key in the torch module
    (L1, L2, ...) and each neuron's name prefix as drawings write it (L1.n3., or n3.
    in a Layer alone, '' for a Neuron alone). Checks what torch's layers need: equal
    widths, a bias on every neuron of a layer or on none, and no parameter held twice."""
    if isinstance(model, MLP):
        layers = [('L%d' % k, list(layer.neurons), ['L%d.n%d.' % (k, j) for j in range(1, len(layer.neurons) + 1)])
                  for k, layer in enumerate(model.layers, 1)]
    elif isinstance(model, Layer):
        layers = [('L1', list(model.neurons), ['n%d.' % j for j in range(1, len(model.neurons) + 1)])]
    elif isinstance(model, Neuron):
        layers = [('L1', [model], [''])]
    else:
        raise TypeError("%s: takes an nn.Neuron, nn.Layer or nn.MLP, got %s%s"
                        % (what, type(model).__name__, " (a Module of your own: build its torch twin by hand)"
                           if hasattr(model, 'named_parameters') else ""))
    width = None
    for key, neurons, names in layers:
        if not neurons:
            raise ValueError("%s: %s has no neurons" % (what, key))
        widths = {len(n.w) for n in neurons}
        if len(widths) > 1:
            raise ValueError("%s: the neurons of %s have different numbers of inputs (%s)"
                             % (what, key, ", ".join("%s %d" % (nm.rstrip('.'), len(n.w)) for n, nm in zip(neurons, names))))
        if width is not None and widths != {width}:
            raise ValueError("%s: %s's neurons take %d inputs, but the layer before gives %d"
                             % (what, key, widths.pop(), width))
        width = len(neurons)
        biased = [n.b is not None for n in neurons]
        if any(biased) and not all(biased):
            raise ValueError("%s: in %s some neurons have a bias and some none (%s); a torch Linear has a bias "
                             "on every neuron or on none" % (what, key, ", ".join(
                                 "%s %s" % (nm.rstrip('.'), "bias" if b else "no bias") for nm, b in zip(names, biased))))
    seen = {}
    for name, p in _parameters(layers):
        if id(p) in seen:
            raise ValueError("%s: %s is %s, one parameter in two places; a torch Linear holds every weight on its "
                             "own, so a tied parameter has no place in it" % (what, name, seen[id(p)]))
        seen[id(p)] = name
    return layers


def _parameters(layers):
    """(name, Value) for every weight and bias, in the order the torch module holds them."""
    for key, neurons, names in layers:
        for n, name in zip(neurons, names):
            for i, w in enumerate(n.w, 1):
                yield '%sw%d' % (name, i), w
        for n, name in zip(neurons, names):
            if n.b is not None:
                yield name + 'b', n.b


def _listing(neurons, names, attribute):
    return ", ".join("%s %s" % (name.rstrip('.') or 'the neuron', getattr(n, attribute)) for n, name in zip(neurons, names))


def _number(p, name):
    """a parameter's value as a float for torch, or an error naming it."""
    v = p.data
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        raise TypeError("to_torch: parameter %s is %s %.60r, not a number" % (name, type(v).__name__, v))
    try:
        return float(v)
    except OverflowError:
        raise ValueError("to_torch: parameter %s is %.60r, too large for a float64" % (name, v)) from None


# ------------------------------------------------------------------ torch's side

def _import_torch(what):
    try:
        import torch
    except ImportError as e:
        if e.name != 'torch':
            raise              # torch is there but broken: its own error says more
        raise ImportError("nn.%s needs PyTorch, which is not installed: %s" % (what, INSTALL)) from None
    return torch


def _activation(torch, activation, neurons, names):
    if activation == 'tanh':
        return torch.nn.Tanh()
    if activation == 'sigmoid':
        return torch.nn.Sigmoid()
    slopes = []
    for n, name in zip(neurons, names):
        g = n.grad_at_zero
        if not isinstance(g, numbers.Real) or isinstance(g, bool) or not math.isfinite(g):
            raise ValueError("to_torch: %s has grad_at_zero=%r; it must be a finite number"
                             % (name.rstrip('.') or 'the neuron', g))
        slopes.append(float(g))
    if not any(slopes):
        return torch.nn.ReLU()        # derivative 0 at 0, as grad_at_zero=0
    return _relu_class(torch)(torch.tensor(slopes, dtype=torch.float64))


_RELU = []


def _relu_class(torch):
    """ReLU(grad_at_zero), a torch module made on first use (so that nn imports no torch)."""
    if not _RELU:
        class ReLU(torch.nn.Module):
            """max(0, z), whose derivative at z == 0 exactly is grad_at_zero (one per neuron)
            where torch.nn.ReLU's is 0: at 0 the output is g (z - z.detach()), 0 in value, g in slope."""

            def __init__(self, grad_at_zero):
                super().__init__()
                self.register_buffer('grad_at_zero', grad_at_zero, persistent=False)

            def forward(self, z):
                return torch.where(z == 0, self.grad_at_zero * (z - z.detach()), torch.relu(z))

            def extra_repr(self):
                g = self.grad_at_zero.tolist()
                return 'grad_at_zero=%s' % ('%g' % g[0] if len(set(g)) == 1 else g)

        ReLU.__module__ = __name__
        _RELU.append(ReLU)
    return _RELU[0]


def _floats(torch, tensor, name):
    if not tensor.is_floating_point():
        raise TypeError("from_torch: %s is a %s tensor, not a floating-point one" % (name, tensor.dtype))
    return tensor.detach().to(device='cpu', dtype=torch.float64).tolist()


def _finite(v, torch_name, nn_name):
    if not math.isfinite(v):
        raise ValueError("from_torch: %s is %r (the model's %s); nothing was loaded, the model keeps its weights"
                         % (torch_name, v, nn_name))
    return v

"""Neuron, Layer, MLP: act(w . x + b), a list of them, a stack of those.

A neuron is two nodes, as the articles write it: z = w . x + b, ONE `dot` node
(autograd.dot), then its activation a = act(z) (none for a linear neuron).
`fused=False` (on a Neuron, a Layer or an MLP) records the same numbers as the
binary operations they are made of instead, b + w1*x1 + w2*x2 + ..., one node per
* and per +, for a first lesson that wants to see the atoms. Both forms give the
same values and gradients, bit for bit (the dot adds its terms in the chain's order).

Every node a model makes has a name: its inputs x1, x2, ..., each neuron's z and a
after its place (L1.n3.z, L1.n3.a; z and a for a Neuron alone), its output o
(o1, o2, ... for several), and the parameters L1.n3.w2, L1.n3.b. Layers chained by
hand, layer2(layer1(x)), name their nodes as an MLP does: layer1's outputs, going
into layer2, get their neurons' names back (n2.a), and
layer1.label_parameters('L1.') places a layer as an MLP would (L1.n2.a, L1.n2.w1).

Each also takes a whole batch at once: inputs that are Lanes (autograd/lanes.py),
one number per sample, give outputs that are Lanes, the weights shared by every lane."""
from __future__ import annotations

import numbers
import random
from typing import List, Optional, Sequence, Union

from autograd import Value, dot
from autograd.notation import AutoName, autolabel
from autograd.scope import recording_scopes, scope

from .module import Module

ACTIVATIONS = ('relu', 'tanh', 'sigmoid', 'linear')


_INPUT_NAMES = []          # x1, x2, ...: made once, shared by every call
OUTPUT = AutoName('o')


class OutputName(AutoName):
    """A model's output name (o, o1, ...) that keeps the name it replaced, the neuron's
    (L1.n2.a, n2.a): a hand chain, layer2(layer1(x)), gives that name back when the
    output goes into the next model as an input, as inside an MLP."""

    def __new__(cls, name, inner):
        self = super().__new__(cls, name)
        self.inner = inner
        return self


_OUTPUT_NAMES = {}         # (o1, the neuron's name) -> OutputName: made once per neuron


def input_names(width):
    while len(_INPUT_NAMES) < width:
        _INPUT_NAMES.append(AutoName('x%d' % (len(_INPUT_NAMES) + 1)))
    return _INPUT_NAMES


def as_values(x, what, width):
    """the inputs as Values named x1, x2, ... (numbers are wrapped once, so each
    neuron multiplies Values; a Value you labelled keeps its label). A batch comes as
    one Lanes per input, or as an (n samples, width) numpy array, cut into such Lanes."""
    if getattr(x, 'ndim', None) == 2:
        from autograd.lanes import columns      # an array: numpy is there, and so are lanes
        if x.shape[1] != width:
            raise ValueError("%s: expected %d inputs per sample, got an array of shape %s" % (what, width, x.shape))
        x = columns(x)                          # a float array: one copy, not number by number
    try:
        n = len(x)
    except TypeError:
        raise TypeError("%s: expected a sequence of %d numbers or Values, got %s" % (what, width, type(x).__name__)) from None
    if n != width:
        raise ValueError("%s: expected %d inputs, got %d" % (what, width, n))
    names = input_names(width)
    return [_as_input(v, names[i]) if isinstance(v, Value) else Value(v, names[i]) for i, v in enumerate(x)]


def _as_input(v, name):
    """an input Value named x_i, unless it is another model's output: that one gets its
    neuron's name back (L1.n2.a: a hand-chained layer's input reads as it would inside
    an MLP). A label you set is kept."""
    label = v.label
    if label.__class__ is OutputName and label.inner:
        v.label = label.inner
        return v
    return autolabel(v, name)


def name_outputs(out):
    """a model's output named o, or o1, o2, ... for several (an OutputName, which keeps
    the neuron's name for a model the output goes into next)."""
    if isinstance(out, Value):
        return _name_output(out, 'o')
    for k, v in enumerate(out, 1):
        _name_output(v, 'o%d' % k)
    return out


def _name_output(v, name):
    label = v.label
    if not label or isinstance(label, AutoName):
        inner = label.inner if label.__class__ is OutputName else label or None
        key = (name, inner)
        if key not in _OUTPUT_NAMES:
            _OUTPUT_NAMES[key] = OutputName(name, inner)
        v.label = _OUTPUT_NAMES[key]
    return v


def model_width(model):
    """how many inputs a model takes, or None where it does not say."""
    if isinstance(model, Neuron):
        return len(model.w)
    return getattr(model, 'nin', None)


def check_fused(owner, fused):
    """fused as True or False (a numpy bool converted), or a TypeError naming the class and the value."""
    if type(fused).__module__ == 'numpy' and getattr(fused, 'dtype', None) == bool and fused.ndim == 0:
        fused = bool(fused)
    if fused is not True and fused is not False:
        raise TypeError("%s: fused must be True (z = w . x + b as one dot node) or False (the binary "
                        "operations), got %s %r" % (owner, type(fused).__name__, fused))
    return fused


class Neuron(Module):
    """out = act(w . x + b). Weights start uniform in [-1, 1] from a seeded generator, bias at 0.

    fused=True (the default): z = w . x + b is one `dot` node, then act(z) one node.
    fused=False: z is recorded as the chain b + w1*x1 + w2*x2 + ... of binary
    operations, 2n of them (2n - 1 without a bias), with the same numbers.
    `neuron.fused` can be changed later; it applies to the next call."""

    def __init__(self, nin: int, activation: str = 'relu', bias: bool = True, grad_at_zero: float = 0, seed: int = 0,
                 rng: Optional[random.Random] = None, fused: bool = True) -> None:
        if not isinstance(nin, int) or isinstance(nin, bool) or nin < 1:
            raise ValueError("Neuron: nin must be a positive int, got %r" % (nin,))
        if activation not in ACTIVATIONS:
            raise ValueError("Neuron: activation must be one of %s, got %r" % (ACTIVATIONS, activation))
        self._fused = check_fused('Neuron', fused)
        rng = rng or random.Random(seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0) if bias else None
        self.activation = activation
        self.grad_at_zero = grad_at_zero
        self.label_parameters()

    @property
    def fused(self) -> bool:
        """True: z = w . x + b is one dot node; False: the chain of binary operations."""
        return self._fused

    @fused.setter
    def fused(self, fused: bool) -> None:
        self._fused = check_fused('Neuron', fused)

    def label_parameters(self, prefix: str = '') -> Module:
        super().label_parameters(prefix)
        # the names of this neuron's z and a, made once: each call only hands them out
        self._names = (AutoName(prefix + 'z'), AutoName(prefix + 'a'))
        return self

    def __call__(self, x: Sequence[Union[Value, float]]) -> Value:
        return name_outputs(self.forward(as_values(x, 'Neuron', len(self.w))))

    def forward(self, x: Sequence[Union[Value, float]]) -> Value:
        """x: a list of Values of the right width (checked by __call__). The
        pre-activation is named z and the activation a, after the neuron's place
        (L1.n3.z, L1.n3.a)."""
        if self._fused:
            z = dot(self.w, x, self.b)
        else:
            z = self.b
            for wi, xi in zip(self.w, x):
                z = wi * xi if z is None else z + wi * xi
        z_name, a_name = self._names
        z.label = z_name                     # a node made just now: nobody has labelled it
        activation = self.activation
        if activation == 'linear':
            return z
        if activation == 'relu':
            out = z.relu(self.grad_at_zero)
        elif activation == 'tanh':
            out = z.tanh()
        else:
            out = z.sigmoid()
        out.label = a_name
        return out

    def describe(self) -> str:
        return "%d inputs, %s%s%s" % (len(self.w), self.activation, "" if self.b is not None else ", no bias",
                                      "" if self._fused else ", fused=False")


class Layer(Module):
    """nout neurons over the same inputs; always returns a list. fused: as Neuron's,
    for every neuron (`layer.fused = False` sets them all; it reads None where they differ)."""

    def __init__(self, nin: int, nout: int, seed: int = 0, rng: Optional[random.Random] = None, fused: bool = True,
                 **neuron_options: object) -> None:
        nin, nout = _size('Layer', 'nin', nin), _size('Layer', 'nout', nout)
        fused = check_fused('Layer', fused)
        rng = rng or random.Random(seed)
        self.neurons = [Neuron(nin, rng=rng, fused=fused, **neuron_options) for _ in range(nout)]
        self.nin = nin
        self.label_parameters()

    @property
    def fused(self) -> bool:
        """True or False as every neuron is (None where they differ); setting it sets them all."""
        return _fused_of(self.neurons)

    @fused.setter
    def fused(self, fused: bool) -> None:
        _set_fused(self.neurons, 'Layer', fused)

    short_names = {'neurons': 'n'}

    def __call__(self, x: Sequence[Union[Value, float]]) -> Union[Value, List[Value]]:
        return name_outputs(self.forward(as_values(x, 'Layer', self.nin)))

    def forward(self, x: Sequence[Union[Value, float]]) -> Union[Value, List[Value]]:
        if not recording_scopes():
            return [n.forward(x) for n in self.neurons]
        out = []
        for k, n in enumerate(self.neurons, 1):
            with scope(n._prefix.rstrip('.') or 'n%d' % k):     # so that a drawing can box each neuron
                out.append(n.forward(x))
        return out

    def describe(self) -> str:
        n = self.neurons[0]
        return "%d -> %d, %s%s" % (self.nin, len(self.neurons), n.activation, _unfused(self))


class MLP(Module):
    """Layers of the given widths; hidden layers use `activation`, the last
    `output_activation`: None (the default) is linear, as in micrograd; 'sigmoid',
    'tanh' or 'relu' give a textbook network its squashed outputs, o_k = σ(z_k).
    Returns a Value when the last layer has one output, else a list.
    fused: as Neuron's, for every neuron (`mlp.fused = False` sets them all)."""

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = 'relu', seed: int = 0, fused: bool = True,
                 output_activation: Optional[str] = None) -> None:
        nin = _size('MLP', 'nin', nin)
        fused = check_fused('MLP', fused)
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError("MLP: activation must be one of %s, got %r" % (ACTIVATIONS, activation))
        if output_activation is not None and (not isinstance(output_activation, str)
                                              or output_activation not in ACTIVATIONS):
            raise ValueError("MLP: output_activation must be None (linear) or one of %s, got %r"
                             % (ACTIVATIONS, output_activation))
        last = output_activation or 'linear'
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, '__iter__'):
            raise ValueError("MLP: nouts must be a list of layer widths, got %r" % (nouts,))
        nouts = [_size('MLP', 'nouts[%d]' % k, n) for k, n in enumerate(nouts)]
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer width")
        rng = random.Random(seed)
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], rng=rng, fused=fused,
                             activation=activation if i < len(nouts) - 1 else last)
                       for i in range(len(nouts))]
        self.nin = nin
        self.label_parameters()

    short_names = {'layers': 'L'}

    @property
    def fused(self) -> bool:
        """True or False as every neuron is (None where they differ); setting it sets them all."""
        return _fused_of([n for layer in self.layers for n in layer.neurons])

    @fused.setter
    def fused(self, fused: bool) -> None:
        _set_fused([n for layer in self.layers for n in layer.neurons], 'MLP', fused)

    def __call__(self, x: Sequence[Union[Value, float]]) -> Union[Value, List[Value]]:
        x = as_values(x, 'MLP', self.nin)
        for k, layer in enumerate(self.layers, 1):
            with scope(layer._prefix.rstrip('.') or 'L%d' % k):
                x = layer.forward(x)
        return name_outputs(x[0] if len(x) == 1 else x)

    def describe(self) -> str:
        return "%d -> %s%s" % (self.nin, " -> ".join("%d %s" % (len(l.neurons), l.neurons[0].activation)
                                                  for l in self.layers), _unfused(self))


def _fused_of(neurons):
    kinds = {n.fused for n in neurons}
    return kinds.pop() if len(kinds) == 1 else None


def _set_fused(neurons, owner, fused):
    fused = check_fused(owner, fused)          # checked once, naming the Layer or MLP
    for n in neurons:
        n.fused = fused


def _unfused(model):
    fused = model.fused
    return "" if fused else ", fused=False" if fused is False else ", some neurons fused=False"


def _size(owner, name, n):
    """a layer size as an int (numpy ints converted), or a ValueError naming owner and argument."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError("%s: %s must be a positive int, got %r" % (owner, name, n))
    return int(n)

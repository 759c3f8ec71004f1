"""Neuron, Layer, MLP: act(w . x + b), a list of them, a stack of those.

Each also takes a whole batch at once: inputs that are Lanes (autograd/lanes.py),
one number per sample, give outputs that are Lanes, the weights shared by every lane."""
import numbers
import random

from autograd import Value
from autograd.notation import AutoName, autolabel
from autograd.scope import recording_scopes, scope

from .module import Module

ACTIVATIONS = ('relu', 'tanh', 'sigmoid', 'linear')


_INPUT_NAMES = []          # x1, x2, ...: made once, shared by every call
OUTPUT = AutoName('o')


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
    return [autolabel(v, names[i]) if isinstance(v, Value) else Value(v, names[i]) for i, v in enumerate(x)]


def name_outputs(out):
    """a model's output named o, or o1, o2, ... for several."""
    if isinstance(out, Value):
        return autolabel(out, OUTPUT)
    for k, v in enumerate(out, 1):
        autolabel(v, 'o%d' % k)
    return out


def model_width(model):
    """how many inputs a model takes, or None where it does not say."""
    if isinstance(model, Neuron):
        return len(model.w)
    return getattr(model, 'nin', None)


class Neuron(Module):
    """out = act(w . x + b). Weights start uniform in [-1, 1] from a seeded generator, bias at 0."""

    def __init__(self, nin, activation='relu', bias=True, grad_at_zero=0, seed=0, rng=None):
        if not isinstance(nin, int) or isinstance(nin, bool) or nin < 1:
            raise ValueError("Neuron: nin must be a positive int, got %r" % (nin,))
        if activation not in ACTIVATIONS:
            raise ValueError("Neuron: activation must be one of %s, got %r" % (ACTIVATIONS, activation))
        rng = rng or random.Random(seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0) if bias else None
        self.activation = activation
        self.grad_at_zero = grad_at_zero
        self.label_parameters()

    def __call__(self, x):
        return name_outputs(self.forward(as_values(x, 'Neuron', len(self.w))))

    def forward(self, x):
        """x: a list of Values of the right width (checked by __call__).
        Inside record_scopes() the pre-activation is named z and the activation a,
        after the neuron (L1.n3.z, L1.n3.a); outside, nothing is named here."""
        act = self.b
        for wi, xi in zip(self.w, x):
            act = wi * xi if act is None else act + wi * xi
        if self.activation == 'linear':
            out = act
        elif self.activation == 'relu':
            out = act.relu(self.grad_at_zero)
        elif self.activation == 'tanh':
            out = act.tanh()
        else:
            out = act.sigmoid()
        if recording_scopes():
            autolabel(act, self._prefix + 'z')
            if out is not act:
                autolabel(out, self._prefix + 'a')
        return out

    def describe(self):
        return "%d inputs, %s%s" % (len(self.w), self.activation, "" if self.b is not None else ", no bias")


class Layer(Module):
    """nout neurons over the same inputs; always returns a list."""

    def __init__(self, nin, nout, seed=0, rng=None, **neuron_options):
        nin, nout = _size('Layer', 'nin', nin), _size('Layer', 'nout', nout)
        rng = rng or random.Random(seed)
        self.neurons = [Neuron(nin, rng=rng, **neuron_options) for _ in range(nout)]
        self.nin = nin
        self.label_parameters()

    short_names = {'neurons': 'n'}

    def __call__(self, x):
        return name_outputs(self.forward(as_values(x, 'Layer', self.nin)))

    def forward(self, x):
        if not recording_scopes():
            return [n.forward(x) for n in self.neurons]
        out = []
        for k, n in enumerate(self.neurons, 1):
            with scope(n._prefix.rstrip('.') or 'n%d' % k):     # so that a drawing can box each neuron
                out.append(n.forward(x))
        return out

    def describe(self):
        n = self.neurons[0]
        return "%d -> %d, %s" % (self.nin, len(self.neurons), n.activation)


class MLP(Module):
    """Layers of the given widths; hidden layers use `activation`, the last is linear
    (as in micrograd). Returns a Value when the last layer has one output, else a list."""

    def __init__(self, nin, nouts, activation='relu', seed=0):
        nin = _size('MLP', 'nin', nin)
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, '__iter__'):
            raise ValueError("MLP: nouts must be a list of layer widths, got %r" % (nouts,))
        nouts = [_size('MLP', 'nouts[%d]' % k, n) for k, n in enumerate(nouts)]
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer width")
        rng = random.Random(seed)
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], rng=rng,
                             activation=activation if i < len(nouts) - 1 else 'linear')
                       for i in range(len(nouts))]
        self.nin = nin
        self.label_parameters()

    short_names = {'layers': 'L'}

    def __call__(self, x):
        x = as_values(x, 'MLP', self.nin)
        for k, layer in enumerate(self.layers, 1):
            with scope(layer._prefix.rstrip('.') or 'L%d' % k):
                x = layer.forward(x)
        return name_outputs(x[0] if len(x) == 1 else x)

    def describe(self):
        return "%d -> %s" % (self.nin, " -> ".join("%d %s" % (len(l.neurons), l.neurons[0].activation)
                                                for l in self.layers))


def _size(owner, name, n):
    """a layer size as an int (numpy ints converted), or a ValueError naming owner and argument."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError("%s: %s must be a positive int, got %r" % (owner, name, n))
    return int(n)

"""The layer view of backprop: the seed articles' per-layer vectors, read off the scalar graph.

The engine backpropagates node by node; the articles Recapitulation for the Learning
Process, The Gradient Descent Algorithm and Batch Learning write the same pass layer
by layer, in vectors:
    forward    o1 = L1(x),  o2 = L2(o1),  ...,  oK = LK(oK-1),  loss = Loss(oK, y)
    backward   the learning flux δk = ∂Loss/∂(the input of Lk), from δ(K+1) = ∂Loss/∂oK down:
                 Lk = W^k . o + b^k:   δk = δ(k+1) . W^k,   ∂Loss/∂W^k = δ(k+1) o(k-1)^T,  ∂Loss/∂b^k = δ(k+1)
                 Lk = act(o):          δk = δ(k+1) act'(o(k-1)), element by element
                 L1 = identity:        δ1 = δ2
(Recapitulation for the Learning Process's model: δ4 = o3 - y, δ3 = δ4 where o2 >= 0 else 0, δ2 = δ3 . w2, ∂Loss/∂W2 = δ3 o1.)

layer_view(model, loss, x, y) runs one sample forward through the model's own
layers and backward from its loss, then reads each of those vectors off the
graph's nodes: .data and .grad of the inputs, of every neuron's z = w . x + b and
a = act(z), and of every parameter. None is computed by the formulas above, so the
view agrees with backward() by construction (the tests hold it to the formulas).

Numbering. The articles count L1 = identity (o1 = x) and split an nn layer in two,
W . x + b and then its activation (none for a linear layer): the seed model, one
relu Neuron without bias, is L1 = identity, L2 = W2 . o1, L3 = relu(o2). Batch in
Backpropagation (and Deep Learning - Batch Gradient Descent) count nn layers instead, H^0 = x, Z^l = W^l H^(l-1) + b^l, H^l = act(Z^l):
view.layers[l - 1] holds Z^l, H^l, DZ^l, dH^l, DW^l, Db^l as z, a, dz, da, dW, db.

batch_view(model, loss, X, Y) is Batch Learning's batch: every sample on its own graph,
backward from Loss^learning = loss_i / n, and the sums of the weight gradients:
the gradient of Loss^avg, the one the Trainer applies.

Neither touches the model: the view runs its sample through the model's neurons
with its own copies of the parameters (the same values and names, read between two
of a Trainer's steps), so backward() fills the copies' .grad; the model's .grad are
never written, not even for a moment, and no weight moves. Another thread may be
training the model meanwhile.
"""
from __future__ import annotations

import copy
import html
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Optional, Sequence

from autograd import Value, is_grad_enabled
from autograd.backward import grad_lock
from autograd.notation import fmt

from .layers import MLP, Layer, Neuron, as_values, name_outputs
from .module import Module


@dataclass
class LayerNumbers:
    """One nn layer of one sample, in Batch in Backpropagation's names Z^l, H^l, DZ^l, dH^l, DW^l, Db^l.
    In a BatchView, z, a, dz and da hold one vector per sample (Batch in Backpropagation's matrices, a
    column per sample) and dW, db their sums over the batch."""
    name: str               # 'L1' for an MLP's first layer
    activation: str
    z: list                 # w . input + b, one number per neuron
    a: list                 # act(z), the layer's output (z itself for a linear layer)
    dz: list                # ∂Loss/∂z
    da: list                # ∂Loss/∂a, the learning flux at the layer's output
    dW: list                # ∂Loss/∂W: row i is ∂Loss/∂w of neuron i
    db: Optional[list]      # ∂Loss/∂b, None for neurons without a bias


@dataclass
class Stage:
    """One of the articles' layers Lk and the numbers at its two boundaries."""
    k: int
    formula: str            # what Lk computes: 'x', 'W2 . o1 + b2', 'relu(o2)'
    o: list                 # ok, its output
    delta: list             # δk = ∂Loss/∂(its input, o(k-1); x for L1)
    dW: Optional[list] = None   # ∂Loss/∂W^k, for a W . o + b layer
    db: Optional[list] = None   # ∂Loss/∂b^k, where it has biases
    sources: dict = field(default_factory=dict)   # {'o', 'delta', 'dW', 'db'}: the graph's names for them


class LayerView:
    """The articles' vectors for one sample (see the module's docstring):
    o(k), delta(k), dW(k), db(k) in the articles' numbering; .layers in Batch in Backpropagation's;
    .x, .y, .output, .loss (loss_i) and .scale (1, or 1/n in a batch of n, whose
    δ's are those of Loss^learning = scale * loss_i). Prints as a table."""

    def __init__(self, model, x, y, output, loss, scale, dx, layers, stages, x_names, loss_name):
        self.model, self.x, self.y, self.output, self.loss, self.scale = model, x, y, output, loss, scale
        self.dx, self.layers, self.stages = dx, layers, stages
        self._x_names, self._loss_name = x_names, loss_name

    @property
    def K(self):
        """the number of the articles' layers: the last output is oK, the first flux δ(K+1)."""
        return len(self.stages)

    def o(self, k):
        """ok, the output of the articles' layer Lk (o1 = x)."""
        return self._stage(k, 'o').o

    def delta(self, k):
        """δk = ∂Loss/∂(the input of Lk), k = 1 .. K+1; δ(K+1) = ∂Loss/∂oK."""
        if k == self.K + 1:
            return list(self.layers[-1].da)
        return self._stage(k, 'delta', last=self.K + 1).delta

    def dW(self, k):
        """∂Loss/∂W^k, one row per neuron, for a layer Lk = W^k . o + b^k."""
        return self._weights(k, 'dW')

    def db(self, k):
        """∂Loss/∂b^k for a layer Lk = W^k . o + b^k with biases."""
        return self._weights(k, 'db')

    def _stage(self, k, what, last=None):
        last = last or self.K
        if not isinstance(k, int) or not 1 <= k <= last:
            raise IndexError("LayerView.%s(%r): the articles' layers of this model are L1 .. L%d (%s), "
                             "so k runs from 1 to %d" % (what, k, self.K,
                                                        ", ".join("L%d = %s" % (s.k, s.formula) for s in self.stages),
                                                        last))
        return self.stages[k - 1]

    def _weights(self, k, what):
        stage = self._stage(k, what)
        value = getattr(stage, what)
        if value is None:
            has = [s.k for s in self.stages if getattr(s, what) is not None]
            raise IndexError("LayerView.%s(%d): L%d = %s has no %s; the layers with %s are %s"
                             % (what, k, k, stage.formula, 'biases' if what == 'db' else 'weights',
                                'biases' if what == 'db' else 'weights', ", ".join("L%d" % j for j in has) or "none"))
        return value

    # ------------------------------------------------------------------ display
    def rows(self):
        """(symbol, what it is, numbers, the graph's nodes they are read from), in the
        articles' order: x, o1 .. oK, y, loss; then δ(K+1) down to δ1, each layer's
        ∂Loss/∂W and ∂Loss/∂b after its δ (as Recapitulation for the Learning Process writes them: δ4, δ3, δ2, ∂Loss/∂W2, δ1)."""
        L = _loss_symbol(self.scale)
        rows = [("x", "the input", self.x, self._x_names + " .data")]
        for s in self.stages:
            rows.append(("o%d" % s.k, "L%d = %s" % (s.k, s.formula), s.o, s.sources['o'] + " .data"))
        rows.append(("y", "the target", self.y, ""))
        rows.append(("loss", "Loss(o%d, y)" % self.K, self.loss, self._loss_name + " .data"))
        K = self.K
        rows.append(("δ%d" % (K + 1), "%s/∂o%d" % (L, K), self.delta(K + 1), self.stages[-1].sources['o'] + " .grad"))
        for s in reversed(self.stages):
            below = "x" if s.k == 1 else "o%d" % (s.k - 1)
            rows.append(("δ%d" % s.k, "%s/∂%s" % (L, below), s.delta, s.sources['delta'] + " .grad"))
            if s.dW is not None:
                rows.append(("%s/∂W%d" % (L, s.k), "δ%d %s^T" % (s.k + 1, below), s.dW, s.sources['dW'] + " .grad"))
            if s.db is not None:
                rows.append(("%s/∂b%d" % (L, s.k), "δ%d" % (s.k + 1), s.db, s.sources['db'] + " .grad"))
        return rows

    def caption(self):
        scale = "" if self.scale == 1 else ", Loss^learning = %s loss" % fmt(self.scale)
        return "layer view of %r at x = %s, y = %s%s" % (self.model, _vector(self.x), _vector(self.y), scale)

    def __str__(self):
        return self.caption() + "\n" + _text_table(
            ["", "", "value", "read off the graph"],
            [(sym, what, _numbers(v), src) for sym, what, v, src in self.rows()])

    __repr__ = __str__

    def _repr_html_(self):
        return _html_table(self.caption(), ["", "", "value", "read off the graph"],
                           [(sym, what, _numbers(v), src) for sym, what, v, src in self.rows()])


class BatchView:
    """Batch Learning's batch: .samples, one LayerView per sample with the δ's of
    Loss^learning = loss_i / n; dW(k), db(k) their sums, the gradient of Loss^avg;
    .loss_avg; .layers in Batch in Backpropagation's form (Z, H, DZ, dH with a vector per sample; DW, Db summed)."""

    def __init__(self, samples):
        self.samples = samples
        self.n = len(samples)
        first = samples[0]
        self.loss_avg = sum((s.loss for s in samples[1:]), first.loss) * Fraction(1, self.n)
        self.layers = [LayerNumbers(layer.name, layer.activation,
                                    [s.layers[l].z for s in samples], [s.layers[l].a for s in samples],
                                    [s.layers[l].dz for s in samples], [s.layers[l].da for s in samples],
                                    _sum([s.layers[l].dW for s in samples]),
                                    None if layer.db is None else _sum([s.layers[l].db for s in samples]))
                       for l, layer in enumerate(first.layers)]

    def dW(self, k):
        """∂Loss^avg/∂W^k = the sum over the samples of ∂Loss^learning/∂W^k (Batch Learning)."""
        return _sum([s.dW(k) for s in self.samples])

    def db(self, k):
        """∂Loss^avg/∂b^k = the sum over the samples of ∂Loss^learning/∂b^k."""
        return _sum([s.db(k) for s in self.samples])

    def rows(self):
        """the rows of the samples' tables, a column per sample, and the sum of the
        loss (as Loss^avg) and of every weight gradient."""
        tables = [s.rows() for s in self.samples]
        rows = []
        for i, (sym, what, _, _) in enumerate(tables[0]):
            values = [t[i][2] for t in tables]
            if sym == "loss":
                total = "Loss^avg = %s" % fmt(self.loss_avg)
            elif "/∂W" in sym or "/∂b" in sym:
                total = _numbers(_sum(values))
            else:
                total = ""
            rows.append([sym, what] + [_numbers(v) for v in values] + [total])
        return rows

    def caption(self):
        return "layer view of %r over a batch of %d, Loss^learning = loss_i / %d" % (
            self.samples[0].model, self.n, self.n)

    def headers(self):
        return ["", ""] + ["sample %d" % i for i in range(1, self.n + 1)] + ["sum"]

    def __str__(self):
        return self.caption() + "\n" + _text_table(self.headers(), self.rows())

    __repr__ = __str__

    def _repr_html_(self):
        return _html_table(self.caption(), self.headers(), self.rows())


def layer_view(model: Module, loss: Callable[..., Value], x: Sequence, y: object, scale: object = 1) -> LayerView:
    """The articles' vectors for one sample (x, y) of `model` (a Neuron, Layer or MLP)
    under `loss` (e.g. nn.half_squared_error): a LayerView. `scale`: the δ's are those
    of scale * loss; 1/n is Batch Learning's Loss^learning for a sample of a batch of n."""
    layers, single = _layers_of(model)
    _check_recording('layer_view')
    return _view(model, _own_copies(layers), single, loss, x, y, scale)


def batch_view(model: Module, loss: Callable[..., Value], X: Sequence, Y: Sequence) -> BatchView:
    """Batch Learning's batch: layer_view of every sample with scale 1/n, and their sums (a BatchView),
    all with the same weights."""
    layers, single = _layers_of(model)
    _check_recording('batch_view')
    X, Y = list(X), list(Y)
    if len(X) != len(Y):
        raise ValueError("batch_view: X has %d samples but Y has %d" % (len(X), len(Y)))
    if not X:
        raise ValueError("batch_view: no samples (X and Y are empty)")
    scale = Fraction(1, len(X))
    copies = _own_copies(layers)            # one copy for the batch: every sample sees the same weights
    return BatchView([_view(model, copies, single, loss, x, y, scale) for x, y in zip(X, Y)])


def _check_recording(who):
    if not is_grad_enabled():
        raise RuntimeError("%s: called inside no_grad(), where no graph is recorded to read; "
                           "call it outside the no_grad() block" % who)


def _own_copies(layers):
    """[(name, neurons)] with each neuron a shallow copy whose w and b are new leaves of the
    same values and names (a parameter shared by two neurons stays shared). The view
    backpropagates into these, so the model's .grad is never written: a Trainer in another
    thread applies exactly the gradients it computed. Copied under grad_lock, which a
    Trainer's step holds, so the weights are those between two of its steps."""
    fresh = {}

    def own(p):
        if p is not None and id(p) not in fresh:
            fresh[id(p)] = Value(p.data, p.label)
        return None if p is None else fresh[id(p)]
    copies = []
    with grad_lock:
        for name, neurons in layers:
            mine = []
            for n in neurons:
                c = copy.copy(n)
                c.w, c.b = [own(w) for w in n.w], own(n.b)
                mine.append(c)
            copies.append((name, mine))
    return copies


def _view(model, layers, single, loss, x, y, scale):
    """layer_view's work, on `layers`, the view's own copies of the model's neurons."""
    width = len(layers[0][1][0].w)
    try:
        row = [v.data if isinstance(v, Value) else v for v in x]
    except TypeError:
        raise TypeError("layer_view: x must be a sequence of %d numbers, got %s %r"
                        % (width, type(x).__name__, x)) from None
    xs = as_values(row, 'layer_view', width)
    h, made = xs, []
    for name, neurons in layers:              # each neuron names its z and a (L1.n3.z, L1.n3.a)
        a = [n.forward(h) for n in neurons]
        made.append((name, neurons, [_pre_activation(n, ai, name) for n, ai in zip(neurons, a)], a))
        h = a
    output = name_outputs(h[0] if single else h)
    loss_value = loss(output, y)
    if not isinstance(loss_value, Value):
        raise TypeError("layer_view: the loss %s returned %s %r, not a Value"
                        % (getattr(loss, '__name__', loss), type(loss_value).__name__, loss_value))
    for _, neurons in layers:                 # the copies' gradients are this sample's alone
        for n in neurons:
            for p in n.w + ([n.b] if n.b is not None else []):
                p.grad = 0
    (loss_value * scale if scale != 1 else loss_value).backward()
    return _read(model, xs, y, output, loss_value, scale, made)


# ------------------------------------------------------------------ reading the graph
def _layers_of(model):
    """[(name, neurons)] for each nn layer, and whether the model returns one Value."""
    if isinstance(model, Neuron):
        return [("neuron", [model])], True
    if isinstance(model, Layer):
        return [("layer", model.neurons)], False
    if isinstance(model, MLP):
        return [("L%d" % k, layer.neurons) for k, layer in enumerate(model.layers, 1)], len(model.layers[-1].neurons) == 1
    raise TypeError("layer_view: expected an nn Neuron, Layer or MLP, got %s" % type(model).__name__)


def _pre_activation(neuron, out, layer):
    """the node z = w . x + b under a neuron's output a = act(z): a's input in the graph,
    the neuron's dot node (or the last node of its chain, for a neuron made with fused=False);
    a linear neuron's output is z itself."""
    if neuron.activation == 'linear':
        return out
    if out.op != neuron.activation:
        raise RuntimeError("layer_view: a %s neuron of %s returned a %r node, not its activation %r: "
                           "cannot find its pre-activation z" % (neuron.activation, layer, out.op, neuron.activation))
    return out.parents[0]


def _read(model, xs, y, output, loss_value, scale, made):
    """the numbers and names of the nodes just made and backpropagated through."""
    layers = []
    for name, neurons, z, a in made:
        layers.append(LayerNumbers(
            name, _activation(neurons), [v.data for v in z], [v.data for v in a],
            [v.grad for v in z], [v.grad for v in a], [[w.grad for w in n.w] for n in neurons],
            None if all(n.b is None for n in neurons) else [n.b.grad if n.b is not None else None for n in neurons]))
    stages = [Stage(1, "x", [v.data for v in xs], [v.grad for v in xs],
                    sources={'o': _names(xs), 'delta': _names(xs)})]
    below = xs
    for (name, neurons, z, a), numbers in zip(made, layers):
        k = len(stages) + 1
        bias = numbers.db is not None
        stages.append(Stage(k, "W%d . o%d%s" % (k, k - 1, " + b%d" % k if bias else ""), numbers.z,
                            [v.grad for v in below], numbers.dW, numbers.db,
                            sources={'o': _names(z), 'delta': _names(below),
                                     'dW': _names([w for n in neurons for w in n.w]),
                                     'db': _names([n.b for n in neurons if n.b is not None])}))
        below = z
        if numbers.activation != 'linear':
            k += 1
            stages.append(Stage(k, "%s(o%d)" % (numbers.activation, k - 1), numbers.a, numbers.dz,
                                sources={'o': _names(a), 'delta': _names(z)}))
            below = a
    output_numbers = output.data if isinstance(output, Value) else [v.data for v in output]
    return LayerView(model, [v.data for v in xs], y, output_numbers, loss_value.data, scale,
                     [v.grad for v in xs], layers, stages, _names(xs), loss_value.label or "loss")


def _activation(neurons):
    kinds = sorted({n.activation for n in neurons})
    return kinds[0] if len(kinds) == 1 else "/".join(kinds)


def _names(nodes):
    """the graph's names for a few nodes: 'x1, x2, x3', or 'L1.n1.z, ..., L1.n16.z'."""
    names = [n.label or "?" for n in nodes]
    return ", ".join(names) if len(names) <= 3 else "%s, ..., %s" % (names[0], names[-1])


def _sum(items):
    """the element-wise sum of equally shaped vectors or matrices (None entries stay None)."""
    first = items[0]
    if isinstance(first, list):
        return [_sum([item[i] for item in items]) for i in range(len(first))]
    if first is None:
        return None
    total = first
    for item in items[1:]:
        total = total + item
    return total


def _loss_symbol(scale):
    return "∂Loss" if scale == 1 else "∂Loss^learning"


# ------------------------------------------------------------------ tables
def _vector(v):
    if isinstance(v, (list, tuple)):
        return "(%s)" % ", ".join(_vector(e) for e in v)
    return fmt(v)


def _numbers(v):
    """a number, a vector (a, b) or a matrix [(a, b), (c, d)], exact values as fractions."""
    if isinstance(v, list) and v and isinstance(v[0], list):
        return "[%s]" % ", ".join(_vector(row) for row in v)
    if v is None:
        return "-"
    return _vector(v)


def _text_table(headers, rows):
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


def _html_table(caption, headers, rows):
    head = "".join("<th>%s</th>" % html.escape(str(h)) for h in headers)
    body = "".join("<tr>%s</tr>" % "".join('<td style="text-align:left;font-family:monospace">%s</td>'
                                            % html.escape(str(c)) for c in row) for row in rows)
    return ('<table class="layer-view"><caption style="text-align:left">%s</caption>'
            '<thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (html.escape(caption), head, body))

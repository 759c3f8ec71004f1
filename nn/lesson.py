"""lesson(model, loss, X, Y, path): ONE training iteration at the network's scale, in one offline page.

The articles' learning phase (Recapitulation for the Learning Process), played a phase at a time
on a picture of the network, neurons as circles in layer columns and weights as lines:
    forward     layer by layer, each neuron's z = w . x + b and a = act(z)
    loss        Loss(o, y)
    backward    layer by layer from the top, the learning flux δk and ∂Loss/∂W^k (nn.layer_view's numbers)
    update      w <- w - α ∂Loss/∂w, the optimizer's real step (Trainer), each weight's change
    next        the forward pass again with the new weights, and its loss
Clicking a neuron or a weight opens that sample's chain-rule steps for it (autograd.step's
steps whose passing or receiving node is its z, a, w_i or b). With epochs > 0 the page
also shows the training over time (nn.timeline, where it is installed).

Everything runs on a copy of (model, optimizer): the caller's weights, gradients and
optimizer state are left exactly as they were.
"""
from __future__ import annotations

import copy
import html
from typing import Callable, Optional, Sequence, Union
import os
import re
from fractions import Fraction
from importlib import resources

from autograd import Value, no_grad, step
from autograd.explore import iframe, script_json
from autograd.files import write_atomic
from autograd.notation import decimal, printable

from .layers import MLP, Layer, Neuron, as_values, name_outputs
from .layerview import batch_view, layer_view
from . import timeline
from .optim import SGD, Adam
from .trainer import Trainer

DEFAULT_LR = 0.1           # the step size of the SGD lesson() makes when given no optimizer
SHOWN_ROWS = 3             # rows of a weight matrix the side panel writes out (and their entries, SHOWN_ENTRIES)
SHOWN_ENTRIES = 6
SHOWN_VECTOR = 16          # entries of a vector written out
LABELLED_WEIGHTS = 12      # a layer of one neuron with at most this many weights has its lines labelled


class LessonPage(str):
    """The page's path; in Jupyter it shows the page itself, inline (as the explorer does)."""
    html = ''

    def _repr_html_(self):
        return iframe(self.html, height=720)


def lesson(model: Union[Neuron, Layer, MLP], loss: Callable[..., Value], X: Sequence, Y: Sequence,
           path: Union[str, os.PathLike], optimizer: Optional[Union[SGD, Adam]] = None, epochs: int = 0,
           sample: Optional[int] = 0, batch_size: Optional[int] = None, seed: int = 0,
           title: Optional[str] = None) -> LessonPage:
    """Write the lesson page for one training iteration of `model` (an nn Neuron, Layer or MLP)
    under `loss` (e.g. nn.half_squared_error) to `path` (.html added where the name has none);
    returns its path, which Jupyter shows inline.

    sample: the iteration is on sample X[sample] alone (an SGD step, as the articles' learning
    phase takes one data input at a time; 0 unless given). sample=None: on the whole batch X
    (Batch Learning's Loss^avg, one update from the summed gradients); the picture then shows the numbers
    of the first sample, whose chain-rule steps are those of Loss^learning = loss_1 / n.
    optimizer: an nn.SGD or nn.Adam over the model's parameters (None: SGD with lr = 0.1);
    the update is its step() as the Trainer takes it.
    epochs > 0: also train a copy for that many epochs (nn.timeline.record, batch_size and seed
    as the Trainer's) and show the loss, accuracy, weights and decision boundary over time.
    Neither the model nor the optimizer is changed: the page is made from copies."""
    page = lesson_html(model, loss, X, Y, optimizer=optimizer, epochs=epochs, sample=sample,
                       batch_size=batch_size, seed=seed, title=title)
    path = os.fspath(path)
    if not os.path.splitext(path)[1]:
        path += '.html'
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_atomic(path, page)             # whole or not at all: a failed write leaves the old page
    result = LessonPage(path)
    result.html = page
    return result


def lesson_html(model, loss, X, Y, optimizer=None, epochs=0, sample=0, batch_size=None, seed=0, title=None):
    """the page as a string (see lesson)."""
    X, Y = _check(model, loss, X, Y, optimizer, epochs, sample)
    original = (model, optimizer)
    model, optimizer = copy.deepcopy(original)           # the optimizer keeps pointing at the copied weights
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=DEFAULT_LR)
    layers = _layers(model)
    batch = sample is None
    shown = 0 if batch else sample
    xs, ys = (X, Y) if batch else ([X[sample]], [Y[sample]])

    # before the step: the articles' vectors, and the shown sample's chain-rule steps
    if batch:
        bview = batch_view(model, loss, xs, ys)
        view = bview.samples[shown]
    else:
        bview = None
        view = layer_view(model, loss, xs[0], ys[0])
    scale = Fraction(1, len(xs))
    steps, owners = _chain_rule_steps(model, layers, loss, X[shown], Y[shown], scale)
    named = [p for layer in layers for n in layer[1] for p in _params(n)]
    before = [p.data for p in named]

    # the update: the optimizer's own step, as the Trainer takes it
    trainer = Trainer(model, loss, optimizer, batch_size=None, shuffle=False)
    trainer.fit(xs, ys, epochs=1, progress=False)
    after = [p.data for p in named]
    nxt = _forward(layers, loss, X[shown], Y[shown], single=_single(model))
    next_avg = None
    if batch:
        with no_grad():
            next_avg = sum((loss(model(x), y).data for x, y in zip(xs, ys)), 0) * scale

    data = _page_data(model, layers, loss, optimizer, view, bview, shown, batch, len(X), steps, owners,
                      named, before, after, nxt, next_avg)
    data['timeline'] = None
    script = ''
    if epochs:                           # the training over time, on another copy, from the same start
        script = TIMELINE_JS
        fresh_model, fresh_opt = copy.deepcopy(original)
        if fresh_opt is None:
            fresh_opt = SGD(fresh_model.parameters(), lr=DEFAULT_LR)
        data['timeline'] = timeline.record(fresh_model, loss, X, Y, fresh_opt, epochs, batch_size=batch_size, seed=seed)
    title = title or "One training iteration of %s on %s" % (
        _model_words(model), "the batch of %d samples" % len(X) if batch else "sample %d of %d" % (shown + 1, len(X)))
    data['title'] = title
    values = {'title': html.escape(title), 'data': script_json(data), 'timeline': script.replace('</', '<\\/')}
    return re.sub(r'%\((\w+)\)s', lambda m: values[m.group(1)], PAGE)


# ------------------------------------------------------------------ checks
def _check(model, loss, X, Y, optimizer, epochs, sample):
    if not isinstance(model, (Neuron, Layer, MLP)):
        raise TypeError("lesson: expected an nn Neuron, Layer or MLP, got %s %r; for a scalar graph of "
                        "your own (a Value), use autograd.explore(root, path) or autograd.step(root)"
                        % (type(model).__name__, model))
    if not callable(loss):
        raise TypeError("lesson: loss must be a function loss(output, y), such as nn.half_squared_error; "
                        "got %s %r" % (type(loss).__name__, loss))
    X, Y = list(X), list(Y)
    if len(X) != len(Y):
        raise ValueError("lesson: X has %d samples but Y has %d" % (len(X), len(Y)))
    if not X:
        raise ValueError("lesson: no samples (X and Y are empty)")
    if sample is not None and (not isinstance(sample, int) or isinstance(sample, bool)
                               or not 0 <= sample < len(X)):
        raise ValueError("lesson: sample must be None (the whole batch) or an index 0..%d into X, got %r"
                         % (len(X) - 1, sample))
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError("lesson: epochs must be an int >= 0, got %r" % (epochs,))
    if optimizer is not None:
        if not isinstance(optimizer, (SGD, Adam)):
            raise TypeError("lesson: optimizer must be an nn.SGD or nn.Adam, got %s" % type(optimizer).__name__)
        mine = {id(p) for p in model.parameters()}
        if not optimizer.params or any(id(p) not in mine for p in optimizer.params):
            raise ValueError("lesson: the optimizer's parameters are not the model's: make it with "
                             "%s(model.parameters(), ...)" % type(optimizer).__name__)
    return X, Y


# ------------------------------------------------------------------ the model as layers of neurons
def _layers(model):
    """[(layer name or '', [neurons])]: an MLP's L1, L2, ...; a Layer or a Neuron is one layer."""
    if isinstance(model, MLP):
        return [("L%d" % k, layer.neurons) for k, layer in enumerate(model.layers, 1)]
    if isinstance(model, Layer):
        return [("", model.neurons)]
    return [("", [model])]


def _single(model):
    return isinstance(model, Neuron) or (isinstance(model, MLP) and len(model.layers[-1].neurons) == 1)


def _params(neuron):
    return list(neuron.w) + ([neuron.b] if neuron.b is not None else [])


def _neuron_name(neuron):
    """as nn names it: L2.n6 in an MLP, n6 in a Layer, 'neuron' for a Neuron alone."""
    return getattr(neuron, '_prefix', '').rstrip('.') or 'neuron'


def _forward(layers, loss, x, y, single):
    """z and a of every neuron for one sample, and its loss: [[(z, a)]], loss. (Recorded, to find
    each z under its a; the little graph is dropped at once.)"""
    h = as_values(x, 'lesson', len(layers[0][1][0].w))
    numbers = []
    for _, neurons in layers:
        out = [n.forward(h) for n in neurons]
        numbers.append([(_z_of(n, a).data, a.data) for n, a in zip(neurons, out)])
        h = out
    return numbers, loss(h[0] if single else h, y).data


def _z_of(neuron, a):
    return a if neuron.activation == 'linear' else a.parents[0]


def _chain_rule_steps(model, layers, loss, x, y, scale):
    """the shown sample's graph (Loss^learning = loss * scale where scale is not 1) stepped through
    with autograd.step, its forward steps and then its backward steps; returns the steps as
    page data and, for each neuron, the indices of the steps whose passing or receiving node is
    one of its own (its z, a, w_i, b)."""
    h = as_values(x, 'lesson', len(layers[0][1][0].w))
    owner = {}                     # id(node) -> (layer index, neuron index, role)
    for i, v in enumerate(h):
        owner[id(v)] = (-1, i, 'x%d' % (i + 1))
    for l, (_, neurons) in enumerate(layers):
        out = []
        for j, n in enumerate(neurons):
            a = n.forward(h)
            z = _z_of(n, a)
            for i, w in enumerate(n.w):
                owner[id(w)] = (l, j, 'w%d' % (i + 1))
            if n.b is not None:
                owner[id(n.b)] = (l, j, 'b')
            if a is not z:
                owner[id(a)] = (l, j, 'a')
            # z, and for a neuron made with fused=False every node of its chain b + w1*x1 + ...
            chain = [z]
            while chain:
                node = chain.pop()
                if id(node) not in owner:
                    owner[id(node)] = (l, j, 'z')
                    chain.extend(node.parents)
            out.append(a)
        h = out
    output = name_outputs(h[0] if _single(model) else h)
    root = loss(output, y)
    if scale != 1:
        root = root * scale
    stepper = step(root, forward=True)
    try:
        steps, owners = [], {}
        while True:
            s = stepper.next()
            if s is None:
                break
            phase = getattr(s, 'phase', 'backward')
            ends = [s.node] if phase == 'forward' else [s.node, s.parent]
            whose = []
            for node in ends:
                o = owner.get(id(node))
                if o is not None and o[0] >= 0 and (o[0], o[1]) not in whose:
                    whose.append((o[0], o[1]))
            k = len(steps)
            for lj in whose:
                owners.setdefault(lj, []).append(k)
            roles = {}                 # for each neuron of the step: what of it the step is at
            for node in reversed(ends):      # the receiving end first: a step into w7 is at w7
                o = owner.get(id(node))
                if o is not None and o[0] >= 0:
                    roles.setdefault('%d.%d' % (o[0], o[1]), o[2])
            if phase == 'backward':          # from a neuron's z into one of its inputs: at that input, x_i
                o, p = owner.get(id(s.node)), owner.get(id(s.parent))
                if o is not None and p is not None and p[0] == o[0] - 1:
                    roles['%d.%d' % (o[0], o[1])] = 'x%d' % (p[1] + 1)
            # the other end of the step, for the picture: an input x_i or a neuron of the layer below
            other = owner.get(id(s.parent)) if phase == 'backward' else None
            steps.append({'t': printable(str(s)), 'm': s.mathml(), 'ph': phase,
                          'r': roles, 'o': None if other is None else [other[0], other[1], other[2]],
                          'n': [owner[id(s.node)][0], owner[id(s.node)][1]] if id(s.node) in owner else None})
    finally:
        stepper.reset()
    return steps, owners


# ------------------------------------------------------------------ numbers as the page writes them
def num(x):
    """an exact fraction with its decimal, 3/11600 ≈ 0.0002586207; an int as it is; a float to 4 digits."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        return "%d/%d ≈ %s" % (x.numerator, x.denominator, decimal(x))
    if isinstance(x, float):
        if x == 0:
            return "0"
        text = "%.4g" % x
        return text + ".0" if text.lstrip('-').isdigit() else text
    if x is None:
        return "-"
    return str(x)


def _exact(x):
    """an entry of a vector: a fraction without its decimal (the vector gets its decimals after)."""
    if isinstance(x, Fraction) and x.denominator != 1:
        return "%d/%d" % (x.numerator, x.denominator)
    return num(x)


def vec(v, limit=SHOWN_VECTOR):
    """a vector as the articles write it: (0, 2000, 3000); -(0, 2000, 3000) where no entry is
    positive and some is negative; exact fractions, then their decimals: (1/200, 1/5800) ≈ (0.005, 0.0001724)."""
    v = list(v)
    sign = ""
    if len(v) > 1 and all(e is not None and e <= 0 for e in v) and any(e < 0 for e in v):
        sign, v = "-", [-e for e in v]
    more = ", … %d numbers" % len(v) if len(v) > limit else ""
    v = v[:limit]
    fractions = any(isinstance(e, Fraction) and e.denominator != 1 for e in v)
    text = sign + "(%s%s)" % (", ".join(_exact(e) for e in v), more)
    if fractions:
        text += " ≈ %s(%s%s)" % (sign, ", ".join(decimal(e) for e in v), more)
    return text


def matrix(rows):
    """a weight matrix: one neuron's row as a vector, a few rows written out, the rest counted."""
    if len(rows) == 1:
        return vec(rows[0])
    cut = len(rows) > SHOWN_ROWS + 1                # never "… 4 rows" where the 4th would fit
    shown = ", ".join(vec(r, SHOWN_ENTRIES) for r in (rows[:SHOWN_ROWS] if cut else rows))
    more = ", … %d rows in all" % len(rows) if cut else ""
    return "[%s%s]" % (shown, more)


def _numbers(v):
    if isinstance(v, list) and v and isinstance(v[0], list):
        return matrix(v)
    if isinstance(v, list):
        return vec(v)
    return num(v)


def _model_words(model):
    if isinstance(model, MLP):
        return "MLP(%d, %s)" % (model.nin, [len(l.neurons) for l in model.layers])
    if isinstance(model, Layer):
        return "Layer(%d, %d)" % (model.nin, len(model.neurons))
    return "Neuron(%d, %s%s)" % (len(model.w), model.activation, "" if model.b is not None else ", no bias")


def _optimizer_words(optimizer):
    if isinstance(optimizer, Adam):
        return "Adam (α = %s, betas %s, %s)" % (num(optimizer.lr), num(optimizer.b1), num(optimizer.b2))
    extra = "".join(", %s %s" % (k, num(getattr(optimizer, k))) for k in ('momentum', 'weight_decay')
                    if getattr(optimizer, k))
    return "SGD (α = %s%s)" % (num(optimizer.lr), extra)


def _plain_sgd(optimizer):
    return isinstance(optimizer, SGD) and not optimizer.momentum and not optimizer.weight_decay


def _f(x):
    """a number for drawing (line widths, colours): a float, 0 for None."""
    try:
        return float(x) if x is not None else 0.0
    except (OverflowError, TypeError):
        return 0.0


# ------------------------------------------------------------------ the page's data
def _page_data(model, layers, loss, optimizer, view, bview, shown, batch, n, steps, owners,
               named, before, after, nxt, next_avg):
    L = "∂Loss" if not batch else "∂Loss^learning"
    index = {id(p): k for k, p in enumerate(named)}
    grads = {}                                          # id(param) -> the gradient the optimizer used
    source = bview if batch else view
    for l, numbers in enumerate(source.layers):
        for j, neuron in enumerate(layers[l][1]):
            for i, w in enumerate(neuron.w):
                grads[id(w)] = numbers.dW[j][i]
            if neuron.b is not None:
                grads[id(neuron.b)] = numbers.db[j]
    loss_name = getattr(loss, '__name__', 'loss')
    out_layers = []
    for l, (name, neurons) in enumerate(layers):
        numbers = view.layers[l]
        ns = []
        for j, neuron in enumerate(neurons):
            ws = []
            for p in _params(neuron):
                k = index[id(p)]
                change = after[k] - before[k]
                ws.append({'w': num(before[k]), 'g': num(grads[id(p)]), 'd': num(change), 'w2': num(after[k]),
                           'v': _f(before[k]), 'vg': _f(grads[id(p)]), 'vd': _f(change), 'v2': _f(after[k])})
            z2, a2 = nxt[0][l][j]
            ns.append({
                'name': _neuron_name(neuron), 'short': _neuron_name(neuron).split('.')[-1],
                'z': num(numbers.z[j]), 'a': num(numbers.a[j]), 'dz': num(numbers.dz[j]), 'da': num(numbers.da[j]),
                'va': _f(numbers.a[j]), 'z2': num(z2), 'a2': num(a2), 'va2': _f(a2),
                'bias': neuron.b is not None, 'ws': ws,
                'eq': _equation(neuron, view, l, j, before, index),
                'steps': owners.get((l, j), []),
            })
        out_layers.append({'name': name, 'act': neurons[0].activation, 'neurons': ns})
    frames = _frames(view, bview, layers, loss_name, optimizer, L, batch, nxt, next_avg, named, before, after, grads)
    y = view.y
    return {
        'model': _model_words(model), 'kind': type(model).__name__,
        'sample': shown, 'batch': batch, 'n': n,
        'x': [num(v) for v in view.x], 'y': _numbers(y) if isinstance(y, list) else num(y),
        'output': _numbers(view.output) if isinstance(view.output, list) else num(view.output),
        'loss': num(view.loss), 'loss_name': loss_name, 'optimizer': _optimizer_words(optimizer),
        'layers': out_layers, 'frames': frames, 'steps': steps,
        'loss2': num(nxt[1]),
        'loss_avg': num(bview.loss_avg) if batch else None, 'loss_avg2': num(next_avg) if batch else None,
    }


def _equation(neuron, view, l, j, before, index):
    """the neuron's forward pass with its numbers: z = w · x + b = 0.5 · 1 + ... = 0.3, a = relu(z) = 0.3."""
    xs = view.x if l == 0 else view.layers[l - 1].a
    ws = [before[index[id(w)]] for w in neuron.w]
    terms = ["%s · %s" % (_paren(w), _paren(x)) for w, x in zip(ws, xs)]
    if neuron.b is not None:
        terms.append(_paren(before[index[id(neuron.b)]]))
    numbers = view.layers[l]
    z = "z = w · x%s = %s = %s" % (" + b" if neuron.b is not None else "", " + ".join(terms), num(numbers.z[j]))
    if neuron.activation == 'linear':
        return [z, "a linear neuron: its output is z"]
    return [z, "a = %s(z) = %s(%s) = %s" % (neuron.activation, neuron.activation, _exact(numbers.z[j]),
                                            num(numbers.a[j]))]


def _paren(x):
    text = _exact(x)
    return "(%s)" % text if text.startswith('-') or '/' in text else text


def _frames(view, bview, layers, loss_name, optimizer, L, batch, nxt, next_avg, named, before, after, grads):
    """the phases of the iteration, one frame each: its heading, words, and the articles' rows."""
    K = len(layers)
    # the articles' layers Lk (stages) of each nn layer: L1 = x, then W . o (+ b) and act(o) per nn layer
    owner_of = {1: 0}
    k = 2
    for l, (_, neurons) in enumerate(layers):
        owner_of[k] = l
        k += 1
        if neurons[0].activation != 'linear':
            owner_of[k] = l
            k += 1
    rows = view.rows()
    numbering = ("" if len(layers) == 1 and isinstance(layers[0][1][0], Neuron) else
                 " The tables count layers as the articles do: L1 = x, then each layer is two, W . o + b and "
                 "its activation, so o%d is the output." % view.K)
    frames = [{'phase': 'start', 'layer': None, 'head': "The network",
               'words': "Inputs on the left, then each layer's neurons; every line is a weight. "
                        "Press Next (→, PageDown) to play one training iteration." + numbering + (
                            " The update is the batch's: the gradient of Loss^avg, the sum over its %d samples of "
                            "each sample's gradient of Loss^learning = loss / %d (as in Batch Learning); the "
                            "numbers on the picture, and the chain-rule steps, are the first sample's."
                            % (bview.n, bview.n) if batch else ""),
               'rows': [["x", "the input", vec(view.x)], ["y", "the target", _numbers(view.y)]]}]
    by_stage = {}
    for sym, what, value, _ in rows:
        m = re.match(r'(o|δ)(\d+)$', sym) or re.match(r'∂Loss(?:\^learning)?/∂[Wb](\d+)$', sym)
        if m:
            stage = int(m.group(m.lastindex))
            by_stage.setdefault(stage, []).append([sym, what, value])
    for l, (name, neurons) in enumerate(layers):
        mine = [s for s in sorted(by_stage) if owner_of.get(s) == l]
        frow = [[sym, what, _numbers(v)] for s in mine for sym, what, v in by_stage[s] if sym.startswith('o')]
        act = neurons[0].activation
        frames.append({'phase': 'forward', 'layer': l, 'head': "Forward · %s" % (name or "the neuron"),
                       'words': "Each neuron computes z = w · x%s from the layer below%s." % (
                           " + b" if neurons[0].b is not None else "",
                           "" if act == 'linear' else ", then a = %s(z)" % act),
                       'rows': frow})
    K_ = view.K
    lossrow = [["o%d" % K_, "the output", _numbers(view.output) if isinstance(view.output, list) else num(view.output)],
               ["y", "the target", _numbers(view.y) if isinstance(view.y, list) else num(view.y)],
               ["loss", "%s(o%d, y)" % (loss_name, K_), num(view.loss)]]
    if batch:
        lossrow.append(["Loss^avg", "the mean over the %d samples" % bview.n, num(bview.loss_avg)])
    frames.append({'phase': 'loss', 'layer': None, 'head': "The loss",
                   'words': "The loss compares the output with the target." + (
                       " Over the batch, Loss^avg is the mean of the samples' losses." if batch else ""),
                   'rows': lossrow})
    for l in reversed(range(K)):
        name, neurons = layers[l]
        brow = []
        if l == K - 1:
            brow.append(["δ%d" % (K_ + 1), "%s/∂o%d" % (L, K_), _numbers(view.delta(K_ + 1))])
        for s in sorted((s for s in by_stage if owner_of.get(s) == l or (l == 0 and s == 1)), reverse=True):
            for sym, what, v in by_stage[s]:
                if sym.startswith('o'):
                    continue
                if batch and sym.startswith('∂'):          # the batch's gradient: the sum over the samples
                    kind = sym.split('/∂')[1][0]
                    total = bview.dW(s) if kind == 'W' else bview.db(s)
                    brow.append(["∂Loss^avg/∂%s%d" % (kind, s), "the sum over the %d samples" % bview.n,
                                 _numbers(total)])
                    continue
                brow.append([sym, what, _numbers(v)])
        frames.append({'phase': 'backward', 'layer': l, 'head': "Backward · %s" % (name or "the neuron"),
                       'words': "The learning flux δ flows back through %s: ∂Loss/∂a, then ∂Loss/∂z = ∂Loss/∂a · "
                                "act'(z), then ∂Loss/∂w = ∂Loss/∂z · x for each weight (lines: the gradient)."
                                % (name or "the neuron"),
                       'rows': brow})
    urows = []
    index = {id(p): k for k, p in enumerate(named)}
    for l, (name, neurons) in enumerate(layers):
        tag = name or ""
        bw = [[before[index[id(w)]] for w in n.w] for n in neurons]
        aw = [[after[index[id(w)]] for w in n.w] for n in neurons]
        dw = [[after[index[id(w)]] - before[index[id(w)]] for w in n.w] for n in neurons]
        k = [s for s, o in owner_of.items() if o == l and s > 1][0]
        small = sum(map(len, bw)) <= LABELLED_WEIGHTS     # a big layer's weights: the lines say it
        if small:
            urows.append(["W%d" % k, "%s before" % (tag or "the weights"), matrix(bw)])
        urows.append(["ΔW%d" % k, "the change%s" % (" of %s's weights" % tag if tag else ""), matrix(dw)])
        if small:
            urows.append(["Ŵ%d" % k, "the weights after", matrix(aw)])
        if any(n.b is not None for n in neurons):
            db = [after[index[id(n.b)]] - before[index[id(n.b)]] for n in neurons if n.b is not None]
            urows.append(["Δb%d" % k, "the change of the biases", vec(db)])
    if _plain_sgd(optimizer):
        words = "w ← w − α ∂Loss/∂w with α = %s: the SGD step, each weight moved against its gradient." % num(optimizer.lr)
    else:
        words = "The optimizer, %s, takes its step as the Trainer calls it, moving each weight." % _optimizer_words(optimizer)
    frames.append({'phase': 'update', 'layer': None, 'head': "The update",
                   'words': words + " Lines now show each weight's change.", 'rows': urows})
    before_loss = bview.loss_avg if batch else view.loss
    after_loss = next_avg if batch else nxt[1]
    went = _f(after_loss) - _f(before_loss)
    verdict = ("lower" if went < 0 else "the same" if went == 0 else
               "higher: the step overshot (a smaller learning rate α would not)")
    nrows = [["o%d" % K_, "the output now", _output_text([a for _, a in nxt[0][-1]], view.output)],
             ["loss", "%s(o%d, y) now" % (loss_name, K_), num(nxt[1])]]
    if batch:
        nrows.append(["Loss^avg", "the mean over the batch, now", num(next_avg)])
    frames.append({'phase': 'next', 'layer': None, 'head': "The next forward pass",
                   'words': "The same %s through the new weights. %s was %s, it is now %s: %s." % (
                       "samples" if batch else "input", "Loss^avg" if batch else "The loss",
                       num(before_loss), num(after_loss), verdict),
                   'rows': nrows})
    return frames


def _output_text(last, output):
    return _numbers(list(last)) if isinstance(output, list) else num(last[0])


PAGE = resources.files('nn').joinpath('static', 'lesson.html').read_text(encoding='utf-8')
TIMELINE_JS = resources.files('nn').joinpath('static', 'timeline.js').read_text(encoding='utf-8')   # over time

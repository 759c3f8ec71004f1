"""Names and notation: what every view calls a node, and how it writes a number
and a chain-rule step. Drawings, the stepper, trace, tree and the terminal all
read them from here, so a node has one name everywhere.

Names. `Naming(root)` walks root's graph once, in evaluation order, and names
every node:
  - a label the user set, as it is;
  - a name the library gave (`AutoName`): parameters after their place in the
    model (`L1.n3.w2`), a model's inputs and outputs (`x1`, `o`), a loss (`loss`),
    inside record_scopes() a neuron's pre-activation and activation (`L1.n3.z`,
    `L1.n3.a`); where one such name is given to several nodes of the graph
    (the `o` of every sample of a batch), each gets `#k` in evaluation order: `o#1`, `o#2`;
  - every other result of an operation t1, t2, ... and every other leaf v1, v2, ...,
    in evaluation order (names a label already uses are skipped).
Nothing is stored on the nodes for this: naming costs nothing until a graph is shown.

Notation. One step of backprop, the edge from a node c to its input a, is written
    a.grad += ∂c/∂a · c.grad = 3.0 · 1 = 3.0
`x.grad` always means ∂root/∂x as accumulated so far; the one ∂-fraction is the
LOCAL derivative of c's operation, recorded when it ran (the number on the edge).
On an edge of a dot node z = w · x + b the local derivative is also named by what
it is, the operand paired with the input (x_i toward w_i, w_i toward x_i, 1 toward b):
    L2.n6.w7.grad += ∂(L2.n6.z)/∂(L2.n6.w7) · L2.n6.z.grad = L1.n7.a · L2.n6.z.grad = 0.52 · 1.3 = 0.676
"""
import html
import math
import numbers
import re
from fractions import Fraction

from .backward import edges_of, is_nary, parents_of
from .value import Value


class AutoName(str):
    """A name the library gave a node. It replaces an earlier AutoName, never a
    label the user set, and a user's label replaces it."""
    __slots__ = ()


class ParamName(AutoName):
    """A parameter's name (Module.label_parameters): drawings colour its node as a parameter."""
    __slots__ = ()


def is_parameter(node):
    return node._a is None and node.label.__class__ is ParamName


def autolabel(node, name):
    """give node the name `name` unless the user has labelled it; returns node
    (anything that is not a Value is returned as it is)."""
    if isinstance(node, Value):
        label = node.label
        if not label or isinstance(label, AutoName):
            node.label = name if isinstance(name, AutoName) else AutoName(name)
    return node


# ------------------------------------------------------------------ numbers

SHOWN_LANES = 4       # lanes written out before "…" when a whole batch is shown


def fmt(x):
    """a number as a learner wants to read it: exact fractions as 43/300 ~ 0.1433;
    lanes (a batch, lanes.py) as [0.5, -1.0, … 100 samples]; a reduction's slopes as Σ[…]."""
    if hasattr(x, 'contributions'):           # a LaneSum: the edge into a shared weight
        return "Σ" + fmt(x.lanes())
    if getattr(x, 'ndim', 0):                 # a lane array (a numpy scalar, ndim 0, is a number)
        items = [fmt(v) for v in x.tolist()[:SHOWN_LANES]]
        more = " … %d samples" % len(x) if len(x) > SHOWN_LANES else ""
        return "[%s%s]" % (", ".join(items), more)
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        return "%s/%s ~ %.4g" % (x.numerator, x.denominator, float(x))
    if isinstance(x, float):
        text = "%.4g" % x
        # a whole float keeps its ".0", so 2.0 never reads as the int 2
        return text + ".0" if text.lstrip('-').isdigit() else text
    return str(x)


_CONTROL = re.compile(r'[\x00-\x1f\x7f-\x9f]')


def printable(text):
    """text with control characters (ANSI escapes, NUL, newlines) shown as \\x1b etc.,
    so that a label can never drive the terminal or break a file format."""
    return _CONTROL.sub(lambda m: '\\x%02x' % ord(m.group()), str(text))


# ------------------------------------------------------------------ names

def evaluation_order(root, parents=parents_of):
    """Every node of root's graph, each after its inputs, first input before second:
    the order in which Python evaluated the expression (a node keeps no creation
    counter: that would cost memory on every node). Iterative, so any depth works.
    parents: a node's inputs (benchmarks/layout_shapes.py walks its own stand-in nodes)."""
    order, seen, stack = [], {root}, [root]
    while stack:
        node = stack[-1]
        for parent in parents(node):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
                break
        else:
            order.append(stack.pop())
    return order


class Naming:
    """One walk over root's graph that every view consumes.

    .nodes  every node, inputs first, in evaluation order
    .names  {node: name} (see the module's docstring)
    .edges  the chain-rule steps in backward()'s order: (node, slot, parent, local)
    """

    def __init__(self, root):
        self.root = root
        self.nodes = evaluation_order(root)
        self.names = _names(self.nodes)

    def __getitem__(self, node):
        return self.names[node]

    @property
    def edges(self):
        # A depth-first post-order puts each node after its inputs; leaves finish the
        # moment they are entered, so the results in reverse are exactly backward()'s
        # topological order (backward.topological_order), edge by edge.
        return [(node, slot, parent, local)
                for node in reversed(self.nodes) if node._a is not None
                for slot, parent, local in _slots(node)]

    def within(self, depth):
        """the nodes at most `depth` edges above root, in evaluation order."""
        if depth is None:
            return self.nodes
        keep, frontier = {self.root}, [self.root]
        for _ in range(depth):
            frontier = [p for node in frontier for p in parents_of(node) if p not in keep and not keep.add(p)]
        return [node for node in self.nodes if node in keep]


def _slots(node):
    """node's incoming edges as (slot, parent, local): slot 0 or 1 for a binary or unary
    op's input; a dot's edges are numbered 0..k-1 in its parents' order (ws, xs, b)."""
    if is_nary(node):
        return [(k, p, d) for k, (p, d) in enumerate(edges_of(node))]
    return [(slot, parent, local) for slot, parent, local in ((0, node._a, node._da), (1, node._b, node._db))
            if local is not None]


def _names(nodes):
    labels = [node.label for node in nodes]
    taken = {label for label in labels if label}
    user = {label for label in taken if not isinstance(label, AutoName)}
    count = {}
    for label in labels:
        if isinstance(label, AutoName):
            count[label] = count.get(label, 0) + 1
    # an AutoName given to several nodes, or also used by the user, is numbered
    shared = {label for label, k in count.items() if k > 1 or label in user}
    names, seen, counters = {}, {}, {'t': 0, 'v': 0}
    for node, label in zip(nodes, labels):
        if label in shared and isinstance(label, AutoName):
            seen[label] = seen.get(label, 0) + 1
            names[node] = "%s#%d" % (label, seen[label])
        elif label:
            names[node] = str(label)
        else:
            prefix = 'v' if node._a is None else 't'
            while True:
                counters[prefix] += 1
                name = "%s%d" % (prefix, counters[prefix])
                if name not in taken:
                    break
            names[node] = name
    return names


# ------------------------------------------------------------------ lanes: one sample, or the sum

def is_reduction(local):
    """True for the local derivative of an edge from lanes into a one-number parent (a LaneSum)."""
    return hasattr(local, 'contributions')


def lane(x, sample):
    """x as sample `sample` sees it: a lane array's entry there; anything else as it is
    (a one-number value is every sample's; a reduction stays one)."""
    if sample is None or not getattr(x, 'ndim', 0):
        return x
    v = x[sample]
    return float(v) if v.__class__.__module__ == 'numpy' else v


def has_lanes(x):
    return bool(getattr(x, 'ndim', 0))


def reduction_text(parent, node, local, upstream, contribution, before=None, after=None, partner=None):
    """the step that sums a batch into a shared weight, with its per-sample contributions:
    w.grad += Σ_i ∂t/∂w[i] · t.grad[i] = 0.5 + -1.0 + … (100 samples) = 3.25   (w.grad 0 -> 3.25)
    partner: on a dot's edge, what the local derivative is, as it stands in the sum (x1[i])."""
    parts = local.contributions(upstream).tolist()
    shown = " + ".join(fmt(v) for v in parts[:2 * SHOWN_LANES])
    if len(parts) > 2 * SHOWN_LANES:
        shown += " + … (%d samples)" % len(parts)
    named = "" if partner is None else " = Σ_i %s · %s.grad[i]" % (_partner_text(partner), printable(node))
    text = "%s.grad += Σ_i %s[i] · %s.grad[i]%s = %s = %s" % (
        printable(parent), printable(local_symbol(node, parent)), printable(node), named, shown, fmt(contribution))
    if before is not None:
        text += "   (%s.grad %s -> %s)" % (printable(parent), fmt(before), fmt(after))
    return text


# ------------------------------------------------------------------ a dot node's inputs

SHOWN_TERMS = 3       # terms of a dot written out before "…" where its names make no vectors


def dot_inputs(node):
    """a dot node z = w · x + b's operands in order w_1..w_n, x_1..x_n, b, each as
    (role, operand, partner, slot):
      role     'w_2', 'x_2' or 'b': its place in the formula (as the formula writes it, so
               that x_2, the second entry of x, is not read as a node named x2);
      operand  the Value, or a plain number (a constant);
      partner  what ∂z/∂operand is: the paired operand (x_i toward w_i, w_i toward x_i,
               a Value or a number), and the number 1 toward b;
      slot     its index in node.parents, the number of its edge; None for a constant (no edge)."""
    ws, xs, b = node.dot_operands
    rows = ([('w_%d' % (i + 1), w, x) for i, (w, x) in enumerate(zip(ws, xs))]
            + [('x_%d' % (i + 1), x, w) for i, (w, x) in enumerate(zip(ws, xs))]
            + ([('b', b, 1)] if b is not None else []))
    inputs, slot = [], 0
    for role, operand, partner in rows:
        if isinstance(operand, Value):
            inputs.append((role, operand, partner, slot))
            slot += 1
        else:
            inputs.append((role, operand, partner, None))
    return inputs


def dot_partners(node, names):
    """for each edge of a dot node (slot 0..k-1): its local derivative's name, the paired
    operand as shown: a node's name (a str), or a number (a constant; 1 toward b)."""
    return [names[partner] if isinstance(partner, Value) else partner
            for _, _, partner, slot in dot_inputs(node) if slot is not None]


def dot_symbol(node):
    """a dot's formula as its drawing and tree show it: w · x + b (w · x without a bias)."""
    return "w · x + b" if node.dot_operands[2] is not None else "w · x"


def _vector(names):
    """names n_1..n_n written as one vector where they make one: 'L1.n3.w' for L1.n3.w1 ...
    L1.n3.wn (the number counting 1..n at the end, as w_i is w's i-th entry);
    '(L1.n1.a, …, L1.n16.a)' for names that differ only in one number counting 1..n;
    None for anything else."""
    if any(not isinstance(name, str) for name in names):
        return None
    split = [re.split(r'(\d+)', name) for name in names]
    shape = [part if k % 2 == 0 else None for k, part in enumerate(split[0])]
    if any(len(parts) != len(shape) for parts in split):
        return None
    counting = [str(i + 1) for i in range(len(names))]
    varying = [k for k in range(1, len(shape), 2)
               if [parts[k] for parts in split] == counting
               and all(parts[j] == split[0][j] for parts in split for j in range(len(shape)) if j != k)]
    if not varying:
        return None
    k = varying[-1]
    stem = ''.join(split[0][:k])
    if k == len(shape) - 2 and split[0][-1] == '' and stem and not stem[-1].isdigit():
        return stem                                   # x1, x2 -> x;  L1.n3.w1, ... -> L1.n3.w
    if len(names) <= SHOWN_TERMS:
        return "(%s)" % ", ".join(names)
    return "(%s, …, %s)" % (names[0], names[-1])


def _numbers(numbers):
    """constants as a vector: (0.5, -1.0, …, 16 numbers)."""
    shown = ", ".join(fmt(v) for v in numbers[:SHOWN_TERMS])
    return "(%s%s)" % (shown, ", … %d numbers" % len(numbers) if len(numbers) > SHOWN_TERMS else "")


def dot_formula(node, names):
    """a dot node's forward line for trace(): `L1.n3.w · x + L1.n3.b` where the weights'
    names make a vector (then also the inputs': names, or numbers); else each term written
    out with its numbers, `a · c + b · d + e = 2.0 · 3.0 + -1.0 · 4.0 + 0.5`, the terms past
    SHOWN_TERMS left out with a count. Returns the text between `z = ` and ` = value`."""
    ws, xs, b = node.dot_operands

    def symbol(o):
        return printable(names[o]) if isinstance(o, Value) else fmt(o)

    def value(o):
        return fmt(o.data if isinstance(o, Value) else o)
    bias = [] if b is None else [b]
    w_vec = _vector([names[w] if isinstance(w, Value) else None for w in ws])
    if w_vec is not None:
        if all(not isinstance(x, Value) for x in xs):
            x_vec = _numbers(xs)
        else:
            x_vec = _vector([names[x] if isinstance(x, Value) else None for x in xs])
        if x_vec is not None:
            return " + ".join(["%s · %s" % (printable(w_vec), printable(x_vec))] + [symbol(o) for o in bias])

    def written(show):
        terms = ["%s · %s" % (show(w), show(x)) for w, x in zip(ws[:SHOWN_TERMS], xs[:SHOWN_TERMS])]
        more = len(ws) - SHOWN_TERMS
        if more > 0:
            terms.append("… (%d more term%s)" % (more, "s" if more > 1 else ""))
        return " + ".join(terms + [show(o) for o in bias])
    return "%s = %s" % (written(symbol), written(value))


def names_role(name, role):
    """True where a node's name already says its place in a dot: L1.n3.w2 is w_2, x1 is x_1."""
    return bool(re.search(r'(^|[^A-Za-z0-9])%s\Z' % re.escape(role.replace('_', '')), name))


def local_words(node_name, parent_name, role, partner, local):
    """a dot edge's local derivative in words, for a tooltip or the explorer's panel: what
    it is, the paired operand's name (partner), else the formula's name for it (x_3 for a
    constant, 1 toward b), then its number, `local` as text (None: words only):
    ∂(L1.n3.z)/∂(L1.n3.w2) = x2 = 0.5, ∂(L2.n1.z)/∂(L1.n2.a) = L2.n1.w2 = -1.0,
    ∂z/∂w3 = x_3 = 2.0, ∂z/∂b = 1."""
    formula = '1' if role == 'b' else ('x' if role[0] == 'w' else 'w') + role[1:]
    parts = [local_symbol(node_name, parent_name), formula if partner is None else printable(partner)]
    if local is not None and local != parts[-1]:
        parts.append(local)
    return " = ".join(parts)


# ------------------------------------------------------------------ one chain-rule step

_PLAIN_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')


def _in_fraction(name):
    """a name as it stands inside ∂c/∂a: bracketed where it holds dots or signs."""
    return name if _PLAIN_NAME.match(name) else "(%s)" % name


def local_symbol(node_name, parent_name):
    """the local derivative of node with respect to parent, as text: ∂c/∂a."""
    return "∂%s/∂%s" % (_in_fraction(node_name), _in_fraction(parent_name))


def _partner_text(partner):
    return printable(partner) if isinstance(partner, str) else fmt(partner)


def step_text(parent, node, local, upstream, contribution, before=None, after=None, partner=None):
    """a.grad += ∂c/∂a · c.grad = 3.0 · 1 = 3.0   (a.grad 0 -> 3.0)
    partner: on a dot's edge, what the local derivative is (a name, or a number), written
    between the symbols and the numbers: ... · z.grad = x1 · z.grad = 2.0 · 1 = 2.0"""
    named = "" if partner is None else " = %s · %s.grad" % (_partner_text(partner), printable(node))
    text = "%s.grad += %s · %s.grad%s = %s · %s = %s" % (
        printable(parent), printable(local_symbol(node, parent)), printable(node), named,
        fmt(local), fmt(upstream), fmt(contribution))
    if before is not None:
        text += "   (%s.grad %s -> %s)" % (printable(parent), fmt(before), fmt(after))
    return text


def _mi(name):
    return '<mi mathvariant="normal">%s</mi>' % html.escape(name)


def _grad_mathml(name):
    return '<mrow>%s<mo lspace="0" rspace="0">.</mo><mi mathvariant="normal">grad</mi></mrow>' % _mi(name)


def _mn(x):
    return '<mn>%s</mn>' % html.escape(fmt(x))


def step_mathml(parent, node, local, upstream, contribution, before=None, after=None, partner=None):
    """the step typeset as MathML (Chromium, Firefox, Safari and Jupyter show it
    without a library); the local derivative is marked 'local' underneath.
    partner: on a dot's edge, what the local derivative is (see step_text)."""
    local_frac = ('<munder><mfrac><mrow><mo>∂</mo>%s</mrow><mrow><mo>∂</mo>%s</mrow></mfrac>'
                  '<mtext mathsize="70%%">local</mtext></munder>' % (_mi(node), _mi(parent)))
    named = [] if partner is None else [
        '<mo>=</mo>', _mi(partner) if isinstance(partner, str) else _mn(partner), '<mo>·</mo>', _grad_mathml(node)]
    body = ''.join([_grad_mathml(parent), '<mo>+=</mo>', local_frac, '<mo>·</mo>', _grad_mathml(node)] + named
                   + ['<mo>=</mo>', _mn(local), '<mo>·</mo>', _mn(upstream), '<mo>=</mo>', _mn(contribution)])
    math = '<math display="block" class="step"><mrow>%s</mrow></math>' % body
    if before is not None:
        math += ('<div class="step-change" style="font-family:monospace">%s.grad: %s &rarr; %s</div>'
                 % (html.escape(parent), html.escape(fmt(before)), html.escape(fmt(after))))
    return math


def _tex_name(name):
    return r'\mathrm{%s}' % re.sub(r'([#_%&$^{}\\~])', lambda m: {
        '\\': r'\backslash ', '~': r'\sim ', '^': r'\hat{}'}.get(m.group(1), '\\' + m.group(1)), name)


def _tex_number(x):
    if isinstance(x, Fraction) and x.denominator != 1:
        return r'\tfrac{%d}{%d}' % (x.numerator, x.denominator)
    return fmt(x)


def step_latex(parent, node, local, upstream, contribution, partner=None):
    """the step as LaTeX, for notebooks that typeset it with MathJax; partner: see step_text."""
    named = '' if partner is None else r' = %s \cdot %s.\mathrm{grad}' % (
        _tex_name(partner) if isinstance(partner, str) else _tex_number(partner), _tex_name(node))
    return (r'$$%s.\mathrm{grad} \mathrel{+}= \underbrace{\frac{\partial %s}{\partial %s}}_{\text{local}}'
            r' \cdot %s.\mathrm{grad}%s = %s \cdot %s = %s$$'
            % (_tex_name(parent), _tex_name(node), _tex_name(parent), _tex_name(node), named,
               _tex_number(local), _tex_number(upstream), _tex_number(contribution)))


# ------------------------------------------------------------------ one forward step

_MATH_OPS = {'*': '·', '**': '^'}      # as the articles write them


def forward_mathml(sides):
    """a forward step typeset, c = a · b = 2.0 · -3.0 = -6.0, from text.forward_terms's sides;
    the value computed is marked 'new' underneath."""
    def token(kind, text):
        if kind == 'name':
            return _mi(text)
        if kind == 'number':
            return '<mn>%s</mn>' % html.escape(text)
        if kind == 'function':
            return '<mi>%s</mi>' % html.escape(text)
        if kind == 'words':
            return '<mtext>%s</mtext>' % html.escape(text)
        return '<mo>%s</mo>' % html.escape(_MATH_OPS.get(text, text))
    rows = ['<mrow>%s</mrow>' % ''.join(token(*t) for t in tokens) for _, tokens in sides]
    rows[-1] = '<munder>%s<mtext mathsize="70%%">new</mtext></munder>' % rows[-1]
    return '<math display="block" class="step forward"><mrow>%s</mrow></math>' % '<mo>=</mo>'.join(rows)


def _tex_text(text):
    """a number as fmt writes it, in LaTeX: 2.0 as it is, 43/300 ~ 0.1433 as the fraction (as
    _tex_number writes a backward step's), anything else (a lane's list, a dot's "… (3 more terms)") as text."""
    if re.match(r'-?\d[\d.e+-]*\Z', text):
        return text
    fraction = re.match(r'(-?)(\d+)/(\d+) ~ \S+\Z', text)
    if fraction:
        return r'%s\tfrac{%s}{%s}' % fraction.groups()
    return r'\text{%s}' % re.sub(r'([#$%&_{}])', r'\\\1', text.replace('\\', '/').replace('~', '≈').replace('^', ' ^ '))


def forward_latex(sides):
    """a forward step as LaTeX, for notebooks that typeset it with MathJax (see forward_mathml)."""
    def token(kind, text):
        if kind == 'name':
            return _tex_name(text)
        if kind == 'function':
            return r'\operatorname{%s}' % _tex_name(text)[len(r'\mathrm{'):-1]
        if kind in ('number', 'words'):
            return _tex_text(text)
        return {'*': r'\cdot', '**': '^', '(': r'\left(', ')': r'\right)', '·': r'\cdot'}.get(text, text)
    rows = [' '.join(token(*t) for t in tokens) for _, tokens in sides]
    rows[-1] = r'\underbrace{%s}_{\text{new}}' % rows[-1]
    return '$$%s$$' % ' = '.join(rows)


NOTATION = ("x.grad: ∂root/∂x, summed so far\n"
            "on an edge: the local derivative ∂out/∂in of one operation\n"
            "one step: in.grad += ∂out/∂in · out.grad")


def grad_text(node, grads=None, sample=None):
    """node's gradient as drawings and trees show it: from `grads` where given
    (a stepper's gradients so far, '-' for a node not reached yet), else .grad;
    in a lane graph, sample `sample`'s lane (every lane where None)."""
    if grads is None:
        return fmt(lane(node.grad, sample))
    return fmt(lane(grads[node], sample)) if node in grads else '-'


def check_sample(function, sample, nodes):
    """sample, checked against the graph's lanes (nodes: its nodes): None, or an int
    0 <= sample < the number of samples its lanes carry (a numpy integer taken as an int);
    else TypeError or ValueError naming the function and the value."""
    if sample is None:
        return None
    if isinstance(sample, bool) or not isinstance(sample, numbers.Integral):
        raise TypeError("%s: sample must be an int (the index of a sample in the batch), got %s %r"
                        % (function, type(sample).__name__, sample))
    sample = int(sample)
    lanes = next((len(node.data) for node in nodes if has_lanes(node.data)), None)
    if lanes is None or not 0 <= sample < lanes:
        raise ValueError("%s: sample=%r, but this graph carries %s" % (
            function, sample, "%d samples (0..%d)" % (lanes, lanes - 1) if lanes else "no lanes (one sample)"))
    return sample


def decimal(x, significant=10):
    """x in plain decimal notation to `significant` digits, never with an exponent, as the
    articles write their numbers: 1999.999741, -0.00005862068966."""
    f = float(x)
    if f == 0:
        return "0"
    places = max(0, significant - 1 - math.floor(math.log10(abs(f))))
    text = "%.*f" % (places, f)
    return text.rstrip("0").rstrip(".") if "." in text else text

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
"""
import html
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

def evaluation_order(root):
    """Every node of root's graph, each after its inputs, first input before second:
    the order in which Python evaluated the expression (a node keeps no creation
    counter: that would cost memory on every node). Iterative, so any depth works."""
    order, seen, stack = [], {root}, [root]
    while stack:
        node = stack[-1]
        for parent in parents_of(node):
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


def reduction_text(parent, node, local, upstream, contribution, before=None, after=None):
    """the step that sums a batch into a shared weight, with its per-sample contributions:
    w.grad += Σ_i ∂t/∂w[i] · t.grad[i] = 0.5 + -1.0 + … (100 samples) = 3.25   (w.grad 0 -> 3.25)"""
    parts = local.contributions(upstream).tolist()
    shown = " + ".join(fmt(v) for v in parts[:2 * SHOWN_LANES])
    if len(parts) > 2 * SHOWN_LANES:
        shown += " + … (%d samples)" % len(parts)
    text = "%s.grad += Σ_i %s[i] · %s.grad[i] = %s = %s" % (
        printable(parent), printable(local_symbol(node, parent)), printable(node), shown, fmt(contribution))
    if before is not None:
        text += "   (%s.grad %s -> %s)" % (printable(parent), fmt(before), fmt(after))
    return text


# ------------------------------------------------------------------ one chain-rule step

_PLAIN_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')


def _in_fraction(name):
    """a name as it stands inside ∂c/∂a: bracketed where it holds dots or signs."""
    return name if _PLAIN_NAME.match(name) else "(%s)" % name


def local_symbol(node_name, parent_name):
    """the local derivative of node with respect to parent, as text: ∂c/∂a."""
    return "∂%s/∂%s" % (_in_fraction(node_name), _in_fraction(parent_name))


def step_text(parent, node, local, upstream, contribution, before=None, after=None):
    """a.grad += ∂c/∂a · c.grad = 3.0 · 1 = 3.0   (a.grad 0 -> 3.0)"""
    text = "%s.grad += %s · %s.grad = %s · %s = %s" % (
        printable(parent), printable(local_symbol(node, parent)), printable(node),
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


def step_mathml(parent, node, local, upstream, contribution, before=None, after=None):
    """the step typeset as MathML (Chromium, Firefox, Safari and Jupyter show it
    without a library); the local derivative is marked 'local' underneath."""
    local_frac = ('<munder><mfrac><mrow><mo>∂</mo>%s</mrow><mrow><mo>∂</mo>%s</mrow></mfrac>'
                  '<mtext mathsize="70%%">local</mtext></munder>' % (_mi(node), _mi(parent)))
    body = ''.join([_grad_mathml(parent), '<mo>+=</mo>', local_frac, '<mo>·</mo>', _grad_mathml(node),
                    '<mo>=</mo>', _mn(local), '<mo>·</mo>', _mn(upstream), '<mo>=</mo>', _mn(contribution)])
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


def step_latex(parent, node, local, upstream, contribution):
    """the step as LaTeX, for notebooks that typeset it with MathJax."""
    return (r'$$%s.\mathrm{grad} \mathrel{+}= \underbrace{\frac{\partial %s}{\partial %s}}_{\text{local}}'
            r' \cdot %s.\mathrm{grad} = %s \cdot %s = %s$$'
            % (_tex_name(parent), _tex_name(node), _tex_name(parent), _tex_name(node),
               _tex_number(local), _tex_number(upstream), _tex_number(contribution)))


NOTATION = ("x.grad: ∂root/∂x, summed so far\n"
            "on an edge: the local derivative ∂out/∂in of one operation\n"
            "one step: in.grad += ∂out/∂in · out.grad")

"""The text views: the forward pass as lines (trace) and the expression as an
indented tree (tree), each number as notation.fmt writes it."""
from . import notation
from .notation import Naming, fmt, grad_text
from .value import Value


def check_root(function, root):
    if not isinstance(root, Value):
        raise TypeError("%s: expected a Value, got %s %r" % (function, type(root).__name__, root))


def trace(root):
    """The forward pass, inputs first, one line per operation:
    ['c = a * b = 2.0 * -3.0 = -6.0', ...]; a dot, as vectors where its names make
    them: 'L1.n3.z = L1.n3.w · x + L1.n3.b = 0.52' (notation.dot_formula)."""
    check_root('trace', root)
    naming = Naming(root)
    return [forward_line(node, naming.names) for node in naming.nodes if not node.is_leaf()]


def forward_line(node, shown, sample=None):
    """one forward step as a line: name = operation = its numbers = the value
    (`c = a * b = 2.0 * -3.0 = -6.0`, `o = relu(z) = relu(0.3) = 0.3`); shown: the names;
    sample: in a lane graph, whose lane the numbers are (every lane where None)."""
    ops = node.operands
    symbols = [notation.printable(shown[o]) if isinstance(o, Value) else fmt(notation.lane(o, sample)) for o in ops]
    values = [fmt(notation.lane(o.data if isinstance(o, Value) else o, sample)) for o in ops]
    name = notation.printable(shown[node])
    result = fmt(notation.lane(node.data, sample))
    if node.dot_operands is not None:
        return "%s = %s = %s" % (name, notation.dot_formula(node, shown), result)
    if len(ops) == 1:
        return "%s = %s(%s) = %s(%s) = %s" % (name, node.op, symbols[0], node.op, values[0], result)
    return "%s = %s %s %s = %s %s %s = %s" % (name, symbols[0], node.op, symbols[1], values[0], node.op, values[1],
                                            result)


MAX_INDENT = 24        # levels; deeper lines carry their depth instead, so the text grows linearly


def tree(root, grads=None, mark=None, max_lines=2000, naming=None):
    """An indented text view of the expression, data and grad on every line; a node
    reached a second time is shown once and then referred to.

    grads: {node: gradient} to show instead of .grad ('-' where none yet).
    mark: a Stepper whose current step is marked (◀ on the node passing gradient
    and the input receiving it). A dot node reads `z = dot: w · x + b`, its inputs
    w_1..w_n, x_1..x_n, b below it, each with its place (`x_3: L1.n3.a`) where its
    name does not already say it (L1.n3.w2 is w_2). Past MAX_INDENT levels a line says its depth
    instead of indenting further, and at most max_lines lines are printed (None: all),
    with a last line saying how many were left out.
    """
    check_root('tree', root)
    naming = naming or Naming(root)
    shown = naming.names
    marks = {}
    if mark is not None and mark.steps:
        last = mark.steps[-1]
        marks[last.node] = "   ◀ passing gradient to %s" % notation.printable(shown[last.parent])
        marks[last.parent] = "   ◀ receiving gradient from %s (step %d)" % (
            notation.printable(shown[last.node]), last.number)
    lines, seen = [], set()
    # (node, depth, last input?, for each indented ancestor: was it last?, its place in a dot or '')
    stack = [(root, 0, False, (), '')]
    while stack:
        if max_lines is not None and len(lines) >= max_lines:
            lines.append("... cut at %d lines; the graph has %d nodes (tree(root, max_lines=None) shows all)"
                         % (max_lines, len(naming.nodes)))
            break
        node, depth, last, lasts, role = stack.pop()
        lead = _lead(depth, last, lasts)
        if role and (not isinstance(node, Value) or not notation.names_role(shown[node], role)):
            lead += role + ": "
        if not isinstance(node, Value):
            lines.append("%sconstant %s" % (lead, fmt(node)))
            continue
        name = notation.printable(shown[node])
        if node in seen and not node.is_leaf():
            lines.append("%s%s (shown above)" % (lead, name))
            continue
        seen.add(node)
        op = node.op if node.dot_operands is None else "dot: " + notation.dot_symbol(node)
        what = "%s = %s" % (name, op) if not node.is_leaf() else name
        lines.append("%s%s   data %s   grad %s%s" % (lead, what, fmt(node.data), grad_text(node, grads),
                                                    marks.get(node, '')))
        if node.dot_operands is None:
            inputs = [('', operand) for operand in node.operands]
        else:
            inputs = [(role, operand) for role, operand, _, _ in notation.dot_inputs(node)]
        child_lasts = lasts + (last,) if depth and depth < MAX_INDENT else lasts
        for k in reversed(range(len(inputs))):
            stack.append((inputs[k][1], depth + 1, k == len(inputs) - 1, child_lasts, inputs[k][0]))
    return '\n'.join(lines)


def _lead(depth, last, lasts):
    """the indentation and branch of a line at `depth`; `lasts` says, for each
    indented ancestor, whether it was its parent's last input (then no │ runs on)."""
    if depth == 0:
        return ''
    branch = '└─ ' if last else '├─ '
    if depth > MAX_INDENT:
        return '[depth %d] %s' % (depth, branch)
    return ''.join('   ' if l else '│  ' for l in lasts) + branch

"""The text views: the forward pass as lines (trace) and the expression as an
indented tree (tree), each number as notation.fmt writes it."""
from __future__ import annotations

import re
from typing import List, Optional

from . import notation
from .notation import Naming, fmt, grad_text
from .value import Value


def check_root(function, root):
    if not isinstance(root, Value):
        raise TypeError("%s: expected a Value, got %s %r" % (function, type(root).__name__, root))


def trace(root: Value) -> List[str]:
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
    return " = ".join(text for text, _ in forward_terms(node, shown, sample))


_NUMBER = re.compile(r'-?(\d|inf|nan)|\(-?\d|\[')


def forward_terms(node, shown, sample=None):
    """a forward step's sides, for the line and its typeset forms: [(text, tokens)], the node's
    name, the operation on its inputs' names, on their numbers (a dot whose names make vectors
    has no such side), and the value; tokens are (kind, text) with kind 'name', 'number', 'op'
    (an operator or a bracket) or 'function' (tanh, relu, ...) or 'words' (a dot's "… (3 more terms)")."""
    ops = node.operands
    name = notation.printable(shown[node])
    result = fmt(notation.lane(node.data, sample))
    sides = [(name, [('name', name)])]
    if node.dot_operands is not None:
        for part in notation.dot_formula(node, shown).split(" = "):
            tokens = []
            for piece in re.split(r'( · | \+ )', part):
                kind = ('op' if piece in (' · ', ' + ') else 'words' if piece.startswith('…')
                        else 'number' if _NUMBER.match(piece) else 'name')
                tokens.append((kind, piece.strip()))
            sides.append((part, tokens))
    else:
        symbols = [('name', notation.printable(shown[o])) if isinstance(o, Value)
                   else ('number', fmt(notation.lane(o, sample))) for o in ops]
        values = [('number', fmt(notation.lane(o.data if isinstance(o, Value) else o, sample))) for o in ops]
        for operands in (symbols, values):
            if len(ops) == 1:
                tokens = [('function', node.op), ('op', '('), operands[0], ('op', ')')]
                sides.append(("%s(%s)" % (node.op, operands[0][1]), tokens))
            else:
                tokens = [operands[0], ('op', node.op), operands[1]]
                sides.append(("%s %s %s" % (operands[0][1], node.op, operands[1][1]), tokens))
    sides.append((result, [('number', result)]))
    return sides


MAX_INDENT = 24        # levels; deeper lines carry their depth instead, so the text grows linearly


def tree(root: Value, grads: Optional[dict] = None, mark: object = None, max_lines: Optional[int] = 2000,
         naming: Optional[Naming] = None, values: Optional[dict] = None) -> str:
    """An indented text view of the expression, data and grad on every line; a node
    reached a second time is shown once and then referred to.

    grads: {node: gradient} to show instead of .grad ('-' where none yet).
    values: {node: data} known so far (a stepper in its forward pass), 'data -' for the others.
    mark: a Stepper whose current step is marked (◀ on the node passing gradient
    and the input receiving it; in the forward pass, on the node just computed). A dot node reads `z = dot: w · x + b`, its inputs
    w_1..w_n, x_1..x_n, b below it, each with its place (`x_3: L1.n3.a`) where its
    name does not already say it (L1.n3.w2 is w_2). Past MAX_INDENT levels a line says its depth
    instead of indenting further, and at most max_lines lines are printed (None: all),
    with a last line saying how many were left out.
    """
    check_root('tree', root)
    naming = naming or Naming(root)
    shown = naming.names
    marks = {}
    if mark is not None and mark.steps and mark.steps[-1].phase == 'forward':
        marks[mark.steps[-1].node] = "   ◀ computed (step %d)" % mark.steps[-1].number
    elif mark is not None and mark.steps:
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
        data = fmt(node.data) if values is None or node in values else '-'
        lines.append("%s%s   data %s   grad %s%s" % (lead, what, data, grad_text(node, grads),
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

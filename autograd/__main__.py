"""python -m autograd step "<expression or small script>": step through its backward pass
(with --forward, through its forward pass first, one operation at a time).

The expression's value (or, for a script, its last expression, else the last
Value it assigned) is the root. Names are Values' labels: in
`a = Value(2.0); b = a * a`, the nodes are labelled a and b, and the Values in a
list or tuple after it and their place: `w = [Value(0.5), Value(-1.0)]` gives w1, w2.
`dot` is there too, a neuron's z = w · x + b as one node:
    w = [Value(0.5), Value(-1.0)]; x = [Value(2.0), Value(3.0)]; b = Value(0.1); dot(w, x, b).tanh()

The expression is run as Python code, with exec: it can do anything Python can,
so only step through code you trust (this is a local tool, like the REPL).
"""
import argparse
import ast
import math
import os
import sys

from . import Value, dot, step, tree
from .notation import fmt, printable

HELP = """commands:
  n, Enter   next step (with --forward: the forward pass's, then the chain rule's)
  p          previous step (undo; back across into the forward pass too)
  r          render the graph now to an SVG file
  t          text tree of the expression (◀ marks the current step)
  s          where the stepper stands
  q          quit (or Ctrl-D, Ctrl-C)
  ?          this help
Arrow keys recall earlier commands. The expression was run as Python code:
step only through code you trust."""


class ScriptError(Exception):
    """the user's expression could not be run; the message says why."""


def evaluate(source):
    """run `source` with Value (and math) available; returns the root Value."""
    namespace = {'Value': Value, 'dot': dot, 'math': math}
    try:
        tree = ast.parse(source, mode='exec')
    except SyntaxError as e:
        raise ScriptError("syntax error: %s (line %s, column %s)" % (e.msg, e.lineno, e.offset)) from None
    last_expr = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    result = None
    try:
        for statement in tree.body:       # one at a time, naming new Values as soon as they exist
            exec(compile(ast.Module([statement], type_ignores=[]), '<expression>', 'exec'), namespace)
            _label_values(namespace)
        if last_expr is not None:
            result = eval(compile(ast.Expression(last_expr.value), '<expression>', 'eval'), namespace)
    except Exception as e:  # any error in the user's code is reported, not dumped
        raise ScriptError("%s: %s" % (type(e).__name__, e)) from None
    values = {k: v for k, v in namespace.items() if isinstance(v, Value)}
    if result is None and values:
        result = list(values.values())[-1]
    if isinstance(result, Value) and not result.label:
        result.label = 'L' if 'L' not in values else 'out'     # so that equations read dL/da
    if not isinstance(result, Value):
        raise ScriptError("the expression gives %s %r, not a Value; try e.g. "
                          "\"a = Value(2.0); b = Value(-3.0); a * b + a\"" % (type(result).__name__, result))
    return result


def _label_values(namespace):
    """label each unlabelled Value after the variable that holds it, and each in a list
    or tuple after the variable and its place from 1: w = [Value(0.5), ...] gives w1, ..."""
    for name, v in namespace.items():
        if isinstance(v, Value) and not v.label:
            v.label = name
        elif isinstance(v, (list, tuple)) and not name.startswith('_'):
            for k, item in enumerate(v, 1):
                if isinstance(item, Value) and not item.label:
                    item.label = "%s%d" % (name, k)


def interact(root, read=input, write=print, out_dir='out', forward=False):
    """the command loop; the nodes' .grad move with the steps, as in step(). forward: the forward
    pass's steps first; the prompt says which pass the next step belongs to."""
    stepper = step(root, forward=forward)
    backward = len(stepper) - stepper.forward_count
    if forward:
        write("%d steps: %d forward (one per operation, each value from its inputs), then %d chain-rule steps. "
              "Type ? for help." % (len(stepper), stepper.forward_count, backward))
    else:
        write("%d chain-rule steps. Type ? for help." % len(stepper))
    write(repr(stepper))
    while True:
        try:
            command = read(_prompt(stepper)).strip().lower()
        except (EOFError, KeyboardInterrupt):      # Ctrl-D, Ctrl-C: leave quietly
            write("")
            return 0
        if command in ('', 'n'):
            s = stepper.next()
            if s is not None and forward and s.phase == 'backward' and s.number == stepper.forward_count + 1:
                write("-- the forward pass is done: %s = %s. The backward pass, from %s.grad = 1 (∂L/∂L):"
                      % (printable(stepper.names[root]), fmt(root.data), printable(stepper.names[root])))
            write(str(s) if s is not None else "(finished: every gradient is in; p to go back, q to quit)")
        elif command == 'p':
            s = stepper.prev()
            write("undid: %s" % s if s is not None else "(at the start)")
            if s is not None and forward and s.phase == 'backward' and stepper.phase == 'forward':
                write("-- back in the forward pass: no gradient yet, every .grad as before")
        elif command == 'r':
            name = os.path.join(out_dir, 'step_%03d' % stepper.position)
            try:
                os.makedirs(out_dir, exist_ok=True)
                path = stepper.draw().render(name, format='svg', cleanup=True)
                write("wrote %s" % path)
            except Exception as e:   # no dot, a full disk, a graph too big: say so and go on
                write("cannot render: %s: %s" % (type(e).__name__, printable(e)))
        elif command == 't':
            write(tree(root, stepper.grads, mark=stepper, naming=stepper.naming,
                       values=stepper.values if forward else None))
        elif command == 's':
            write(repr(stepper))
        elif command == 'q':
            return 0
        elif command in ('?', 'h', 'help'):
            write(HELP)
        else:
            write("unknown command %r; ? for help" % command)


def _prompt(stepper):
    """'step> ', or with --forward the pass of the next step: 'forward 2/5> ', 'backward 1/12> '."""
    if not stepper.forward_count:
        return "step> "
    k, ahead = stepper.position, stepper.forward_count
    if k < ahead:
        return "forward %d/%d> " % (k + 1, ahead)
    if k < len(stepper):
        return "backward %d/%d> " % (k - ahead + 1, len(stepper) - ahead)
    return "finished> "


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m autograd', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('step', help='step through the backward pass of an expression')
    p.add_argument('expression', help='e.g. "a = Value(2.0); b = Value(-3.0); (a * b + a).tanh()"')
    p.add_argument('--out', default='out', help='where r writes its SVG files (default: out)')
    p.add_argument('--forward', action='store_true',
                   help='step through the forward pass first, one operation at a time (c = a * b = 2.0 * -3.0 = -6.0)')
    args = parser.parse_args(argv)
    try:
        root = evaluate(args.expression)
    except ScriptError as e:
        print("error: %s" % printable(e), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    try:
        import readline  # noqa: F401  (arrow-key history and line editing for input())
    except ImportError:  # not on every platform
        pass
    return interact(root, out_dir=args.out, forward=args.forward)


if __name__ == '__main__':
    sys.exit(main())

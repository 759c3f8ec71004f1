"""python -m demos [NAME] [--list] [--out DIR] [--docs]: the demos, in the order they teach."""
import argparse
import importlib
import os
import shutil
import sys
import time

DEMOS = ['first_graph', 'seed_worked_example', 'mlp_explorer', 'lesson', 'sgd_vs_batch', 'batch_backprop_matrix',
         'moons', 'digits']
# the README's pictures: (demo, file it writes, name under docs/)
DOCS = [('first_graph', 'first_graph.svg', 'first_graph.svg'), ('moons', 'moons.png', 'moons.png'),
        ('digits', 'digits.png', 'digits.png')]


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demos', description=__doc__)
    parser.add_argument('name', nargs='?', help='run only this demo')
    parser.add_argument('--list', action='store_true', help='list the demos')
    parser.add_argument('--out', default='out', help='where pictures go (default: out)')
    parser.add_argument('--docs', action='store_true', help="also copy the README's pictures into docs/")
    args = parser.parse_args(argv)
    if args.list:
        for name in DEMOS:
            doc = importlib.import_module('demos.' + name).__doc__.strip().splitlines()[0]
            print("%-24s %s" % (name, doc))
        return 0
    if args.name and args.name not in DEMOS:
        parser.error("no demo %r; the demos are: %s" % (args.name, ', '.join(DEMOS)))
    for name in [args.name] if args.name else DEMOS:
        print('\n==== %s ====' % name)
        start = time.perf_counter()
        importlib.import_module('demos.' + name).main(out=args.out)
        print('(%s: %.1f s)' % (name, time.perf_counter() - start))
    if args.docs:
        os.makedirs('docs', exist_ok=True)
        for demo, made, kept in DOCS:
            source = os.path.join(args.out, made)
            if os.path.exists(source):
                shutil.copyfile(source, os.path.join('docs', kept))
                print("copied %s to docs/%s" % (source, kept))
    return 0


if __name__ == '__main__':
    sys.exit(main())

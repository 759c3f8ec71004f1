import argparse
import importlib
import sys

DEMOS = ['first_graph']


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demos', description=__doc__)
    parser.add_argument('name', nargs='?', help='run only this demo')
    parser.add_argument('--list', action='store_true', help='list the demos')
    args = parser.parse_args(argv)
    if args.list:
        print('\n'.join(DEMOS))
        return 0
    if args.name and args.name not in DEMOS:
        parser.error("no demo %r; the demos are: %s" % (args.name, ', '.join(DEMOS)))
    for name in [args.name] if args.name else DEMOS:
        print('== %s' % name)
        importlib.import_module('demos.' + name).main()
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""The explorer page's size and build time, for the graphs of the "Seeing, part 2" targets.

    python benchmarks/explorer.py          # a minute or so

Each row builds the page `repeats` times (CPU time of this process and of `dot`, median):
  the seed articles' model on one sample      target: <= 200 KB, < 1 s
  the loss of MLP(2,[4,4,1]) on one sample     target: <= 1 MB,   < 3 s
  the loss of MLP(2,[16,16,1]) on one sample   target: <= 5 MB,   < 15 s
"""
import argparse
import os
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import nn  # noqa: E402
from autograd import explore, record_scopes, step  # noqa: E402
from demos.seed_worked_example import seed_model  # noqa: E402


def cpu():
    """CPU seconds of this process and of its finished children (dot)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def graphs():
    model = seed_model()
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model((0, 2000, 3000)), 1)
    yield "seed articles' model, one sample", loss, scopes, (200_000, 1)
    for widths, limits in (([4, 4, 1], (1_000_000, 3)), ([16, 16, 1], (5_000_000, 15))):
        mlp = nn.MLP(2, widths)
        with record_scopes() as scopes:
            loss = nn.squared_error(mlp([0.5, -1.0]), 1.0)
        yield "MLP(2,%s), one sample" % widths, loss, scopes, limits


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    print("| graph | steps | page size | build (CPU s, median of %d) | target |" % args.repeats)
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for name, loss, scopes, (max_bytes, max_seconds) in graphs():
            times = []
            for _ in range(args.repeats):
                start = cpu()
                path = explore(loss, os.path.join(folder, 'page.html'), clusters=scopes)
                times.append(cpu() - start)
            size = os.path.getsize(path)
            print("| %s | %d | %.0f KB | %.2f | <= %d KB, < %d s |" % (name, len(step(loss).reset()), size / 1000,
                                                                      statistics.median(times), max_bytes // 1000,
                                                                      max_seconds))


if __name__ == '__main__':
    main()

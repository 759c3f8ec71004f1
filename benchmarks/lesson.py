"""nn.lesson's page size and build time on the issue's target, and on the seed articles' neuron.

    python benchmarks/lesson.py [--repeats 7]

Each row builds the page `repeats` times, the rows alternating round after round (timing.paired),
and reports the median CPU time of this process (timing.cpu: with any child process), the median
wall time, and the page's size.
  MLP(2,[16,16,1]), 100 moons, 100 epochs   target: <= 5 MB, <= 5 s (the whole page: the iteration,
                                            its chain-rule steps, and the training over time)
The 'epochs=0' row is the iteration alone; the difference is nn.timeline.record's training.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import nn  # noqa: E402
from demos.seed_worked_example import seed_model  # noqa: E402
from benchmarks.timing import cpu, paired  # noqa: E402


def builds(folder):
    """{name: (build function, (max bytes, max seconds) or None)}"""
    X, Y = nn.data.seed_dataset()
    Xm, Ym = nn.data.moons(100, seed=0)
    sizes = {}

    def seed():
        model = seed_model()
        return nn.lesson(model, nn.half_squared_error, X, Y, os.path.join(folder, 'seed.html'),
                         optimizer=nn.SGD(model.parameters(), lr=1), sample=2)

    def mlp(widths, epochs):
        def build():
            model = nn.MLP(2, widths)
            return nn.lesson(model, nn.squared_error, Xm, Ym, os.path.join(folder, 'mlp.html'),
                             optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=epochs)
        return build

    def measured(fn, name):
        def run():
            sizes[name] = os.path.getsize(fn())
        return run

    rows = {
        "seed articles' neuron, sample 3": (seed, None),
        "MLP(2,[4,4,1]), moons 100, epochs=100": (mlp([4, 4, 1], 100), None),
        "MLP(2,[16,16,1]), moons 100, epochs=0": (mlp([16, 16, 1], 0), None),
        "MLP(2,[16,16,1]), moons 100, epochs=100": (mlp([16, 16, 1], 100), (5_000_000, 5.0)),
    }
    return {name: measured(fn, name) for name, (fn, _) in rows.items()}, {n: t for n, (_, t) in rows.items()}, sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=7)
    args = ap.parse_args()
    print(threads())
    with tempfile.TemporaryDirectory() as folder:
        fns, targets, sizes = builds(folder)
        times = paired(fns, args.repeats, clock=cpu)
        # wall time beside it: on some machines (sandboxes) CPU time is accounted far below the time it takes
        walls = paired(fns, args.repeats, clock=time.perf_counter)
        print("| page | size | CPU s (median of %d) | min .. max | wall s (median) | target |" % args.repeats)
        print("| --- | --- | --- | --- | --- | --- |")
        for name, ts in times.items():
            target = targets[name]
            verdict = ""
            if target:
                slowest = max(statistics.median(ts), statistics.median(walls[name]))
                ok = sizes[name] <= target[0] and slowest <= target[1]
                verdict = "<= %.0f MB, <= %.0f s: %s" % (target[0] / 1e6, target[1], "met" if ok else "MISSED")
            print("| %s | %.2f MB | %.2f | %.2f .. %.2f | %.2f | %s |" % (
                name, sizes[name] / 1e6, statistics.median(ts), min(ts), max(ts), statistics.median(walls[name]), verdict))


if __name__ == '__main__':
    main()

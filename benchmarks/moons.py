"""The moons demo's training, timed: the figures the README quotes for `python -m demos moons`.

    python benchmarks/moons.py            # about 5 minutes (micrograd's 100 steps)
    python benchmarks/moons.py --quick    # micrograd's time from 3 steps, as the demo does

The demo's whole training, as demos/moons.py runs it (MLP(2,[16,16,1]), hinge loss, weight
decay 1e-4, 100 full-batch steps on 100 moons samples, the learning rate decaying from 1.0
to 0.1), in each Trainer mode, the modes alternating round after round; then micrograd's own
MLP on the same 100 steps (demos/moons.py's micrograd loop), where micrograd is installed.
CPU time of this process (time.process_time, as the demo prints it), which a loaded machine
moves far less than the wall clock; medians over the rounds, and every round's time.
  lanes        the demo's mode where numpy is installed: one graph carries the batch
  matrix       mode='matrix': the batch as numpy matrices, no scalar graph
  accumulate   the demo's mode without numpy: a graph per sample
  micrograd    its 100 steps in full (with --quick: 3 steps, times 100 / 3)
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
from benchmarks.timing import paired  # noqa: E402
from demos import moons  # noqa: E402

STEPS = 100


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help="micrograd's time from 3 steps; fewer rounds")
    ap.add_argument('--rounds', type=int, default=None, help='rounds of the modes (default 7, --quick 3)')
    args = ap.parse_args()
    print(threads())
    rounds = args.rounds or (3 if args.quick else 7)
    fns = {mode: (lambda mode=mode: moons.train(STEPS, mode=mode)) for mode in ('lanes', 'matrix', 'accumulate')}
    times = paired(fns, rounds)
    for mode, ts in times.items():
        print("%-11s %d steps: %7.3f s (median of %d rounds; rounds %s)" % (
            mode, STEPS, statistics.median(ts), rounds, ", ".join("%.3f" % t for t in ts)))
    measured = 3 if args.quick else STEPS
    per_step = moons.micrograd_seconds_per_step(measured)
    if per_step is None:
        print("micrograd   not installed (pip install micrograd==0.1.0)")
        return
    theirs = per_step * STEPS
    print("micrograd   %d steps: %7.1f s (%s)" % (STEPS, theirs, "measured" if measured == STEPS else
                                                   "extrapolated from %d steps" % measured))
    for mode, ts in times.items():
        print("micrograd / %-10s  %6.0fx" % (mode, theirs / statistics.median(ts)))


if __name__ == '__main__':
    main()

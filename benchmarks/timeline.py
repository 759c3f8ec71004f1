"""nn.timeline.record's CPU time and the size of its data as JSON, for the lesson page's target
(MLP(2,[16,16,1]), moons, 100 samples, 100 epochs: the whole page <= 5 MB and <= 5 s to build;
record() aims at <= 3 s and <= 2 MB).

    python benchmarks/timeline.py [--repeats 7]

Each row: record() on a fresh model, `repeats` times, CPU time of this process (median, min, max);
json.dumps of its result (time and size). The rows: the mode record() chooses (matrix, with numpy),
and without numpy (accumulate, the boundary in pure Python on a coarser grid).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import nn  # noqa: E402
from nn import timeline  # noqa: E402


def run(repeats, numpy=True):
    saved = timeline._np
    if not numpy:
        timeline._np = None          # as where numpy is not installed
    try:
        X, Y = nn.data.moons(100)
        times, dumps = [], []
        for _ in range(repeats):
            model = nn.MLP(2, [16, 16, 1])
            start = time.process_time()
            data = timeline.record(model, nn.binary_cross_entropy_with_logits, X, Y, epochs=100)
            times.append(time.process_time() - start)
            start = time.process_time()
            text = json.dumps(data)
            dumps.append(time.process_time() - start)
        return data, times, dumps, len(text.encode('utf-8'))
    finally:
        timeline._np = saved


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=7)
    args = ap.parse_args()
    print(threads())
    print("| numpy | mode | grid | record() CPU s, median (min-max) of %d | json.dumps s | JSON bytes "
          "(params, boundary) |" % args.repeats)
    print("| --- | --- | --- | --- | --- | --- |")
    for numpy in (True, False):
        repeats = args.repeats if numpy else max(1, args.repeats // 2)
        data, times, dumps, size = run(repeats, numpy)
        b = data['boundary']
        print("| %s | %s | %dx%d | %.3f (%.3f-%.3f) | %.3f | %d (%d, %d) |"
              % ('yes' if numpy else 'no', data['mode'], b['nx'], b['ny'], statistics.median(times), min(times),
                 max(times), statistics.median(dumps), size, len(json.dumps(data['params'])), len(json.dumps(b))))


if __name__ == '__main__':
    main()

"""How the benchmarks time: CPU time, the functions alternating round after round.

On a shared, noisy machine CPU time moves far less than wall time, and alternating
puts every contender under the same load; compare medians and per-round ratios.
"""
import gc
import resource
import statistics
import time


def cpu():
    """CPU seconds of this process and of its finished children (Graphviz's dot)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def paired(fns, rounds, inner=1, clock=time.process_time):
    """the functions alternating within each round, each after a gc.collect(); seconds
    per call by `clock` (process_time: this process only; cpu: with dot), {name: [per round]}."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            gc.collect()
            t = clock()
            for _ in range(inner):
                fn()
            times[name].append((clock() - t) / inner)
    return times


def ratio(times, slow, fast):
    """the median of the per-round ratios slow / fast."""
    return statistics.median(s / f for s, f in zip(times[slow], times[fast]))

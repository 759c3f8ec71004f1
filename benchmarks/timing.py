"""How the benchmarks time: CPU time, the functions alternating round after round.

On a shared, noisy machine CPU time moves far less than wall time, and alternating
puts every contender under the same load; compare medians and per-round ratios.
"""
import gc
import math
import resource
import statistics
import time


def cpu():
    """CPU seconds of this process and of its finished children (Graphviz's dot)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def paired(fns, rounds, inner=1, clock=time.process_time):
    """the functions alternating within each round, each after a gc.collect(); seconds
    per call by `clock` (process_time: this process only; cpu: with dot), {name: [per round]}.
    `inner`: calls per timing, one number for all or {name: calls} (see calls_for)."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            calls = inner[name] if isinstance(inner, dict) else inner
            gc.collect()
            t = clock()
            for _ in range(calls):
                fn()
            times[name].append((clock() - t) / calls)
    return times


def calls_for(fn, at_least=0.02, clock=time.process_time):
    """how many calls of fn make one timing of at least `at_least` seconds, from one call
    timed now (which also warms fn up): short calls are timed in a loop, above the clock's grain."""
    t = clock()
    fn()
    return max(1, math.ceil(at_least / max(clock() - t, 1e-6)))


def ratio(times, slow, fast):
    """the median of the per-round ratios slow / fast."""
    return statistics.median(s / f for s, f in zip(times[slow], times[fast]))

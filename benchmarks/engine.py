"""Reproduce the engine's speed and memory figures, standalone.

    python benchmarks/engine.py            # about a minute
    python benchmarks/engine.py --quick

Figures (CPU time of this process, medians; the machine may be noisy, so compare ratios, not milliseconds):
  mlp_step_gc_on/off   one SGD step of micrograd's demo net MLP(2,[16,16,1]) on 100 moons
                       samples, written against bare Value arithmetic; with micrograd's
                       time beside it, and the speedup, where micrograd is importable
                       (pip install micrograd==0.1.0)
  trainer_step_*       the same step through nn: MLP, squared_error, SGD and Trainer (full batch)
                       in each mode (lanes: the whole batch in one graph, benchmarks/lanes.py),
                       alternating with the bare-engine step (gc on) round after round;
                       overhead = its time / the bare-engine step's, the median of the per-round
                       ratios (target <= 1.3); micrograd's time over it; accumulate_binary: the
                       neurons made with fused=False
  mlp_graph_*          nodes and backward steps of that MLP's loss on one sample, fused and binary
  bytes_per_op         memory held by a recorded chain of operations, per operation
  chain_1e6, wide_1e6  a 1,000,000-deep chain and a 1,000,000-term sum, forward + backward
  *_scaling            cost per op at 1e6 over cost per op at 1e4 (1.0 = linear)
For the side-by-side run the project is judged by, see ../shared/bench/bench.py.
"""
import argparse
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
from autograd import Value  # noqa: E402
from nn.data import moons  # noqa: E402  (the same data as ../shared/bench)
from benchmarks.timing import paired, ratio  # noqa: E402


def mlp_step_fn(V, sizes=(2, 16, 16, 1), seed=1337):
    """one full-batch SGD step of an MLP (relu hidden, linear out), squared loss."""
    rng = random.Random(seed)
    layers = [[([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0.0)) for _ in range(nout)]
              for nin, nout in zip(sizes, sizes[1:])]
    params = [p for layer in layers for w, b in layer for p in w + [b]]
    X, Y = moons(labels=(1.0, -1.0))

    def forward():                          # written as ../shared/bench writes it
        losses = []
        last = len(layers) - 1
        for (x0, x1), y in zip(X, Y):
            x = [V(x0), V(x1)]
            for i, layer in enumerate(layers):
                out = []
                for w, b in layer:
                    act = sum((wi * xi for wi, xi in zip(w, x)), b)
                    out.append(act if i == last else act.relu())
                x = out
            losses.append((x[0] - y) ** 2)
        return sum(losses) * (1.0 / len(losses))

    def step():
        loss = forward()                    # only `loss` holds the graph, so `del loss` frees it
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.05 * p.grad
        del loss
        gc.collect()
    return step


def trainer_step_fn(mode, fused=True):
    """mlp_step_fn's step through the nn package: one Trainer epoch = one full-batch step."""
    import nn
    model = nn.MLP(2, [16, 16, 1], seed=1337, fused=fused)
    trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=0.05),
                         batch_size=None, shuffle=False, mode=mode)
    X, Y = moons(labels=(1.0, -1.0))

    def step():
        trainer.fit(X, Y, epochs=1, progress=False)
        gc.collect()
    return step


def graph_size(fused):
    """(nodes, backward steps) of MLP(2,[16,16,1])'s squared error on one sample."""
    import nn
    from autograd import graph_nodes, step
    model = nn.MLP(2, [16, 16, 1], seed=1337, fused=fused)
    loss = nn.squared_error(model([0.5, -1.0]), 1.0)
    return len(graph_nodes(loss)), len(step(loss))


def timed(fn, reps, gc_on):
    times = []
    for _ in range(reps):
        gc.collect()
        (gc.enable if gc_on else gc.disable)()
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
        gc.enable()
    return times


def chain(n):
    x0 = x = Value(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.0001
    x.backward()
    return x0.grad


def wide(n):
    rng = random.Random(7)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    s = sum(a * b for a, b in zip(xs, [Value(rng.uniform(-1, 1)) for _ in range(n)]))
    s.backward()
    return xs[0].grad


def seconds(fn, n):
    gc.collect()
    t = time.process_time()
    fn(n)
    return time.process_time() - t


def bytes_per_op(n=100_000):
    gc.collect()
    tracemalloc.start()
    x = Value(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.0001
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current / (2 * n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    print(threads())
    reps = 3 if args.quick else 9
    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        MicrogradValue = None

    micrograd = {}
    for gc_on in (True, False):
        ours = statistics.median(timed(mlp_step_fn(Value), reps, gc_on))
        line = "mlp_step_gc_%-4s %8.1f ms" % ("on" if gc_on else "off", 1e3 * ours)
        if MicrogradValue is not None:
            theirs = micrograd[gc_on] = statistics.median(timed(mlp_step_fn(MicrogradValue), reps, gc_on))
            line += "   micrograd %8.1f ms   speedup %.1fx" % (1e3 * theirs, theirs / ours)
        print(line)
    # the Trainer pauses the collector during a step itself (pause_gc=True); the bare step runs with it on
    fns = {'bare': mlp_step_fn(Value)}
    for mode, fused in (('accumulate', True), ('accumulate', False), ('graph', True), ('lanes', True)):
        fns[mode + ('' if fused else '_binary')] = trainer_step_fn(mode, fused)
    times = paired(fns, reps)
    print("bare_step (paired with the trainer's) %6.1f ms" % (1e3 * statistics.median(times['bare'])))
    for name in list(fns)[1:]:
        t = statistics.median(times[name])
        line = "trainer_step_%-17s %6.1f ms   overhead over the bare-engine step %.2fx" % (
            name, 1e3 * t, ratio(times, name, 'bare'))
        if micrograd:
            line += "   micrograd's step (gc on, off) / this: %.1fx, %.1fx" % (micrograd[True] / t, micrograd[False] / t)
        print(line)
    for fused in (True, False):
        print("mlp_graph_%-6s   %d nodes, %d backward steps" % ((('fused' if fused else 'binary'),) + graph_size(fused)))
    print("bytes_per_op     %8.1f" % bytes_per_op())
    for name, fn in (('chain', chain), ('wide', wide)):
        small = min(seconds(fn, 10_000) for _ in range(3))
        big = seconds(fn, 1_000_000)
        print("%s_1e6        %8.2f s    scaling 1e4 -> 1e6: %.2f" % (name, big, (big / 1e6) / (small / 1e4)))


if __name__ == '__main__':
    main()

"""Lanes (autograd/lanes.py) beside the scalar engine, micrograd and PyTorch, in one run.

    python benchmarks/lanes.py            # a few minutes
    python benchmarks/lanes.py --quick

Measured as ../shared/bench/bench.py measures: the same workload code for every engine
(its MLP(2,[16,16,1]), squared loss, one SGD step, the step ending in gc.collect()),
engines alternating within each round, the process's CPU time, medians over the rounds;
each ratio is the median of the per-round ratios. gc.freeze() after the set-up keeps the
steps' gc.collect() from walking torch's own objects (60 ms a call here). Figures:
  step_n100 / step_n1000   one full-batch SGD step on n moons samples: micrograd, this
                           engine's scalar step, lanes, and PyTorch float64 tensor ops
                           (one thread; torch is a benchmark peer, never a dependency)
  trainer_gc_*             Trainer.fit for one full-batch epoch on 100 samples, in each mode,
                           with the collector paused during the step (the default) and not
                           (pause_gc=False): what the pause gains
Targets (issue "lanes"): lanes n=100 <= 5 ms, >= 150x micrograd, >= 15x the scalar step;
lanes n=1000 <= 15 ms; lanes within 4x of torch at n=100.
"""
import argparse
import gc
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(os.path.dirname(ROOT), 'shared', 'bench'))
from benchmarks.one_thread import import_torch, threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import bench  # noqa: E402  (../shared/bench/bench.py: data, workload, micrograd)
from benchmarks.timing import paired, ratio  # noqa: E402
import numpy as np  # noqa: E402
from autograd import Value  # noqa: E402
from autograd.lanes import Lanes  # noqa: E402


def scalar_fn(V, n):
    state = bench.mlp_build(V)
    X, Y = bench.make_moons(n)
    layers, params = state

    def step():                            # bench.mlp_step on n samples
        losses = []
        last = len(layers) - 1
        for (x0, x1), yi in zip(X, Y):
            x = [V(x0), V(x1)]
            for li, layer in enumerate(layers):
                out = []
                for w, b in layer:
                    act = sum((wi * xi for wi, xi in zip(w, x)), b)
                    out.append(act if li == last else act.relu())
                x = out
            losses.append((x[0] - yi) ** 2)
        loss = sum(losses) * (1.0 / len(losses))
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.05 * p.grad
        del loss
        gc.collect()
    return step


def lanes_fn(n):
    """the same step with one Lanes per input: the whole batch in one graph."""
    layers, params = bench.mlp_build(Value)
    X, Y = bench.make_moons(n)
    X, Y = np.array(X), np.array(Y)

    def step():
        x = [Lanes(X[:, 0]), Lanes(X[:, 1])]
        last = len(layers) - 1
        for li, layer in enumerate(layers):
            out = []
            for w, b in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act if li == last else act.relu())
            x = out
        loss = ((x[0] - Y) ** 2).sum() * (1.0 / n)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.05 * p.grad
        del loss
        gc.collect()
    return step


def torch_fn(n):
    torch = import_torch()
    layers, _ = bench.mlp_build(Value)
    X, Y = bench.make_moons(n)
    X = torch.tensor(X, dtype=torch.float64)
    Y = torch.tensor(Y, dtype=torch.float64)
    params = []
    for layer in layers:
        params.append(torch.tensor([[w.data for w in ws] for ws, _ in layer], dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor([b.data for _, b in layer], dtype=torch.float64, requires_grad=True))

    def step():
        h = X
        for k in range(0, len(params), 2):
            h = h @ params[k].T + params[k + 1]
            if k < len(params) - 2:
                h = torch.relu(h)
        loss = ((h[:, 0] - Y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        del loss
        gc.collect()
    return step


def trainer_fn(mode, pause_gc, n=100):
    import nn
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=0.05), batch_size=None,
                         shuffle=False, mode=mode, pause_gc=pause_gc)
    X, Y = bench.make_moons(n)

    def step():
        trainer.fit(X, Y, epochs=1, progress=False)
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    print(threads())
    reps = 9 if args.quick else 15
    micrograd = bench.load_micrograd()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False

    for n in (100, 1000):
        fns = {'lanes': lanes_fn(n), 'scalar': scalar_fn(Value, n)}
        if n == 100:                       # at n = 1000 micrograd's recursive backward overflows the stack
            fns['micrograd'] = scalar_fn(micrograd, n)
        if have_torch:
            fns['torch'] = torch_fn(n)
        for fn in fns.values():            # one warm-up call each
            fn()
        gc.freeze()      # the objects made so far (torch's modules) are never garbage: the steps'
        #                  gc.collect() then walks the steps' own objects only, in every engine
        t = paired(fns, reps if n == 100 else max(9, reps // 3))
        med = {k: 1e3 * statistics.median(v) for k, v in t.items()}
        print("step_n%-5d " % n + "   ".join("%s %.2f ms" % (k, v) for k, v in med.items()))
        line = "   lanes speedup: %.1fx the scalar step" % ratio(t, 'scalar', 'lanes')
        if 'micrograd' in t:
            line += ", %.0fx micrograd" % ratio(t, 'micrograd', 'lanes')
        if 'torch' in t:
            line += "; lanes / torch float64: %.2fx" % ratio(t, 'lanes', 'torch')
        print(line + "   (%d rounds)" % len(t['lanes']))

    fns = {}
    for mode in ('accumulate', 'graph', 'lanes'):
        for pause in (True, False):
            fns['%s_%s' % (mode, 'paused' if pause else 'gc_on')] = trainer_fn(mode, pause)
    for fn in fns.values():
        fn()
    gc.freeze()
    t = paired(fns, reps)
    for mode in ('accumulate', 'graph', 'lanes'):
        print("trainer_gc_%-10s paused %.2f ms, collector on %.2f ms: the pause saves %.0f%%"
              % (mode, 1e3 * statistics.median(t[mode + '_paused']), 1e3 * statistics.median(t[mode + '_gc_on']),
                 100 * (1 - 1 / ratio(t, mode + '_gc_on', mode + '_paused'))))


if __name__ == '__main__':
    main()

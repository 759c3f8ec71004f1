"""Trainer(mode='matrix') beside the other ways of taking the same step, in one run.

    python benchmarks/matrix.py              # about two minutes
    python benchmarks/matrix.py --quick      # 5 rounds instead of 9

The step: one full-batch SGD step (lr 0.05) of micrograd's MLP(2,[16,16,1]) (relu
hidden, linear out) on n moons samples, squared error averaged over the batch.
Rows, for n = 100 and n = 1000:
  micrograd        micrograd 0.1.0's Value (n = 100 only: about 10 s a step at 1000),
                   with gc.collect() in each step as ../shared/bench does (its graphs hold cycles)
  scalar           this engine, Trainer(mode='accumulate')
  lanes            Trainer(mode='lanes'), where this tree has it
  matrix           Trainer(mode='matrix')
  torch float64    PyTorch: nn.Linear layers in float64, torch.optim.SGD (one thread)
  numpy by hand    the formulas of Batch in Backpropagation written out in numpy, nothing else
Measured as ../shared/bench measures: the engines alternate, one timing each per
round; each timing is CPU time (time.process_time) of `inner` steps, divided by
`inner`; each figure is the median over the rounds. A Trainer row times
fit(X, Y, epochs=inner): with batch_size=None an epoch is one step, and fit's
checks of X and Y (once per fit) are spread over the inner steps (200 to 400);
'matrix, 1 step a fit' calls fit(epochs=1) for every step instead, checks and all.
Last, the moons demo's whole training (demos/moons.py's settings: hinge loss, weight
decay 1e-4, 100 full-batch steps with the learning rate decaying) in matrix mode, and
lanes mode where present: CPU time of the whole fit, median of the rounds.
"""
import argparse
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import import_torch, threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import nn  # noqa: E402
from nn.trainer import MODES  # noqa: E402

SIZES = (2, 16, 16, 1)
LR = 0.05


def data(n):
    return nn.data.moons(n, noise=0.1, seed=0, labels=(1.0, -1.0))


def trainer_engine(mode):
    def make(n, inner):
        X, Y = data(n)
        model = nn.MLP(2, list(SIZES[1:]), seed=1337)
        trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=LR), shuffle=False, mode=mode)
        return lambda: trainer.fit(X, Y, epochs=inner, progress=False)
    return make


def one_step_fits(mode):
    """`inner` calls of fit(epochs=1): each pays fit's checks of X and Y."""
    def make(n, inner):
        X, Y = data(n)
        model = nn.MLP(2, list(SIZES[1:]), seed=1337)
        trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=LR), shuffle=False, mode=mode)

        def run():
            for _ in range(inner):
                trainer.fit(X, Y, epochs=1, progress=False)
        return run
    return make


def micrograd_engine(n, inner):
    import random
    from micrograd.engine import Value
    rng = random.Random(1337)
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(0.0)) for _ in range(nout)]
              for nin, nout in zip(SIZES, SIZES[1:])]
    params = [p for layer in layers for w, b in layer for p in w + [b]]
    X, Y = data(n)

    def one():
        losses = []
        for (x0, x1), y in zip(X, Y):
            x = [Value(x0), Value(x1)]
            for k, layer in enumerate(layers):
                out = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
                x = out if k == len(layers) - 1 else [v.relu() for v in out]
            losses.append((x[0] - y) ** 2)
        loss = sum(losses) * (1.0 / len(losses))
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        del loss
        gc.collect()

    def run():
        for _ in range(inner):
            one()
    return run


def torch_engine(n, inner):
    torch = import_torch()
    torch.manual_seed(1337)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    X, Y = data(n)
    X, Y = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)

    def run():
        for _ in range(inner):
            opt.zero_grad()
            ((model(X)[:, 0] - Y) ** 2).mean().backward()
            opt.step()
    return run


def numpy_engine(n, inner):
    """Batch in Backpropagation, nothing but the formulas: columns are samples."""
    import numpy as np
    rng = np.random.default_rng(1337)
    W = [rng.uniform(-1, 1, (nout, nin)) for nin, nout in zip(SIZES, SIZES[1:])]
    b = [np.zeros((nout, 1)) for nout in SIZES[1:]]
    X, Y = data(n)
    H0, Y = np.array(X).T, np.array(Y)[None, :]
    m = n

    def run():
        for _ in range(inner):
            H, Z = [H0], []
            for l in range(3):
                Z.append(W[l] @ H[-1] + b[l])                  # Z^l = W^l H^(l-1) + b^l
                H.append(Z[-1] if l == 2 else np.maximum(Z[-1], 0))   # H^l = σ(Z^l)
            dZ = 2 * (H[-1] - Y)                               # ∂(p - y)^2/∂p
            for l in (2, 1, 0):
                DW = dZ @ H[l].T / m                           # DW^l = (1/m) DZ^l (H^(l-1))^T
                Db = dZ.sum(axis=1, keepdims=True) / m         # Db^l
                if l:
                    dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)        # DZ^(l-1) = (W^l)^T DZ^l ⊗ σ'(Z^(l-1))
                W[l] -= LR * DW
                b[l] -= LR * Db
    return run


def engines(n):
    """{row: (make(n, inner), inner)}: inner steps per timing, so that one timing is >= about 20 ms."""
    rows = {}
    try:
        import micrograd  # noqa: F401
        if n <= 100:
            rows['micrograd'] = (micrograd_engine, 1)
    except ImportError:
        pass
    rows['scalar (accumulate)'] = (trainer_engine('accumulate'), 1)
    if 'lanes' in MODES:
        rows['lanes'] = (trainer_engine('lanes'), 50 if n <= 100 else 20)
    rows['matrix'] = (trainer_engine('matrix'), 400 if n <= 100 else 200)
    rows['matrix, 1 step a fit'] = (one_step_fits('matrix'), 100 if n <= 100 else 40)
    try:
        import torch  # noqa: F401
        rows['torch float64'] = (torch_engine, 40 if n <= 100 else 20)
    except ImportError:
        pass
    rows['numpy by hand'] = (numpy_engine, 200 if n <= 100 else 60)
    return rows


def paired(rows, n, rounds):
    """alternate the rows, one timing each per round; {row: [seconds per step]}."""
    fns = {name: (make(n, inner), inner) for name, (make, inner) in rows.items()}
    for fn, _ in fns.values():
        fn()                                   # warm up (imports, first allocations)
    times = {name: [] for name in rows}
    for _ in range(rounds):
        for name, (fn, inner) in fns.items():
            gc.collect()
            t = time.process_time()
            fn()
            times[name].append((time.process_time() - t) / inner)
    return times


def moons_training(mode):
    """demos/moons.py's train() with mode=mode; returns the training's accuracy."""
    X, Y = nn.data.moons(100, noise=0.1, seed=0, labels=(-1, 1))
    model = nn.MLP(2, [16, 16, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=1.0, weight_decay=1e-4)

    def decay(step):
        opt.lr = 1.0 - 0.9 * step.step / 100
    trainer = nn.Trainer(model, nn.hinge, opt, batch_size=None, mode=mode)
    trainer.fit(X, Y, epochs=100, callback=decay, progress=False)
    return trainer.accuracy(X, Y)


def agreement(n=100, steps=3):
    """the largest difference between the weights of matrix and accumulate after `steps` steps."""
    X, Y = data(n)
    weights = []
    for mode in ('accumulate', 'matrix'):
        model = nn.MLP(2, list(SIZES[1:]), seed=1337)
        nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=LR), mode=mode).fit(
            X, Y, epochs=steps, progress=False)
        weights.append([p.data for p in model.parameters()])
    return max(abs(a - b) for a, b in zip(*weights))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='5 rounds instead of 9')
    args = ap.parse_args()
    print(threads())
    rounds = 5 if args.quick else 9
    print("MLP(2,[16,16,1]) full-batch SGD step; CPU time, median of %d alternating rounds" % rounds)
    if 'lanes' not in MODES:
        print("(no mode='lanes' in this tree: its rows are left out)")
    for n in (100, 1000):
        rows = engines(n)
        times = paired(rows, n, rounds)
        med = {name: statistics.median(t) for name, t in times.items()}
        print("\nn = %d" % n)
        print("%-22s %12s %12s" % ("", "ms a step", "/ matrix"))
        for name, t in med.items():
            print("%-22s %12.3f %12.2f" % (name, 1e3 * t, t / med['matrix']))
        if 'torch float64' in med:
            print("matrix vs torch float64: %.2fx faster (target at n = 100: faster)"
                  % (med['torch float64'] / med['matrix']))
        print("matrix / numpy by hand: %.2f (target at n = 1000: within 2x)" % (med['matrix'] / med['numpy by hand']))
    modes = ['matrix'] + (['lanes'] if 'lanes' in MODES else [])
    whole = {mode: [] for mode in modes}
    accuracy = {}
    for _ in range(rounds):
        for mode in modes:
            gc.collect()
            t = time.process_time()
            accuracy[mode] = moons_training(mode)
            whole[mode].append(time.process_time() - t)
    print()
    for mode in modes:
        print("moons demo, whole training (100 steps), mode=%r: %.3f s (target: under 1 s), accuracy %.0f%%"
              % (mode, statistics.median(whole[mode]), 100 * accuracy[mode]))
    print("matrix vs accumulate, largest weight difference after 3 steps at n = 100: %.1e" % agreement())


if __name__ == '__main__':
    main()

"""The moons classifier: micrograd's demo network, trained with the batch trainer.

MLP(2, [16, 16, 1]), hinge loss, L2 weight decay 1e-4, full-batch gradient
descent with the learning rate going from 1.0 down to 0.1 over 100 steps:
micrograd's own demo settings. The trainer runs in lanes mode (one graph carries
the whole batch, autograd/lanes.py) where numpy is installed, else per sample.
Times are CPU time (time.process_time), which other work on the machine moves far
less than the wall clock; benchmarks/moons.py repeats them, mode beside mode.
"""
import time

import nn
from autograd import no_grad

from .common import out_path, pyplot


def default_mode():
    try:
        import numpy  # noqa: F401
        return 'lanes'
    except ImportError:
        return 'accumulate'


def train(steps=100, n=100, seed=0, mode=None):
    X, Y = nn.data.moons(n, noise=0.1, seed=seed, labels=(-1, 1))
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    opt = nn.SGD(model.parameters(), lr=1.0, weight_decay=1e-4)

    def decay(step):
        opt.lr = 1.0 - 0.9 * step.step / steps
    trainer = nn.Trainer(model, nn.hinge, opt, batch_size=None, mode=mode or default_mode())
    start = time.process_time()
    history = trainer.fit(X, Y, epochs=steps, callback=decay, progress=False)
    seconds = time.process_time() - start
    return model, X, Y, history, trainer.evaluate(X, Y), seconds


MICROGRAD_STEPS = 3     # micrograd takes about a second a step: its 100 steps are extrapolated from these


def micrograd_seconds_per_step(steps=MICROGRAD_STEPS):
    """micrograd's own time for the same step, where micrograd is installed (pip install micrograd)."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        return None
    X, Y = nn.data.moons(100, noise=0.1, seed=0, labels=(-1, 1))
    model = MLP(2, [16, 16, 1])
    start = time.process_time()
    for _ in range(steps):
        scores = [model([Value(a), Value(b)]) for a, b in X]
        losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    return (time.process_time() - start) / steps


def main(out=None, steps=100, n=100):
    print(__doc__.strip().splitlines()[0])
    mode = default_mode()
    model, X, Y, history, result, seconds = train(steps, n, mode=mode)
    print("%d steps on %d samples (mode=%r) took %.2f s of CPU time in all (%.1f ms a step); training accuracy %.0f%%, "
          "loss %.4f" % (steps, n, mode, seconds, 1e3 * seconds / steps, 100 * result['accuracy'],
                         float(result['loss'])))
    theirs = micrograd_seconds_per_step() if steps == 100 else None
    if theirs is not None:
        print("micrograd: %.0f ms a step, measured over %d steps; extrapolated to the same %d steps: %.0f s, "
              "%.0fx this run's time (its later steps are slower: benchmarks/moons.py times all %d)"
              % (1e3 * theirs, MICROGRAD_STEPS, steps, steps * theirs, theirs * steps / seconds, steps))
    else:
        print("(install micrograd to time its 100 steps beside these)")
    path = plot(model, X, Y, history, out)
    print("wrote %s" % path)
    return dict(accuracy=result['accuracy'], history=history, seconds=seconds, picture=path)


def plot(model, X, Y, history, out):
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    xs = [x for x, _ in X]
    ys = [y for _, y in X]
    lo_x, hi_x, lo_y, hi_y = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5
    grid = 40
    gx = [lo_x + (hi_x - lo_x) * i / (grid - 1) for i in range(grid)]
    gy = [lo_y + (hi_y - lo_y) * j / (grid - 1) for j in range(grid)]
    with no_grad():
        scores = [[1.0 if model([a, b]).data > 0 else 0.0 for a in gx] for b in gy]
    left.contourf(gx, gy, scores, levels=[-0.5, 0.5, 1.5], colors=['#f4c7c3', '#c6dbef'], alpha=0.8)
    left.scatter(xs, ys, c=['#1f77b4' if y > 0 else '#d62728' for y in Y], s=18, edgecolors='k', linewidths=0.4)
    left.set(title="decision boundary", xticks=[], yticks=[])
    right.plot(range(1, len(history.epoch_loss) + 1), [float(l) for l in history.epoch_loss], label='hinge loss')
    right.plot(range(1, len(history.epoch_accuracy) + 1), history.epoch_accuracy, label='training accuracy')
    right.set(title="training", xlabel="step (full batch)")
    right.legend()
    fig.tight_layout()
    path = out_path('moons.png', out)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == '__main__':
    main()

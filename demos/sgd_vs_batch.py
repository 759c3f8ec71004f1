"""Batch, mini-batch and stochastic gradient descent side by side, as Deep Learning - Batch Gradient Descent teaches them.

One sigmoid neuron, binary cross-entropy, a seeded 2-D dataset of two
overlapping clouds. Each method sees every sample once per epoch (equal sample
budgets); only how many samples make one step differs. First, for one batch, the
engine's gradient beside that article's closed form dJ/dw = (1/m) sum_i (y^_i - y_i) x_i.
"""
import math
import random

import nn

from .common import out_path, pyplot, table


def two_clouds(n=256, seed=0):
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        label = i % 2
        cx = 1.0 if label else -1.0
        X.append((cx + rng.gauss(0, 1.0), 0.5 * cx + rng.gauss(0, 1.0)))
        y.append(label)
    return X, y


def closed_form(model, X, Y):
    """The article's batch gradient of J = -(1/m) sum_i (y_i log y^_i + (1 - y_i) log(1 - y^_i)), written
    out in plain Python: y^_i = sigmoid(w . x_i + b), dJ/dw = (1/m) sum_i (y^_i - y_i) x_i and
    dJ/db = (1/m) sum_i (y^_i - y_i) (the article's last lines drop the sum for b)."""
    w, b = [p.data for p in model.w], model.b.data
    errors = [1 / (1 + math.exp(-(sum(wj * xj for wj, xj in zip(w, x)) + b))) - y for x, y in zip(X, Y)]
    m = len(X)
    return [sum(e * x[j] for e, x in zip(errors, X)) / m for j in range(len(w))], sum(errors) / m


def gradient_check(X, Y, m=32):
    """for the first batch of m samples: the engine's gradient (nn.batch_view's sum of the
    per-sample ∂Loss^learning/∂W) beside the closed form; returns [(parameter, engine, article)]."""
    model = nn.Neuron(2, activation='sigmoid', seed=0)
    batch = nn.batch_view(model, nn.binary_cross_entropy, X[:m], Y[:m])
    dw, db = closed_form(model, X[:m], Y[:m])
    # the neuron in the articles' numbering: L1 = x, L2 = W2 . o1 + b2, L3 = sigmoid(o2)
    rows = [("w%d" % (j + 1), g, c) for j, (g, c) in enumerate(zip(batch.dW(2)[0], dw))]
    rows.append(("b", batch.db(2)[0], db))
    print("One batch of m = %d at the starting weights: the engine's gradient and the article's closed form" % m)
    print(table(["parameter", "engine: sum of the layer view's ∂Loss^learning/∂W", "(1/m) sum (y^ - y) x",
                 "|difference|"], [(p, "%+.17f" % g, "%+.17f" % c, "%.1e" % abs(g - c)) for p, g, c in rows]))
    return rows


def train(X, Y, batch_size, epochs, lr, every=32):
    """returns (history, final evaluation, [(samples seen, loss on all of X)] every `every` samples)."""
    model = nn.Neuron(2, activation='sigmoid', seed=0)
    trainer = nn.Trainer(model, nn.binary_cross_entropy, nn.SGD(model.parameters(), lr=lr),
                         batch_size=batch_size, seed=1)
    size = batch_size or len(X)
    curve = [(0, float(trainer.evaluate(X, Y)['loss']))]

    def checkpoint(step):
        seen = step.step * size
        if seen % every == 0 or size > every:
            curve.append((seen, float(trainer.evaluate(X, Y)['loss'])))
    history = trainer.fit(X, Y, epochs=epochs, callback=checkpoint, progress=False)
    return history, trainer.evaluate(X, Y), curve


def main(out=None, n=256, epochs=20):
    print(__doc__.strip().splitlines()[0])
    X, Y = two_clouds(n)
    check = gradient_check(X, Y)
    print()
    methods = [("full batch (%d)" % n, None), ("mini-batch (32)", 32), ("SGD (1)", 1)]
    results = {}
    for name, batch_size in methods:
        results[name] = train(X, Y, batch_size, epochs, lr=0.1)
    print(table(["method", "steps", "final loss", "accuracy"],
                [(name, len(h.step_loss), "%.4f" % float(ev['loss']), "%.3f" % ev['accuracy'])
                 for name, (h, ev, _) in results.items()]))
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, (h, _, curve) in results.items():
        left.plot(range(1, epochs + 1), [float(l) for l in h.epoch_loss], marker='o', ms=3, label=name)
        right.plot([s for s, _ in curve], [l for _, l in curve], lw=1, label=name)
    left.set(title="loss per epoch (mean over the epoch's steps)", xlabel="epoch", ylabel="binary cross-entropy")
    right.set(title="loss on all samples, every 32 samples seen", xlabel="samples seen",
              ylabel="binary cross-entropy")
    left.legend(); right.legend()
    fig.tight_layout()
    path = out_path('sgd_vs_batch.png', out)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print("wrote %s" % path)
    return dict(results=results, picture=path, gradient_check=check)


if __name__ == '__main__':
    main()

"""Lanes at real-data scale: the 8x8 digits, MLP(64,[32,10]), softmax cross-entropy, in one run.

    python benchmarks/digits_lanes.py            # about three minutes
    python benchmarks/digits_lanes.py --quick    # fewer rounds

BLAS and torch run on one thread (benchmarks/one_thread.py): on a shared machine their
default threads make numpy's and torch's times vary 10-100x from run to run.
The data: scikit-learn's digits (1,797 x 64, scaled to [0, 1]) where sklearn is installed,
else random numbers of the same shape, and the script says which.
The model: nn.MLP(64, [32, 10]) (relu, then linear), each neuron one dot node, z = w . x + b,
then its activation: nn's own where its Neuron builds it so (fused), else patched into
nn.Neuron.forward by this script alone, and it says which. Rows:
  step_n1000   one SGD step (lr 0.1) on the first 1,000 samples: forward, the batch's mean
               cross-entropy, backward, the update, from the same weights:
                 lanes    the engine bare: model(columns(X, constant=True)),
                          nn.cross_entropy(out, y).mean(), backward(), SGD.step()
                 trainer  Trainer(mode='lanes', batch_size=None).fit(X, Y, epochs=10) / 10:
                          the same step with the Trainer's checks, undo copy and history
                 torch    PyTorch float64: two nn.Linear, F.cross_entropy, backward, optim.SGD
  fit_20       Trainer(mode='lanes', batch_size=32).fit on all 1,797 samples, 20 epochs,
               beside the same 20 epochs in PyTorch float64 (shuffled batches of 32, the
               loss and accuracy read every step, as the Trainer's History does)
Measured as ../shared/bench measures: the rows alternate within each round, each timing is
the process's CPU time (time.process_time), each figure the median over the rounds, and each
ratio the median of the per-round ratios. Targets (issue 17): lanes step <= 5x torch's;
fit_20 <= 4 s.
"""
import argparse
import gc
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import import_torch, threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import numpy as np  # noqa: E402
import nn  # noqa: E402
from autograd.lanes import columns  # noqa: E402
from benchmarks.timing import paired, ratio  # noqa: E402

LR = 0.1
SIZES = [32, 10]


def digits():
    """(X rows of 64 floats in [0, 1], Y class indices, where they came from)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = np.random.default_rng(0)
        return rng.random((1797, 64)).tolist(), rng.integers(0, 10, 1797).tolist(), "random 1797 x 64 (no sklearn)"
    d = load_digits()
    return (d.data / 16.0).tolist(), [int(y) for y in d.target], "sklearn digits 1797 x 64"


def lanes_step(X, Y):
    model = nn.MLP(64, SIZES, seed=0)
    opt = nn.SGD(model.parameters(), lr=LR)
    X = np.array(X)

    def step():
        loss = nn.cross_entropy(model(columns(X, constant=True)), Y).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss, model
    return step


def trainer_step(X, Y, inner):
    model = nn.MLP(64, SIZES, seed=0)
    trainer = nn.Trainer(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=LR), batch_size=None,
                         shuffle=False, mode='lanes')
    return lambda: trainer.fit(X, Y, epochs=inner, progress=False)


def torch_model(seed=0):
    import torch
    model = nn.MLP(64, SIZES, seed=seed)            # the same starting weights
    layers = []
    for layer in model.layers:
        lin = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        layers.append(lin)
    return torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1])


def torch_step(X, Y):
    import torch
    net = torch_model()
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    X, Y = torch.tensor(X, dtype=torch.float64), torch.tensor(Y)

    def step():
        loss = torch.nn.functional.cross_entropy(net(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss, net
    return step


def lanes_fit(X, Y, epochs):
    def run():
        model = nn.MLP(64, SIZES, seed=0)
        trainer = nn.Trainer(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=LR), batch_size=32,
                             mode='lanes')
        history = trainer.fit(X, Y, epochs=epochs, progress=False)
        return history.epoch_loss[-1], history.epoch_accuracy[-1]
    return run


def torch_fit(X, Y, epochs):
    import torch

    def run():
        net = torch_model()
        opt = torch.optim.SGD(net.parameters(), lr=LR)
        Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y)
        rng = random.Random(0)
        order = list(range(len(X)))
        for _ in range(epochs):
            rng.shuffle(order)
            total = right = 0
            for start in range(0, len(order), 32):
                idx = torch.tensor(order[start:start + 32])
                out = net(Xt[idx])
                loss = torch.nn.functional.cross_entropy(out, Yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
                right += int((out.argmax(1) == Yt[idx]).sum())
        return total / len(order), right / len(order)
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    import_torch()
    print(threads())
    X, Y, source = digits()
    print("data: %s; model: %s" % (source, nn.MLP(64, SIZES)))

    n, inner = 1000, 10
    lanes, torch_ = lanes_step(X[:n], Y[:n]), torch_step(X[:n], Y[:n])
    (l_loss, model), (t_loss, net) = lanes(), torch_()      # one step each from the same weights: they agree
    w_lanes = np.array([[w.data for w in neuron.w] for neuron in model.layers[0].neurons])
    print("after one step from the same weights: loss %.12f (lanes) %.12f (torch), first layer's weights "
          "within %.1e" % (l_loss.data, t_loss.item(), np.abs(w_lanes - net[0].weight.detach().numpy()).max()))
    fns = {'lanes': lanes, 'trainer': trainer_step(X[:n], Y[:n], inner), 'torch': torch_}
    for fn in fns.values():
        fn()
    gc.freeze()
    rounds = 5 if args.quick else 11
    t = paired({'lanes': lanes, 'torch': torch_}, rounds, inner)
    t.update(paired({'trainer': fns['trainer']}, rounds))
    t['trainer'] = [s / inner for s in t['trainer']]
    med = {k: 1e3 * statistics.median(v) for k, v in t.items()}
    print("step_n1000   lanes %.2f ms   trainer %.2f ms   torch float64 %.3f ms   (%d rounds of %d steps)"
          % (med['lanes'], med['trainer'], med['torch'], rounds, inner))
    print("             lanes / torch: %.2fx   trainer / torch: %.2fx   (target <= 5x)"
          % (ratio(t, 'lanes', 'torch'), statistics.median(t['trainer']) / statistics.median(t['torch'])))

    epochs = 20
    fits = {'lanes': lanes_fit(X, Y, epochs), 'torch': torch_fit(X, Y, epochs)}
    results = {name: fn() for name, fn in fits.items()}           # a first run each, also a warm-up
    t = paired(fits, 3 if args.quick else 5)
    print("fit_20       lanes %.2f s   torch float64 %.2f s   lanes / torch %.1fx   (target lanes <= 4 s; %d rounds)"
          % (statistics.median(t['lanes']), statistics.median(t['torch']), ratio(t, 'lanes', 'torch'),
             len(t['lanes'])))
    print("             last epoch: loss %.4f accuracy %.3f (lanes), loss %.4f accuracy %.3f (torch)"
          % (results['lanes'] + results['torch']))


if __name__ == '__main__':
    main()

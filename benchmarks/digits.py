"""Matrix mode on the 8x8 digits beside PyTorch and numpy by hand: issue 21's targets, in one run.

    python benchmarks/digits.py              # about 20 s
    python benchmarks/digits.py --quick      # fewer rounds, about 10 s
    python benchmarks/digits.py --json out.json

The data: nn.data.digits(), scikit-learn's 8x8 handwritten digits as numpy arrays (1,437
training and 360 test images of 64 pixels in [0, 1], labels 0..9). The model: nn.MLP(64,
[32, 10]) (relu hidden, linear out), nn.cross_entropy; every contender starts from its
weights (seed 0). Three workloads:
  step         one full-batch SGD step (lr 0.1) on the first 1,000 training samples:
                 matrix         Trainer(mode='matrix', batch_size=None, shuffle=False)
                                .fit(X, Y, epochs=inner) / inner
                 torch float64  two nn.Linear in float64, F.cross_entropy, backward,
                                optim.SGD, the loss and the accuracy read each step
                                (.item()), as the Trainer's History reads them
                 numpy by hand  Batch in Backpropagation's formulas, columns are samples:
                                H = relu(W1 X + b1), Z = W2 H + b2, P = softmax(Z),
                                DZ = P - Y, DW2 = DZ H^T / m, ..., the SGD update, and
                                the loss and accuracy read
  fixed cost   trainer.fit(X, Y, epochs=0) on all 1,797 digits: every check of X and Y and
               the preparation, and no step; X and Y as numpy arrays, and as Python lists
  training     the digits demo's whole training on the 1,437 training images: batches of
               32, shuffled, 20 epochs, SGD momentum 0.9 lr 0.05, in matrix mode and the
               same in torch float64 and numpy by hand (the same shuffled order as the
               Trainer's, so all three take the same steps), then each one's test accuracy
Measured as ../shared/bench measures: the rows alternate within each round, each timing is
the process's CPU time (time.process_time) of enough calls to pass 20 ms (50 ms for a step;
matrix: one fit of 200 steps), divided by the calls (steps); each figure is the median over
the rounds, each ratio the median of the per-round ratios. numpy's BLAS and torch run on one
thread (benchmarks/one_thread.py). The table's 'today' is this run; 'target' is issue 21's.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import import_torch, threads  # noqa: E402  (first: before numpy loads)

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402

import numpy as np  # noqa: E402
import nn  # noqa: E402
from benchmarks.timing import calls_for, paired, ratio  # noqa: E402

SIZES = [32, 10]
STEP_LR = 0.1
STEP_N = 1000
TRAIN = dict(lr=0.05, momentum=0.9, batch=32, epochs=20)
TARGETS = {'step / torch': 1.5, 'step / numpy': 2.0, 'fixed cost ms': 2.0, 'training s': 0.5, 'accuracy': 0.95}


def model_weights(model):
    """an nn.MLP's weights as [(W, b)] float64 arrays, a layer's W of shape (outputs, inputs)."""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64),
             np.array([n.b.data for n in layer.neurons], dtype=np.float64)) for layer in model.layers]


def start_weights():
    """the weights every contender starts from: nn.MLP(64, [32, 10], seed=0)'s."""
    return model_weights(nn.MLP(64, SIZES, seed=0))


# ---------------------------------------------------------------- the three ways of taking steps
def matrix_trainer(batch_size, shuffle, momentum=0.0, lr=STEP_LR):
    model = nn.MLP(64, SIZES, seed=0)
    opt = nn.SGD(model.parameters(), lr=lr, momentum=momentum)
    return nn.Trainer(model, nn.cross_entropy, opt, batch_size=batch_size, shuffle=shuffle, mode='matrix')


def torch_net(torch, lr, momentum=0.0):
    linears = []
    for W, b in start_weights():
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        linears.append(lin)
    net = torch.nn.Sequential(linears[0], torch.nn.ReLU(), linears[1])
    return net, torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)


def torch_stepper(torch, net, opt):
    """one step on (X, y) tensors; returns (the batch's summed loss, the right answers), read as floats."""
    F = torch.nn.functional

    def step(X, y):
        out = net(X)
        loss = F.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item() * len(y), int((out.argmax(1) == y).sum())
    return step


def numpy_stepper(lr, momentum=0.0):
    """Batch in Backpropagation by hand, the samples as columns; returns (step, weights):
    step(H0, y) takes H0 of shape (64, m) and y of m class indices, and returns the
    batch's summed loss and its right answers."""
    (W1, b1), (W2, b2) = start_weights()
    params = [W1, b1[:, None], W2, b2[:, None]]
    velocity = [np.zeros_like(p) for p in params]

    def step(H0, y):
        W1, b1, W2, b2 = params
        m = H0.shape[1]
        Z1 = W1 @ H0 + b1                       # Z^1 = W^1 H^0 + b^1
        H1 = np.maximum(Z1, 0)                  # H^1 = relu(Z^1)
        Z2 = W2 @ H1 + b2                       # Z^2 = W^2 H^1 + b^2, the logits
        shifted = Z2 - Z2.max(axis=0)
        E = np.exp(shifted)
        S = E.sum(axis=0)
        cols = np.arange(m)
        total = float(np.sum(np.log(S) - shifted[y, cols]))   # sum of -log softmax(Z)[y]
        right = int(np.sum(Z2.argmax(axis=0) == y))
        DZ2 = E / S                             # P = softmax(Z^2) ...
        DZ2[y, cols] -= 1                       # ... DZ^2 = P - Y (Y one-hot)
        DZ1 = (W2.T @ DZ2) * (Z1 > 0)           # DZ^1 = (W^2)^T DZ^2 ⊗ relu'(Z^1)
        grads = [DZ1 @ H0.T / m, DZ1.sum(axis=1, keepdims=True) / m,    # DW = DZ H^T / m, Db
                 DZ2 @ H1.T / m, DZ2.sum(axis=1, keepdims=True) / m]
        for p, g, v in zip(params, grads, velocity):
            if momentum:
                v *= momentum
                v += g
                g = v
            p -= lr * g
        return total, right
    return step, params


# ---------------------------------------------------------------- the workloads
def step_rows(X, y, inner):
    """{row: a function taking steps on (X, y)}, each from the same weights; matrix's
    takes `inner` steps a call (one fit), the others one."""
    torch = import_torch()
    trainer = matrix_trainer(None, False)
    net, opt = torch_net(torch, STEP_LR)
    t_step, Xt, yt = torch_stepper(torch, net, opt), torch.from_numpy(X), torch.from_numpy(y)
    n_step, _ = numpy_stepper(STEP_LR)
    H0 = np.ascontiguousarray(X.T)
    return {'matrix': lambda: trainer.fit(X, y, epochs=inner, progress=False),
            'torch float64': lambda: t_step(Xt, yt), 'numpy by hand': lambda: n_step(H0, y)}


def one_step_agreement(X, y):
    """the largest difference between the weights after one step: matrix vs torch, matrix vs numpy."""
    torch = import_torch()
    trainer = matrix_trainer(None, False)
    trainer.fit(X, y, epochs=1, progress=False)
    net, opt = torch_net(torch, STEP_LR)
    torch_stepper(torch, net, opt)(torch.from_numpy(X), torch.from_numpy(y))
    step, params = numpy_stepper(STEP_LR)
    step(np.ascontiguousarray(X.T), y)
    mine = np.concatenate([a.ravel() for W, b in model_weights(trainer.model) for a in (W, b)])
    theirs = np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])
    by_hand = np.concatenate([p.ravel() for p in params])
    return float(np.abs(mine - theirs).max()), float(np.abs(mine - by_hand).max())


def orders(n, epochs, seed=0):
    """the Trainer's shuffled orders, epoch by epoch (random.Random(seed).shuffle of 0..n-1)."""
    rng = random.Random(seed)
    out = []
    for _ in range(epochs):
        order = list(range(n))
        rng.shuffle(order)
        out.append(np.array(order))
    return out


def training_rows(X, y, results):
    """{row: the whole training from the start weights}; each stores its test accuracy in results."""
    torch = import_torch()
    lr, momentum, size, epochs = TRAIN['lr'], TRAIN['momentum'], TRAIN['batch'], TRAIN['epochs']
    epoch_orders = orders(len(X), epochs)

    def matrix():
        trainer = matrix_trainer(size, True, momentum, lr)
        trainer.fit(X, y, epochs=epochs, progress=False)
        results['matrix'] = trainer

    def torch_fit():
        net, opt = torch_net(torch, lr, momentum)
        step = torch_stepper(torch, net, opt)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        for order in epoch_orders:
            total = right = 0                      # the epoch's loss and accuracy, as History keeps them
            for start in range(0, len(order), size):
                idx = torch.from_numpy(order[start:start + size])
                loss, ok = step(Xt[idx], yt[idx])
                total, right = total + loss, right + ok
        results['torch float64'] = net

    def numpy_fit():
        step, params = numpy_stepper(lr, momentum)
        H0 = np.ascontiguousarray(X.T)
        for order in epoch_orders:
            total = right = 0                      # the epoch's loss and accuracy, as History keeps them
            for start in range(0, len(order), size):
                idx = order[start:start + size]
                loss, ok = step(H0[:, idx], y[idx])
                total, right = total + loss, right + ok
        results['numpy by hand'] = params

    return {'matrix': matrix, 'torch float64': torch_fit, 'numpy by hand': numpy_fit}


def test_accuracy(results, Xtest, ytest):
    """{row: the fraction of test images each trained model classifies right}."""
    torch = import_torch()
    with torch.no_grad():
        t_out = results['torch float64'](torch.from_numpy(Xtest)).numpy()
    W1, b1, W2, b2 = results['numpy by hand']
    n_out = (W2 @ np.maximum(W1 @ Xtest.T + b1, 0) + b2).T
    return {'matrix': results['matrix'].accuracy(Xtest, ytest),
            'torch float64': float(np.mean(t_out.argmax(1) == ytest)),
            'numpy by hand': float(np.mean(n_out.argmax(1) == ytest))}


# ---------------------------------------------------------------- the run
def versions():
    import sklearn
    torch = import_torch()
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = ''
    return {'python': platform.python_version(), 'numpy': np.__version__, 'torch': torch.__version__,
            'scikit-learn': sklearn.__version__, 'commit': commit or '?'}


def median_ms(times):
    return {name: 1e3 * statistics.median(t) for name, t in times.items()}


def measure(rounds, train_rounds):
    Xtr, ytr, Xte, yte = nn.data.digits()
    X_all, y_all = np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte])
    X, y = Xtr[:STEP_N], ytr[:STEP_N]
    out = {'load before': os.getloadavg()}

    out['agreement'] = one_step_agreement(X, y)
    inner = 200                     # matrix: steps a fit, so that fit's checks (once a fit) are spread thin
    fns = step_rows(X, y, inner)
    calls = {name: calls_for(fn, 0.05) for name, fn in fns.items()}
    gc.freeze()
    t = paired(fns, rounds, calls)
    t['matrix'] = [s / inner for s in t['matrix']]
    out['step ms'] = median_ms(t)
    out['step / torch'] = ratio(t, 'matrix', 'torch float64')
    out['step / numpy'] = ratio(t, 'matrix', 'numpy by hand')

    arrays, lists = matrix_trainer(None, False), matrix_trainer(None, False)
    X_list, y_list = X_all.tolist(), y_all.tolist()
    fns = {'arrays': lambda: arrays.fit(X_all, y_all, epochs=0, progress=False),
           'lists': lambda: lists.fit(X_list, y_list, epochs=0, progress=False)}
    calls = {name: calls_for(fn) for name, fn in fns.items()}
    t = paired(fns, rounds, calls)
    out['fixed cost ms'] = median_ms(t)

    results = {}
    fns = training_rows(Xtr, ytr, results)
    for fn in fns.values():
        fn()                                       # a first run each, also a warm-up
    out['accuracy'] = test_accuracy(results, Xte, yte)
    t = paired(fns, train_rounds)
    out['training s'] = {name: statistics.median(v) for name, v in t.items()}
    out['training / torch'] = ratio(t, 'matrix', 'torch float64')
    out['training / numpy'] = ratio(t, 'matrix', 'numpy by hand')
    out['load after'] = os.getloadavg()
    out['rounds'] = (rounds, train_rounds)
    return out


def table(out):
    """the markdown table: workload, today, target."""
    s, f, tr, acc = out['step ms'], out['fixed cost ms'], out['training s'], out['accuracy']
    rows = [
        ("matrix step, MLP(64,[32,10]), n = 1,000, vs torch float64",
         "%.2fx (%.3f ms vs %.3f ms)" % (out['step / torch'], s['matrix'], s['torch float64']), "<= 1.5x",
         out['step / torch'] <= TARGETS['step / torch']),
        ("matrix step vs Batch in Backpropagation in numpy by hand",
         "%.2fx (%.3f ms)" % (out['step / numpy'], s['numpy by hand']), "<= 2x",
         out['step / numpy'] <= TARGETS['step / numpy']),
        ("fit(epochs=0) fixed cost at 1,797 x 64, numpy arrays",
         "%.2f ms (Python lists: %.2f ms)" % (f['arrays'], f['lists']), "<= 2 ms",
         f['arrays'] <= TARGETS['fixed cost ms']),
        ("digits training, 20 epochs of batch 32, matrix mode",
         "%.3f s (torch %.3f s, numpy %.3f s)" % (tr['matrix'], tr['torch float64'], tr['numpy by hand']),
         "<= 0.5 s", tr['matrix'] <= TARGETS['training s']),
        ("its test accuracy (matrix / torch / numpy)",
         "%.1f%% / %.1f%% / %.1f%%" % tuple(100 * acc[k] for k in ('matrix', 'torch float64', 'numpy by hand')),
         ">= 95%", acc['matrix'] >= TARGETS['accuracy']),
    ]
    lines = ["| workload | today | target | met |", "| --- | --- | --- | --- |"]
    lines += ["| %s | %s | %s | %s |" % (w, today, target, 'yes' if ok else 'NO') for w, today, target, ok in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='5 rounds (3 of the training) instead of 11 (5)')
    ap.add_argument('--json', metavar='PATH', help='also write the figures to PATH as JSON')
    args = ap.parse_args()
    rounds, train_rounds = (5, 3) if args.quick else (11, 5)
    import_torch()
    v = versions()
    print("digits, MLP(64,[32,10]), cross-entropy; CPU time, medians of %d alternating rounds (%d for the training)"
          % (rounds, train_rounds))
    print(threads())
    print("versions: " + ", ".join("%s %s" % item for item in v.items()))
    out = measure(rounds, train_rounds)
    print("after one step from the same weights, matrix's weights within %.1e of torch's and %.1e of numpy's"
          % out['agreement'])
    print()
    print(table(out))
    print()
    print("step, ms: " + ", ".join("%s %.3f" % item for item in out['step ms'].items()))
    print("training / torch %.2fx, training / numpy %.2fx" % (out['training / torch'], out['training / numpy']))
    print("load average (1, 5, 15 min): before %.2f %.2f %.2f, after %.2f %.2f %.2f (2 cores)"
          % (out['load before'] + out['load after']))
    if args.json:
        out['versions'] = v
        out['threads'] = threads()
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()

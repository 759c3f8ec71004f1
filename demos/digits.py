"""The 8x8 handwritten digits: real data trained in matrix mode, and one mistake followed down the chain rule.

scikit-learn's bundled digits (1,797 images of 8x8 pixels, labels 0..9; nn.data.digits: pixels / 16, a
seeded split of 1,437 training and 360 test images). MLP(64, [32, 10]): 32 relu neurons, 10 linear outputs
o_k, softmax cross-entropy Loss = -log softmax(o)_y. Mini-batches of 32, SGD with momentum, 20 epochs, in
mode='matrix' (Batch in Backpropagation's matrix form), then again in mode='lanes' (one scalar graph carrying
the whole batch, Batch Learning's "fully parallelized" batch): the same steps, the same weights to 1e-12.
Then the test image the network gets most confidently wrong, in the articles' terms: its layer view
(o_k and the learning flux δ_k; at the output δ = softmax(o) - onehot(y)), its scalar graph, and two pages
to follow the chain rule on it: the explorer (every chain-rule step) and the lesson (one training iteration).
Times are CPU time (time.process_time) on one BLAS thread: the matrices are small, and on a shared machine
more threads mostly wait for each other (threadpoolctl, which scikit-learn installs, pins it). The pages'
times are wall-clock (Graphviz runs as its own process).
"""
import os
import time

import nn

from .common import have_dot, out_path, pyplot, table

try:
    import numpy as np
except ImportError:             # then scikit-learn is missing too, and the demo is skipped
    np = None

SEED = 0            # the weights' initialisation and the order of the mini-batches
WIDTHS = [32, 10]   # 64 pixels -> 32 relu -> 10 linear outputs
EPOCHS = 20
BATCH_SIZE = 32
LR, MOMENTUM = 0.1, 0.9
SHOWN = 30          # test digits in the picture's grid, 6 to a row
NEED_SKLEARN = ("digits: skipped: it needs scikit-learn, which bundles the digits (no download): "
                "pip install scikit-learn, or ./run demos, which installs it")


def load():
    """nn.data.digits(), or None (with the advice printed) where scikit-learn is not installed."""
    try:
        return nn.data.digits()
    except ImportError:
        print(NEED_SKLEARN)
        return None


def make(mode):
    """(model, trainer) for one run; the same seed gives the same weights and batches in every mode."""
    model = nn.MLP(64, WIDTHS, seed=SEED)          # hidden relu, linear output: MLP's defaults
    optimizer = nn.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    return model, nn.Trainer(model, nn.cross_entropy, optimizer, batch_size=BATCH_SIZE, seed=SEED, mode=mode)


def weights(model):
    """[(W, b)] per layer as numpy arrays, W's row i neuron i's weights: the Values' .data."""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]), np.array([n.b.data for n in layer.neurons]))
            for layer in model.layers]


def outputs(layers, X):
    """the outputs o (one row per sample) of the MLP whose weights are `layers`:
    H = relu(H W^T + b) for the hidden layers, O = H W^T + b for the last."""
    H = X
    for l, (W, b) in enumerate(layers):
        H = H @ W.T + b
        if l < len(layers) - 1:
            H = np.maximum(H, 0)
    return H


def accuracy(layers, X, y):
    return float((outputs(layers, X).argmax(axis=1) == y).mean())


def one_thread():
    """numpy's BLAS held to one thread while training (threadpoolctl comes with scikit-learn)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(1)


def train(data, mode='matrix', verbose=True):
    """EPOCHS epochs, one fit(epochs=1) each so that the test accuracy is read between them;
    returns (model, curves {'loss', 'train', 'test'} per epoch, CPU seconds of the fit calls alone)."""
    X, y, Xt, yt = data
    model, trainer = make(mode)
    curves = {'loss': [], 'train': [], 'test': []}
    seconds = 0.0
    for epoch in range(1, EPOCHS + 1):
        start = time.process_time()
        history = trainer.fit(X, y, epochs=1, progress=False)
        seconds += time.process_time() - start
        curves['loss'].append(float(history.epoch_loss[0]))
        curves['train'].append(history.epoch_accuracy[0])
        curves['test'].append(accuracy(weights(model), Xt, yt))
        if verbose:
            print("  epoch %2d  loss %.4f  training accuracy %5.1f%%  test accuracy %5.1f%%"
                  % (epoch, curves['loss'][-1], 100 * curves['train'][-1], 100 * curves['test'][-1]))
    return model, curves, seconds


def a_digit(d):
    """'a 4', 'an 8'"""
    return ('an %d' if d == 8 else 'a %d') % d


def mistakes(layers, X, y):
    """the misclassified test images' indices, and the one with the largest loss (the most confident mistake)."""
    O = outputs(layers, X)
    wrong = np.nonzero(O.argmax(axis=1) != y)[0]
    top = O.max(axis=1, keepdims=True)
    losses = np.log(np.exp(O - top).sum(axis=1)) + top[:, 0] - O[np.arange(len(y)), y]
    return wrong, (int(wrong[np.argmax(losses[wrong])]) if len(wrong) else None)


def explain(model, x, label, index, out):
    """the layer view, the scalar graph and the pages of test image `index` (x, label)."""
    start = time.process_time()
    graph = nn.sample_graph(model, nn.cross_entropy, x, label)
    view = graph.layer_view()
    seconds = time.process_time() - start
    K = view.K
    o, delta = view.o(K), view.delta(K + 1)
    p = [d + (k == label) for k, d in enumerate(delta)]
    predicted = max(range(10), key=lambda k: o[k])
    print("\ntest image %d is %s, read as %s. Its layer view (the articles' numbering: o%d = W4 . o3 + b4 are "
          "the outputs, δ%d = ∂Loss/∂o%d = softmax(o%d) - onehot(y), the learning flux that backward sends down):"
          % (index, a_digit(label), a_digit(predicted), K, K + 1, K, K))
    print(table(["class", "o%d" % K, "softmax", "δ%d" % (K + 1), ""],
                [(k, "%.3f" % o[k], "%.4f" % p[k], "%+.4f" % delta[k],
                  "predicted" if k == predicted else "true" if k == label else "") for k in range(10)]))
    print("Loss = %.4f. A gradient descent step moves the weights against the gradient: with δ = %+.3f at o%d it "
          "lowers o%d, with δ = %+.3f at o%d it raises o%d."
          % (float(view.loss), delta[predicted], predicted, predicted, delta[label], label, label))
    stepper = graph.step()
    steps = len(stepper)
    stepper.reset()
    print("its scalar graph: Loss through %d parameters in %d chain-rule steps (sample_graph and layer_view: %.3f s)"
          % (len(model.parameters()), steps, seconds))
    pages = {}
    if have_dot():
        # one box per layer: Graphviz fails ("trouble in init_rank") on a box per neuron at this size
        layers = {node: path[:1] for node, path in graph.scopes.items()}
        start = time.perf_counter()
        pages['explorer'] = graph.explore(out_path('digits_explorer.html', out), clusters=layers, skip_trivial=True,
                                          title="Test image %d: %s read as %s, one chain-rule step at a time"
                                          % (index, a_digit(label), a_digit(predicted)))
        pages['explorer_seconds'] = time.perf_counter() - start
        print("wrote %s (%.1f MB in %.1f s): every chain-rule step of its Loss; it opens skipping the trivial steps"
              % (pages['explorer'], os.path.getsize(pages['explorer']) / 1e6, pages['explorer_seconds']))
    else:
        print("(Graphviz's dot is not installed: no explorer page; apt-get install graphviz)")
    start = time.perf_counter()
    pages['lesson'] = nn.lesson(model, nn.cross_entropy, [graph.x], [label], out_path('digits_lesson.html', out),
                                optimizer=nn.SGD(model.parameters(), lr=LR),
                                title="One training iteration on test image %d (%s read as %s)"
                                % (index, a_digit(label), a_digit(predicted)))
    pages['lesson_seconds'] = time.perf_counter() - start
    print("wrote %s (%.1f MB in %.1f s): one training iteration on it, layer by layer; click a neuron for its steps"
          % (pages['lesson'], os.path.getsize(pages['lesson']) / 1e6, pages['lesson_seconds']))
    print("open them in a browser: → steps forward in both; in the explorer f shows the whole graph, / finds a node")
    return dict(index=index, label=label, predicted=predicted, graph=graph, view=view, steps=steps, **pages)


def main(out=None):
    print(__doc__.strip().splitlines()[0])
    data = load()
    if data is None:
        return dict(skipped=NEED_SKLEARN)
    X, y, Xt, yt = data
    print("%d training and %d test images of %d pixels; MLP(64, %s), cross-entropy, batch %d, SGD lr %g momentum %g, "
          "%d epochs, seed %d" % (len(X), len(Xt), X.shape[1], WIDTHS, BATCH_SIZE, LR, MOMENTUM, EPOCHS, SEED))
    print("mode='matrix':")
    with one_thread():
        model, curves, seconds = train(data, 'matrix')
    layers = weights(model)
    test = accuracy(layers, Xt, yt)
    print("training took %.2f s of CPU time (%d steps); test accuracy %.1f%% (%d of %d)"
          % (seconds, EPOCHS * -(-len(X) // BATCH_SIZE), 100 * test, round(test * len(yt)), len(yt)))

    with one_thread():
        lanes_model, _, lanes_seconds = train(data, 'lanes', verbose=False)
    difference = max(float(np.abs(a - b).max()) for (W, c), (V, d) in zip(layers, weights(lanes_model))
                     for a, b in ((W, V), (c, d)))
    print("mode='lanes', the same seed: %.2f s of CPU time (matrix: %.2f s, %.0fx faster); the largest |difference| "
          "of a weight between the two: %.1e" % (lanes_seconds, seconds, lanes_seconds / seconds, difference))

    wrong, worst = mistakes(layers, Xt, yt)
    print("%d test images misclassified: %s" % (len(wrong), ", ".join(
        "%d (%s read as %s)" % (i, a_digit(yt[i]), a_digit(outputs(layers, Xt[i:i + 1]).argmax())) for i in wrong)))
    explained = explain(model, Xt[worst], int(yt[worst]), worst, out) if worst is not None else None
    path = plot(layers, Xt, yt, curves, explained, out)
    print("wrote %s" % path)
    return dict(model=model, lanes_model=lanes_model, accuracy=test, curves=curves, seconds=seconds,
                lanes_seconds=lanes_seconds, difference=difference, wrong=wrong, explained=explained,
                picture=path, data=data)


def plot(layers, X, y, curves, explained, out):
    """the picture: test digits with their predictions (mistakes in red), the explained mistake's
    softmax, and the curves."""
    plt = pyplot()
    O = outputs(layers, X)
    predicted = O.argmax(axis=1)
    wrong = [i for i in range(len(y)) if predicted[i] != y[i]]
    shown = _shown(wrong, len(y))
    fig = plt.figure(figsize=(15, 7.4))
    outer = fig.add_gridspec(1, 3, width_ratios=[1.15, 0.8, 1.0], wspace=0.18, left=0.01, right=0.985,
                             top=0.86, bottom=0.08)
    columns = 6
    cells = outer[0].subgridspec(-(-len(shown) // columns), columns, hspace=0.75, wspace=0.1)
    for c, i in enumerate(shown):
        ax = fig.add_subplot(cells[c // columns, c % columns])
        ax.imshow(X[i].reshape(8, 8), cmap='gray_r', vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        bad = predicted[i] != y[i]
        ax.set_title(str(predicted[i]), fontsize=17, color='#d62728' if bad else 'black',
                     fontweight='bold' if bad else 'normal', pad=3)
        if bad:
            ax.set_xlabel("is %d" % y[i], fontsize=15, color='#d62728', fontweight='bold', labelpad=2)
        for side in ax.spines.values():
            side.set_edgecolor('#d62728' if bad else '#bbbbbb')
            side.set_linewidth(4 if bad else 0.8)
    bad = sum(predicted[i] != y[i] for i in shown)
    box = outer[0].get_position(fig)
    fig.text((box.x0 + box.x1) / 2, 0.91, "%d test digits, all %d mistakes in red:\nthe prediction above, the true label below" % (len(shown), bad), ha='center', fontsize=15)

    middle = outer[1].subgridspec(2, 1, height_ratios=[1, 1.05], hspace=0.45)
    if explained is not None:
        i, label, guess = explained['index'], explained['label'], explained['predicted']
        ax = fig.add_subplot(middle[0])
        ax.imshow(X[i].reshape(8, 8), cmap='gray_r', vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        for side in ax.spines.values():
            side.set_edgecolor('#d62728'), side.set_linewidth(4)
        ax.set_title("test image %d: %s read as %s" % (i, a_digit(label), a_digit(guess)), fontsize=15, color='#d62728')
        o = explained['view'].o(explained['view'].K)
        top = max(o)
        e = np.exp(np.array(o) - top)
        p = e / e.sum()
        ax = fig.add_subplot(middle[1])
        colours = ['#d62728' if k == guess else '#2ca02c' if k == label else '#999999' for k in range(10)]
        ax.bar(range(10), p, color=colours)
        ax.set_xticks(range(10))
        ax.set_ylim(0, 1)
        ax.set_title("p = softmax(o);  δ = p - onehot(%d)" % label, fontsize=14)
        ax.set_xlabel("class (red: predicted, green: true)", fontsize=13)
        ax.tick_params(labelsize=12)

    right = outer[2].subgridspec(2, 1, hspace=0.5)
    epochs = range(1, len(curves['loss']) + 1)
    ax = fig.add_subplot(right[0])
    ax.plot(epochs, curves['loss'], marker='o', ms=4)
    ax.set_yscale('log')
    ax.set_title("training loss (cross-entropy)", fontsize=14)
    ax.set_xlabel("epoch", fontsize=13)
    ax.tick_params(labelsize=12)
    ax.grid(alpha=0.3)
    ax = fig.add_subplot(right[1])
    ax.plot(epochs, [100 * a for a in curves['train']], marker='o', ms=4, label='training')
    ax.plot(epochs, [100 * a for a in curves['test']], marker='s', ms=4, label='test')
    ax.set_ylim(10 * int(min(curves['train'] + curves['test']) * 10) - 2, 101)
    ax.set_title("accuracy (%)", fontsize=14)
    ax.set_xlabel("epoch", fontsize=13)
    ax.tick_params(labelsize=12)
    ax.legend(fontsize=12, loc='lower right')
    ax.grid(alpha=0.3)
    path = out_path('digits.png', out)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _shown(wrong, n):
    """SHOWN test images: every mistake (up to SHOWN), spread evenly among the first ones read right."""
    wrong = wrong[:SHOWN]
    missed = set(wrong)
    right = [i for i in range(n) if i not in missed][:SHOWN - len(wrong)]
    gap = SHOWN / max(len(wrong), 1)
    places = {int(gap * (k + 0.5)): i for k, i in enumerate(wrong)}
    rest = iter(right)
    return [places[c] if c in places else next(rest) for c in range(len(wrong) + len(right))]


if __name__ == '__main__':
    main()

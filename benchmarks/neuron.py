"""A neuron is one node: the figures of that change, side by side in one run.

    python benchmarks/neuron.py            # a few minutes
    python benchmarks/neuron.py --quick    # fewer rounds

Each row puts the fused form (a neuron is dot(w, x, b) then its activation, nn's default)
beside the binary form (fused=False: b + w1*x1 + ... as a chain of + and *), or beside
micrograd / PyTorch, timed in the same run, alternating, CPU time of this process and of
its `dot` children; medians. numpy and torch run on one thread (their default threads
vary 10-100x on a shared 2-core machine).
  graph size     MLP(2,[16,16,1]) on one sample, squared error: nodes and backward steps
  explore/draw   the explorer page of MLP(2,[16,16,1]) and MLP(2,[32,32,1]) on one sample
                 (record_scopes clusters): page size and build time; draw() of the larger
  accumulate     one Trainer step (mode='accumulate', full batch) of MLP(2,[16,16,1]) on
                 100 moons samples against one step of micrograd's own MLP (micrograd.nn)
                 on the same samples, written as micrograd's demo writes it; gc on, and each
                 step ends with gc.collect(), as ../shared/bench times a step (micrograd's
                 graphs hold reference cycles that only the collector frees)
"""
import argparse
import gc
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
import nn  # noqa: E402
from autograd import draw, explore, record_scopes  # noqa: E402
from autograd.notation import Naming  # noqa: E402
from nn.data import moons  # noqa: E402
from benchmarks.timing import cpu, paired  # noqa: E402


def one_sample(widths, fused, scopes=False):
    model = nn.MLP(2, widths, fused=fused)
    if scopes:
        with record_scopes() as clusters:
            loss = nn.squared_error(model([0.5, -1.0]), 1.0)
        return loss, clusters
    return nn.squared_error(model([0.5, -1.0]), 1.0), None


def graph_size():
    print("| MLP(2,[16,16,1]), one sample | nodes | backward steps | `t<k>`/`v<k>` names |")
    print("| --- | --- | --- | --- |")
    for fused in (True, False):
        loss, _ = one_sample([16, 16, 1], fused)
        naming = Naming(loss)
        anonymous = sum(1 for name in naming.names.values() if name[:1] in 'tv' and name[1:].isdigit())
        print("| %s | %d | %d | %d |" % ("fused (default)" if fused else "fused=False", len(naming.nodes),
                                         len(naming.edges), anonymous))


def explorer(rounds):
    print("| graph | form | nodes | steps | page size | explore (CPU s incl. dot) | draw (CPU s incl. dot) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for widths in ([16, 16, 1], [32, 32, 1]):
            for fused in (True, False):
                if not fused and widths == [32, 32, 1] and rounds < 3:
                    continue            # 17-28 s a build: only in the full run
                loss, clusters = one_sample(widths, fused, scopes=True)
                path = os.path.join(folder, 'page.html')
                page = lambda: explore(loss, path, clusters=clusters, max_nodes=None)      # noqa: E731
                picture = lambda: draw(loss, clusters=clusters, max_nodes=None).pipe(format='svg')   # noqa: E731
                times = paired({'explore': page, 'draw': picture}, rounds if fused else 1, clock=cpu)
                naming = Naming(loss)
                print("| MLP(2,%s) | %s | %d | %d | %.2f MB | %.2f | %.2f |" % (
                    widths, "fused" if fused else "binary", len(naming.nodes), len(naming.edges),
                    os.path.getsize(path) / 1e6, statistics.median(times['explore']),
                    statistics.median(times['draw'])))


def accumulate(rounds):
    try:
        from micrograd import nn as mnn
    except ImportError:
        print("(micrograd is not installed: pip install micrograd==0.1.0)")
        return
    X, Y = moons(labels=(1.0, -1.0))
    fns = {}
    for fused in (True, False):
        model = nn.MLP(2, [16, 16, 1], seed=1337, fused=fused)
        trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=0.05),
                             batch_size=None, shuffle=False, mode='accumulate')
        fns['fused' if fused else 'binary'] = (lambda t: lambda: (t.fit(X, Y, epochs=1, progress=False),
                                                                gc.collect()))(trainer)
    theirs = mnn.MLP(2, [16, 16, 1])

    def micrograd_step():       # micrograd's demo: forward every sample, mean loss, backward, SGD
        losses = [(theirs(list(x)) - y) ** 2 for x, y in zip(X, Y)]
        loss = sum(losses) * (1.0 / len(losses))
        theirs.zero_grad()
        loss.backward()
        for p in theirs.parameters():
            p.data -= 0.05 * p.grad
        del loss, losses
        gc.collect()            # as ../shared/bench: micrograd's graph holds cycles, freed only here
    fns['micrograd'] = micrograd_step
    times = {k: statistics.median(v) for k, v in paired(fns, rounds, clock=cpu).items()}
    print("| Trainer accumulate step, MLP(2,[16,16,1]), n = 100 | CPU ms | micrograd's / ours |")
    print("| --- | --- | --- |")
    for name in ('fused', 'binary', 'micrograd'):
        print("| %s | %.1f | %s |" % (name, 1e3 * times[name],
                                      "%.1fx" % (times['micrograd'] / times[name]) if name != 'micrograd' else ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    print(threads())
    rounds = 3 if args.quick else 7
    graph_size()
    print()
    accumulate(rounds)
    print()
    explorer(max(2, rounds // 2))


if __name__ == '__main__':
    main()

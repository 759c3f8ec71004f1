"""The explorer page's size and build time, and draw()'s, for the graphs of the "Seeing, part 2" targets.

    python benchmarks/explorer.py          # ~10 minutes (MLP(2,[32,32,1]) as binary chains: 30 s a build)

Each row builds the page, or renders draw()'s SVG, `repeats` times: CPU time of this process
and of `dot` (its child), median; beside it, the layout time render.layout_cost estimates for dot
(the guard refuses a graph estimated past render.MAX_SECONDS; the rows here ask with max_nodes=None,
so that a graph over it is still measured).
  the seed articles' model on one sample      target: <= 200 KB, < 1 s
  the loss of MLP(2,[4,4,1]) on one sample     target: <= 1 MB,   < 3 s
  the loss of MLP(2,[16,16,1]) on one sample   target: <= 5 MB,   < 15 s
  the loss of MLP(2,[32,32,1]) on one sample   target: page and draw() < 5 s each
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import nn  # noqa: E402
from autograd import draw, explore, record_scopes, step, to_dot  # noqa: E402
from autograd.render import layout_cost  # noqa: E402
from demos.seed_worked_example import seed_model  # noqa: E402
from benchmarks.timing import cpu  # noqa: E402


def graphs():
    """(name, loss, scopes, parameters, (max bytes of the page, max seconds))"""
    model = seed_model()
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model((0, 2000, 3000)), 1)
    yield "seed articles' model, one sample", loss, scopes, model.parameters(), (200_000, 1)
    for widths, limits in (([4, 4, 1], (1_000_000, 3)), ([16, 16, 1], (5_000_000, 15)),
                           ([32, 32, 1], (None, 5))):
        mlp = nn.MLP(2, widths)
        with record_scopes() as scopes:
            loss = nn.squared_error(mlp([0.5, -1.0]), 1.0)
        yield "MLP(2,%s), one sample" % widths, loss, scopes, mlp.parameters(), limits


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    print("| graph | values | steps | what | page size | CPU s incl. dot (median of %d) | dot estimate | target |"
          % args.repeats)
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for name, loss, scopes, params, (max_bytes, max_seconds) in graphs():
            loss.backward()
            options = dict(clusters=scopes, params=params, max_nodes=None)
            estimate = layout_cost(to_dot(loss, **options)).seconds
            values, steps = len(step(loss).reset().naming.nodes), len(step(loss).reset())
            for what in ('explore', 'draw'):
                times = []
                for _ in range(args.repeats):
                    start = cpu()
                    if what == 'explore':
                        path = explore(loss, os.path.join(folder, 'page.html'), **options)
                    else:
                        draw(loss, **options).pipe(format='svg')
                    times.append(cpu() - start)
                size = "%.0f KB" % (os.path.getsize(path) / 1000) if what == 'explore' else ''
                target = ("<= %d KB, " % (max_bytes // 1000) if max_bytes and what == 'explore' else '') + \
                    "< %d s" % max_seconds
                print("| %s | %d | %d | %s | %s | %.2f | %.1f | %s |" % (name, values, steps, what, size,
                                                                       statistics.median(times), estimate, target),
                      flush=True)


if __name__ == '__main__':
    main()

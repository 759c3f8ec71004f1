"""The explorer page's size and build time, and draw()'s, for the graphs of the "Seeing, part 2" targets.

    python benchmarks/explorer.py          # ~10 minutes (MLP(2,[32,32,1]) as binary chains: 30 s a build)
    python benchmarks/explorer.py --browser   # and each page in headless Chromium: load, one step, a jump

With --browser, each page is opened in headless Chromium (playwright, /usr/bin/chromium) at 1280x800:
the time until it shows its first step, and the time from explorer.go(k) to the next frame, median
over 60 single steps (k = 200..259 or as many as there are) and over 40 jumps spread over the pass.

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
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
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
    ap.add_argument('--browser', action='store_true', help="also time each page in headless Chromium")
    args = ap.parse_args()
    print(threads())
    if args.browser:
        browser_rows()
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


FRAME_TIMES = '''async () => {
  const n = D.steps.length, frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const median = xs => xs.sort((a, b) => a - b)[xs.length >> 1];
  await frame();
  const times = [];
  for (const ks of [Array.from({length: Math.min(60, n)}, (_, i) => Math.min(n, 200) - Math.min(n, 200, 60) + i + 1),
                    Array.from({length: 40}, (_, i) => 1 + Math.floor(i * (n - 1) / 39))]) {
    const each = [];
    for (const k of ks) { const t = performance.now(); explorer.go(k); await frame(); each.push(performance.now() - t); }
    times.push(median(each));
  }
  return times; }'''


def browser_rows():
    """each page in headless Chromium: load, one step and a jump, each until the next frame."""
    import time
    from playwright.sync_api import sync_playwright
    print("| graph | page load to the first step, s | one step, ms | a jump, ms |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path='/usr/bin/chromium', args=['--no-sandbox', '--disable-gpu'])
        for name, loss, scopes, params, _ in graphs():
            path = explore(loss, os.path.join(folder, 'page.html'), clusters=scopes, params=params, max_nodes=None)
            page = chromium.new_page(viewport={'width': 1280, 'height': 800})
            start = time.perf_counter()
            page.goto('file://' + path)
            page.wait_for_function('window.explorer !== undefined')
            load = time.perf_counter() - start
            page.evaluate('explorer.animate = 0')
            one, jump = page.evaluate(FRAME_TIMES)
            print("| %s | %.2f | %.0f | %.0f |" % (name, load, one, jump), flush=True)
            page.close()
        chromium.close()
    print()


if __name__ == '__main__':
    main()

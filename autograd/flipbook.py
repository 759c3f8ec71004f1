"""flipbook(root, folder): the backward pass as pictures, one per chain-rule step,
and one self-contained HTML page (offline, no scripts from anywhere) to flip
through them with buttons or the arrow keys, each step's equation underneath."""
import html
import json
import os

from .stepper import step

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>
<style>
 body { font-family: Helvetica, Arial, sans-serif; margin: 1em; }
 #picture svg { max-width: 100%%; height: auto; }
 #equation { font-family: monospace; font-size: 1.2em; margin: 0.5em 0; min-height: 1.5em; }
 button { font-size: 1em; padding: 0.3em 1em; }
</style></head>
<body>
<h1>%(title)s</h1>
<div><button id="prev">&larr; previous</button> <span id="counter"></span> <button id="next">next &rarr;</button></div>
<div id="picture"></div>
<div id="equation"></div>
<script>
const frames = %(frames)s;
let k = 0;
function show(i) {
  k = Math.max(0, Math.min(frames.length - 1, i));
  document.getElementById('picture').innerHTML = frames[k].svg;
  document.getElementById('equation').textContent = frames[k].equation;
  document.getElementById('counter').textContent = 'step ' + k + ' of ' + (frames.length - 1);
}
document.getElementById('prev').onclick = () => show(k - 1);
document.getElementById('next').onclick = () => show(k + 1);
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowLeft') show(k - 1);
  if (e.key === 'ArrowRight') show(k + 1);
});
show(0);
</script>
</body></html>
"""


MAX_STEPS = 200     # each step is a whole picture: 200 of a small graph is already ~20 MB


def flipbook(root, folder, title="The backward pass, one step at a time", max_steps=MAX_STEPS, **options):
    """Write step_000.svg (the start) .. step_NNN.svg and index.html into folder;
    returns the page's path. Needs the Graphviz `dot` program (see draw). Every
    .grad is left as it was. A backward pass of more than max_steps steps raises
    ValueError (None: no limit): the pages grow with steps x nodes."""
    stepper = step(root)
    try:
        if max_steps is not None and len(stepper) > max_steps:
            raise ValueError("flipbook: this backward pass has %d steps, more than max_steps=%d (one picture "
                             "each); step a smaller part, e.g. a single sample's loss, or pass max_steps=None"
                             % (len(stepper), max_steps))
        os.makedirs(folder, exist_ok=True)
        frames = []
        for k in range(len(stepper) + 1):
            if k:
                stepper.next()
            svg = stepper.draw(**options).pipe(format='svg').decode('utf-8')
            svg = svg[svg.index('<svg'):]                # drop the XML prologue so it can sit inline
            with open(os.path.join(folder, 'step_%03d.svg' % k), 'w', encoding='utf-8') as f:
                f.write(svg)
            frames.append({'svg': svg, 'equation': str(stepper.steps[-1]) if k else stepper.where()})
    finally:
        stepper.reset()
    page = os.path.join(folder, 'index.html')
    with open(page, 'w', encoding='utf-8') as f:
        f.write(PAGE % {'title': html.escape(title), 'frames': script_json(frames)})
    return page


def script_json(data):
    """data as JSON that is safe inside <script>: no '<', '>' or '&' at all (so neither
    '</script>' nor '<!--' can change how the browser reads the script), and no
    U+2028/U+2029, which end a line in older JavaScript."""
    text = json.dumps(data)
    for c in '<>&\u2028\u2029':
        text = text.replace(c, '\\u%04x' % ord(c))
    return text

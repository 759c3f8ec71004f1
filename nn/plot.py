"""A training run as a picture: the loss (and accuracy) per epoch as a small SVG, drawn in Python so
that a notebook shows it with nothing installed (matplotlib is optional). History's notebook view.

Each series is mapped linearly onto the plot: an epoch e at x = left + e / epochs * width (a step j of
m at e = j * epochs / m, the end of its share of the run), a loss v at y = top + (high - v) / (high - low)
* height over the loss axis [low, high] (its ticks, from 0 or below), an accuracy a on the right
axis [0, 1] the same way. Every tick is drawn where that mapping puts it, so the ticks read the
points back.
"""
import html
import math

WIDTH, HEIGHT = 560, 230                               # the SVG's natural size, in CSS px
LEFT, RIGHT, TOP, BOTTOM = 58, 52, 30, 36              # margins around the plot
COLOURS = {'loss': '#1f77b4', 'step': '#aec7e8', 'accuracy': '#ff7f0e', 'grid': '#e5e5e5', 'text': '#333333'}
MARKERS = 40        # epochs up to which each epoch's point is also marked (a single epoch is then a dot)


def nice_ticks(low, high, count=5):
    """round tick values (steps of 1, 2 or 5 times a power of ten, about (high - low) / count) from at
    most low to at least high; a flat range [v, v] is widened around v."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("nice_ticks: low and high must be finite, got %r and %r" % (low, high))
    if high < low:
        raise ValueError("nice_ticks: high must be >= low, got low=%r, high=%r" % (low, high))
    if high == low:
        low, high = (low - 1, high + 1) if low == 0 else (low - abs(low) / 2, high + abs(high) / 2)
    rough = (high - low) / count
    power = 10 ** math.floor(math.log10(rough))
    # the round step nearest `rough` on a log scale (thresholds sqrt(2), sqrt(10), sqrt(50), as d3's ticks)
    step = power * next(m for m, at in ((10, 50 ** 0.5), (5, 10 ** 0.5), (2, 2 ** 0.5), (1, 0)) if rough / power >= at)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def curve_svg(epoch_loss, step_loss=(), epoch_accuracy=()):
    """the SVG text: the loss per epoch (a line, and a dot per epoch where there are at most MARKERS),
    the loss per step behind it in a lighter colour (where there is more than one step per epoch),
    and the accuracy per epoch on a right-hand axis from 0 to 1 (where given). A value that is not
    a finite number breaks its line (it is not drawn)."""
    epochs = len(epoch_loss)
    if epochs == 0:
        raise ValueError("curve_svg: there is no epoch to draw (epoch_loss is empty)")
    losses = [_number(v) for v in epoch_loss]
    steps = [_number(v) for v in step_loss] if len(step_loss) > epochs else []
    finite = [v for v in losses + steps if math.isfinite(v)] or [0.0]
    ticks = nice_ticks(min(0.0, min(finite)), max(finite))
    low, high = ticks[0], ticks[-1]
    width, height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(e):
        return LEFT + e / epochs * width

    def y(v, low=low, high=high):
        return TOP + (high - v) / (high - low) * height if math.isfinite(v) else None

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" class="history" width="%d" height="%d" viewBox="0 0 %d %d" '
             'style="max-width:100%%;height:auto" font-family="sans-serif" font-size="11" fill="%s">'
             % (WIDTH, HEIGHT, WIDTH, HEIGHT, COLOURS['text'])]
    for value in ticks:
        parts.append('<g class="ytick" transform="translate(0,%s)"><line x1="%d" x2="%d" stroke="%s"/>'
                     '<text x="%d" dy="0.35em" text-anchor="end">%s</text></g>'
                     % (_n(y(value)), LEFT, LEFT + width, COLOURS['grid'], LEFT - 6, _tick(value)))
    for e in nice_ticks(0, epochs, 6):
        if 0 <= e <= epochs and e == int(e):
            parts.append('<g class="xtick" transform="translate(%s,0)"><line y1="%d" y2="%d" stroke="%s"/>'
                         '<text y="%d" text-anchor="middle">%d</text></g>'
                         % (_n(x(e)), TOP + height, TOP + height + 4, COLOURS['text'], TOP + height + 16, e))
    parts.append('<text x="%d" y="%d" text-anchor="middle">epoch</text>' % (LEFT + width / 2, HEIGHT - 4))
    parts.append('<text transform="translate(14,%d) rotate(-90)" text-anchor="middle">loss</text>'
                 % (TOP + height / 2))
    legend = []
    if steps:
        m = len(steps)
        parts += _lines('step-loss', [(x((j + 1) * epochs / m), y(v)) for j, v in enumerate(steps)], COLOURS['step'], 1)
        legend.append(('step', 'loss per step (batch)'))
    points = [(x(e + 1), y(v)) for e, v in enumerate(losses)]
    parts += _lines('loss', points, COLOURS['loss'], 2)
    if epochs <= MARKERS:
        parts += ['<circle class="loss-point" cx="%s" cy="%s" r="2.5" fill="%s"/>' % (_n(px), _n(py), COLOURS['loss'])
                  for px, py in points if py is not None]
    legend.insert(0, ('loss', 'loss per epoch'))
    if len(epoch_accuracy):
        accuracy = [_number(a) for a in epoch_accuracy]
        for value in (0, 0.25, 0.5, 0.75, 1):
            parts.append('<g class="atick" transform="translate(0,%s)"><line x1="%d" x2="%d" stroke="%s"/>'
                         '<text x="%d" dy="0.35em">%d%%</text></g>'
                         % (_n(y(value, 0, 1)), LEFT + width, LEFT + width + 4, COLOURS['accuracy'],
                            LEFT + width + 7, round(value * 100)))
        parts.append('<text transform="translate(%d,%d) rotate(90)" text-anchor="middle" fill="%s">accuracy</text>'
                     % (WIDTH - 8, TOP + height / 2, COLOURS['accuracy']))
        acc_points = [(x(e + 1), y(a, 0, 1)) for e, a in enumerate(accuracy)]
        parts += _lines('accuracy', acc_points, COLOURS['accuracy'], 2)
        if epochs <= MARKERS:
            parts += ['<circle class="accuracy-point" cx="%s" cy="%s" r="2.5" fill="%s"/>'
                      % (_n(px), _n(py), COLOURS['accuracy']) for px, py in acc_points if py is not None]
        legend.append(('accuracy', 'accuracy (right axis)'))
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999999"/>'
                 % (LEFT, TOP, width, height))
    at = LEFT
    for key, words in legend:
        parts.append('<line x1="%d" x2="%d" y1="12" y2="12" stroke="%s" stroke-width="3"/>'
                     '<text x="%d" y="16">%s</text>' % (at, at + 16, COLOURS[key], at + 20, html.escape(words)))
        at += 30 + 6 * len(words)
    parts.append('</svg>')
    return ''.join(parts)


def _lines(name, points, colour, width):
    """one polyline per run of drawable points (a point with y None, not finite, breaks the line)."""
    runs, run = [], []
    for px, py in points + [(None, None)]:
        if py is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((px, py))
    return ['<polyline class="%s" fill="none" stroke="%s" stroke-width="%d" stroke-linejoin="round" points="%s"/>'
            % (name, colour, width, ' '.join('%s,%s' % (_n(px), _n(py)) for px, py in run)) for run in runs]


def _number(v):
    """a loss or accuracy as a float (a Fraction, a numpy number); nan where it is none."""
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _n(v):
    """a coordinate as SVG text, to 1/1000 px; None (a value that is not finite) stays None."""
    return None if v is None else ('%.3f' % v).rstrip('0').rstrip('.')


def _tick(value):
    return ('%.6g' % value)

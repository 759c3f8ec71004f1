"""History in a notebook: one line as its repr, and its curves as an SVG drawn in Python (nn/plot.py),
read back through the axes' own ticks."""
import math
import re
from fractions import Fraction

import pytest

import nn
from nn.plot import curve_svg, nice_ticks


def polylines(svg, name):
    """[[(x, y), ...], ...]: the points of each polyline of class `name`."""
    return [[tuple(map(float, p.split(','))) for p in points.split()]
            for points in re.findall(r'<polyline class="%s"[^>]* points="([^"]*)"' % name, svg)]


def ticks(svg, name, axis):
    """{value: position} of the ticks of class `name`: their label, and where the line is drawn."""
    found = {}
    for place, label in re.findall(r'<g class="%s" transform="translate\(([^)]*)\)">.*?<text[^>]*>([^<]*)</text>'
                                   % name, svg):
        x, y = map(float, place.split(','))
        found[float(label.rstrip('%')) / (100 if label.endswith('%') else 1)] = y if axis == 'y' else x
    return found


def inverse(ticks):
    """the linear map from position back to value, fitted through the two ticks farthest apart."""
    (v0, p0), (v1, p1) = min(ticks.items()), max(ticks.items())
    return lambda p: v0 + (p - p0) * (v1 - v0) / (p1 - p0)


def trained():
    X, Y = nn.data.moons(40, seed=1, labels=(-1, 1))
    model = nn.MLP(2, [4, 1])
    trainer = nn.Trainer(model, nn.hinge, nn.SGD(model.parameters(), 0.1), batch_size=10)
    return trainer.fit(X, Y, epochs=6, progress=False)


def test_the_repr_is_one_line_with_epochs_first_and_last_loss_and_accuracy():
    h = nn.History([0.75, 0.5, 0.25], [1.0, 0.5, 0.5, 0.5, 0.25, 0.25], [0.5, 0.625, 0.875])
    assert repr(h) == "History(3 epochs (6 steps), loss 0.75 -> 0.25, accuracy 0.875)"
    assert repr(nn.History([Fraction(1, 3)], [Fraction(1, 3)])) == "History(1 epoch (1 steps), loss 0.3333 -> 0.3333)"
    assert repr(nn.History()) == "History(0 epochs (0 steps))" and nn.History()._repr_html_().count('<svg') == 0
    h = trained()
    assert len(repr(h)) < 100 and '\n' not in repr(h)
    assert len(h.epoch_loss) == 6 and len(h.step_loss) == 24 and len(h.epoch_accuracy) == 6   # attributes as they were
    assert h == nn.History(list(h.epoch_loss), list(h.step_loss), list(h.epoch_accuracy))     # still a dataclass


def test_the_plot_shows_historys_numbers():
    h = trained()
    html = h._repr_html_()
    assert html.count('<svg') == 1 and 'History: 6 epochs (24 steps), loss ' in html and '→' in html
    svg = html[html.index('<svg'):html.index('</svg>') + 6]
    x_of = inverse(ticks(svg, 'xtick', 'x'))
    loss_of = inverse(ticks(svg, 'ytick', 'y'))
    accuracy_of = inverse(ticks(svg, 'atick', 'y'))
    [loss] = polylines(svg, 'loss')
    assert [round(x_of(x), 6) for x, _ in loss] == [1, 2, 3, 4, 5, 6]               # epoch e drawn at e
    assert [loss_of(y) for _, y in loss] == pytest.approx(h.epoch_loss, abs=1e-4)
    [accuracy] = polylines(svg, 'accuracy')
    assert [accuracy_of(y) for _, y in accuracy] == pytest.approx(h.epoch_accuracy, abs=1e-4)
    [steps] = polylines(svg, 'step-loss')                  # 4 steps an epoch: step j at epoch j / 4
    assert [x_of(x) for x, _ in steps] == pytest.approx([j / 4 for j in range(1, 25)], abs=1e-4)
    assert [loss_of(y) for _, y in steps] == pytest.approx(h.step_loss, abs=1e-4)


def test_the_inverse_can_fail():
    # a plot whose points were mapped wrongly (here: shifted) is caught by the read-back above
    svg = curve_svg([1.0, 0.5])
    shifted = svg.replace('<polyline class="loss"', '<polyline class="other"')
    assert polylines(shifted, 'loss') == []
    loss_of = inverse(ticks(svg, 'ytick', 'y'))
    [points] = polylines(svg, 'loss')
    assert [loss_of(y + 1) for _, y in points] != pytest.approx([1.0, 0.5], abs=1e-4)


def test_a_value_that_is_not_finite_breaks_the_line_and_one_epoch_is_a_dot():
    svg = curve_svg([1.0, 0.8, math.nan, 0.4, 0.2])
    assert [len(run) for run in polylines(svg, 'loss')] == [2, 2]
    one = curve_svg([0.5])
    assert one.count('class="loss-point"') == 1 and 'class="atick"' not in one


def test_nice_ticks_by_hand():
    assert nice_ticks(0, 0.93) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 20, 6) == [0, 5, 10, 15, 20]
    assert nice_ticks(0, 1.5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6]        # 0.3 a tick: nearest is 0.2
    assert nice_ticks(-0.3, 0.3) == [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]
    assert nice_ticks(2.0, 2.0) == [1.0, 1.5, 2.0, 2.5, 3.0]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"nice_ticks: high must be >= low, got low=1, high=0"):
        nice_ticks(1, 0)
    with pytest.raises(ValueError, match=r"nice_ticks: low and high must be finite, got 0 and nan"):
        nice_ticks(0, math.nan)
    with pytest.raises(ValueError, match=r"curve_svg: there is no epoch to draw"):
        curve_svg([])

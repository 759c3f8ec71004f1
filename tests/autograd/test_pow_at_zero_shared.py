"""The inf slope of w ** b at w = 0 (0 < b < 1) meeting several samples' gradients
(issue 20, "also known"): one shared pow node sums the samples' gradients and then
multiplies by inf; a pow node per sample multiplies each by inf and then sums. In IEEE
arithmetic inf * (g1 + g2) is not inf * g1 + inf * g2, so the two can read inf and nan.
The README's pow-at-0 convention says so; these tests hold it to what it says."""
import math
from pathlib import Path

import pytest

from autograd import Lanes, Value, detect_anomaly

np = pytest.importorskip("numpy")

# the samples' gradients reaching w ** 0.5 (each sample's loss is (w ** 0.5) * x)
CASES = [
    ([1.0, 2.0], math.inf, math.inf),         # all of one sign: inf both ways
    ([1.0, 0.0], math.inf, math.nan),         # one 0: inf * 0 is nan, per sample
    ([1.0, -0.5], math.inf, math.nan),        # opposite signs: inf + -inf, per sample
    ([-1.0, 0.25], -math.inf, math.nan),
    ([1.0, -1.0], math.nan, math.nan),        # a sum of 0: inf * 0 either way
]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def shared_lanes(xs):
    w = Value(0.0, label='w')
    ((w ** 0.5) * Lanes(xs)).sum().backward()        # a one-number w: one pow node for all lanes
    return w.grad


def shared_scalar(xs):
    w = Value(0.0, label='w')
    s = w ** 0.5
    sum(s * x for x in xs).backward()
    return w.grad


def per_sample_scalar(xs):
    w = Value(0.0, label='w')
    for x in xs:                                      # as Trainer(mode='accumulate') does
        ((w ** 0.5) * x).backward()
    return w.grad


def per_sample_in_one_graph(xs):
    w = Value(0.0, label='w')
    sum((w ** 0.5) * x for x in xs).backward()
    return w.grad


@pytest.mark.parametrize('xs, shared, per_sample', CASES)
def test_one_shared_pow_node_sums_first_a_pow_per_sample_multiplies_first(xs, shared, per_sample):
    assert same(shared_lanes(xs), shared) and same(shared_scalar(xs), shared)
    assert same(per_sample_scalar(xs), per_sample) and same(per_sample_in_one_graph(xs), per_sample)
    # by hand: the shared node gets the sum of the slopes' products, then one inf
    assert same(math.inf * math.fsum(xs), shared)
    total = 0.0
    for x in xs:
        total += math.inf * x
    assert same(total, per_sample)


@pytest.mark.parametrize('build', [shared_lanes, shared_scalar, per_sample_scalar, per_sample_in_one_graph])
def test_detect_anomaly_stops_at_the_pow_node_either_way(build):
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"the gradient of Value\(data=0\.0, grad=.*label='w'\) is "
                                                     r"(inf|-inf|nan), after backprop through .*\(op '\*\*'\)"):
            build([1.0, 0.0])


def test_the_readme_names_the_difference():
    text = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    convention = text[text.index("- **pow at 0**"):]
    convention = convention[:convention.index(" - **")]
    assert "inf · (g1 + g2)" in convention and "one `w ** 0.5` node" in convention
    assert "nan" in convention and "detect_anomaly()" in convention

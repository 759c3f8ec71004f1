"""Lanes: every op on a batch against the same op applied sample by sample with the
scalar engine (hypothesis; exact with Fractions), reductions into shared leaves,
mixed operands, reuse, depth, errors with the sample's index, and PyTorch float64."""
import gc
import math
import os
import re
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

np = pytest.importorskip('numpy')

from autograd import Value, detect_anomaly, grad, no_grad  # noqa: E402
from autograd.lanes import LaneSum, Lanes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ------------------------------------------------------------------ every op, lane by lane vs sample by sample
# Each op's domain keeps both engines away from errors; values include 0 where an op has a case at 0.
FLOATS = st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 3))
POSITIVE = st.floats(0.1, 3).map(lambda x: round(x, 3))
FRACTIONS = st.fractions(-3, 3, max_denominator=20)
POS_FRACTIONS = st.fractions(Fraction(1, 10), 3, max_denominator=20)
ZEROISH = st.sampled_from([0, 0.0, 1.5, -2.0])

BINARY = {
    '+': lambda a, b: a + b, '-': lambda a, b: a - b, '*': lambda a, b: a * b,
    '/': lambda a, b: a / b, '**': lambda a, b: a ** b,
}
UNARY = {
    'exp': lambda a: a.exp(), 'log': lambda a: a.log(), 'tanh': lambda a: a.tanh(),
    'sigmoid': lambda a: a.sigmoid(), 'relu': lambda a: a.relu(), 'relu1': lambda a: a.relu(grad_at_zero=1),
    'neg': lambda a: -a,
}
FLOAT_ONLY = {'exp', 'log', 'tanh', 'sigmoid'}      # their results are floats in either engine


def _domain(op, exact):
    """(strategy for a, strategy for b) where op is defined in both engines."""
    anything, positive = (FRACTIONS, POS_FRACTIONS) if exact else (FLOATS, POSITIVE)
    if op == '/':
        return anything, positive
    if op == '**':
        return positive, (st.integers(-3, 3) if exact else FLOATS)
    if op == 'log':
        return positive, None
    if op.startswith('relu'):
        return st.one_of(anything, st.just(Fraction(0) if exact else 0.0)), None
    return anything, (anything if op in BINARY else None)


def _close(x, y):
    if isinstance(x, float) or isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) or (math.isnan(x) and math.isnan(y))
    return x == y


def _same_lanes(lanes, numbers):
    values = lanes.tolist() if isinstance(lanes, np.ndarray) else list(lanes)
    return len(values) == len(numbers) and all(_close(float(u) if isinstance(u, np.floating) else u, v)
                                               for u, v in zip(values, numbers))


@st.composite
def op_case(draw, exact):
    op = draw(st.sampled_from(sorted(BINARY) + sorted(UNARY)))
    assume(not (exact and op in FLOAT_ONLY and op != 'log'))    # keep exact cases exact
    assume(not (exact and op == 'log'))
    n = draw(st.integers(1, 5))
    sa, sb = _domain(op, exact)
    xs = draw(st.lists(sa, min_size=n, max_size=n))
    up = draw(st.lists(FRACTIONS if exact else FLOATS, min_size=n, max_size=n))   # an upstream weight per sample
    if op in UNARY:
        return op, 'lanes', xs, None, up
    # the second operand: lanes, a shared one-number Value, a constant, or a constant array; either side
    kind = draw(st.sampled_from(['lanes', 'value', 'number', 'array']))
    ys = draw(st.lists(sb, min_size=n, max_size=n)) if kind in ('lanes', 'array') else draw(sb)
    swapped = draw(st.booleans()) and op not in ('/', '**')     # keep the domain's order for / and **
    return op, (kind, swapped), xs, ys, up


def _run_lanes(op, how, xs, ys, up):
    x = Lanes(xs, label='x')
    shared = None
    if op in UNARY:
        out = UNARY[op](x)
    else:
        kind, swapped = how
        other = {'lanes': lambda: Lanes(ys, label='y'), 'value': lambda: Value(ys, label='w'),
                 'number': lambda: ys, 'array': lambda: np.array(ys, dtype=object if not
                                                                 isinstance(ys[0], float) else float)}[kind]()
        if kind == 'value':
            shared = other
        out = BINARY[op](other, x) if swapped else BINARY[op](x, other)
    root = (out * Lanes(up)).sum()
    root.backward()
    return out, x, shared, root


def _run_scalar(op, how, xs, ys, up):
    """the same op, one sample at a time, on the scalar engine; a shared Value accumulates."""
    outs, xgrads = [], []
    shared = Value(ys) if how != 'lanes' and how[0] == 'value' else None
    for i, xi in enumerate(xs):
        x = Value(xi)
        if op in UNARY:
            out = UNARY[op](x)
        else:
            kind, swapped = how
            other = {'lanes': lambda: Value(ys[i]), 'value': lambda: shared, 'number': lambda: ys,
                     'array': lambda: ys[i]}[kind]()
            out = BINARY[op](other, x) if swapped else BINARY[op](x, other)
        (out * up[i]).backward()
        outs.append(out.data)
        xgrads.append(x.grad)
    return outs, xgrads, shared


def _check(case):
    op, how, xs, ys, up = case
    out, x, shared, root = _run_lanes(op, how, xs, ys, up)
    outs, xgrads, shared_scalar = _run_scalar(op, how, xs, ys, up)
    assert _same_lanes(out.data, outs)
    assert _same_lanes(x.grad, xgrads)
    if shared is not None:                  # the reduction: the sum of the per-sample gradients
        assert _close(shared.grad, shared_scalar.grad)
    return out, x, shared, xgrads, shared_scalar


@settings(max_examples=300, deadline=None)
@given(op_case(exact=False))
def test_every_op_on_float_lanes_is_the_scalar_op_sample_by_sample(case):
    out, x, shared, _, _ = _check(case)
    assert out.data.dtype == float and x.grad.dtype == float
    if shared is not None:
        assert shared.grad.__class__ is float          # a float graph's gradients are floats


@settings(max_examples=300, deadline=None)
@given(op_case(exact=True))
def test_every_op_on_exact_lanes_is_the_scalar_op_sample_by_sample_exactly(case):
    out, x, shared, xgrads, shared_scalar = _check(case)
    # exact where the scalar engine is exact (d(a**b)/db = a^b log a is a float in both)
    assert [type(g) for g in x.grad.tolist()] == [type(g) for g in xgrads]
    if shared is not None:
        assert type(shared.grad) is type(shared_scalar.grad)


def test_every_op_in_the_table_is_covered_on_lanes():
    from autograd import OPS
    from autograd.lanes import LANE_FORWARD
    covered = set(BINARY) | {'exp', 'log', 'tanh', 'sigmoid', 'relu', 'sum', 'dot'}   # dot: test_dot.py
    assert set(OPS) == covered == set(LANE_FORWARD)


@pytest.mark.parametrize('x', [0.0, 2.0, -1.0, 0.5])
@pytest.mark.parametrize('n', [0, 0.5, 2, -1, 3.0])
def test_pow_at_and_near_zero_is_the_scalar_pow_lane_by_lane(x, n):
    # pow_slope's cases at 0 (0 where n == 0, inf where 0 < n < 1) kept lane by lane
    xs = [x, 1.5, x]
    try:
        expected = [(Value(v) ** n) for v in xs]
    except (ZeroDivisionError, ValueError):
        with pytest.raises((ZeroDivisionError, ValueError)):
            Lanes(xs) ** n
        return
    for e in expected:
        e.backward()
    lanes = Lanes(xs)
    out = lanes ** n
    out.sum().backward()
    assert _same_lanes(out.data, [e.data for e in expected])
    assert _same_lanes(lanes.grad, [e._a.grad for e in expected])


def test_relu_at_zero_keeps_both_conventions_lane_by_lane():
    for gaz, want in ((0, [0.0, 0.0, 1.0]), (1, [0.0, 1.0, 1.0])):
        x = Lanes([-1.0, 0.0, 2.0])
        x.relu(gaz).sum().backward()
        assert x.grad.tolist() == want
    x = Lanes([Fraction(-1), Fraction(0), Fraction(2)])
    x.relu(Fraction(1, 2)).sum().backward()
    assert x.grad.tolist() == [0, Fraction(1, 2), 1]


# ------------------------------------------------------------------ reductions into shared leaves

def test_a_shared_weight_receives_the_sum_of_the_per_sample_gradients():
    # by hand: d/dw sum_i (w x_i + b)^2 = sum_i 2 (w x_i + b) x_i; d/db = sum_i 2 (w x_i + b)
    w, b = Value(Fraction(1, 2)), Value(Fraction(-1, 3))
    xs = [Fraction(1), Fraction(2), Fraction(-3)]
    ((w * Lanes(xs) + b) ** 2).sum().backward()
    assert w.grad == sum(2 * (Fraction(1, 2) * x - Fraction(1, 3)) * x for x in xs)
    assert b.grad == sum(2 * (Fraction(1, 2) * x - Fraction(1, 3)) for x in xs)


def test_the_edge_into_a_shared_weight_is_a_lanesum_of_per_sample_slopes():
    w = Value(3.0, label='w')
    x = Lanes([1.0, 2.0, 4.0], label='x')
    t = w * x
    (local,) = [d for p, d in zip(t.parents, t.local_grads) if p is w]
    assert isinstance(local, LaneSum) and local.lanes().tolist() == [1.0, 2.0, 4.0]
    g = np.array([1.0, 10.0, 100.0])
    assert local.contributions(g).tolist() == [1.0, 20.0, 400.0] and local * g == 421.0
    # the lane parent gets a plain per-lane slope, no reduction
    assert [d for p, d in zip(t.parents, t.local_grads) if p is x] == [3.0]


def test_a_one_number_intermediate_parent_is_reduced_too():
    w = Value(2.0)
    v = w * 3.0                              # one number, not a leaf
    x = Lanes([1.0, -1.0, 5.0])
    (v * x).sum().backward()
    assert w.grad == 3.0 * (1.0 - 1.0 + 5.0)


def test_reused_nodes_and_a_weight_used_twice():
    w = Value(Fraction(2))
    x = Lanes([Fraction(1), Fraction(-2), Fraction(3)])
    t = w * x
    u = t * t + t * w + x * x                 # t reused, w on two paths, x squared
    u.sum().backward()
    for i, xi in enumerate([1, -2, 3]):
        ws, xs_ = Value(Fraction(2)), Value(Fraction(xi))
        ts = ws * xs_
        (ts * ts + ts * ws + xs_ * xs_).backward()
        assert x.grad[i] == xs_.grad
    # w's gradient by hand: d/dw (w^2 x^2 + w^2 x + x^2) = 2 w x^2 + 2 w x, summed over the lanes
    assert w.grad == sum(2 * 2 * xi * xi + 2 * 2 * xi for xi in [1, -2, 3])


def test_a_deep_lane_graph_backprops_iteratively():
    x = Lanes([1.0, 2.0])
    w = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0001 + w * 0.0
    y.sum().backward()
    assert _same_lanes(x.grad, [1.0001 ** 20_000] * 2)
    assert w.grad == 0.0


def test_a_lane_root_starts_every_lane_at_one():
    x = Lanes([1.0, 2.0, 3.0])
    w = Value(2.0)
    (w * x).backward()                        # each sample's own backward pass, summed into w
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and w.grad == 6.0


def test_grad_sums_lanes_and_create_graph_refuses_lanes_clearly():
    w = Value(2.0)
    x = Lanes([1.0, 2.0])
    loss = (w * w * x).sum()
    assert grad(loss, [w]) == [2 * 2.0 * 3.0]
    with pytest.raises(NotImplementedError, match=r"create_graph=True.*lanes"):
        grad(loss, [w], create_graph=True)
    assert grad(Value(3.0) ** 3, Value(1.0), create_graph=True).data == 0    # scalars unchanged


def test_no_grad_gives_lane_leaves():
    with no_grad():
        out = Lanes([1.0, 2.0]) * Value(3.0)
    assert isinstance(out, Lanes) and out.is_leaf() and out.data.tolist() == [3.0, 6.0]


# ------------------------------------------------------------------ arrays as operands, API

def test_a_plain_array_is_a_constant_lane_operand_either_side():
    x = Lanes([1.0, 2.0])
    for out in (x * np.array([3.0, 4.0]), np.array([3.0, 4.0]) * x):
        assert isinstance(out, Lanes) and out.data.tolist() == [3.0, 8.0]
        assert len(out.parents) == 1 and out.parents[0] is x


def test_a_one_number_value_still_refuses_a_bare_array_and_says_how():
    with pytest.raises(TypeError, match=r"for a batch, make the array lanes: autograd.Lanes"):
        Value(2.0) * np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"for a batch, make the array lanes"):
        np.array([1.0, 2.0]) + Value(2.0)


def test_lanes_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match=r"different numbers of samples: 2 and 3"):
        Lanes([1.0, 2.0]) + Lanes([1.0, 2.0, 3.0])


def test_lanes_keep_exact_numbers_exact_and_floats_float():
    assert Lanes([1, Fraction(1, 2)]).data.dtype == object
    assert Lanes([1, 0.5]).data.dtype == float
    assert Lanes(np.array([1, 2])).data.tolist() == [1, 2] and Lanes(np.array([1, 2])).data.dtype == object
    with pytest.raises(ValueError, match="at least one sample"):
        Lanes([])
    with pytest.raises(ValueError, match="1-D"):
        Lanes(np.zeros((2, 2)))


def test_autograd_exports_lanes_lazily():
    import autograd
    assert autograd.Lanes is Lanes


# ------------------------------------------------------------------ errors name the sample

def test_errors_name_the_operation_the_sample_and_its_value():
    xs = [1.0] * 20
    xs[17] = -0.5
    with pytest.raises(ValueError, match=r"^log\(x\[sample 17\]=-0\.5\): log is defined only for positive"):
        Lanes(xs, label='x').log()
    with pytest.raises(ZeroDivisionError, match=r"^a\[sample 1\]=2\.0 / b\[sample 1\]=0\.0: division by zero"):
        Lanes([1.0, 2.0], label='a') / Lanes([1.0, 0.0], label='b')
    with pytest.raises(OverflowError, match=r"^exp\(lanes\[sample 1\]=800\.0\): the result is too large"):
        Lanes([1.0, 800.0]).exp()
    with pytest.raises(ZeroDivisionError, match=r"^x\[sample 2\]=0 / lanes\[sample 2\]=0: division by zero"):
        Lanes([1, 2, 0], label='x') / Lanes([1, 1, 0])  # noqa  (the first offending sample)
    with pytest.raises(ValueError, match=r"^lanes\[sample 0\]=-8\.0 \*\* 0\.5: a negative base"):
        Lanes([-8.0, 4.0]) ** 0.5


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")   # numpy's note of the inf
def test_detect_anomaly_names_the_sample():
    with detect_anomaly():
        x = Lanes([1.0, 1e300], label='x')
        with pytest.raises(FloatingPointError, match=r"^detect_anomaly: x\[sample 1\]=1e\+300 \* 10000000000\.0 produced inf"):
            x * 1e10


# ------------------------------------------------------------------ PyTorch float64, a second opinion

def test_an_mlp_batch_gradient_matches_pytorch_float64():
    torch = pytest.importorskip('torch')
    import nn
    X, Y = nn.data.moons(23, noise=0.1, seed=4, labels=(-1, 1))
    model = nn.MLP(2, [5, 4, 1], seed=2)
    out = model(np.array(X))
    loss = nn.hinge(out, Y).mean()
    loss.backward()
    # the same network in torch tensor ops, one matrix per layer
    h = torch.tensor(X, dtype=torch.float64)
    params = []
    for k, layer in enumerate(model.layers):
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        params.append((W, b))
        h = h @ W.T + b
        if k < len(model.layers) - 1:
            h = torch.relu(h)
    t_loss = torch.relu(1 - h[:, 0] * torch.tensor(Y, dtype=torch.float64)).mean()
    t_loss.backward()
    assert math.isclose(loss.data, t_loss.item(), rel_tol=1e-12)
    for layer, (W, b) in zip(model.layers, params):
        for j, n in enumerate(layer.neurons):
            assert np.allclose([w.grad for w in n.w], W.grad[j].numpy(), rtol=1e-12, atol=1e-15)
            assert math.isclose(n.b.grad, b.grad[j].item(), rel_tol=1e-12, abs_tol=1e-15)


# ------------------------------------------------------------------ no cycles, no numpy

def test_lane_and_scalar_graphs_hold_no_reference_cycles():
    # the trainer pauses the cyclic collector on this promise: freed by reference counting alone
    import nn
    X, Y = nn.data.moons(10, noise=0.1, seed=0, labels=(-1, 1))
    model = nn.MLP(2, [4, 1], seed=0)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for build in (lambda: nn.hinge(model(np.array(X)), Y).mean(),                   # lanes
                      lambda: sum(nn.hinge(model(x), y) for x, y in zip(X, Y))):       # scalar
            loss = build()
            loss.backward()
            del loss
            assert gc.collect() == 0
        trainer = nn.Trainer(model, nn.hinge, nn.SGD(model.parameters(), lr=0.1), mode='lanes')
        trainer.fit(X, Y, epochs=1, progress=False)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_the_scalar_engine_and_its_tests_run_without_numpy():
    # numpy blocked: `import numpy` raises ImportError in the child, as if it were not installed
    code = ("import sys\n"
            "class NoNumpy:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'numpy' or name.startswith('numpy.'):\n"
            "            raise ModuleNotFoundError('numpy is blocked in this test', name=name)\n"
            "sys.meta_path.insert(0, NoNumpy())\n"
            "import autograd, nn\n"
            "from autograd import *\n"
            "assert 'Lanes' not in autograd.__all__ and 'Lanes' in dir(autograd)\n"
            "from autograd import Value\n"
            "a = Value(2.0); b = a * a + a; b.backward(); assert a.grad == 5.0\n"
            "try:\n    autograd.Lanes\nexcept ImportError as e:\n    print('refused:', e)\n"
            "X, Y = nn.data.moons(20, noise=0.1, seed=0, labels=(-1, 1))\n"
            "m = nn.MLP(2, [4, 1]); t = nn.Trainer(m, nn.hinge, nn.SGD(m.parameters(), lr=0.1))\n"
            "t.fit(X, Y, epochs=2, progress=False)\n"
            "try:\n    nn.Trainer(m, nn.hinge, nn.SGD(m.parameters(), lr=0.1), mode='lanes').fit(X, Y, progress=False)\n"
            "except ImportError as e:\n    print('lanes refused:', e)\n"
            "import pytest\n"
            "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/autograd/test_value.py',\n"
            "                      'tests/autograd/test_backward.py', 'tests/autograd/test_ops.py',\n"
            "                      'tests/nn/test_trainer.py']))\n")
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "refused: autograd.Lanes needs numpy" in out.stdout
    assert "lanes refused: Trainer(mode='lanes') needs numpy" in out.stdout
    assert " passed" in out.stdout and " failed" not in out.stdout
    assert "'numpy' in sys.modules" not in out.stdout


# ------------------------------------------------------------------ views: one sample's lane, the reduction as a step

def test_lanes_is_listed_and_star_imported_where_numpy_is_installed_and_numpy_is_still_lazy():
    code = ("import sys, autograd\n"
            "assert 'numpy' not in sys.modules, 'import autograd imported numpy'\n"
            "assert 'Lanes' in dir(autograd) and 'Lanes' in autograd.__all__\n"
            "assert 'numpy' not in sys.modules, 'listing Lanes imported numpy'\n"
            "ns = {}\n"
            "exec('from autograd import *', ns)\n"
            "print(ns['Lanes'].__name__, ns['Value'].__name__, autograd.__version__)\n")
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    import autograd
    import nn
    assert out.stdout.split() == ['Lanes', 'Value', autograd.__version__] and nn.__version__ == autograd.__version__
    assert re.fullmatch(r'\d+\.\d+\.\d+', autograd.__version__)


def _small_lane_graph():
    w = Value(2.0, label='w')
    x = Lanes([1.0, -2.0, 3.0], label='x')
    t = w * x
    t.label = 't'
    loss = t.relu().sum()
    loss.label = 'loss'
    return w, x, t, loss


def test_the_stepper_moves_the_real_lane_gradients_and_ends_where_backward_does():
    from autograd import step
    w, x, t, loss = _small_lane_graph()
    s = step(loss, sample=2)
    s.run()
    got = (w.grad, x.grad.tolist())
    s.reset()
    assert w.grad == 0 and x.grad == 0
    loss.backward()
    # by hand: relu passes samples 0 and 2; w.grad = 1 + 3 = 4; x.grad = w where passed = [2, 0, 2]
    assert got == (w.grad, x.grad.tolist()) == (4.0, [2.0, 0.0, 2.0])


def test_the_reduction_into_a_shared_weight_is_a_step_showing_each_sample_and_the_sum():
    from autograd import step
    w, x, t, loss = _small_lane_graph()
    s = step(loss, sample=1)
    steps = []
    while True:
        st = s.next()
        if st is None:
            break
        steps.append(st)
    reductions = [st for st in steps if st.is_reduction]
    assert [st.parent for st in reductions] == [w]
    # contributions x_i * relu'(t_i): 1*1, -2*0, 3*1, and their sum 4
    assert str(reductions[0]) == "w.grad += Σ_i ∂t/∂w[i] · t.grad[i] = 1.0 + -0.0 + 3.0 = 4.0   (w.grad 0 -> 4.0)"
    lane_step = [st for st in steps if st.parent is x][0]
    assert str(lane_step) == "[sample 1] x.grad += ∂t/∂x · t.grad = 2.0 · 0.0 = 0.0   (x.grad 0 -> 0.0)"
    s.prev()
    assert x.grad == 0 and w.grad == 4.0
    s.reset()
    assert w.grad == 0


def test_a_drawing_shows_one_samples_lane_and_marks_the_sum():
    from autograd import to_dot
    w, x, t, loss = _small_lane_graph()
    loss.backward()
    dot = to_dot(loss, sample=2)
    assert 'label="{x|data 3.0|grad 2.0}"' in dot and 'label="{t|data 6.0|grad 1.0}"' in dot
    assert 'Σ over 3 samples (sample 2: 3.0)' in dot and 'the lane of sample 2' in dot
    assert 'data [1.0, -2.0, 3.0]' in to_dot(loss)           # without sample=: the lanes themselves


def test_a_sample_outside_the_batch_is_refused():
    from autograd import step
    w, x, t, loss = _small_lane_graph()
    with pytest.raises(ValueError, match=r"sample=3, but this graph carries 3 samples \(0..2\)"):
        step(loss, sample=3)
    with pytest.raises(ValueError, match=r"no lanes"):
        step(Value(1.0) * 2, sample=0)


def test_the_explorer_page_of_a_lane_graph_has_the_reduction_step(tmp_path):
    import shutil
    if shutil.which('dot') is None:
        pytest.skip("needs Graphviz's dot")
    from autograd import explore
    w, x, t, loss = _small_lane_graph()
    page = explore(loss, tmp_path / 'lanes', sample=0)
    text = open(page, encoding='utf-8').read()
    assert 'the lane of sample 0' in text
    from autograd.explore import script_json          # the steps are JSON inside the page
    assert script_json('w.grad += Σ_i ∂t/∂w[i] · t.grad[i] = 1.0 + -0.0 + 3.0 = 4.0')[1:-1] in text
    assert w.grad == 0 and x.grad == 0                       # the page leaves every .grad as it was


@pytest.mark.parametrize('tag', ['+', '*'])
def test_the_fast_path_records_what_apply_records(tag):
    # + and * of float lanes skip apply() for speed (lanes._fast); they must match the table's path
    from autograd import OPS
    from autograd.lanes import _fast, apply
    x, y, w = Lanes([1.5, -2.0, 0.0]), Lanes([0.5, 3.0, -1.0]), Value(-0.75)
    for a, b in ((x, y), (x, w), (w, x)):
        fast, slow = _fast(a, b, tag), apply(OPS[tag], a, b)
        assert fast is not None and fast.op == slow.op == tag
        assert fast.data.tolist() == slow.data.tolist() and fast.parents == slow.parents
        for d_fast, d_slow in zip(fast.local_grads, slow.local_grads):
            if isinstance(d_slow, LaneSum):
                assert d_fast == d_slow
            else:
                assert np.array_equal(np.broadcast_to(d_fast, 3), np.broadcast_to(d_slow, 3))
    assert _fast(Lanes([1, 2]), Value(1.0), tag) is None          # exact lanes: apply()
    assert _fast(x, Lanes([1.0, 2.0]), tag) is None                # different lengths: apply() says so


def test_pow_with_lane_exponents_keeps_the_limits_at_zero():
    # d(a**n)/da at a == 0: 0 where n == 0 (a**0 is the constant 1), inf where 0 < n < 1
    a, n = Lanes([0.0, 0.0, 2.0], label='a'), Lanes([0.0, 0.5, 0.5], label='n')
    (a ** n).sum().backward()
    expected = []
    for ai, ni in zip([0.0, 0.0, 2.0], [0.0, 0.5, 0.5]):
        va, vn = Value(ai), Value(ni)
        (va ** vn).backward()
        expected.append(va.grad)
    assert a.grad.tolist() == expected == [0.0, math.inf, 0.5 * 2.0 ** -0.5]


@pytest.mark.parametrize('order', ['float first', 'exact first'])
def test_exact_lanes_inside_a_float_graph_get_float_gradients_in_any_order(order):
    # x (exact) feeds a float op (w * x) and an exact one (x * 2): its gradient is float64,
    # 0.5 + 2 per sample by hand, whichever contribution arrives first
    x, w = Lanes([1, 2]), Value(0.5)
    t = (w * x) + (x * 2) if order == 'float first' else (x * 2) + (w * x)
    (t.sum() * 0.5).backward()
    assert x.grad.dtype == float and x.grad.tolist() == [1.25, 1.25]
    assert w.grad == 0.5 * (1 + 2) and w.grad.__class__ is float
    y = Lanes([Fraction(1, 3), 2])
    (y * 3).sum().backward()
    assert y.grad.dtype == object and y.grad.tolist() == [3, 3]          # an exact graph stays exact


def test_detect_anomaly_names_the_sample_of_a_gradient():
    with detect_anomaly():
        x = Lanes([1.0, 0.0, 4.0], label='x')
        with pytest.raises(FloatingPointError, match=r"the gradient of Lanes\(.*label='x'\) is inf at sample 1, "):
            (x ** 0.5).sum().backward()


def test_exact_lanes_times_an_exact_shared_weight_then_a_float_op():
    # w * x with w = 1 and x = (1, 2): then exp. d/dw sum(exp(w x)) = sum(x e^(w x)) = e + 2 e^2, by hand
    import math
    from autograd import grad
    w = Value(1, 'w'); x = Lanes([1, 2], label='x')
    loss = (w * x).exp().sum()
    loss.backward()
    assert type(w.grad) is float and math.isclose(w.grad, math.e + 2 * math.e ** 2, rel_tol=1e-15)
    w2 = Value(1, 'w'); assert math.isclose(grad(((w2 * Lanes([1, 2])) * 1.0).sum(), w2), 3.0)


def test_a_lane_leafs_gradient_is_replaced_not_changed_in_place():
    from autograd import detect_anomaly, step
    x = Lanes([1.0, 2.0], label='x')
    (x * 2.0).sum().backward()
    kept = x.grad
    (x * 3.0).sum().backward()
    assert list(kept) == [2.0, 2.0] and list(x.grad) == [5.0, 5.0]      # the reference kept is untouched
    u = Lanes([0.0, 1.0], label='u')
    root = ((u ** 0.5) * 1.0 + x * 3.0).sum()
    with detect_anomaly():
        with pytest.raises(FloatingPointError):
            root.backward()                     # d sqrt(u)/du is inf at u = 0
    assert list(x.grad) == [5.0, 5.0]          # restored, as for one-number leaves
    y = Lanes([1.0, 2.0], label='y')
    y.backward()
    step(y).reset()
    assert list(y.grad) == [1.0, 1.0]


# ------------------------------------------------------------------ real-data scale: a batch from an array, data as constants

def _batch(n=7, k=5, seed=0):
    return np.random.default_rng(seed).normal(size=(n, k))


def test_columns_of_a_float_array_are_the_columns_of_its_rows():
    from autograd.lanes import ConstantLanes, columns
    X = _batch()
    by_rows, by_array = columns(X.tolist(), names=['a', 'b', 'c', 'd', 'e']), columns(X, names=['a', 'b', 'c', 'd', 'e'])
    assert [type(x) for x in by_array] == [Lanes] * 5 and [x.label for x in by_array] == ['a', 'b', 'c', 'd', 'e']
    assert all(u.data.dtype == float and u.data.tolist() == v.data.tolist() for u, v in zip(by_array, by_rows))
    X[0, 0] = 99.0                                  # the graph never shares the caller's array
    assert by_array[0].lane(0) != 99.0
    assert all(type(x) is ConstantLanes for x in columns(X, constant=True))


def test_columns_of_an_int_or_fraction_array_stay_exact():
    from autograd.lanes import columns
    ints = columns(np.array([[1, 2], [3, 4]]))
    assert [x.data.tolist() for x in ints] == [[1, 3], [2, 4]] and all(type(v) is int for v in ints[0].data)
    exact = columns(np.array([[Fraction(1, 3), 2], [1, Fraction(1, 2)]], dtype=object))
    assert [x.data.tolist() for x in exact] == [[Fraction(1, 3), 1], [2, Fraction(1, 2)]]
    assert columns([[1, 2.5], [3, 4.0]])[0].data.tolist() == [1, 3]          # a column of ints stays exact


def test_columns_refuses_what_it_refused_with_the_same_words():
    from autograd.lanes import columns
    with pytest.raises(ValueError, match=r"columns: expected a 2-D array, one row per sample, got shape \(3,\)"):
        columns(np.zeros(3))
    with pytest.raises(ValueError, match="columns: a batch needs at least one sample"):
        columns(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="columns: sample 1 has 1 inputs, sample 0 has 2"):
        columns([[1.0, 2.0], [3.0]])
    X = _batch(4, 2)
    X[2, 1] = math.inf
    for rows in (X, X.tolist()):                     # the same check and message either way
        with detect_anomaly():
            with pytest.raises(FloatingPointError, match=r"a leaf Lanes\(label='x2'\) is not finite at sample 2: inf"):
                columns(rows, names=['x1', 'x2'])


def test_constant_lanes_record_no_edge_and_weights_get_what_lanes_give_them():
    from autograd.lanes import ConstantLanes
    values = [1.5, -2.0, 0.0]
    for make in (lambda: Lanes(values, label='x'), lambda: ConstantLanes(values, label='x')):
        w, b = Value(-0.75, label='w'), Value(0.5, label='b')
        x = make()
        t = w * x + b
        ((t - x) * t).sum().backward()
        if type(x) is ConstantLanes:
            got = (w.grad, b.grad)
            assert x.grad == 0 and all(p is not x for p in t.parents)          # no edge into the data
            assert np.array_equal(t.parents[0].operands[1], x.data)           # the graph keeps its numbers
        else:
            want = (w.grad, b.grad)
    assert got == want
    c = ConstantLanes([1.0, 2.0])
    for derived in (c * 2.0, c + c, c.exp(), (c - 1.0).relu()):       # data from data is data: a leaf
        assert type(derived) is ConstantLanes and derived.is_leaf()
    with no_grad():
        assert type(c * Value(2.0)) is Lanes
    assert type(c.sum()) is Value and c.sum().is_leaf()


def test_a_dot_of_constant_inputs_is_the_dot_of_lanes_without_their_gradients():
    from autograd import dot
    from autograd.lanes import ConstantLanes, columns
    X = _batch(9, 6, seed=3)
    rng = np.random.default_rng(4)
    W, B = rng.normal(size=(4, 6)).tolist(), rng.normal(size=4).tolist()
    runs = {}
    for constant in (False, True):
        ws, bs = [[Value(v) for v in r] for r in W], [Value(v) for v in B]
        xs = columns(X, constant=constant)
        zs = [dot(ws[j], xs, bs[j]) for j in range(4)]
        assert type(zs[0]._b[1]).__name__ == 'MatVecSlopes'                   # the one-product path
        sum((z.tanh() * (j + 1) for j, z in enumerate(zs)), 0.0).sum().backward()
        runs[constant] = ([z.data.tolist() for z in zs], [w.grad for r in ws for w in r], [b.grad for b in bs])
        if constant:
            assert zs[0].parents == tuple(ws[0]) + (bs[0],) and all(x.grad == 0 for x in xs)
            assert all(type(o) is np.ndarray for o in zs[0].dot_operands[1])     # the inputs' numbers, kept
    assert runs[True] == runs[False]
    # exact constants go term by term and stay exact
    w = [Value(Fraction(1, 2)), Value(3)]
    z = dot(w, [ConstantLanes([1, 2]), ConstantLanes([Fraction(1, 3), 0])], Value(1))
    assert z.data.tolist() == [Fraction(5, 2), 2]
    z.sum().backward()
    assert w[0].grad == 3 and w[1].grad == Fraction(1, 3) and z.parents == (w[0], w[1], z.parents[2])


def test_views_of_a_graph_with_constant_inputs_work_and_show_them():
    from autograd import step, to_dot
    from autograd.lanes import columns
    X = np.array([[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]])
    x1, x2 = columns(X, names=['x1', 'x2'], constant=True)
    w1, w2, b = Value(0.3, label='w1'), Value(-0.2, label='w2'), Value(0.1, label='b')
    loss = (w1 * x1 + w2 * x2 + b).tanh().sum()
    loss.backward()
    expected = (w1.grad, w2.grad, b.grad)
    w1.grad = w2.grad = b.grad = 0
    s = step(loss, sample=1)
    s.run()
    assert (w1.grad, w2.grad, b.grad) == expected
    dot_text = to_dot(loss, sample=1)
    assert 'label="2.0"' in dot_text and 'label="0.25"' in dot_text          # sample 1's inputs, as constants


def test_dot_with_lanes_still_refuses_what_dot_refuses():
    from autograd import dot
    with pytest.raises(TypeError, match=r"dot: xs\[1\] is str"):
        dot([Value(1.0), Value(2.0)], [Lanes([1.0]), 'a'])
    with pytest.raises(TypeError, match=r"for a batch, make the array lanes"):
        dot([Value(1.0), Value(2.0)], [Lanes([1.0]), np.array([1.0])])


@pytest.mark.parametrize('tag', ['+', '-', '*'])
def test_the_fast_path_with_constants_and_minus_records_what_apply_records(tag):
    from autograd import OPS
    from autograd.lanes import ConstantLanes, _fast, apply
    x, c, w = Lanes([1.5, -2.0, 0.0]), ConstantLanes([0.5, 3.0, -1.0]), Value(-0.75)
    for a, b in ((x, c), (c, x), (w, c), (c, w), (x, w), (w, x), (x, x)):
        fast, slow = _fast(a, b, tag), apply(OPS[tag], a, b)
        assert fast is not None and fast.op == slow.op == tag
        assert fast.data.tolist() == slow.data.tolist() and fast.parents == slow.parents
        assert [type(o) for o in fast.operands] == [type(o) for o in slow.operands]
        for d_fast, d_slow in zip(fast.local_grads, slow.local_grads):
            if isinstance(d_slow, LaneSum):
                assert d_fast == d_slow
            else:
                assert np.array_equal(np.broadcast_to(d_fast, 3), np.broadcast_to(d_slow, 3))
    assert _fast(c, c, tag) is None                # constants alone: apply() makes a constant


@pytest.mark.parametrize('op', ['exp', 'tanh', 'sigmoid', 'relu', 'relu1'])
def test_the_unary_fast_path_records_what_apply_records(op):
    from autograd import OPS
    from autograd.lanes import apply
    x = Lanes([1.5, -2.0, 0.0, -0.0, 30.0])
    fast = UNARY[op](x)
    slow = apply(OPS[op[:4] if op.startswith('relu') else op], x, 1 if op == 'relu1' else 0 if op == 'relu' else None)
    assert fast.op == slow.op and fast.parameter == slow.parameter and fast.parents == slow.parents == (x,)
    assert np.array_equal(fast.data, slow.data) and np.array_equal(fast.local_grads[0], slow.local_grads[0])
    assert [math.copysign(1, v) for v in fast.data] == [math.copysign(1, v) for v in slow.data]
    with pytest.raises(OverflowError, match=r"exp\(x\[sample 1\]=800.0\)"):    # a failing lane: apply() names it
        Lanes([1.0, 800.0], label='x').exp()

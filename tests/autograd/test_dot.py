"""The n-ary dot node, z = w · x + b: by hand, against the chain of + and * it replaces
(bit for bit, with ==), against central differences (hypothesis) and PyTorch float64,
exact, second and third derivatives, no_grad, detect_anomaly and its errors."""
import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from autograd import OPS, Value, backward, detect_anomaly, dot, grad, no_grad, topological_order
from autograd.notation import Naming


def chain(ws, xs, b):
    """the binary form: b + w_1*x_1 + ... + w_n*x_n, as nn built a neuron before dot."""
    act = b
    for w, x in zip(ws, xs):
        act = w * x if act is None else act + w * x
    return act


# ------------------------------------------------------------------ by hand

def test_value_and_local_derivatives_by_hand():
    w1, w2, x1, x2, b = Value(2.0), Value(-1.0), Value(3.0), Value(4.0), Value(0.5)
    z = dot([w1, w2], [x1, x2], b)
    # z = 0.5 + 2*3 + (-1)*4 = 2.5; dz/dw_i = x_i, dz/dx_i = w_i, dz/db = 1
    assert z.data == 2.5 and z.op == 'dot'
    assert z.parents == (w1, w2, x1, x2, b)
    assert z.local_grads == (3.0, 4.0, 2.0, -1.0, 1)
    assert z.operands == (w1, w2, x1, x2, b)
    assert z.dot_operands == ((w1, w2), (x1, x2), b)
    (z * 2).backward()
    assert (w1.grad, w2.grad, x1.grad, x2.grad, b.grad) == (6.0, 8.0, 4.0, -2.0, 2.0)


def test_the_op_table_holds_its_formula():
    op = OPS['dot']
    assert op.arity == 'n' and 'w · x + b' in op.formula and '∂z/∂w_i = x_i' in op.formula
    assert op.forward([2, 3], [5, 7], 1) == 1 + 10 + 21
    assert op.local([2, 3], [5, 7], 1, 32) == (5, 7, 2, 3, 1)


def test_constants_have_no_edge_and_no_bias_starts_from_the_first_term():
    w = Value(2.0)
    z = dot([w, 3.0], [5.0, Value(-1.0)])          # 2*5 + 3*(-1) = 7
    assert z.data == 7.0 and len(z.parents) == 2 and z.local_grads == (5.0, 3.0)
    z.backward()
    assert w.grad == 5.0 and z.parents[1].grad == 3.0


def test_a_value_used_several_times_gets_every_contribution():
    a, c = Value(3.0), Value(-2.0)
    z = dot([a, a], [a, c], a)            # a + a*a + a*c:  dz/da = 1 + 2a + c = 5, dz/dc = a = 3
    z.backward()
    assert z.data == 3.0 + 9.0 - 6.0 and a.grad == 5.0 and c.grad == 3.0


def test_exact_inputs_stay_exact():
    ws = [Value(Fraction(1, 3)), Value(2)]
    xs = [Value(Fraction(3, 4)), Value(-5)]
    b = Value(Fraction(1, 6))
    z = dot(ws, xs, b)
    # 1/6 + 1/4 - 10 = -115/12
    assert z.data == Fraction(-115, 12) and isinstance(z.data, Fraction)
    z.backward()
    assert [v.grad for v in ws + xs + [b]] == [Fraction(3, 4), -5, Fraction(1, 3), 2, 1]
    assert all(isinstance(v.grad, (int, Fraction)) for v in ws + xs + [b])


def test_a_fraction_operand_of_a_float_node_gives_float_gradients():
    # as for value.py's fast Value * Value, the slope keeps its type; the gradients are floats
    w, x = Value(0.5), Value(Fraction(1, 3))
    z = dot([w], [x])
    assert z.local_grads == (Fraction(1, 3), 0.5)
    z.backward()
    assert w.grad.__class__ is float and w.grad == 1 / 3 and x.grad == 0.5


def test_the_written_out_local_derivatives_are_the_tables():
    for ws, xs, b in (([2.0, -1.5], [0.5, 3.0], 0.25), ([Fraction(1, 3), 2], [5, Fraction(-1, 2)], None),
                      ([1, 2, 3], [4, 5, 6], 7)):
        z = dot([Value(w) for w in ws], [Value(x) for x in xs], None if b is None else Value(b))
        table = OPS['dot'].local(ws, xs, b, z.data)
        assert z.data == OPS['dot'].forward(ws, xs, b)
        assert z.local_grads == (table if b is not None else table[:-1])


# ------------------------------------------------------------------ the same numbers as the chain, bit for bit

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=12), st.one_of(st.none(), finite), finite)
def test_value_and_gradients_equal_the_chain_bit_for_bit(pairs, bias, upstream):
    def build(make):
        ws = [Value(w) for w, _ in pairs]
        xs = [Value(x) for _, x in pairs]
        b = None if bias is None else Value(bias)
        z = make(ws, xs, b)
        return z, ws + xs + ([] if b is None else [b]), z * upstream
    z1, leaves1, out1 = build(dot)
    z2, leaves2, out2 = build(chain)
    assert z1.data == z2.data
    out1.backward()
    out2.backward()
    assert [v.grad for v in leaves1] == [v.grad for v in leaves2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=12), st.one_of(st.none(), finite),
       st.sampled_from(['list', 'tuple']))
def test_the_float_path_records_what_the_general_path_records(pairs, bias, kind):
    """dot() of float Values, recording plainly, skips the general checks (the fast path in value.dot);
    inside record_scopes() the general path runs: the same node, == and of the same types."""
    from autograd import record_scopes
    ws = [Value(w) for w, _ in pairs]
    xs = [Value(x) for _, x in pairs]
    b = None if bias is None else Value(bias)
    seq = list if kind == 'list' else tuple
    fast = dot(seq(ws), seq(xs), b)
    with record_scopes():
        general = dot(ws, xs, b)
    assert fast.data == general.data and type(fast.data) is type(general.data) is float
    assert fast.parents == general.parents and fast.dot_operands == general.dot_operands
    assert fast.local_grads == general.local_grads
    assert [type(d) for d in fast.local_grads] == [type(d) for d in general.local_grads]
    assert fast.op == general.op == 'dot' and fast.operands == general.operands


def test_the_float_path_leaves_everything_else_to_the_general_path():
    w, x = Value(2.0), Value(Fraction(1, 3))
    z = dot([w], [x])              # a Fraction among floats keeps its slope, as Value * Value does
    assert z.local_grads == (Fraction(1, 3), 2.0) == (Value(2.0) * x).local_grads
    z.backward()
    assert type(w.grad) is float and w.grad == 1 / 3
    assert dot([w], [3.0]).parents == (w,)         # a constant: no edge
    assert dot((w for w in [w]), [x]).data == 2.0 / 3   # any sequence, even a generator
    with pytest.raises(ValueError, match="1 weights but 2 inputs"):
        dot([w], [x, x])


@pytest.mark.parametrize("seed", range(30))
def test_networks_of_dots_equal_their_chains_bit_for_bit(seed):
    # layers of neurons sharing their inputs: the order in which a shared activation gathers
    # its gradient (a float sum) must be the chain's too
    rng = random.Random(seed)
    widths = [rng.randint(1, 4) for _ in range(rng.randint(2, 4))]
    weights = [[[rng.uniform(-1, 1) for _ in range(widths[k])] + [rng.uniform(-1, 1)]
                for _ in range(widths[k + 1])] for k in range(len(widths) - 1)]
    inputs = [rng.uniform(-2, 2) for _ in range(widths[0])]
    act = rng.choice(['tanh', 'relu', 'sigmoid'])

    def run(make):
        x = [Value(v) for v in inputs]
        leaves = list(x)
        for layer in weights:
            out = []
            for row in layer:
                ws, b = [Value(v) for v in row[:-1]], Value(row[-1])
                leaves += ws + [b]
                out.append(getattr(make(ws, x, b), act)())
            x = out
        loss = sum(((o - 0.25) ** 2 for o in x), Value(0.0))
        loss.backward()
        return loss.data, [v.grad for v in leaves]
    assert run(dot) == run(chain)


# ------------------------------------------------------------------ central differences and PyTorch

@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=6), st.floats(-2, 2))
def test_gradients_match_central_differences(pairs, bias):
    def f(values):
        n = len(pairs)
        return math.tanh(values[-1] + sum(values[i] * values[n + i] for i in range(n)))
    values = [w for w, _ in pairs] + [x for _, x in pairs] + [bias]
    leaves = [Value(v) for v in values]
    n = len(pairs)
    dot(leaves[:n], leaves[n:2 * n], leaves[-1]).tanh().backward()
    h = 1e-6
    for i, leaf in enumerate(leaves):
        up, down = list(values), list(values)
        up[i] += h
        down[i] -= h
        assert leaf.grad == pytest.approx((f(up) - f(down)) / (2 * h), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("seed", range(20))
def test_matches_pytorch_float64(seed):
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    n, m = rng.randint(1, 8), rng.randint(1, 4)
    W = [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(m)]
    B = [rng.uniform(-1, 1) for _ in range(m)]
    X = [rng.uniform(-1, 1) for _ in range(n)]
    tW = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    tB = torch.tensor(B, dtype=torch.float64, requires_grad=True)
    tX = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    tloss = torch.sigmoid(tW @ tX + tB).pow(2).sum()
    tloss.backward()
    ws = [[Value(v) for v in row] for row in W]
    bs = [Value(v) for v in B]
    xs = [Value(v) for v in X]
    loss = sum((dot(ws[k], xs, bs[k]).sigmoid() ** 2 for k in range(m)), Value(0.0))
    loss.backward()
    assert loss.data == pytest.approx(tloss.item(), rel=1e-12)
    for k in range(m):
        assert bs[k].grad == pytest.approx(tB.grad[k].item(), rel=1e-10, abs=1e-14)
        for i in range(n):
            assert ws[k][i].grad == pytest.approx(tW.grad[k, i].item(), rel=1e-10, abs=1e-14)
    for i in range(n):
        assert xs[i].grad == pytest.approx(tX.grad[i].item(), rel=1e-10, abs=1e-14)


# ------------------------------------------------------------------ higher derivatives

def test_second_and_third_derivatives_by_hand():
    w, x = Value(3.0), Value(2.0)
    z = dot([w, w], [w, x]) ** 2      # (w^2 + w x)^2
    # d/dw = 2 (w^2 + wx)(2w + x) = 2*15*8 = 240
    # d2/dw2 = 2 (2w + x)^2 + 2 (w^2 + wx) * 2 = 2*64 + 4*15 = 188
    # d3/dw3 = 4 (2w + x) * 2 + 4 (2w + x) = 12 (2w + x) = 96
    d1 = grad(z, w, create_graph=True)
    d2 = grad(d1, w, create_graph=True)
    d3 = grad(d2, w)
    assert (d1.data, d2.data, d3) == (240.0, 188.0, 96.0)


def test_mixed_second_derivatives_equal_the_chains():
    def second(make):
        w1, w2, x1, x2, b = (Value(v) for v in (0.3, -0.7, 1.1, 0.4, 0.2))
        y = make([w1, w2], [x1, x2], b).tanh()
        dw1 = grad(y, w1, create_graph=True)
        return grad(dw1, [w1, w2, x1, x2, b])
    ours, theirs = second(dot), second(chain)
    assert ours == pytest.approx(theirs, rel=1e-14, abs=1e-15)
    # d/dx1 of dy/dw1 = d/dx1 [(1 - y^2) x1] = (1 - y^2) - 2 y (1 - y^2) w1 x1
    z = 0.2 + 0.3 * 1.1 - 0.7 * 0.4
    y = math.tanh(z)
    assert ours[2] == pytest.approx((1 - y * y) - 2 * y * (1 - y * y) * 0.3 * 1.1, rel=1e-12)


# ------------------------------------------------------------------ modes and errors

def test_no_grad_gives_a_leaf():
    w, x = Value(2.0), Value(3.0)
    with no_grad():
        z = dot([w], [x], Value(1.0))
    assert z.is_leaf() and z.data == 7.0 and z.parents == ()


def test_detect_anomaly_names_the_dot_and_its_operands():
    w = Value(2.0, label='L1.n1.w1')
    x = Value(float('inf'))
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"dot\(L1.n1.w1=2.0 · inf \+ b=0.5\) produced inf"):
            dot([w], [x], Value(0.5, label='b'))


def test_detect_anomaly_checks_gradients_through_a_dot():
    w, x = Value(1e300), Value(1e-300, label='x')
    with detect_anomaly():
        z = dot([w], [x])                       # 1.0, and every value on the way is finite
        root = dot([Value(1e300)], [z])         # 1e300; z.grad = 1e300, x.grad = w * 1e300 = inf
        with pytest.raises(FloatingPointError, match=r"the gradient of Value\(data=1e-300.*label='x'\) is inf.*'dot'"):
            root.backward()


def test_errors_name_dot_and_the_operands():
    w, x = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match="dot: 2 weights but 1 inputs"):
        dot([w, w], [x])
    with pytest.raises(ValueError, match="dot: no weights"):
        dot([], [])
    with pytest.raises(TypeError, match=r"dot: xs\[1\] is str 'a'"):
        dot([w, w], [x, 'a'])
    with pytest.raises(TypeError, match="dot: ws and xs must be sequences"):
        dot(3, [x])
    with pytest.raises(OverflowError, match=r"dot\(.*\): int too large"):
        dot([Value(10 ** 400)], [Value(1.5)])


def test_a_long_dot_in_a_deep_chain_needs_no_recursion():
    x0 = Value(1.0)
    x = x0
    for _ in range(20_000):
        x = dot([x, Value(0.0)], [Value(1.0), Value(3.0)], 0.0)
    x.backward()
    assert x0.grad == 1.0


def test_topological_order_and_naming_edges_with_dots():
    rng = random.Random(1)
    nodes = [Value(rng.uniform(-1, 1)) for _ in range(4)]
    for _ in range(40):
        k = rng.randint(1, 4)
        ws = [rng.choice(nodes) for _ in range(k)]
        xs = [rng.choice(nodes) for _ in range(k)]
        nodes.append(rng.choice([dot(ws, xs, rng.choice(nodes)).tanh(), ws[0] * xs[0], dot(ws, xs)]))
    root = nodes[-1]
    order = topological_order(root)
    position = {n: i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            if not p.is_leaf():
                assert position[p] > position[n]
    # the views' edges are backward()'s chain-rule steps, one per (node, parent) edge, in its order
    edges = Naming(root).edges
    assert [e[0] for e in edges] == [n for n in order for _ in n.parents]
    assert [(e[2], e[3]) for e in edges] == [pe for n in order for pe in zip(n.parents, n.local_grads)]
    backward(root)


# ------------------------------------------------------------------ on lanes (a batch in one graph)

def _per_sample(W, B, X, act):
    """the accumulate form: one scalar graph per sample; summed weight gradients and each x's."""
    wg = [[0.0] * len(W[0]) for _ in W]
    bg = [0.0] * len(W)
    xg, outs = [], []
    for row in X:
        ws = [[Value(v) for v in r] for r in W]
        bs = [Value(v) for v in B]
        xs = [Value(v) for v in row]
        loss = sum((getattr(dot(ws[k], xs, bs[k]), act)() * (k + 1) for k in range(len(W))), Value(0.0))
        loss.backward()
        outs.append(loss.data)
        for k in range(len(W)):
            bg[k] += bs[k].grad
            for i in range(len(row)):
                wg[k][i] += ws[k][i].grad
        xg.append([x.grad for x in xs])
    return outs, wg, bg, xg


@pytest.mark.parametrize("seed", range(10))
def test_float_lanes_are_the_matrix_vector_product_within_1e12_of_accumulate(seed):
    np = pytest.importorskip("numpy")
    from autograd import Lanes
    rng = np.random.default_rng(seed)
    n, k, m = int(rng.integers(1, 40)), int(rng.integers(1, 9)), int(rng.integers(1, 4))
    W, B, X = rng.normal(size=(m, k)).tolist(), rng.normal(size=m).tolist(), rng.normal(size=(n, k))
    act = ['tanh', 'sigmoid', 'relu'][seed % 3]
    outs, wg, bg, xg = _per_sample(W, B, X.tolist(), act)
    ws = [[Value(v) for v in r] for r in W]
    bs = [Value(v) for v in B]
    xs = [Lanes(X[:, i]) for i in range(k)]
    zs = [dot(ws[j], xs, bs[j]) for j in range(m)]
    assert all(type(z.data) is np.ndarray and z.data.shape == (n,) for z in zs)
    assert type(zs[0]._b[1]).__name__ == 'MatVecSlopes'        # the one-product path was taken
    per = sum((getattr(zs[j], act)() * (j + 1) for j in range(m)), 0.0)
    assert per.data.tolist() == pytest.approx(outs, rel=1e-12, abs=1e-12)
    per.sum().backward()
    for j in range(m):
        assert bs[j].grad == pytest.approx(bg[j], rel=1e-12, abs=1e-12)
        assert [w.grad for w in ws[j]] == pytest.approx(wg[j], rel=1e-12, abs=1e-12)
    for i in range(k):
        assert xs[i].grad.tolist() == pytest.approx([g[i] for g in xg], rel=1e-12, abs=1e-12)


def test_exact_lanes_stay_exact_sample_by_sample():
    pytest.importorskip("numpy")
    from autograd import Lanes
    ws = [Value(2), Value(Fraction(1, 3))]
    xs = [Lanes([Fraction(1, 2), 3]), Lanes([1, 2])]
    z = dot(ws, xs, Value(1))
    # sample 0: 1 + 2*(1/2) + (1/3)*1 = 7/3; sample 1: 1 + 6 + 2/3 = 23/3
    assert z.data.tolist() == [Fraction(7, 3), Fraction(23, 3)]
    z.sum().backward()
    assert ws[0].grad == Fraction(7, 2) and ws[1].grad == 3
    assert xs[0].grad.tolist() == [2, 2] and xs[1].grad.tolist() == [Fraction(1, 3)] * 2


def test_lane_weights_and_constants_go_term_by_term():
    np = pytest.importorskip("numpy")
    from autograd import Lanes
    a, c = Lanes([1.0, 2.0]), Value(3.0)
    x = Lanes([1.0, -1.0])
    z = dot([a, c], [Value(2.0), x], 0.5)       # 0.5 + 2a + 3x = [5.5, 1.5]
    assert z.data.tolist() == [5.5, 1.5]
    z.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0] and c.grad == 0.0 and x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="dot: the operands have different numbers of samples: 2, 3"):
        dot([Value(1.0), Value(1.0)], [x, Lanes([1.0, 2.0, 3.0])])


def test_lanes_no_grad_anomaly_and_the_stepper_agree_with_backward():
    np = pytest.importorskip("numpy")
    from autograd import Lanes, step
    X = np.array([[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]])
    ws, b = [Value(0.3), Value(-0.2)], Value(0.1)
    xs = [Lanes(X[:, 0]), Lanes(X[:, 1])]
    with no_grad():
        z = dot(ws, xs, b)
    assert z.is_leaf() and z.data.tolist() == pytest.approx((X @ [0.3, -0.2] + 0.1).tolist(), abs=1e-15)
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="dot .* produced inf at sample 1"):
            dot([Value(1e308), Value(1e308)], [Lanes([0.0, 1e308, 0.0]), Lanes([1.0, 1.0, 1.0])])
    loss = dot(ws, xs, b).tanh().sum()
    loss.backward()
    expected = [v.grad for v in ws + xs + [b]]
    for v in ws + xs + [b]:
        v.grad = 0
    s = step(loss)
    s.run()
    got = [v.grad for v in ws + xs + [b]]
    assert got[0] == expected[0] and got[1] == expected[1] and got[4] == expected[4]
    assert got[2].tolist() == expected[2].tolist() and got[3].tolist() == expected[3].tolist()
    # grad() takes the same edges without touching .grad
    assert grad(loss, ws) == pytest.approx(expected[:2], rel=1e-15)

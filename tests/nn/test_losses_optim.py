"""Losses and optimizers: by hand, and against PyTorch float64."""
import math
from fractions import Fraction

import pytest

from autograd import Value
from nn import (SGD, Adam, binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                half_squared_error, hinge, softmax, squared_error)


def test_losses_by_hand():
    p = Value(Fraction(3, 2))
    loss = half_squared_error(p, 1)
    loss.backward()
    assert loss.data == Fraction(1, 8) and p.grad == Fraction(1, 2)
    assert squared_error(Value(3.0), 1).data == 4.0
    assert hinge(Value(0.25), 1).data == 0.75 and hinge(Value(2.0), 1).data == 0
    assert binary_cross_entropy(Value(0.25), 1).data == pytest.approx(math.log(4))
    probs = softmax([Value(1.0), Value(1.0)])
    assert [q.data for q in probs] == [0.5, 0.5]


def test_stable_versions_do_not_overflow():
    z = Value(1000.0)
    loss = binary_cross_entropy_with_logits(z, 0)
    loss.backward()
    assert loss.data == pytest.approx(1000.0) and z.grad == pytest.approx(1.0)
    logits = [Value(1000.0), Value(0.0)]
    ce = cross_entropy(logits, 1)
    ce.backward()
    assert ce.data == pytest.approx(1000.0) and logits[0].grad == pytest.approx(1.0)
    assert sum(q.data for q in softmax([Value(800.0), Value(-800.0)])) == pytest.approx(1.0)


def test_bad_targets():
    with pytest.raises(ValueError, match="target_index 2"):
        cross_entropy([Value(1.0), Value(2.0)], 2)
    with pytest.raises(ValueError, match="-1 or \\+1"):
        hinge(Value(1.0), 0)


torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.parametrize("z,y", [(-2.5, 0.0), (-0.3, 1.0), (0.7, 0.25), (4.0, 1.0), (40.0, 0.0)])
def test_binary_losses_against_pytorch(z, y):
    ours = Value(z)
    loss = binary_cross_entropy_with_logits(ours, y)
    loss.backward()
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tl = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    tl.backward()
    assert loss.data == pytest.approx(tl.item(), rel=1e-12) and ours.grad == pytest.approx(t.grad.item(), rel=1e-10)

    if abs(z) < 30:
        p = Value(z).sigmoid()
        bce = binary_cross_entropy(p, y)
        assert bce.data == pytest.approx(tl.item(), rel=1e-9)


@pytest.mark.parametrize("logits,target", [([0.5, -1.0, 2.0], 0), ([3.0, 3.0], 1), ([-5.0, 2.0, 0.1, 7.0], 3)])
def test_cross_entropy_against_pytorch(logits, target):
    ours = [Value(v) for v in logits]
    loss = cross_entropy(ours, target)
    loss.backward()
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    tl = F.cross_entropy(t.unsqueeze(0), torch.tensor([target]))
    tl.backward()
    assert loss.data == pytest.approx(tl.item(), rel=1e-12)
    assert [v.grad for v in ours] == pytest.approx(t.grad.tolist(), rel=1e-10, abs=1e-14)


def run_optimizer(make_ours, make_theirs, steps=5):
    start = [0.5, -1.5, 2.0]
    ours = [Value(v) for v in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt, topt = make_ours(ours), make_theirs([theirs])
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((p * p * p - p * k) for k, p in enumerate(ours))
        loss.backward()
        opt.step()
        topt.zero_grad()
        tl = (theirs ** 3 - theirs * torch.arange(3, dtype=torch.float64)).sum()
        tl.backward()
        topt.step()
    return [p.data for p in ours], theirs.tolist()


@pytest.mark.parametrize("kw", [{}, {"momentum": 0.9}, {"weight_decay": 0.1}, {"momentum": 0.5, "weight_decay": 0.01}])
def test_sgd_against_pytorch(kw):
    ours, theirs = run_optimizer(lambda p: SGD(p, 0.01, **kw), lambda p: torch.optim.SGD(p, 0.01, **kw))
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_adam_against_pytorch():
    ours, theirs = run_optimizer(lambda p: Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05), steps=20)
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_sgd_with_fraction_lr_stays_exact_and_bad_arguments():
    w = Value(Fraction(1, 3))
    (w * w).backward()
    SGD([w], Fraction(1, 10)).step()
    assert w.data == Fraction(1, 3) - Fraction(1, 10) * Fraction(2, 3)
    with pytest.raises(ValueError, match="lr must be positive"):
        SGD([w], 0)
    with pytest.raises(TypeError, match="params\\[1\\]"):
        Adam([w, 1.0])


def test_cross_entropy_on_lanes_is_the_one_sample_loss_lane_by_lane():
    # two dots (the sum of exps, the one-hot pick) instead of chains: each lane is the
    # one-sample loss, and each logit's gradient the one-sample gradient, within 1e-12
    np = pytest.importorskip('numpy')
    from autograd.lanes import Lanes
    rng = np.random.default_rng(7)
    L, up = rng.normal(scale=3, size=(4, 9)), rng.uniform(0.5, 2, 9)
    targets = rng.integers(0, 4, 9).tolist()
    logits = [Lanes(row) for row in L]
    loss = cross_entropy(logits, targets)
    (loss * Lanes(up)).sum().backward()
    for i in range(9):
        one = [Value(float(v)) for v in L[:, i]]
        single = cross_entropy(one, targets[i])
        (single * float(up[i])).backward()
        assert math.isclose(single.data, loss.lane(i), rel_tol=1e-12, abs_tol=1e-12)
        assert all(math.isclose(v.grad, l.grad[i], rel_tol=1e-12, abs_tol=1e-12) for v, l in zip(one, logits))
    # exact logits: a float loss (log), with the pick exact; a target outside 0..K-1 is named with its sample
    exact = cross_entropy([Lanes([Fraction(1, 2), 2]), Lanes([0, Fraction(1, 3)])], [1, 0])
    picked = exact.parents[1]
    assert exact.data.dtype == float and picked.data.tolist() == [0, 2]
    with pytest.raises(ValueError, match=r"cross_entropy: target_index\[sample 1\] = 3 is not in 0..1"):
        cross_entropy([Lanes([0.5, 2.0]), Lanes([0.0, 1.0])], [1, 3])

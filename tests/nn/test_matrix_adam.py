"""mode='matrix' beside mode='accumulate' with Adam: what the README promises (issue 20,
defect 14). The gradients agree to rounding (within 1e-15, on inputs and weights of
about 1, checked against the scalar engine's own backward); a gradient that is exactly 0
in every sample is 0.0 in both, so Adam leaves its weight as it was in both; and since
Adam divides a gradient by its own running size, where a gradient is only rounding noise
the two modes' noise becomes steps of up to lr * |difference| / eps: the weights agree
within steps * lr * 1e-7, not 1e-12."""
import random
import re
from pathlib import Path

import pytest

from nn import MLP, Adam, Trainer
from nn.losses import cross_entropy

np = pytest.importorskip("numpy")

README = Path(__file__).resolve().parents[2] / "README.md"
LR = 0.01
PER_STEP = LR * 1e-7          # lr * (1e-15 gradient difference) / (Adam's eps, 1e-8)


def train(mode, X, Y, sizes, seed, epochs):
    model = MLP(2, sizes, seed=seed)
    trainer = Trainer(model, cross_entropy, Adam(model.parameters(), lr=LR), mode=mode)
    trainer.fit(X, Y, epochs=epochs)
    return model, trainer


def scalar_gradients(X, Y, sizes, seed):
    """the gradient of Loss^avg on the model as built, by the scalar engine, and the sum of
    the per-sample terms' sizes (0 only where every sample's term is 0)."""
    model = MLP(2, sizes, seed=seed)
    names = [n for n, _ in model.named_parameters()]
    scale = dict.fromkeys(names, 0.0)
    total = dict.fromkeys(names, 0.0)
    for x, y in zip(X, Y):
        model.zero_grad()
        (cross_entropy(model(x), y) * (1 / len(X))).backward()
        for name, p in model.named_parameters():
            scale[name] += abs(p.grad)
            total[name] += p.grad
    return total, scale


# the report's case: MLP(2,[1,3], seed=942), 3 samples, one of each class, Adam(lr=0.01),
# 2 epochs. The hidden relu is 0 on every sample, so every logit is its bias (0): the
# output biases' gradient (1/3) Σ_i (1/3 - y_ij) cancels, to 0.0 in accumulate's order
# and to about 1e-17 in the matrix's, which Adam made 7.4e-11.
REPORT = dict(X=[(-1.0, 1.0), (-0.5, 0.5), (-0.2, 1.0)], Y=[0, 1, 2], sizes=[1, 3], seed=942)


def test_the_reports_case():
    X, Y, sizes, seed = REPORT['X'], REPORT['Y'], REPORT['sizes'], REPORT['seed']
    before = MLP(2, sizes, seed=seed).state_dict()
    acc, _ = train('accumulate', X, Y, sizes, seed, epochs=2)
    mat, trainer = train('matrix', X, Y, sizes, seed, epochs=2)
    a, m = acc.state_dict(), mat.state_dict()
    # exactly 0 in every sample: the dead neuron's weights and bias, and the output
    # weights it feeds (h = 0): unchanged, bit for bit, in both modes
    exact_zero = [k for k in before if not k.endswith('.b') or k.startswith('layers.0.')]
    assert len(exact_zero) == 6
    for k in exact_zero:
        assert a[k] == before[k] and m[k] == before[k], k
    # the cancelling output biases: Adam's steps on the modes' rounding noise
    steps = 2                                           # full batch, two epochs
    assert all(abs(a[k] - m[k]) <= steps * PER_STEP for k in a)
    assert all(abs(m[k]) <= steps * PER_STEP for k in a if k.startswith('layers.1.') and k.endswith('.b'))


@pytest.mark.parametrize('case', range(40))
def test_gradients_agree_to_rounding_and_adams_weights_within_the_bound(case):
    rng = random.Random(case)
    n = rng.randint(2, 12)
    X = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(n)]
    Y = [rng.randrange(3) for _ in range(n)]
    if case % 4 == 0:      # inputs in one quadrant: for some seeds every hidden unit is dead (exact zeros)
        X = [(-abs(a), abs(b)) for a, b in X]
    sizes, seed = [rng.randint(1, 3), 3], rng.randrange(1000)
    # one full-batch step: the matrix's gradient beside the scalar engine's
    _, trainer = train('matrix', X, Y, sizes, seed, epochs=1)
    matrix = dict(zip(trainer.last_batch.plan.names, trainer.last_batch.grads.tolist()))
    scalar, scale = scalar_gradients(X, Y, sizes, seed)
    for k in scalar:
        assert abs(matrix[k] - scalar[k]) <= 1e-15, (k, matrix[k], scalar[k])
        if scale[k] == 0:                               # 0 in every sample: 0 in both
            assert matrix[k] == 0 and scalar[k] == 0
    # and the weights after Adam
    epochs = 3
    a = train('accumulate', X, Y, sizes, seed, epochs)[0].state_dict()
    m = train('matrix', X, Y, sizes, seed, epochs)[0].state_dict()
    before = MLP(2, sizes, seed=seed).state_dict()
    for k in a:
        assert abs(a[k] - m[k]) <= epochs * PER_STEP, (k, a[k], m[k])
        if scale[k] == 0 and k.startswith('layers.0.'):  # a dead hidden unit stays dead: unchanged
            assert a[k] == before[k] == m[k]


def test_the_readme_states_this_bound_for_adam():
    text = " ".join(README.read_text().split())
    section = text[text.index("## Training in matrix form"):]
    section = section[:section.index("## ", 3)]
    promise = re.search(r"to within 1e-12 \(([^)]*)\)", section)
    assert promise and "Adam" not in promise.group(1), "Adam listed under 1e-12"
    assert "steps · lr · 1e-7" in section

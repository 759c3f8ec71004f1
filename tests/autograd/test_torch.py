"""Random expression graphs, compared value for value and gradient for gradient with PyTorch float64."""
import math
import random

import pytest

from autograd import Value

torch = pytest.importorskip("torch")

# (name, engine, torch, arity); inputs are kept where both are defined and away from kinks
UNARY = [
    ("tanh", lambda a: a.tanh(), torch.tanh),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid),
    ("relu", lambda a: a.relu(), torch.relu),          # its input is kept away from 0 below
    ("exp", lambda a: (a * 0.3).exp(), lambda a: (a * 0.3).exp()),
    ("log", lambda a: (a * a + 0.5).log(), lambda a: (a * a + 0.5).log()),
    ("square", lambda a: a ** 2, lambda a: a ** 2),
    ("neg", lambda a: -a, lambda a: -a),
    ("rdiv", lambda a: 1 / (a * a + 1), lambda a: 1 / (a * a + 1)),
    ("const", lambda a: 2.5 - a * 0.5, lambda a: 2.5 - a * 0.5),
]
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    ("pow", lambda a, b: (a * a + 0.5) ** (b * 0.5), lambda a, b: (a * a + 0.5) ** (b * 0.5)),
]


def random_program(rng, n_inputs, n_ops):
    """a list of (op, argument indices); arguments may repeat, so nodes get reused."""
    program = []
    for k in range(n_ops):
        available = n_inputs + k
        if rng.random() < 0.4:
            program.append((rng.choice(UNARY), (rng.randrange(available),)))
        else:
            program.append((rng.choice(BINARY), (rng.randrange(available), rng.randrange(available))))
    return program


def run(program, inputs, engine):
    nodes = list(inputs)
    for (name, ours, theirs), args in program:
        f = ours if engine == 'ours' else theirs
        nodes.append(f(*[nodes[i] for i in args]))
    # a bounded readout of the last few nodes, so every op matters and nothing overflows
    out = nodes[-1]
    for n in nodes[-4:-1]:
        out = out + n.tanh() if engine == 'ours' else out + torch.tanh(n)
    return nodes, out


def near_a_kink(program, nodes, n_inputs):
    """True where a relu's input is within 1e-6 of 0 but not exactly 0 (where rounding could
    put the two engines on different sides), or a value is not finite. Exactly 0 is fair:
    both engines use the derivative 0 there."""
    for k, ((name, _, _), args) in enumerate(program):
        if name == "relu" and 0 < abs(float(nodes[args[0]])) < 1e-6:
            return True
    return not all(math.isfinite(float(n)) for n in nodes)


@pytest.mark.parametrize("seed", range(150))
def test_random_graph_matches_pytorch_float64(seed):
    rng = random.Random(seed)
    n_inputs = rng.randint(1, 4)
    program = random_program(rng, n_inputs, rng.randint(3, 25))
    for _ in range(50):             # draw inputs until no relu sits on its kink
        xs = [rng.uniform(-1.5, 1.5) for _ in range(n_inputs)]
        theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
        tnodes, tout = run(program, theirs, 'torch')
        if not near_a_kink(program, [t.item() for t in tnodes], n_inputs):
            break
    else:
        pytest.fail("could not draw inputs away from the kinks")

    ours = [Value(x) for x in xs]
    nodes, out = run(program, ours, 'ours')
    out.backward()
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
    for v, t in zip(ours, theirs):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)

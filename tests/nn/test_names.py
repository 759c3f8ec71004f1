"""Every node of a model's graph is named without the user labelling anything (issue: Seeing, part 1)."""
import re
from fractions import Fraction

import pytest

import nn
from autograd import Value, record_scopes, step, to_dot, trace
from autograd.notation import AutoName, Naming

SHORT = re.compile(r'[tv]\d+|n\d+')      # the names of last resort (and the old n<k>)


def test_parameters_are_named_after_their_place_counted_from_one():
    model = nn.MLP(2, [3, 1])
    assert model.layers[0].neurons[2].w[1].label == 'L1.n3.w2'
    assert model.layers[0].neurons[2].b.label == 'L1.n3.b'
    assert model.layers[1].neurons[0].w[2].label == 'L2.n1.w3'
    labels = [p.label for p in model.parameters()]
    assert len(set(labels)) == len(labels) == 3 * 3 + 4
    assert [p.label for p in nn.Neuron(2).parameters()] == ['w1', 'w2', 'b']
    assert [p.label for p in nn.Layer(1, 2).parameters()] == ['n1.w1', 'n1.b', 'n2.w1', 'n2.b']


def test_a_module_of_your_own_is_named_from_its_attributes():
    class Two(nn.Module):
        def __init__(self):
            self.fc = nn.MLP(1, [1])
            self.extra = [Value(0.5), Value(0.25, 'scale')]
    m = Two().label_parameters()
    assert [p.label for p in m.parameters()] == ['fc.L1.n1.w1', 'fc.L1.n1.b', 'extra1', 'scale']


def test_your_own_labels_survive_the_model_and_the_trainer():
    model = nn.MLP(1, [1])
    w = model.layers[0].neurons[0].w[0]
    w.label = 'slope'
    model.label_parameters()
    X, Y = [[1.0], [2.0]], [1.0, 2.0]
    nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), 0.01)).fit(X, Y, progress=False)
    assert w.label == 'slope' and model.layers[0].neurons[0].b.label == 'L1.n1.b'


def test_inputs_outputs_and_loss_are_named():
    model = nn.MLP(2, [2, 1])
    mine = Value(3.0, 'mine')
    out = model([0.5, mine])
    loss = nn.half_squared_error(out, 1.0)
    names = Naming(loss).names
    assert out.label == 'o' and loss.label == 'loss' and mine.label == 'mine'
    assert {names[v] for v in names} >= {'x1', 'mine', 'o', 'loss', 'L1.n1.w1', 'L2.n1.b'}
    two = nn.MLP(2, [2])([1.0, 2.0])
    assert [v.label for v in two] == ['o1', 'o2']
    for loss_fn, args in ((nn.squared_error, (out, 1.0)), (nn.binary_cross_entropy, (out.sigmoid(), 1)),
                          (nn.binary_cross_entropy_with_logits, (out, 0)), (nn.hinge, (out, -1)),
                          (nn.cross_entropy, (two, 1))):
        assert loss_fn(*args).label == 'loss'


@pytest.mark.parametrize('fused', [True, False])
def test_each_neuron_names_its_z_and_a_inside_record_scopes_or_not(fused):
    model = nn.MLP(2, [2, 1], fused=fused)
    with record_scopes():
        loss = nn.squared_error(model([0.5, -1.0]), 1.0)
    plain = nn.squared_error(model([0.5, -1.0]), 1.0)
    for root in (loss, plain):
        names = set(Naming(root).names.values())
        assert {'L1.n1.z', 'L1.n1.a', 'L1.n2.z', 'L1.n2.a'} <= names
        # the last layer is linear: its z is the model's output, named o
        assert 'o' in names and 'L2.n1.z' not in names and 'L2.n1.a' not in names


def test_a_batch_graph_numbers_each_samples_names():
    model = nn.Neuron(2, activation='linear')
    X = [[1.0, 2.0], [3.0, 4.0]]
    losses = [nn.squared_error(model(x), 0.0) for x in X]
    total = losses[0] + losses[1]
    names = Naming(total).names
    assert names[losses[0]] == 'loss#1' and names[losses[1]] == 'loss#2'
    assert sorted(n for n in names.values() if n.startswith('x')) == ['x1#1', 'x1#2', 'x2#1', 'x2#2']


def graph_names(root):
    return set(Naming(root).names.values())


def leaves_and_ends(root):
    """the names of every leaf (parameters, inputs), the model's output and the loss"""
    naming = Naming(root)
    return [naming[n] for n in naming.nodes if n.is_leaf() or n.label in ('o', 'loss')]


def test_seed_articles_model_is_drawn_and_stepped_with_names_only():
    from demos.seed_worked_example import seed_model
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    with record_scopes() as scopes:
        loss = nn.half_squared_error(model(X[2]), 1)
    shown = leaves_and_ends(loss)
    assert sorted(shown) == ['loss', 'o', 'w1', 'w2', 'w3', 'x1', 'x2', 'x3']
    dot = to_dot(loss, params=model.parameters(), clusters=scopes)
    boxes = re.findall(r'label="\{([^|]*)\|', dot)
    assert {'w1', 'w2', 'w3', 'x1', 'x2', 'x3', 'z', 'o', 'loss'} <= set(boxes)
    steps = [str(s) for s in iter(step(loss).next, None)]
    # the articles' model on its third sample, (0, 2000, 3000) -> 1, by hand: z = w . x = 0, o = relu(z) = 0,
    # e = o - 1 = -1, loss = e² / 2; ten chain-rule steps, z = w . x one node with six edges
    assert [s.split(' = ')[0] for s in steps] == [
        'e².grad += ∂loss/∂(e²) · loss.grad', 'e.grad += ∂(e²)/∂e · e².grad', 'o.grad += ∂e/∂o · e.grad',
        'z.grad += ∂o/∂z · o.grad'] + ['%s.grad += ∂z/∂%s · z.grad' % (v, v) for v in ('w1', 'w2', 'w3', 'x1', 'x2', 'x3')]
    # the three weights' steps, by their names: ∂z/∂w_i = x_i = (0, 2000, 3000), z.grad = relu'(0) · -1 = -1
    assert [s.split('   (')[0].split(' = ', 1)[1] for s in steps[4:7]] == [
        'x1 · z.grad = 0 · -1 = 0', 'x2 · z.grad = 2000 · -1 = -2000', 'x3 · z.grad = 3000 · -1 = -3000']
    assert not any(re.search(r'\bn\d+\b', s) for s in steps)


def test_seed_articles_model_unfused_shows_the_chain_of_binary_operations():
    from demos.seed_worked_example import seed_model
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    model.fused = False
    loss = nn.half_squared_error(model(X[2]), 1)
    steps = [str(s) for s in iter(step(loss).next, None)]
    # w1*x1 + w2*x2 + w3*x3 is 3 products and 2 sums (t1..t5, z the last): 4 + 2*2 + 3*2 = 14 steps
    assert len(steps) == 14
    assert any(s.startswith('w3.grad += ∂t4/∂w3 · t4.grad = 3000 · ') for s in steps)


def test_micrograds_mlp_is_drawn_and_stepped_with_names_only():
    model = nn.MLP(2, [16, 16, 1])
    with record_scopes() as scopes:
        loss = nn.squared_error(model([0.5, -1.0]), 1.0)
    shown = leaves_and_ends(loss)
    assert not [n for n in shown if SHORT.fullmatch(n)]
    assert len(shown) == 2 + len(model.parameters()) + 2
    assert set(shown) >= {'x1', 'x2', 'o', 'loss', 'L1.n16.w2', 'L2.n16.w16', 'L3.n1.b'}
    s = step(loss)
    texts = [str(t) for t in iter(s.next, None)]
    s.reset()
    weight_steps = [t for t in texts if t.startswith('L')]
    assert len(weight_steps) >= len(model.parameters())
    dot = to_dot(loss, params=model.parameters(), clusters=scopes)
    assert not re.search(r'label="\{n\d+\|', dot)


def test_a_models_parameters_are_drawn_as_parameters_without_being_listed():
    model = nn.Neuron(1)
    dot = to_dot(nn.squared_error(model([2.0]), 1.0))
    w_line = next(line for line in dot.splitlines() if '{w1|' in line)
    x_line = next(line for line in dot.splitlines() if '{x1|' in line)
    assert '#cfe2ff' in w_line and '#fff3cd' in x_line          # parameter blue, input yellow


def test_errors_name_a_models_nodes():
    model = nn.Neuron(1, activation='linear')
    model.w[0].data = -2.0
    with pytest.raises(ValueError, match=r"log\(o=-2.0\)"):
        model([1.0]).log()
    with pytest.raises(ZeroDivisionError, match=r"L1.n1.w1=0.0 / 0"):
        m = nn.MLP(1, [1]); m.layers[0].neurons[0].w[0].data = 0.0
        m.layers[0].neurons[0].w[0] / 0


def test_hand_chained_layers_keep_the_names_their_nodes_have_inside_an_mlp():
    first, second = nn.Layer(2, 2, activation='tanh'), nn.Layer(2, 1, activation='tanh')
    hidden = first([0.5, -1.0])
    assert [v.label for v in hidden] == ['o1', 'o2']              # first's outputs, while they are
    out = second(hidden)
    assert [v.label for v in hidden] == ['n1.a', 'n2.a']          # inputs of second now: their neurons' names
    assert out[0].label == 'o1'
    names = set(Naming(out[0]).names.values())
    assert {'x1', 'x2', 'n1.a', 'n2.a', 'o1'} <= names and not {'x1#1', 'x1#2'} & names
    # placed as an MLP places them, a hand chain is named as the MLP is, node for node
    first.label_parameters('L1.')
    second.label_parameters('L2.')
    chain = set(Naming(second(first([0.5, -1.0]))[0]).names.values())
    mlp = nn.MLP(2, [2, 1], activation='tanh')
    mlp.layers[1].neurons[0].activation = 'tanh'
    whole = set(Naming(mlp([0.5, -1.0])).names.values())
    assert chain - {'o1'} == whole - {'o'} and 'L1.n2.a' in chain
    # a linear layer's outputs are its z; a Neuron takes them too; a label you set is kept
    linear = nn.Layer(2, 2, activation='linear')
    hidden = linear([1.0, 2.0])
    hidden[1].label = 'h'
    nn.Neuron(2)(hidden)
    assert [v.label for v in hidden] == ['n1.z', 'h']
    # a Value that is no model's output is an input, x1
    v = Value(2.0) * 3
    nn.Neuron(1)([v])
    assert v.label == 'x1'


@pytest.mark.parametrize('mode', ['accumulate', 'graph', 'lanes', 'matrix'])
def test_the_trainer_names_a_parameter_as_drawings_do_in_every_mode(mode):
    model = nn.MLP(1, [1])
    before = model.state_dict()
    # lr 1e308 times a gradient of about 1e10: the step overflows, L1.n1.w1 first
    trainer = nn.Trainer(model, nn.squared_error, nn.SGD(model.parameters(), lr=1e308), mode=mode)
    with pytest.raises(FloatingPointError, match=r"L1\.n1\.w1 after the optimizer step is -?inf") as error:
        trainer.fit([[1e10]], [0.0], progress=False)
    assert 'layers.' not in str(error.value) and model.state_dict() == before

"""Failures of nn, each made to happen on purpose: training that cannot learn or that
overflows, bad hyperparameters, odd CSV files, hostile or broken weight files, and
saving next to links, permissions and leftovers of killed saves. Every expected value
is worked out here from the inputs, not copied from the program's output."""
import json
import math
import os
import stat
import subprocess
import sys
import time
from fractions import Fraction

import pytest

from autograd import Value, no_grad
from nn import MLP, SGD, Adam, Layer, Neuron, Trainer, data, squared_error
from nn import module as module_file

np = pytest.importorskip("numpy")


# ------------------------------------------------------------------ Trainer: no_grad
def test_fit_inside_no_grad_is_refused_before_any_weight_changes():
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    trainer = Trainer(model, squared_error, SGD(model.parameters(), 0.1))
    with no_grad():
        with pytest.raises(RuntimeError, match="Trainer.fit: called inside no_grad()"):
            trainer.fit([(1.0, 2.0), (0.5, -1.0)], [1.0, 0.0], progress=False)
        assert trainer.evaluate([(1.0, 2.0)], [1.0])['loss'] >= 0     # evaluating there is fine
    assert model.state_dict() == before


# ------------------------------------------------------------------ Trainer: overflow in the engine
def test_an_overflow_in_the_forward_pass_names_epoch_batch_and_sample():
    # lr 1e6 on inputs of +-1e3: the weights blow up until (pred - y) ** 2 overflows
    model = MLP(1, [1], seed=0)
    X, Y = [(1e3,), (-1e3,)], [1.0, -1.0]
    snapshots = [model.state_dict()]
    trainer = Trainer(model, squared_error, SGD(model.parameters(), 1e6), batch_size=1, shuffle=False)
    with pytest.raises(FloatingPointError) as e:
        trainer.fit(X * 5, Y * 5, epochs=5, progress=False,
                    callback=lambda s: snapshots.append(model.state_dict()))
    message = str(e.value)
    assert isinstance(e.value.__cause__, OverflowError)
    steps_done = len(snapshots) - 1                # batches of one sample, 10 a epoch
    epoch, batch = steps_done // 10 + 1, steps_done % 10 + 1
    assert "epoch %d, batch %d" % (epoch, batch) in message
    assert "X[%d]" % (batch - 1) in message and "OverflowError" in message and "** 2" in message
    assert model.state_dict() == snapshots[-1]
    assert all(p.grad == 0 for p in model.parameters())


def test_a_zero_division_in_the_loss_is_wrapped_too():
    model = Neuron(1, activation='linear', bias=False)
    model.w[0].data = 0
    before = model.state_dict()
    loss = lambda pred, y: 1 / pred             # pred is exactly 0
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch 1, sample X\[0\]") as e:
        Trainer(model, loss, SGD(model.parameters(), 0.1)).fit([(1,)], [0], progress=False)
    assert isinstance(e.value.__cause__, ZeroDivisionError)
    assert model.state_dict() == before


# ------------------------------------------------------------------ Trainer: a step that makes weights non-finite
def linear_neuron(w):
    model = Neuron(1, activation='linear', bias=False)
    model.w[0].data = w
    return model


def product(pred, y):
    """loss = pred * y, so dloss/dw = x * y: a gradient chosen by the target."""
    return pred * y


def test_sgd_step_to_inf_restores_the_weights_and_the_momentum():
    # step 1: g = 1e-300, v = 1e-300, w = 1 - 1e300 * 1e-300 (finite);
    # step 2: g = 1e10, v = 0.5e-300 + 1e10, 1e300 * v overflows: w would be -inf
    model = linear_neuron(1.0)
    opt = SGD(model.parameters(), lr=1e300, momentum=0.5)
    trainer = Trainer(model, product, opt, batch_size=1, shuffle=False)
    with pytest.raises(FloatingPointError) as e:
        trainer.fit([(1.0,), (1.0,)], [1e-300, 1e10], progress=False)
    message = str(e.value)
    assert "epoch 1, batch 2" in message and "step" in message and "-inf" in message
    assert model.w[0].data == 1.0 - 1e300 * 1e-300
    assert opt.velocity == [1e-300]
    assert model.w[0].grad == 0


def test_adam_step_to_inf_restores_the_weights_and_the_moments():
    # g = -1: m = -0.1, v = 0.001, the bias-corrected step is +lr = 1e308, and 1e308 + 1e308 = inf
    model = linear_neuron(1e308)
    opt = Adam(model.parameters(), lr=1e308)
    with pytest.raises(FloatingPointError, match="epoch 1, batch 1"):
        Trainer(model, product, opt).fit([(1.0,)], [-1.0], progress=False)
    assert model.w[0].data == 1e308 and model.w[0].grad == 0
    assert (opt.m, opt.v, opt.t) == ([0.0], [0.0], 0)


def test_adam_state_that_overflows_is_caught_though_the_weight_stays_finite():
    # g = 1e200: v = 0.001 * g * g = inf, so every later step would be 0: learning would stop silently
    model = linear_neuron(1.0)
    opt = Adam(model.parameters(), lr=0.1)
    with pytest.raises(FloatingPointError, match="epoch 1, batch 1"):
        Trainer(model, product, opt).fit([(1.0,)], [1e200], progress=False)
    assert model.w[0].data == 1.0
    assert (opt.m, opt.v, opt.t) == ([0.0], [0.0], 0)


# ------------------------------------------------------------------ Trainer: gradients after a failure
def test_a_nan_in_a_full_batch_leaves_no_gradients_behind():
    X = [(1.0, 2.0), (-1.0, 1.0), (3.0, -2.0), (0.0, 1.0), (2.0, 2.0)]
    Y = [1.0, -1.0, 2.0, math.nan, 1.0]       # samples 0..2 are backpropagated before the nan
    model = MLP(2, [3, 1], seed=3)
    before = model.state_dict()
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch 1, sample X\[3\]"):
        Trainer(model, squared_error, SGD(model.parameters(), 0.01), shuffle=False).fit(X, Y, progress=False)
    assert model.state_dict() == before
    assert all(p.grad == 0 for p in model.parameters())


def test_an_infinite_gradient_leaves_the_gradients_as_they_were():
    model = linear_neuron(0.0)
    model.w[0].grad = 0.25                     # set by hand before fit: put back as it was
    loss = lambda pred, y: pred ** 0.5         # slope at 0 is infinite
    with pytest.raises(FloatingPointError, match="gradient"):
        Trainer(model, loss, SGD(model.parameters(), 0.1)).fit([(1.0,)], [0.0], progress=False)
    assert model.w[0].grad == 0.25 and model.w[0].data == 0.0


def test_a_keyboard_interrupt_inside_a_step_restores_it_and_is_not_wrapped():
    model = MLP(2, [2, 1], seed=2)
    before = model.state_dict()
    calls = []

    def loss(pred, y):
        calls.append(y)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return squared_error(pred, y)
    with pytest.raises(KeyboardInterrupt):
        Trainer(model, loss, SGD(model.parameters(), 0.1), shuffle=False).fit(
            [(1.0, 2.0), (2.0, 1.0)], [1.0, 0.0], progress=False)
    assert model.state_dict() == before and all(p.grad == 0 for p in model.parameters())


# ------------------------------------------------------------------ optimizer hyperparameters
BAD_HYPERPARAMETERS = [
    (SGD, {"lr": math.inf}, "lr", "inf"), (SGD, {"lr": math.nan}, "lr", "nan"), (SGD, {"lr": -0.1}, "lr", "-0.1"),
    (SGD, {"lr": "0.1"}, "lr", "'0.1'"), (SGD, {"lr": None}, "lr", "None"), (SGD, {"lr": True}, "lr", "True"),
    (SGD, {"lr": 0.1, "momentum": math.nan}, "momentum", "nan"),
    (SGD, {"lr": 0.1, "momentum": -0.5}, "momentum", "-0.5"),
    (SGD, {"lr": 0.1, "weight_decay": math.inf}, "weight_decay", "inf"),
    (SGD, {"lr": 0.1, "weight_decay": -1}, "weight_decay", "-1"),
    (Adam, {"lr": math.inf}, "lr", "inf"), (Adam, {"lr": math.nan}, "lr", "nan"),
    (Adam, {"betas": (1.0, 0.999)}, "betas[0]", "1.0"), (Adam, {"betas": (0.9, math.nan)}, "betas[1]", "nan"),
    (Adam, {"betas": (0.9, -0.1)}, "betas[1]", "-0.1"), (Adam, {"betas": 0.9}, "betas", "0.9"),
    (Adam, {"eps": math.nan}, "eps", "nan"), (Adam, {"eps": -1e-8}, "eps", "-1e-08"),
]


@pytest.mark.parametrize("make,kw,argument,shown", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_are_refused_naming_optimizer_argument_and_value(make, kw, argument, shown):
    with pytest.raises(ValueError) as e:
        make([Value(1.0)], **kw)
    message = str(e.value)
    assert message.startswith(make.__name__ + ": " + argument) and shown in message


def test_numpy_and_fraction_hyperparameters_are_numbers():
    w = Value(1.0)
    opt = SGD([w], lr=np.float64(0.5), momentum=np.float32(0.25))
    assert type(opt.lr) is float and opt.lr == 0.5 and opt.momentum == 0.25
    assert SGD([w], lr=np.int64(1)).lr == 1 and type(SGD([w], lr=np.int64(1)).lr) is int
    assert SGD([w], Fraction(1, 10)).lr == Fraction(1, 10)
    adam = Adam([w], lr=np.float64(0.01), betas=(np.float64(0.8), 0.9), eps=0)
    assert (adam.b1, adam.b2, adam.eps) == (0.8, 0.9, 0)


# ------------------------------------------------------------------ small: layers, accuracy, numpy
@pytest.mark.parametrize("make,words", [
    (lambda: Layer(2, 0), "Layer: nout must be a positive int, got 0"),
    (lambda: Layer(0, 2), "Layer: nin must be a positive int, got 0"),
    (lambda: MLP(2, [0]), "MLP: nouts[0] must be a positive int, got 0"),
    (lambda: MLP(2, [3, -1]), "MLP: nouts[1] must be a positive int, got -1"),
    (lambda: MLP(2, [2.5]), "MLP: nouts[0] must be a positive int, got 2.5"),
    (lambda: MLP(2, 3), "MLP: nouts must be a list of layer widths, got 3"),
    (lambda: MLP(0, [1]), "MLP: nin must be a positive int, got 0"),
])
def test_bad_layer_sizes_are_value_errors_naming_class_and_argument(make, words):
    with pytest.raises(ValueError) as e:
        make()
    assert words in str(e.value)


def test_numpy_ints_are_layer_sizes():
    model = MLP(np.int64(2), [np.int64(3), 1])
    assert len(model.parameters()) == 3 * 3 + 4 and model.nin == 2 and type(model.nin) is int


def test_accuracy_of_no_samples_is_an_error():
    model = MLP(2, [1])
    trainer = Trainer(model, squared_error, SGD(model.parameters(), 0.1))
    with pytest.raises(ValueError, match="accuracy: no data"):
        trainer.accuracy([], [])
    with pytest.raises(ValueError, match="X has 2 samples but Y has 1"):
        trainer.accuracy([(1.0, 2.0), (0.0, 0.0)], [1])


def test_numpy_parameters_load_as_numbers():
    model = MLP(2, [2, 1], seed=1)
    state = {name: np.float64(0.125 * k) for k, name in enumerate(model.state_dict())}
    model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == [0.125 * k for k in range(len(state))]
    assert all(type(p.data) is float for p in model.parameters())
    model.load_state_dict({name: np.int64(k) for k, name in enumerate(state)})
    assert all(type(p.data) is int for p in model.parameters())


def test_numpy_targets_and_inputs_train_and_count_as_class_labels():
    X = np.array([[1.0, 2.0], [-1.0, -2.0], [2.0, 1.0], [-2.0, -1.0]])
    Y = np.array([1, 0, 1, 0])
    model = MLP(2, [1], seed=0)
    trainer = Trainer(model, squared_error, SGD(model.parameters(), 0.01), batch_size=2)
    history = trainer.fit(X, Y, epochs=2, progress=False)
    assert len(history.epoch_accuracy) == 2            # np.int64 labels are class labels
    with no_grad():
        right = sum((model(list(x)).data >= 0.5) == (y == 1) for x, y in zip(X.tolist(), Y.tolist()))
    assert trainer.accuracy(X, Y) == right / 4


# ------------------------------------------------------------------ load_csv
def write(tmp_path, name, content):
    p = tmp_path / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def test_a_first_row_with_a_typo_is_an_error_not_a_header(tmp_path):
    p = write(tmp_path, "typo.csv", "1,2,O\n3,4,5\n")
    with pytest.raises(ValueError) as e:
        data.load_csv(p)
    message = str(e.value)
    assert str(p) in message and "line 1" in message and "column 3" in message and "'O'" in message
    assert data.load_csv(p, header=True) == ([(3, 4)], [5])       # said to be a header: it is one
    with pytest.raises(ValueError, match="line 1, column 3: 'O' is not a number"):
        data.load_csv(p, header=False)


def test_a_byte_order_mark_is_not_part_of_the_first_cell(tmp_path):
    p = write(tmp_path, "bom.csv", b"\xef\xbb\xbf1,2,3\n4,5,6\n")
    assert data.load_csv(p) == ([(1, 2), (4, 5)], [3, 6])
    q = write(tmp_path, "bomh.csv", b"\xef\xbb\xbfa,b\n1,2\n")
    assert data.load_csv(q, target='a') == ([(2,)], [1])


def test_a_header_wider_or_narrower_than_the_data_is_an_error(tmp_path):
    p = write(tmp_path, "wide.csv", "a,b,c\n1,2\n3,4\n")
    for target in ('c', 'b', 'last'):
        with pytest.raises(ValueError) as e:
            data.load_csv(p, target=target)
        assert str(p) in str(e.value) and "header" in str(e.value) and "3 columns" in str(e.value)
    q = write(tmp_path, "narrow.csv", "a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="2 columns"):
        data.load_csv(q)


def test_a_target_out_of_range_names_the_column_count(tmp_path):
    p = write(tmp_path, "d.csv", "1,2,3\n4,5,6\n")
    for target in (5, 3, -4):
        with pytest.raises(ValueError) as e:
            data.load_csv(p, target=target)
        assert "target %d" % target in str(e.value) and "3 columns" in str(e.value) and str(p) in str(e.value)
    assert data.load_csv(p, target=-3) == ([(2, 3), (5, 6)], [1, 4])
    assert data.load_csv(p, target=np.int64(1)) == ([(1, 3), (4, 6)], [2, 5])
    for bad in (1.0, True, None):
        with pytest.raises(ValueError, match="target"):
            data.load_csv(p, target=bad)


def test_header_argument_and_headers_without_data(tmp_path):
    p = write(tmp_path, "d.csv", "10,20\n1,2\n")
    assert data.load_csv(p, header=True) == ([(1,)], [2])         # '10', '20' are the names
    assert data.load_csv(p, header=True, target='10') == ([(2,)], [1])
    assert data.load_csv(p, header=False) == ([(10,), (1,)], [20, 2])
    with pytest.raises(ValueError, match="header must be True, False or None"):
        data.load_csv(p, header='yes')
    q = write(tmp_path, "h.csv", "a,b\n")
    with pytest.raises(ValueError, match="no data rows"):
        data.load_csv(q)
    r = write(tmp_path, "dup.csv", "a,a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="'a' names 2 columns"):
        data.load_csv(r, target='a')


def test_line_numbers_count_blank_lines(tmp_path):
    p = write(tmp_path, "blank.csv", "a,b\n\n1,2\n\n3,x\n")
    with pytest.raises(ValueError, match="line 5, column 2: 'x'"):
        data.load_csv(p)


def test_a_csv_that_is_not_utf8_names_the_file(tmp_path):
    p = write(tmp_path, "latin.csv", b"a,b\n1,\xff\n")
    with pytest.raises(ValueError) as e:
        data.load_csv(p)
    assert str(p) in str(e.value) and "UTF-8" in str(e.value)


# ------------------------------------------------------------------ Module.load: bounds
def saved_model(tmp_path):
    model = MLP(2, [2, 1], seed=5)
    path = tmp_path / "good.json"
    model.save(path)
    return path, json.loads(path.read_text())


def load_refused(path):
    """load `path` into a fresh model; return the ValueError's message, checking the model is unchanged."""
    model = MLP(2, [2, 1], seed=7)
    before = model.state_dict()
    with pytest.raises(ValueError) as e:
        model.load(path)
    assert model.state_dict() == before
    assert str(path) in str(e.value)
    return str(e.value)


def with_first(body, value):
    params = body["parameters"]
    first = next(iter(params))
    return first, json.dumps(dict(body, parameters=dict(params, **{first: value})))


def test_a_fraction_with_a_huge_exponent_is_refused_at_once(tmp_path, monkeypatch):
    # Fraction('1e10000000') would build a 10-million-digit int: load() must refuse the text
    # before any Fraction is made of it (a bound on the work, not a timed test)
    path, body = saved_model(tmp_path)
    first, text = with_first(body, {"fraction": "1e10000000"})
    path.write_text(text)
    made = []

    def spy(*args):
        made.append(args)
        return Fraction(*args)
    monkeypatch.setattr(module_file, "Fraction", spy)
    message = load_refused(path)
    assert made == [] and repr(first) in message and "fraction" in message


@pytest.mark.parametrize("digits", [400, 4000, 5000, 100000])
def test_ints_beyond_the_float_range_or_the_digit_bound_are_refused(tmp_path, digits):
    path, body = saved_model(tmp_path)
    first, text = with_first(body, 0)
    path.write_text(text.replace('"%s": 0' % first, '"%s": %s' % (first, "7" * digits)))
    message = load_refused(path)
    assert repr(first) in message


def test_fractions_beyond_the_bounds_are_refused_and_large_exact_ones_load(tmp_path):
    path, body = saved_model(tmp_path)
    for bad in ("1/0", "1" * 5000 + "/3", "1" * 400 + "/1", "1.5", " 1/2", "1/-2"):
        first, text = with_first(body, {"fraction": bad})
        path.write_text(text)
        assert repr(first) in load_refused(path)
    big = Fraction(3 ** 2000 + 1, 3 ** 2001)             # 955-digit terms, value about 1/3
    first, text = with_first(body, {"fraction": "%d/%d" % (big.numerator, big.denominator)})
    path.write_text(text)
    model = MLP(2, [2, 1], seed=7)
    model.load(path)
    assert model.state_dict()[first] == big
    model.save(path)                                     # and it saves back the same
    assert json.loads(path.read_text())["parameters"][first] == {"fraction": "%d/%d" % (big.numerator, big.denominator)}


def test_non_finite_json_constants_name_the_file_and_key(tmp_path):
    path, body = saved_model(tmp_path)
    first = next(iter(body["parameters"]))
    for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
        _, text = with_first(body, 0)
        path.write_text(text.replace('"%s": 0' % first, '"%s": %s' % (first, constant)))
        assert repr(first) in load_refused(path)


def test_deeply_nested_json_is_a_value_error(tmp_path):
    # 5,000 deep: past json's recursion limit, within the brackets load() counts before parsing
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000)
    assert "nested" in load_refused(path)
    path.write_text("[" * 100000 + "]" * 100000)        # past the count: refused before parsing
    assert "more JSON values" in load_refused(path)


def test_a_huge_list_is_refused_while_the_file_is_read(tmp_path):
    # issue 20, defect 10: a 64 MiB file whose parameter is a 33-million-element list took
    # 9.6 s and 514 MB before it was refused. Here 8 MiB, 4 million zeros: json would hold a
    # list of 4 million (32 MB of pointers alone) and the file twice over (bytes, then text);
    # load() now stops at its first chunk with too many commas.
    import tracemalloc
    path = tmp_path / "hostile.json"
    zeros = 4 * 2 ** 20
    path.write_bytes(b'{"format": "scalar-autograd/1", "parameters": {"layers.0.neurons.0.w.0": ['
                     + b'0,' * (zeros - 1) + b'0]}}')
    assert path.stat().st_size > 8 * 2 ** 20
    tracemalloc.start()
    try:
        message = load_refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "more JSON values than a parameter file for this model could" in message
    assert peak < 2 ** 22, peak                        # under 4 MiB: a chunk or two, not the file
    # the bound: 2 per parameter (a comma, and a '{' for a fraction) plus 2 plus the spare
    model = MLP(2, [2, 1], seed=7)
    most = 2 * len(model.parameters()) + 2 + module_file.SPARE_VALUES
    assert "over %d commas" % most in message


def test_a_file_of_fractions_only_is_within_the_count(tmp_path, monkeypatch):
    # the count's bound is exact for save()'s own files: with no spare, a model whose every
    # parameter is a fraction still loads, and one more '{' is refused
    monkeypatch.setattr(module_file, "SPARE_VALUES", 0)
    model = MLP(2, [2, 1], seed=7)
    for i, p in enumerate(model.parameters()):
        p.data = Fraction(i + 1, 7)
    path = tmp_path / "fractions.json"
    model.save(path)
    text = path.read_text()
    assert text.count(",") + text.count("{") == 2 * len(model.parameters()) + 2
    fresh = MLP(2, [2, 1], seed=8)
    fresh.load(path)
    assert fresh.state_dict() == model.state_dict()
    path.write_text(text.replace('"format"', '"x": {}, "format"', 1))
    assert "more JSON values" in load_refused(path)


def test_invalid_utf8_names_the_file(tmp_path):
    path = tmp_path / "bytes.json"
    path.write_bytes(b'{"format": "\xff\xfe"}')
    assert "UTF-8" in load_refused(path)


def test_a_file_larger_than_the_bound_is_refused(tmp_path, monkeypatch):
    path, _ = saved_model(tmp_path)
    size = path.stat().st_size
    monkeypatch.setattr(module_file, "MAX_FILE_BYTES", size - 1)
    assert "%d bytes" % (size - 1) in load_refused(path)
    monkeypatch.setattr(module_file, "MAX_FILE_BYTES", size)
    MLP(2, [2, 1]).load(path)                            # exactly at the bound: fine


def test_a_key_given_twice_is_refused(tmp_path):
    path, body = saved_model(tmp_path)
    first = next(iter(body["parameters"]))
    text = json.dumps(body).replace('"%s": ' % first, '"%s": 0.5, "%s": ' % (first, first), 1)
    path.write_text(text)
    assert repr(first) in load_refused(path)


def test_a_model_mismatch_names_the_file(tmp_path):
    path, _ = saved_model(tmp_path)
    model = MLP(2, [3, 1])
    before = model.state_dict()
    with pytest.raises(ValueError) as e:
        model.load(path)
    assert str(path) in str(e.value) and "missing" in str(e.value)
    assert model.state_dict() == before


# ------------------------------------------------------------------ Module.save: modes, links, leftovers
@pytest.fixture
def umask():
    """set the process umask for one test, and put it back."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_umask_default(tmp_path, umask):
    for mask, expected in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        umask(mask)
        path = tmp_path / ("m%o.json" % mask)
        MLP(2, [1]).save(path)
        assert mode_of(path) == expected


def test_saving_again_keeps_the_file_mode(tmp_path, umask):
    umask(0o077)                                       # would give 0600 to a new file
    path = tmp_path / "m.json"
    for mode in (0o644, 0o640, 0o604):
        MLP(2, [1]).save(path)
        os.chmod(path, mode)
        MLP(2, [1], seed=3).save(path)
        assert mode_of(path) == mode


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "m.json"
    MLP(2, [1], seed=1).save(real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    model = MLP(2, [1], seed=2)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text()) == json.loads(json.dumps(
        {"format": module_file.FORMAT, "parameters": model.state_dict()}))
    assert mode_of(real) == 0o640
    assert sorted(p.name for p in real_dir.iterdir()) == ["m.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]


def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_the_target_are_removed_on_the_next_save(tmp_path):
    path = tmp_path / "m.json"
    dead, now = dead_pid(), time.time()
    files = {
        ".m.json.%d.0123abcd.tmp" % dead: (now - 120, False),        # dead process, 2 min old: removed
        ".m.json.%d.0123abce.tmp" % dead: (now, True),               # dead process but just written: kept
        ".m.json.%d.0123abcf.tmp" % os.getpid(): (now - 120, True),  # a live process: kept
        ".m.json.abc_1234.tmp": (now - 7200, False),                 # older naming, 2 hours old: removed
        ".m.json.abc_5678.tmp": (now - 600, True),                   # older naming, 10 min: kept
        ".other.json.%d.0123abcd.tmp" % dead: (now - 7200, True),    # another file's: kept
        ".m.json.1.%d.0123abcd.tmp" % dead: (now - 7200, True),      # the file m.json.1's: kept
    }
    for name, (mtime, _) in files.items():
        (tmp_path / name).write_text("partial")
        os.utime(tmp_path / name, (mtime, mtime))
    MLP(2, [1]).save(path)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"m.json"} | {name for name, (_, kept) in files.items() if kept}


def test_a_save_that_fails_while_writing_leaves_the_old_file_and_its_mode(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=1).save(path)
    os.chmod(path, 0o640)
    old = path.read_bytes()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        MLP(2, [1], seed=2).save(path)
    assert path.read_bytes() == old and mode_of(path) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_a_cell_past_the_csv_field_limit_is_an_error_naming_the_file_and_line(tmp_path):
    # issue 20, defect 9: csv's own "_csv.Error: field larger than field limit (131072)"
    # named neither. No number is that long: the usual cause is a quote left open.
    import csv
    limit = csv.field_size_limit()
    p = write(tmp_path, "long.csv", "1,2,3\n4,5,6\n7,8," + "9" * (limit + 1) + "\n10,11,12\n")
    with pytest.raises(ValueError) as e:
        data.load_csv(p)
    message = str(e.value)
    assert message.startswith("load_csv %s: line 3: a cell longer than 131,072 characters" % p), message
    assert len(message) < 400 and "quote" in message
    q = write(tmp_path, "quote.csv", "1,2,3\n4,\"5,6\n" + "7,8,9\n" * 30000)
    with pytest.raises(ValueError) as e:
        data.load_csv(q)
    message = str(e.value)
    # the open quote's cell is '5,6\n' and then 6 characters a line: it passes 131,072 on
    # the 21,845th line after line 2 (4 + 6 * 21,845 = 131,074)
    assert message.startswith("load_csv %s: line 2 (read to line 21847): a cell longer than 131,072 characters"
                              % q), message
    assert csv.field_size_limit() == limit          # the limit is not raised behind the caller's back


def test_a_long_cell_that_is_not_a_number_is_shown_cut_short(tmp_path):
    p = write(tmp_path, "word.csv", "1,2,3\n4,5," + "x" * 5000 + "\n")
    with pytest.raises(ValueError) as e:
        data.load_csv(p)
    message = str(e.value)
    assert "line 2, column 3: 'xxxx" in message and "(5000 characters)" in message and len(message) < 300


def test_a_read_only_file_is_refused_as_open_would_refuse_it():
    # issue 20, defect 11: run as a user who is not root (the test suite runs as root, who
    # may write any file), save() replaced a 0444 file, since a rename checks only the
    # folder, and the new file kept 0444. The child imports as root, then becomes nobody,
    # in a folder of its own under /tmp (pytest's are root's alone).
    import pwd
    import shutil
    import tempfile
    nobody = pwd.getpwnam("nobody")
    folder = tempfile.mkdtemp(prefix="save-as-nobody-", dir="/tmp")
    try:
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        child = (
            "import os, sys\n"
            "sys.path.insert(0, %r)\n"
            "from nn import MLP\n"
            "os.setgid(%d); os.setuid(%d)\n"
            "path = os.path.join(%r, 'm.json')\n"
            "MLP(2, [1], seed=1).save(path)\n"
            "before = open(path).read()\n"
            "os.chmod(path, 0o444)\n"
            "try:\n"
            "    open(path, 'w')\n"
            "except PermissionError as e:\n"
            "    print('open:', e)\n"
            "try:\n"
            "    MLP(2, [1], seed=2).save(path)\n"
            "except PermissionError as e:\n"
            "    print('save:', e)\n"
            "else:\n"
            "    print('save: no error')\n"
            "print('kept' if open(path).read() == before else 'changed', oct(os.stat(path).st_mode & 0o777))\n"
            "print(sorted(os.listdir(%r)))\n"
            % (os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
               nobody.pw_gid, nobody.pw_uid, folder, folder))
        out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(folder)
    assert out.returncode == 0, out.stderr
    path = os.path.join(folder, "m.json")
    assert out.stdout.splitlines() == [
        "open: [Errno 13] Permission denied: %r" % path,
        "save: [Errno 13] Permission denied: %r" % path,     # as open() says it
        "kept 0o444",
        "['m.json']",                                        # and no temporary file left
    ]


def test_root_may_still_save_over_a_read_only_file_as_open_may(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=1).save(path)
    os.chmod(path, 0o444)
    assert os.geteuid() == 0                      # the suite runs as root (the test above needs it)
    open(path, "a").close()                       # open() lets root write it
    MLP(2, [1], seed=2).save(path)
    assert json.loads(path.read_text())["parameters"] == MLP(2, [1], seed=2).state_dict()
    assert mode_of(path) == 0o444

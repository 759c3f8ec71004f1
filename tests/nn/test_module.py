"""state_dict, save and load: round trips, and every bad file leaves the model as it was."""
import json
from fractions import Fraction

import pytest

from nn import MLP, Neuron


def test_save_load_round_trip_keeps_fractions_exact(tmp_path):
    a = Neuron(3, bias=False)
    a.w[1].data = Fraction(-3000, 11600000)
    path = tmp_path / "m.json"
    a.save(path)
    b = Neuron(3, bias=False, seed=9)
    b.load(path)
    assert b.state_dict() == a.state_dict() and isinstance(b.w[1].data, Fraction)


def test_load_state_dict_round_trip():
    a, b = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()


def good_file(tmp_path):
    path = tmp_path / "good.json"
    MLP(2, [2, 1], seed=5).save(path)
    return path, json.loads(path.read_text())


def corruptions(body, text):
    params = body["parameters"]
    first = next(iter(params))
    missing = dict(body, parameters={k: v for k, v in params.items() if k != first})
    unknown = dict(body, parameters=dict(params, extra=1.0))
    not_a_number = dict(body, parameters=dict(params, **{first: "1.0"}))
    bad_fraction = dict(body, parameters=dict(params, **{first: {"fraction": "1/0"}}))
    return {
        "truncated": text[: len(text) // 2],
        "empty": "",
        "garbage": "\x00\x01 not json",
        "missing key": json.dumps(missing),
        "unknown key": json.dumps(unknown),
        "not a number": json.dumps(not_a_number),
        "bad fraction": json.dumps(bad_fraction),
        "wrong format": json.dumps(dict(body, format="other")),
        "a list": "[1, 2, 3]",
    }


def test_every_malformed_file_raises_and_leaves_the_model_unchanged(tmp_path):
    path, body = good_file(tmp_path)
    for name, text in corruptions(body, path.read_text()).items():
        bad = tmp_path / ("bad-%s.json" % name.replace(" ", "-"))
        bad.write_text(text)
        model = MLP(2, [2, 1], seed=7)
        before = model.state_dict()
        with pytest.raises(ValueError):
            model.load(bad)
        assert model.state_dict() == before, name


def test_a_model_of_another_shape_is_refused(tmp_path):
    path, _ = good_file(tmp_path)
    model = MLP(2, [3, 1])
    before = model.state_dict()
    with pytest.raises(ValueError, match="missing"):
        model.load(path)
    assert model.state_dict() == before


def test_a_failed_save_leaves_the_old_file_intact(tmp_path):
    path, _ = good_file(tmp_path)
    old = path.read_text()
    model = MLP(2, [2, 1])
    model.parameters()[0].data = float('nan')
    with pytest.raises(ValueError, match="finite"):
        model.save(path)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["good.json"]    # no temporary file left behind


def test_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        MLP(2, [1]).load(tmp_path / "nope.json")

"""The named datasets and CSV loading."""
import math
from fractions import Fraction

import pytest

from nn import data


@pytest.mark.parametrize("make", [data.moons, data.circles, data.xor, lambda **kw: data.blobs(k=4, **kw)])
def test_generators_are_seeded_and_balanced(make):
    X, y = make(n=80, seed=3)
    assert (X, y) == make(n=80, seed=3) and X != make(n=80, seed=4)[0]
    assert len(X) == len(y) == 80 and all(len(x) == 2 for x in X)
    counts = {c: y.count(c) for c in set(y)}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_generators_have_the_shape_they_promise():
    X, y = data.circles(200, noise=0.0, factor=0.5, seed=0)
    assert all(math.isclose(math.hypot(*x), 1.0 if c == 0 else 0.5) for x, c in zip(X, y))
    X, y = data.xor(100, noise=0.0)
    assert all(c == (1 if x0 * x1 < 0 else 0) for (x0, x1), c in zip(X, y))
    X, y = data.moons(10, labels=(-1, 1))
    assert set(y) == {-1, 1}


def test_seed_dataset():
    X, y = data.seed_dataset()
    assert X == [(100, 2000, 100), (200, 0, 0), (0, 2000, 3000)] and y == [0, 1, 1]


def test_load_csv(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("broccoli,tagada,workout,shape\n100,2000,100,0\n200,0,0,1\n0,2000,1/2,1\n")
    X, y = data.load_csv(p)
    assert X == [(100, 2000, 100), (200, 0, 0), (0, 2000, Fraction(1, 2))] and y == [0, 1, 1]
    X, y = data.load_csv(p, target='broccoli')
    assert y == [100, 200, 0] and X[0] == (2000, 100, 0)
    q = tmp_path / "n.csv"
    q.write_text("1.5,2\n3,4\n")
    assert data.load_csv(q) == ([(1.5,), (3,)], [2, 4])


@pytest.mark.parametrize("text,words", [("a,b\n1,x\n", "line 2, column 2: 'x'"), ("1,2\n3\n", "line 2 has 1 columns"),
                                        ("", "no rows"), ("1,2\n3,nan\n", "line 2, column 2")])
def test_load_csv_errors_name_the_line_and_column(tmp_path, text, words):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(ValueError) as e:
        data.load_csv(p)
    assert words in str(e.value)


def test_digits_is_sklearns_split_and_scaled():
    import numpy as np
    from sklearn.datasets import load_digits
    Xtr, ytr, Xte, yte = data.digits()
    assert Xtr.shape == (1437, 64) and Xte.shape == (360, 64) and ytr.shape == (1437,) and yte.shape == (360,)
    assert Xtr.dtype == np.float64 and ytr.dtype.kind == 'i'
    bunch = load_digits()
    # every image is one of sklearn's, pixels / 16, with its own label, and each appears once
    rows = {tuple(r): t for r, t in zip((bunch.data / 16).tolist(), bunch.target.tolist())}
    seen = [tuple(r) for r in np.vstack([Xtr, Xte]).tolist()]
    assert all(rows[r] == t for r, t in zip(seen, ytr.tolist() + yte.tolist()))
    assert sorted(np.vstack([Xtr, Xte]).sum(axis=1).tolist()) == sorted((bunch.data / 16).sum(axis=1).tolist())
    assert set(ytr.tolist()) == set(range(10)) == set(yte.tolist())
    again = data.digits()
    assert all((a == b).all() for a, b in zip(again, (Xtr, ytr, Xte, yte)))       # seeded
    assert not (data.digits(seed=1)[1] == ytr).all()
    with pytest.raises(ValueError, match="test_size"):
        data.digits(test_size=0)

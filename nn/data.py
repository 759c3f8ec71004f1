"""Small named datasets, seeded and reproducible, with no scikit-learn; and CSV loading.

Each generator returns (X, y): X a list of (x0, x1) float pairs, y a list of int labels.
digits() is the one real dataset: scikit-learn's bundled 8x8 handwritten digits (no download),
as numpy arrays, split into training and test samples.
"""
import csv
import math
import numbers
import os
import random
from fractions import Fraction
from typing import List, Optional, Tuple, Union


# (X, Y): X a list of samples (tuples of numbers), Y their targets
Dataset = Tuple[List[tuple], List]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0, labels: Tuple[int, int] = (0, 1)) -> Dataset:
    """two interleaving half circles (scikit-learn's make_moons, written out)."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            X.append((math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)))
            y.append(labels[0])
        else:
            X.append((1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)))
            y.append(labels[1])
    return X, y


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0,
            labels: Tuple[int, int] = (0, 1)) -> Dataset:
    """a small circle (label 1) inside a large one (label 0)."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = 2 * math.pi * rng.random()
        r = 1.0 if i % 2 == 0 else factor
        X.append((r * math.cos(t) + rng.gauss(0, noise), r * math.sin(t) + rng.gauss(0, noise)))
        y.append(labels[0] if i % 2 == 0 else labels[1])
    return X, y


def xor(n: int = 100, noise: float = 0.1, seed: int = 0, labels: Tuple[int, int] = (0, 1)) -> Dataset:
    """four clusters at (+-1, +-1); the label is 1 where exactly one coordinate is negative."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        sx, sy = (1 if i % 2 == 0 else -1), (1 if (i // 2) % 2 == 0 else -1)
        X.append((sx + rng.gauss(0, noise), sy + rng.gauss(0, noise)))
        y.append(labels[1] if sx * sy < 0 else labels[0])
    return X, y


def blobs(n: int = 100, k: int = 3, spread: float = 0.3, seed: int = 0) -> Dataset:
    """k Gaussian clusters with centres on the unit circle; labels 0..k-1."""
    if k < 1:
        raise ValueError("blobs: k must be >= 1, got %r" % (k,))
    rng = random.Random(seed)
    centres = [(2 * math.cos(2 * math.pi * c / k), 2 * math.sin(2 * math.pi * c / k)) for c in range(k)]
    X, y = [], []
    for i in range(n):
        c = i % k
        X.append((centres[c][0] + rng.gauss(0, spread), centres[c][1] + rng.gauss(0, spread)))
        y.append(c)
    return X, y


def seed_dataset() -> Dataset:
    """The seed articles' data: (broccoli, Tagada strawberries, workout hours) -> shape,
    0 for bad and 1 for good. Ints, so that the worked examples stay exact."""
    X = [(100, 2000, 100), (200, 0, 0), (0, 2000, 3000)]
    y = [0, 1, 1]
    return X, y


def digits(test_size: int = 360, seed: int = 0):
    """scikit-learn's 8x8 handwritten digits, 1,797 images of 64 pixels, labels 0..9, as
    (X_train, y_train, X_test, y_test): numpy arrays, X float64 of shape (n, 64) with the
    pixels scaled from 0..16 to 0..1 (x / 16), y int64. The last `test_size` samples of a
    seeded permutation are the test set (the default 360 leaves 1,437 to train on).
    Row r of X is image r's pixels row by row: X[r].reshape(8, 8) draws it.
    Needs scikit-learn and numpy (pip install scikit-learn)."""
    try:
        import numpy as np
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("nn.data.digits needs scikit-learn, which bundles the digits: pip install scikit-learn "
                          "(in the clone, pip install -e '.[demos]')") from None
    bunch = load_digits()
    n = len(bunch.target)
    test_size = int(test_size)
    if not 0 < test_size < n:
        raise ValueError("digits: test_size must be between 1 and %d, got %r" % (n - 1, test_size))
    order = np.random.default_rng(seed).permutation(n)
    X = bunch.data.astype(np.float64) / 16.0        # the pixels are ints 0..16
    y = bunch.target.astype(np.int64)
    train, test = order[:n - test_size], order[n - test_size:]
    return X[train], y[train], X[test], y[test]


def load_csv(path: Union[str, os.PathLike], target: Union[str, int] = 'last',
             header: Optional[bool] = None) -> Dataset:
    """(X, y) from a CSV file of numbers (UTF-8, with or without a byte order mark).

    `target` is the target column: 'last' (the default), a header name, or an index
    (negative from the end). `header` says whether the first row names the columns:
    True, False, or None to decide from the row itself: a header if none of its cells
    is a number, data if all are. A first row that mixes the two (a typo such as
    '1,2,O', or a header with a numeric name) is a ValueError rather than a guess:
    pass header=True or header=False. A header must have as many columns as the data.
    Integers stay ints, 'a/b' becomes a Fraction. Every error names the file, and
    where it is about a cell, its line and column. A cell over csv's field limit
    (131,072 characters) is refused, not read: no number is that long, and it is
    usually a quote left open that swallowed the rest of the file.
    """
    if header not in (True, False, None):
        raise ValueError("load_csv %s: header must be True, False or None, got %r" % (path, header))
    rows = []
    last_line = 0           # the line the last row read ended on
    try:
        with open(path, newline='', encoding='utf-8-sig') as f:   # -sig: a BOM is not part of the first cell
            reader = csv.reader(f)
            for r in reader:
                if r and any(c.strip() for c in r):
                    rows.append((reader.line_num, r))
                last_line = reader.line_num
    except UnicodeDecodeError as e:
        raise ValueError("load_csv %s: not UTF-8 text (byte %d: %s)" % (path, e.start, e.reason)) from None
    except csv.Error as e:
        # the row that failed starts after the last one read; a quote left open reads on to the end
        start = last_line + 1
        where = "line %d" % start + (" (read to line %d)" % reader.line_num if reader.line_num > start else "")
        if 'field larger than field limit' in str(e):
            raise ValueError("load_csv %s: %s: a cell longer than %s characters, which no number is; is a quote (\") "
                             "left open, so that the rest of the file reads as one cell?"
                             % (path, where, format(csv.field_size_limit(), ','))) from None
        raise ValueError("load_csv %s: %s: %s" % (path, where, e)) from None
    if not rows:
        raise ValueError("load_csv %s: the file has no rows" % path)
    names = None
    if header is None:
        numeric = [_parse(c) is not None for c in rows[0][1]]
        if not all(numeric) and any(numeric):
            col = numeric.index(False)
            raise ValueError("load_csv %s: line %d mixes numbers and names (column %d: %s is not a number), so it "
                             "is neither clearly a header nor data; fix the cell, or pass header=True or header=False"
                             % (path, rows[0][0], col + 1, _show_cell(rows[0][1][col])))
        header = not any(numeric)
    if header:
        (header_line, first), rows = rows[0], rows[1:]
        names = [c.strip() for c in first]
    if not rows:
        raise ValueError("load_csv %s: the file has a header but no data rows" % path)
    width = len(rows[0][1])
    if names is not None and len(names) != width:
        raise ValueError("load_csv %s: line %d, the header, has %d columns, but line %d, the first data row, has %d"
                         % (path, header_line, len(names), rows[0][0], width))
    column = _target_column(path, target, names, width)
    X, y = [], []
    for line, row in rows:
        if len(row) != width:
            raise ValueError("load_csv %s: line %d has %d columns, expected %d" % (path, line, len(row), width))
        values = []
        for col, cell in enumerate(row):
            v = _parse(cell)
            if v is None:
                raise ValueError("load_csv %s: line %d, column %d: %s is not a number"
                                 % (path, line, col + 1, _show_cell(cell)))
            values.append(v)
        y.append(values.pop(column))
        X.append(tuple(values))
    return X, y


def _target_column(path, target, names, width):
    """the index of load_csv's target column, or a ValueError saying why there is none."""
    if isinstance(target, str) and target != 'last':
        if not names or target not in names:
            raise ValueError("load_csv %s: no column named %r (columns: %s)" % (path, target, names))
        if names.count(target) > 1:
            raise ValueError("load_csv %s: %r names %d columns of the header" % (path, target, names.count(target)))
        return names.index(target)
    if target == 'last':
        return width - 1
    if not isinstance(target, numbers.Integral) or isinstance(target, bool):
        raise ValueError("load_csv %s: target must be 'last', a column name or an int index, got %r" % (path, target))
    if not -width <= target < width:
        raise ValueError("load_csv %s: target %d is out of range: the file has %d columns (0..%d, or -%d..-1)"
                         % (path, target, width, width - 1, width))
    return int(target) % width


def _show_cell(cell, width=40):
    """repr(cell), cut short with its length where it is long: an error stays readable."""
    if len(cell) <= width:
        return repr(cell)
    return "%r... (%d characters)" % (cell[:width], len(cell))


def _parse(cell):
    cell = cell.strip()
    for kind in (int, float, Fraction):
        try:
            v = kind(cell)
        except (ValueError, ZeroDivisionError):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v
    return None

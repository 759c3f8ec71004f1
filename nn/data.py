"""Small named datasets, seeded and reproducible, with no scikit-learn; and CSV loading.

Each generator returns (X, y): X a list of (x0, x1) float pairs, y a list of int labels.
"""
import csv
import math
import random
from fractions import Fraction


def moons(n=100, noise=0.1, seed=0, labels=(0, 1)):
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


def circles(n=100, noise=0.05, factor=0.5, seed=0, labels=(0, 1)):
    """a small circle (label 1) inside a large one (label 0)."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = 2 * math.pi * rng.random()
        r = 1.0 if i % 2 == 0 else factor
        X.append((r * math.cos(t) + rng.gauss(0, noise), r * math.sin(t) + rng.gauss(0, noise)))
        y.append(labels[0] if i % 2 == 0 else labels[1])
    return X, y


def xor(n=100, noise=0.1, seed=0, labels=(0, 1)):
    """four clusters at (+-1, +-1); the label is 1 where exactly one coordinate is negative."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        sx, sy = (1 if i % 2 == 0 else -1), (1 if (i // 2) % 2 == 0 else -1)
        X.append((sx + rng.gauss(0, noise), sy + rng.gauss(0, noise)))
        y.append(labels[1] if sx * sy < 0 else labels[0])
    return X, y


def blobs(n=100, k=3, spread=0.3, seed=0):
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


def seed_dataset():
    """The seed articles' data: (broccoli, Tagada strawberries, workout hours) -> shape,
    0 for bad and 1 for good. Ints, so that the worked examples stay exact."""
    X = [(100, 2000, 100), (200, 0, 0), (0, 2000, 3000)]
    y = [0, 1, 1]
    return X, y


def load_csv(path, target='last', header=None):
    """(X, y) from a CSV file of numbers. `target` is the target column's index or
    header name ('last' by default); a first row that is not all numbers is taken as a
    header unless header=False. Integers stay ints, 'a/b' becomes a Fraction.
    A cell that is not a number raises ValueError naming its line and column."""
    with open(path, newline='', encoding='utf-8') as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    if not rows:
        raise ValueError("load_csv %s: the file has no rows" % path)
    names = None
    first_is_numbers = all(_parse(c) is not None for c in rows[0])
    if header or (header is None and not first_is_numbers):
        names, rows = [c.strip() for c in rows[0]], rows[1:]
    width = len(rows[0]) if rows else 0
    if target == 'last':
        column = width - 1
    elif isinstance(target, str):
        if not names or target not in names:
            raise ValueError("load_csv %s: no column named %r (columns: %s)" % (path, target, names))
        column = names.index(target)
    else:
        column = target if target >= 0 else width + target
    X, y = [], []
    offset = 2 if names else 1
    for line, row in enumerate(rows, offset):
        if len(row) != width:
            raise ValueError("load_csv %s: line %d has %d columns, expected %d" % (path, line, len(row), width))
        values = []
        for col, cell in enumerate(row):
            v = _parse(cell)
            if v is None:
                raise ValueError("load_csv %s: line %d, column %d: %r is not a number" % (path, line, col + 1, cell))
            values.append(v)
        y.append(values.pop(column))
        X.append(tuple(values))
    return X, y


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

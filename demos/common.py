"""What the demos share: where pictures go, how numbers and tables print."""
import os
import shutil
from fractions import Fraction

OUT = 'out'


def out_path(name, out=None):
    folder = out or OUT
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def exact(x):
    """a number as the articles write it: an exact fraction and its decimal."""
    if isinstance(x, Fraction) and x.denominator != 1:
        return "%s (%.10g)" % (x, float(x))
    if isinstance(x, Fraction):
        return str(x.numerator)
    return "%.6g" % x if isinstance(x, float) else str(x)


def table(headers, rows):
    """a plain-text table, columns as wide as their widest cell."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


def have_dot():
    return shutil.which('dot') is not None


def pyplot():
    """matplotlib's pyplot, drawing to files only."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt

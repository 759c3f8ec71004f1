"""What the demos share: where pictures go, how numbers and tables print."""
import os
import shutil
from fractions import Fraction

from autograd.notation import decimal  # noqa: F401 - the demos' numbers, as the lesson page writes them

OUT = 'out'


def out_path(name, out=None):
    folder = out or OUT
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def exact(x):
    """a number and its decimal: an exact fraction as 43/100 (0.43), a float to 6 digits."""
    if isinstance(x, Fraction) and x.denominator != 1:
        return "%s (%.10g)" % (x, float(x))
    if isinstance(x, Fraction):
        return str(x.numerator)
    return "%.6g" % x if isinstance(x, float) else str(x)


# ------------------------------------------------------------------ numbers as the articles write them
def exact_decimal(x):
    """x's decimal expansion where it ends (43/100 -> '0.43', 2000 -> '2000'), else None."""
    x = Fraction(x)
    for places in range(25):
        scaled = x * 10 ** places
        if scaled.denominator == 1:
            digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
            text = digits if places == 0 else digits[:-places] + "." + digits[-places:]
            return ("-" if x < 0 else "") + text
    return None


def _significant(text):
    return len(text.replace("-", "").replace(".", "").strip("0"))


def simple(x, digits=4, denominator=1000):
    """x written the short way the articles write a number, or None where there is none:
    an integer (2000); a decimal of up to `digits` significant digits (0.0002, 0.43, 1.3);
    a number over at most `denominator` (1/6, 2000/3, 1234.5); one significant digit over
    3, 7 or 9 (0.0002/3)."""
    x = Fraction(x)
    text = exact_decimal(x)
    if text is not None and (x.denominator == 1 or _significant(text) <= digits):
        return text
    if x.denominator <= denominator:
        return text or "%d/%d" % (x.numerator, x.denominator)
    for d in (3, 7, 9):
        text = exact_decimal(x * d)
        if text is not None and _significant(text) == 1:
            return "%s/%d" % (text, d)
    return None


def article_number(x, terms=None):
    """x as the articles write it. `terms` maps a few positive Fractions to the article's own
    spelling of them ({Fraction(3, 11600): '3000/11600000'}). A number is written as its term
    (-3000/11600000), else simply (see simple()), else, where it is a simple number plus or
    minus a term, as that sum (2000 - 3000/11600000), else as a reduced fraction. The simple
    number of a sum is a round one: an integer, a decimal of 2 significant digits at most,
    or one digit over 3, 7 or 9 (0.0002/3 - 3000/11600000)."""
    terms = terms or {}
    x = Fraction(x)
    if abs(x) in terms:
        return ("-" if x < 0 else "") + terms[abs(x)]
    text = simple(x)
    if text is not None:
        return text
    for term, spelling in terms.items():
        for sign, op in ((1, " + "), (-1, " - ")):
            rest = simple(x - sign * term, digits=2, denominator=1)
            if rest is not None:
                return rest + op + spelling
    return "%d/%d" % (x.numerator, x.denominator)


def article_vector(v, terms=None, bases=()):
    """a vector as the articles write it: (0, 2000, 3000); -(0, 2000/3, 1000) where every
    entry that is not 0 is negative; c * (u) where v is a multiple of one of `bases`
    (-(1/200, -3000/11600000, 1/5800) is -1 times w2, -(1/3) * (...) a third of it).
    Entries are written by article_number(entry, terms)."""
    v = [Fraction(e) for e in v]
    spell = lambda u: "(%s)" % ", ".join(article_number(e, terms) for e in u)
    if len(v) > 1 and any(v):
        for u in bases:
            u = [Fraction(e) for e in u]
            pivot = next((i for i, e in enumerate(u) if e), None)
            c = None if pivot is None else v[pivot] / u[pivot]
            if c is not None and all(a == c * b for a, b in zip(v, u)):
                if c in (1, -1):
                    return ("-" if c < 0 else "") + spell(u)
                return ("-(%s)" % article_number(-c, terms) if c < 0 else article_number(c, terms)) + " * " + spell(u)
        if all(e <= 0 for e in v):
            return "-" + spell([-e for e in v])
    return spell(v)


def with_decimal(text, x):
    """text, and beside it x in decimals where text shows a fraction: '43/300 ≈ 0.1433333333',
    '(1/200, 2000 - 3000/11600000) ≈ (0.005, 1999.999741)'. x is a number or a vector."""
    if "/" not in text:
        return text
    if isinstance(x, (list, tuple)):
        return "%s ≈ (%s)" % (text, ", ".join(decimal(e) for e in x))
    return "%s ≈ %s" % (text, decimal(x))


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

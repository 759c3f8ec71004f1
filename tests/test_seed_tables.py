"""Every number the seed demo prints from the articles' tables, against the numbers printed in
the articles (../shared/seeds/002, 004, 000), typed in here by hand from the article text; and
the formatter that writes numbers the way the articles do, on its own.

Where an article is wrong (its slips are listed in the seeds' README) the right value is
asserted, with a comment, and the demo must name the erratum."""
import contextlib
import io
import re
from fractions import Fraction as F

import pytest

from demos import seed_worked_example
from demos.common import article_number, article_vector, decimal, exact_decimal, simple, with_decimal


class About:
    """a number an article prints rounded, e.g. 0.14 for 43/300: the value must round to it."""
    def __init__(self, text):
        self.text = text

    def matches(self, value):
        places = len(self.text.split('.')[1]) if '.' in self.text else 0
        return abs(float(value) - float(self.text)) <= 0.5 * 10 ** -places

    def __repr__(self):
        return "About(%s)" % self.text


# The articles' starting weights, with the sign of the second as every article writes it in
# its backward pass ("δ2 = δ3 . w2 with w2 = (1/200, -3000/11600000, 1/5800)", 002, 004, 000).
W2 = (F(1, 200), -F(3000, 11600000), F(1, 5800))
X1, X2, X3 = (100, 2000, 100), (200, 0, 0), (0, 2000, 3000)      # 002 "Data"


def forward_table(article, section, o2, o3):
    """the table x | o1 = L1(x) | o2 = L2(o1) | o3 = L3(o2), row by row."""
    rows = []
    for i, (x, a, b) in enumerate(zip((X1, X2, X3), o2, o3), 1):
        rows += [(article, section, 'x', i, x), (article, section, 'o1', i, x),
                 (article, section, 'o2', i, (a,)), (article, section, 'o3', i, (b,))]
    return rows


def score_table(article, section, loss, correct, result=None):
    """the table o3 | [result] | y | loss | correct?, row by row."""
    rows = []
    for i in range(3):
        if result is not None:
            rows.append((article, section, 'result', i + 1, result[i]))
        rows += [(article, section, 'loss', i + 1, loss[i]), (article, section, 'correct', i + 1, correct[i])]
    return rows


def sample(article, section, i, o3, loss, d4, o2, d3, d2, dw, d1, step, w2, dw_name):
    """one sample's learning phase: o3, loss, δ4, δ3 (with the o2 it tests), δ2, the weights'
    gradient, δ1, the step -α ∂Loss/∂W2 and the new w2, in the article's order."""
    return [(article, section, q, i, v) for q, v in (
        ('o3', (o3,)), ('loss', loss), ('δ4', (d4,)), ('o2', (o2,)), ('δ3', (d3,)), ('δ2', d2),
        (dw_name, dw), ('δ1', d1), ('step', step), ('w2', w2))]


ZERO = (0, 0, 0)
MINUS_W2 = tuple(-w for w in W2)                                   # "-(1/200, -3000/11600000, 1/5800)"
W2_002 = (F(1, 200), 2000 - F(3000, 11600000), 3000 + F(1, 5800))
W2_004 = (F(1, 200), F('0.0002') - F(3000, 11600000), F('0.0003') + F(1, 5800))
W2_000 = (F(1, 200), F('0.0002') / 3 - F(3000, 11600000), F('0.0001') + F(1, 5800))

EXPECTED = [
    # 002 "Data": (100, 2000, 100) -> bad shape, (200, 0, 0) -> good shape, (0, 2000, 3000) -> good shape
    ('002', 'Data', 'x', 1, X1), ('002', 'Data', 'y', 1, 0),
    ('002', 'Data', 'x', 2, X2), ('002', 'Data', 'y', 2, 1),
    ('002', 'Data', 'x', 3, X3), ('002', 'Data', 'y', 3, 1),
    # 002 "Model" prints w2 = (1/200, 3000/11600000, 1/5800). ERRATUM (seeds README): the second
    # weight's sign is - everywhere else, and only - gives o2 = 0 on the first sample:
    # 100/200 - 2000 * 3000/11600000 + 100/5800 = 0.5 - 0.5172... + 0.0172... = 0
    ('002', 'Model', 'w2', None, W2),
    # 002 "Run the forward pass": o2 = o3 = (0), (1), (0); loss 0, 0, 0.5; right, right, wrong
    *forward_table('002', 'Run the forward pass', (0, 1, 0), (0, 1, 0)),
    *score_table('002', 'Run the forward pass', (0, 0, F('0.5')), (True, True, False)),
    # 002 "Run the model on the 1st data input": o3 = (0), loss = (0), δ4 = (0) - (0) = (0),
    # δ3 = (0) if (0) >= 0, δ2 = (0, 0, 0), ∂Loss/∂W2 = (0) * (100, 2000, 100) = (0, 0, 0), δ1 = (0, 0, 0),
    # ŵ2 = w2 - 1 * (0, 0, 0) = w2
    *sample('002', 'Run the model on the 1st data input', 1, 0, 0, 0, 0, 0, ZERO, ZERO, ZERO, ZERO, W2, '∂Loss/∂W2'),
    # "... 2nd data input": o3 = (1), loss = (0), δ4 = (1) - (1) = (0), δ3 = (0) if (1) >= 0, then all (0, 0, 0)
    *sample('002', 'Run the model on the 2nd data input', 2, 1, 0, 0, 1, 0, ZERO, ZERO, ZERO, ZERO, W2, '∂Loss/∂W2'),
    # "... 3rd data input": o3 = (0), loss = (0.5), δ4 = (0) - (1) = (-1), δ3 = (-1) if (0) >= 0,
    # δ2 = -(1/200, -3000/11600000, 1/5800), ∂Loss/∂W2 = -(0, 2000, 3000), δ1 = δ2,
    # ŵ2 = w2 + (0, 2000, 3000) = (1/200, 2000 - 3000/11600000, 3000 + 1/5800)
    *sample('002', 'Run the model on the 3rd data input', 3, 0, F('0.5'), -1, 0, -1, MINUS_W2,
            (0, -2000, -3000), MINUS_W2, (0, 2000, 3000), W2_002, '∂Loss/∂W2'),

    # 004 "Run the learning phase on the 1st / 2nd / 3rd data input", α = 10^-7: the same δ's as 002
    # (the weights have not moved before the 3rd sample); δw2 = δ3 * o1
    *sample('004', 'Run the learning phase on the 1st data input', 1, 0, 0, 0, 0, 0, ZERO, ZERO, ZERO, ZERO, W2, 'δw2'),
    *sample('004', 'Run the learning phase on the 2nd data input', 2, 1, 0, 0, 1, 0, ZERO, ZERO, ZERO, ZERO, W2, 'δw2'),
    # 3rd: "w2 - 10^-7 * (-(0, 2000, 3000)) = w2 + (0, 0.0002, 0.0003)
    #       = (1/200, 0.0002 - 3000/11600000, 0.0003 + 1/5800)"
    *sample('004', 'Run the learning phase on the 3rd data input', 3, 0, F('0.5'), -1, 0, -1, MINUS_W2,
            (0, -2000, -3000), MINUS_W2, (0, F('0.0002'), F('0.0003')), W2_004, 'δw2'),
    # 004 "Run a new forward pass": o2 = o3 = (0.43), (1), (1.3); result (0), (1), (1);
    # loss (0.092), (0), (0.045); all three right
    *forward_table('004', 'Run a new forward pass', (F('0.43'), 1, F('1.3')), (F('0.43'), 1, F('1.3'))),
    *score_table('004', 'Run a new forward pass', (About('0.092'), 0, F('0.045')), (True, True, True),
                 result=(0, 1, 1)),

    # 000 "Example": "Back from the beginning ... w2 = (1/200, 3000/11600000, 1/5800)": the same ERRATUM
    # as 002's "Model"; its own "We use the initial values" line two paragraphs on has the - sign
    ('000', 'Example', 'w2', None, W2),
    # 000 "Data": the same three rows as 002's
    ('000', 'Data', 'x', 1, X1), ('000', 'Data', 'y', 1, 0),
    ('000', 'Data', 'x', 2, X2), ('000', 'Data', 'y', 2, 1),
    ('000', 'Data', 'x', 3, X3), ('000', 'Data', 'y', 3, 1),
    # 000 "Run the forward pass": the same two tables as 002's
    *forward_table('000', 'Run the forward pass', (0, 1, 0), (0, 1, 0)),
    *score_table('000', 'Run the forward pass', (0, 0, F('0.5')), (True, True, False)),
    # 000 "Run the learning phase on the batch", 3: "loss^avg = 1/3 * (0 + 0 + 0.5) = 5/6". ERRATUM
    # (seeds README): 0.5 / 3 = 1/6
    ('000', 'Run the learning phase on the batch', 'loss^avg', None, F(1, 6)),
    # 4: δ4^1 = 1/3 * ((0) - (0)) = (0), δ4^2 = 1/3 * ((1) - (1)) = (0), δ4^3 = 1/3 * ((0) - (1)) = -(1/3)
    *[('000', 'Run the learning phase on the batch', 'δ4', i, (v,)) for i, v in ((1, 0), (2, 0), (3, F(-1, 3)))],
    # δ3^i = δ4^i if o2^i >= 0 with o2^i = (0), (1), (0): (0), (0), -(1/3)
    *[('000', 'Run the learning phase on the batch', q, i, (v,))
      for i, o2, d3 in ((1, 0, 0), (2, 1, 0), (3, 0, F(-1, 3))) for q, v in (('o2', o2), ('δ3', d3))],
    # δ2^1 = δ2^2 = (0, 0, 0); δ2^3 = -(1/3) * (1/200, -3000/11600000, 1/5800)
    ('000', 'Run the learning phase on the batch', 'δ2', 1, ZERO),
    ('000', 'Run the learning phase on the batch', 'δ2', 2, ZERO),
    ('000', 'Run the learning phase on the batch', 'δ2', 3, tuple(-w / 3 for w in W2)),
    # ∂Loss/∂W^{2,1} = (0, 0, 0), ∂Loss/∂W^{2,2} = (0, 0, 0), ∂Loss/∂W^{2,3} = -(0, 2000/3, 1000)
    # (the article writes ∂Loss; with the 1/3 inside they are ∂Loss^learning, as its boxed rule has it)
    ('000', 'Run the learning phase on the batch', '∂Loss^learning/∂W2', 1, ZERO),
    ('000', 'Run the learning phase on the batch', '∂Loss^learning/∂W2', 2, ZERO),
    ('000', 'Run the learning phase on the batch', '∂Loss^learning/∂W2', 3, (0, F(-2000, 3), -1000)),
    # δ1^i = δ2^i
    ('000', 'Run the learning phase on the batch', 'δ1', 1, ZERO),
    ('000', 'Run the learning phase on the batch', 'δ1', 2, ZERO),
    ('000', 'Run the learning phase on the batch', 'δ1', 3, tuple(-w / 3 for w in W2)),
    # 5: "(0, 0, 0) + (0, 0, 0) - (0, 2000/3, 1000)", "w2 + (0, 0.0002/3, 0.0001)",
    # "w2 = (1/200, 0.0002/3 - 3000/11600000, 0.0001 + 1/5800)"
    ('000', 'Run the learning phase on the batch', '∂Loss^avg/∂W2', None, (0, F(-2000, 3), -1000)),
    ('000', 'Run the learning phase on the batch', 'step', None, (0, F('0.0002') / 3, F('0.0001'))),
    ('000', 'Run the learning phase on the batch', 'w2', None, W2_000),
    # 000 "Run a new forward pass": o2 = o3 = (0.14), (1), (0.43); results (0), (1), (0)
    *forward_table('000', 'Run a new forward pass', (About('0.14'), 1, About('0.43')),
                   (About('0.14'), 1, About('0.43'))),
    # Its last table puts the results (0), (1), (0) in a column headed o3 = model(x) and their losses
    # 0, 0, 0.5 under loss = Loss(o3, y); right, right, wrong. ERRATUM (not in the seeds README): the
    # losses of o3 itself, as 004 computes them, are by hand 1/2 (43/300)^2 = 1849/180000 and
    # 1/2 (1 - 13/30)^2 = 1/2 (17/30)^2 = 289/1800; the article's 0, 0, 0.5 are Loss(result, y).
    *score_table('000', 'Run a new forward pass', (F(1849, 180000), 0, F(289, 1800)), (True, True, False),
                 result=(0, 1, 0)),
    *[('000', 'Run a new forward pass', 'Loss(result, y)', i, v) for i, v in ((1, 0), (2, 0), (3, F('0.5')))],
]


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = seed_worked_example.main(out=str(tmp_path_factory.mktemp('seed')))
    return result, out.getvalue()


def same(value, article):
    if isinstance(article, About):
        return article.matches(value)
    if isinstance(article, tuple):
        return isinstance(value, tuple) and len(value) == len(article) and all(map(same, value, article))
    if isinstance(article, bool):
        return value is article
    return value == article and not isinstance(value, float)      # exact, never a float


def test_every_number_of_the_articles_tables_is_the_articles(demo):
    printed = demo[0]['tables']
    # the same numbers, no more and no fewer, in the articles' order
    assert [row[:4] for row in printed] == [row[:4] for row in EXPECTED]
    wrong = [(key[:4], key[4], article) for key, article in zip(printed, (e[4] for e in EXPECTED))
             if not same(key[4], article)]
    assert not wrong


def test_the_demo_writes_the_numbers_as_the_articles_do_and_in_their_order(demo):
    text = demo[1]
    # spelled as in the articles (002, 004, 000), in the order they come there
    spellings = [
        "w2 = (1/200, -3000/11600000, 1/5800)",                          # 002 "Model" (with the - sign)
        "δ2 = δ3 . w2                         -(1/200, -3000/11600000, 1/5800)",   # 002, 3rd data input
        "∂Loss/∂W2 = δ3 * o1                  -(0, 2000, 3000)",
        "(0, 2000, 3000)",                                                 # "+ (0, 2000, 3000)"
        "(1/200, 2000 - 3000/11600000, 3000 + 1/5800) ≈ (0.005, 1999.999741, 3000.000172)",
        "(0, 0.0002, 0.0003)",                                             # 004, 3rd data input
        "(1/200, 0.0002 - 3000/11600000, 0.0003 + 1/5800)",
        "(0.43)", "(1.3)",                                                 # 004 "Run a new forward pass"
        "loss^avg = 1/3 * (0 + 0 + 0.5) = 1/6",                            # 000, with the erratum
        "Batch Learning prints 5/6",
        "-(1/3) * (1/200, -3000/11600000, 1/5800)",                        # 000 δ2^3
        "-(0, 2000/3, 1000)",                                              # 000 ∂Loss/∂W^{2,3}
        "(0, 0.0002/3, 0.0001)",
        "(1/200, 0.0002/3 - 3000/11600000, 0.0001 + 1/5800)",
        "(43/300) ≈ (0.1433333333)", "(13/30) ≈ (0.4333333333)",           # 000's (0.14) and (0.43)
    ]
    at = 0
    for s in spellings:
        found = text.find(s, at)
        assert found >= 0, "not found after position %d: %r" % (at, s)
        at = found
    # every erratum is named where it applies
    assert text.count("prints +3000/11600000") == 2
    assert "erratum: it heads them o3 = model(x) and Loss(o3, y)" in text


# users have no seed files: the demo names each article by its title, never by its file's number
CITATION = re.compile(r"[Ss]eeds? ?0\d\d|(?<![\d.,])\b00[0-4](?:'s|:|,| prints)|seeds'? README|shared/seeds")


def test_the_demo_names_the_articles_by_title_not_by_file(demo):
    text = demo[1]
    assert not CITATION.findall(text)
    at = 0
    for heading in ("1. Recapitulation for the Learning Process:", "2. The Gradient Descent Algorithm:",
                    "3. Batch Learning:"):
        at = text.find(heading, at)
        assert at >= 0, heading
    assert 'the "Model" section of Recapitulation for the Learning Process prints +3000/11600000' in text
    assert 'the "Back from the beginning" section of Batch Learning prints +3000/11600000' in text


# ------------------------------------------------------------------ the formatter, on its own
TERMS = {F(1, 200): "1/200", F(3000, 11600000): "3000/11600000", F(1, 5800): "1/5800"}


@pytest.mark.parametrize("x,text", [
    (2000 - F(3, 11600), "2000 - 3000/11600000"),           # 002's new w2
    (3000 + F(1, 5800), "3000 + 1/5800"),
    (F(2, 10000) - F(3, 11600), "0.0002 - 3000/11600000"),  # 004's
    (F(3, 10000) + F(1, 5800), "0.0003 + 1/5800"),
    (F(1, 15000) - F(3, 11600), "0.0002/3 - 3000/11600000"),  # 000's
    (F(1, 10000) + F(1, 5800), "0.0001 + 1/5800"),
    (F(1, 200), "1/200"), (F(-3, 11600), "-3000/11600000"),  # a term, in the article's spelling
    (F(43, 100), "0.43"), (F(13, 10), "1.3"), (F(1, 2), "0.5"), (F(1849, 20000), "0.09245"),
    (F(1, 6), "1/6"), (F(-2000, 3), "-2000/3"), (F(43, 300), "43/300"), (0, "0"), (-1, "-1"),
    (F(289, 1800), "289/1800"),                             # not simple, and no simple number + a term
    (F(1, 11) + F(1, 5800), "5811/63800"),                  # 1/11 is simple, but not round
    (F(1, 7) + F(1, 5800), "1/7 + 1/5800"),                 # one digit over 7 is round
])
def test_article_number(x, text):
    assert article_number(x, TERMS) == text


def test_simple_and_exact_decimals():
    assert [simple(x) for x in (F(1, 5000), F(1, 15000), F(2000, 3), F(1, 70000), F(12345, 10), F(1, 1001))] == \
        ["0.0002", "0.0002/3", "2000/3", "0.0001/7", "1234.5", None]
    assert [exact_decimal(x) for x in (F(43, 100), F(-1, 8), 2000, F(1, 3))] == ["0.43", "-0.125", "2000", None]
    assert [decimal(x) for x in (2000 - F(3, 11600), F(2, 10000) - F(3, 11600), 0, F(1, 10 ** 7), 10 ** 12)] == \
        ["1999.999741", "-0.00005862068966", "0", "0.0000001", "1000000000000"]


def test_article_vector():
    assert article_vector(MINUS_W2, TERMS, [W2]) == "-(1/200, -3000/11600000, 1/5800)"
    assert article_vector([-w / 3 for w in W2], TERMS, [W2]) == "-(1/3) * (1/200, -3000/11600000, 1/5800)"
    assert article_vector([2 * w for w in W2], TERMS, [W2]) == "2 * (1/200, -3000/11600000, 1/5800)"
    assert article_vector(W2, TERMS, [W2]) == "(1/200, -3000/11600000, 1/5800)"
    assert article_vector([0, -2000, -3000], TERMS, [W2]) == "-(0, 2000, 3000)"    # all <= 0: the sign outside
    assert article_vector([0, F(-2000, 3), -1000], TERMS) == "-(0, 2000/3, 1000)"
    assert article_vector([1, -2, 0], TERMS, [W2]) == "(1, -2, 0)"                  # mixed signs, no multiple
    assert article_vector(ZERO, TERMS, [W2]) == "(0, 0, 0)"
    assert article_vector([-1], TERMS, [W2]) == "(-1)" and article_vector([F(-1, 3)]) == "(-1/3)"
    assert article_vector(W2_002, TERMS) == "(1/200, 2000 - 3000/11600000, 3000 + 1/5800)"


def test_the_decimal_stands_beside_a_fraction_only():
    assert with_decimal("43/300", F(43, 300)) == "43/300 ≈ 0.1433333333"
    assert with_decimal("(1/200, 2000 - 3000/11600000)", [F(1, 200), 2000 - F(3, 11600)]) == \
        "(1/200, 2000 - 3000/11600000) ≈ (0.005, 1999.999741)"
    assert with_decimal("(0.43)", [F(43, 100)]) == "(0.43)" and with_decimal("-(0, 2000, 3000)", [0, -2000, -3000]) == \
        "-(0, 2000, 3000)"

"""The articles' worked example, table by table: Recapitulation for the Learning Process, The Gradient Descent Algorithm, Batch Learning.

Data: (broccoli, Tagada strawberries, workout hours) -> bad (0) or good (1) shape.
Model: L1 identity, L2 = W2 . o1 with no bias (one dot node in the graph), L3 = ReLU whose derivative is 1 where
its input is >= 0 (the articles' convention). Loss = 1/2 (o3 - y)^2.
Every number is computed: the passes by the engine, each δ read off the graph by
nn.layer_view (the last column names the nodes), each update made by the Trainer.
They are written the way the articles write them, with decimals beside fractions.
"""
from fractions import Fraction

import nn
from autograd import Value, draw, explore, record_scopes
from nn.trainer import predict_class

from .common import article_number, article_vector, exact, have_dot, out_path, table, with_decimal

W2 = (Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800))
# the starting weights as the articles spell them (a Fraction reduces 3000/11600000 to 3/11600)
TERMS = {Fraction(1, 200): "1/200", Fraction(3000, 11600000): "3000/11600000", Fraction(1, 5800): "1/5800"}
LOSS = nn.half_squared_error
ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}
SIGN_ERRATUM = ("+3000/11600000 as w2's second weight; the sign is - everywhere else, and only - gives the "
                "forward pass it prints")
# the articles by title; internally (the Tables' rows, their tests) by the developers' file numbers
TITLES = {"002": "Recapitulation for the Learning Process", "004": "The Gradient Descent Algorithm",
          "000": "Batch Learning"}


class Tables:
    """Every number printed from the articles' tables, noted as it is printed:
    (article, section, quantity, sample, value), vectors as tuples.
    tests/test_seed_tables.py compares them one by one with the articles' own numbers."""

    def __init__(self):
        self.rows = []

    def note(self, article, section, quantity, sample, value):
        value = tuple(value) if isinstance(value, (list, tuple)) else value
        self.rows.append((article, section, quantity, sample, value))
        return value


def vec(v, bases=()):
    return with_decimal(article_vector(v, TERMS, bases), list(v))


def num(x):
    return with_decimal(article_number(x, TERMS), x)


def seed_model(numbers=Fraction, grad_at_zero=1):
    model = nn.Neuron(3, activation='relu', bias=False, grad_at_zero=grad_at_zero)
    for w, v in zip(model.w, W2):
        w.data = numbers(v)
    return model


def weights(model):
    return [w.data for w in model.w]


def per_sample_steps(lr):
    """one epoch a sample at a time: the layer view of each sample at the weights it
    meets, then the Trainer's step on it. Returns the model and [(view, w2 before, w2 after)]."""
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    trainer = nn.Trainer(model, LOSS, nn.SGD(model.parameters(), lr=lr), batch_size=1, shuffle=False)
    steps = []
    for x, y in zip(X, Y):
        view = nn.layer_view(model, LOSS, x, y)
        before = weights(model)
        trainer.fit([x], [y], epochs=1, progress=False)
        steps.append((view, before, weights(model)))
    return model, steps


# ------------------------------------------------------------------ the articles' tables
def data_table(t, article, X, Y):
    rows = []
    for i, (x, y) in enumerate(zip(X, Y), 1):
        rows.append((vec(t.note(article, "Data", "x", i, x)), "%d (%s shape)" % (
            t.note(article, "Data", "y", i, y), "good" if y else "bad")))
    print(table(["data input", "data output (expectation)"], rows))


def starting_weights(t, article, section, erratum):
    w = t.note(article, section, "w2", None, W2)
    print("w2 = %s" % vec(w))
    print("  (erratum: the \"%s\" section of %s prints %s)" % (erratum, TITLES[article], SIGN_ERRATUM))


def forward_tables(t, article, section, views, Y, results=False):
    """the forward table x, o1 = L1(x), o2 = L2(o1), o3 = L3(o2), then o3 beside y, the loss and
    whether it is right; with results=True also the thresholded result (>= 0.5 is 1, as The Gradient Descent
    Algorithm and Batch Learning do)."""
    rows, scores = [], []
    for i, v in enumerate(views, 1):
        x = t.note(article, section, "x", i, v.x)
        o = [t.note(article, section, "o%d" % k, i, v.o(k)) for k in (1, 2, 3)]
        rows.append([vec(x)] + [vec(ok) for ok in o])
    print(table(["x", "o1 = L1(x)", "o2 = L2(o1)", "o3 = L3(o2)"], rows))
    for i, (v, y) in enumerate(zip(views, Y), 1):
        o3 = v.o(3)[0]
        row = [vec(v.o(3))]
        result = predict_class(o3, signed=False)
        if results:
            row.append("(%d)" % t.note(article, section, "result", i, result))
        row.append("(%d)" % y)
        row.append(num(t.note(article, section, "loss", i, v.loss)))
        row.append("yes" if t.note(article, section, "correct", i, result == y) else "no")
        scores.append(row)
    print(table(["o3 = model(x)"] + (["result"] if results else []) + ["y", "loss = Loss(o3, y)", "correct?"],
                scores))


def sample_block(t, article, section, i, step, alpha, dw):
    """one sample's learning phase, line by line as Recapitulation for the Learning Process and The
    Gradient Descent Algorithm write it; `dw` is the article's name for the weights' gradient
    (∂Loss/∂W2 in the first, δw2 in the second)."""
    view, before, after = step
    src = {sym: where for sym, _, _, where in view.rows()}
    note = lambda q, v: t.note(article, section, q, i, v)
    lines = [
        ("o3 = model(x)", vec(note("o3", view.o(3))), src["o3"]),
        ("loss = Loss(o3, y)", num(note("loss", view.loss)), src["loss"]),
        ("δ4 = o3 - y", vec(note("δ4", view.delta(4))), src["δ4"]),
        ("δ3 = δ4 if o2 >= 0 else 0, o2 = %s" % vec(note("o2", view.o(2))),
         vec(note("δ3", view.delta(3))), src["δ3"]),
        ("δ2 = δ3 . w2", vec(note("δ2", view.delta(2)), [before]), src["δ2"]),
        ("%s = δ3 * o1" % dw, vec(note(dw, view.dW(2)[0])), src["∂Loss/∂W2"]),
        ("δ1 = δ2", vec(note("δ1", view.delta(1)), [before]), src["δ1"]),
        ("-α * %s, α = %s" % (dw, alpha),
         vec(note("step", [a - b for a, b in zip(after, before)])), "the Trainer's step: w .data after - before"),
        ("w2 - α * %s" % dw, vec(note("w2", after)), "w1, w2, w3 .data after the step"),
    ]
    print("Run the %s on the %s data input: x = %s, y = %d" % (
        "model" if article == "002" else "learning phase", ORDINAL[i], vec(view.x), view.y))
    print(table(["", "", "read off the graph"], lines))


# ------------------------------------------------------------------ the three articles
def part_002(t, X, Y):
    print("\n1. Recapitulation for the Learning Process: the model, its forward pass, and learning one sample at a "
          "time, learning rate 1")
    data_table(t, "002", X, Y)
    starting_weights(t, "002", "Model", "Model")
    print("\nRun the forward pass")
    forward_tables(t, "002", "Run the forward pass", [nn.layer_view(seed_model(), LOSS, x, y) for x, y in zip(X, Y)], Y)
    print("\nLearning phase from scratch, α = 1")
    _, steps = per_sample_steps(lr=1)
    for i, step in enumerate(steps, 1):
        sample_block(t, "002", "Run the model on the %s data input" % ORDINAL[i], i, step, "1", "∂Loss/∂W2")
    return steps[-1][2]


def part_004(t, X, Y):
    print("\n2. The Gradient Descent Algorithm: one epoch, one sample at a time, learning rate 1e-7")
    lr = Fraction(1, 10 ** 7)
    model, steps = per_sample_steps(lr)
    for i, step in enumerate(steps, 1):
        sample_block(t, "004", "Run the learning phase on the %s data input" % ORDINAL[i], i, step, "10^-7", "δw2")
    print("\nRun a new forward pass")
    views = [nn.layer_view(model, LOSS, x, y) for x, y in zip(X, Y)]
    forward_tables(t, "004", "Run a new forward pass", views, Y, results=True)
    return [v.o(3)[0] for v in views]


def part_000(t, X, Y):
    print("\n3. Batch Learning: one step over the batch of 3, the per-sample gradients summed, learning rate 1e-7")
    lr = Fraction(1, 10 ** 7)
    starting_weights(t, "000", "Example", "Back from the beginning")
    data_table(t, "000", X, Y)
    model = seed_model()
    batch = nn.batch_view(model, LOSS, X, Y)
    print("\nRun the forward pass")
    forward_tables(t, "000", "Run the forward pass", batch.samples, Y)

    section = "Run the learning phase on the batch"
    losses = " + ".join(article_number(s.loss) for s in batch.samples)
    print("\nloss^avg = 1/3 * (%s) = %s" % (losses, num(t.note("000", section, "loss^avg", None, batch.loss_avg))))
    print("  (erratum: Batch Learning prints 5/6 here; (0 + 0 + 0.5) / 3 is 1/6)")

    lines = []
    note = lambda q, i, v: t.note("000", section, q, i, v)
    quantities = [
        ("δ4^%d = 1/3 * (o3^%d - y^%d)", "δ4", lambda s: s.delta(4), ()),
        ("δ3^%d = δ4^%d if o2^%d >= 0 else 0", "δ3", lambda s: s.delta(3), ()),
        ("δ2^%d = δ3^%d . w2", "δ2", lambda s: s.delta(2), [W2]),
        ("∂Loss^learning/∂W^{2,%d} = δ3^%d * o1^%d", "∂Loss^learning/∂W2", lambda s: s.dW(2)[0], ()),
        ("δ1^%d = δ2^%d", "δ1", lambda s: s.delta(1), [W2]),
    ]
    for text, quantity, read, bases in quantities:
        for i, s in enumerate(batch.samples, 1):
            where = {r[0]: r[3] for r in s.rows()}[quantity]
            if quantity == "δ3":
                text_i = text % (i, i, i) + ", o2^%d = %s" % (i, vec(note("o2", i, s.o(2))))
            else:
                text_i = text % ((i,) * text.count("%d"))
            lines.append((text_i, vec(note(quantity, i, read(s)), bases), "%s (sample %d)" % (where, i)))
    total = note("∂Loss^avg/∂W2", None, batch.dW(2)[0])
    lines.append(("∂Loss^avg/∂W2 = Σ_i ∂Loss^learning/∂W^{2,i}", vec(total), "the sum of the three rows above"))
    before = weights(model)
    nn.Trainer(model, LOSS, nn.SGD(model.parameters(), lr=lr), batch_size=None, shuffle=False).fit(
        X, Y, epochs=1, progress=False)
    after = weights(model)
    lines.append(("-α * ∂Loss^avg/∂W2, α = 10^-7",
                  vec(note("step", None, [a - b for a, b in zip(after, before)])),
                  "the Trainer's step: w .data after - before"))
    lines.append(("w2 - α * ∂Loss^avg/∂W2", vec(note("w2", None, after)), "w1, w2, w3 .data after the step"))
    print("\nRun the learning phase on the batch")
    print(table(["", "", "read off the graph"], lines))
    print("  (the article calls the per-sample rows ∂Loss/∂W^{2,i}; with the 1/3 of Loss^learning in them they\n"
          "   are ∂Loss^learning/∂W^{2,i}, as its own boxed rule writes them. Its third row reads \"δ3^1 * o1^1\"\n"
          "   for δ3^3 * o1^3; the numbers it gives are those of δ3^3 * o1^3.)")

    print("\nRun a new forward pass")
    section = "Run a new forward pass"
    views = [nn.layer_view(model, LOSS, x, y) for x, y in zip(X, Y)]
    forward_tables(t, "000", section, views, Y, results=True)
    rows = []
    for i, (v, y) in enumerate(zip(views, Y), 1):
        result = predict_class(v.o(3)[0], signed=False)
        rows.append(("(%d)" % result, "(%d)" % y,
                     num(note("Loss(result, y)", i, LOSS(Value(result), y).data))))
    print("The article's last table shows the results in its o3 column and their losses (0, 0, 0.5):")
    print(table(["result", "y", "Loss(result, y)"], rows))
    print("  (erratum: it heads them o3 = model(x) and Loss(o3, y); the losses of o3 itself are the column above,\n"
          "   computed on the real outputs as The Gradient Descent Algorithm does)")
    return [v.o(3)[0] for v in views], batch.loss_avg


def outputs(model):
    X, _ = nn.data.seed_dataset()
    return [model(x).data for x in X]


def learn(lr, batch_size, numbers=Fraction, grad_at_zero=1):
    """one epoch of the articles' learning phase; returns the model."""
    X, Y = nn.data.seed_dataset()
    X = [tuple(numbers(v) for v in x) for x in X]
    model = seed_model(numbers, grad_at_zero)
    nn.Trainer(model, LOSS, nn.SGD(model.parameters(), lr=lr), batch_size=batch_size, shuffle=False).fit(
        X, Y, epochs=1, progress=False)
    return model


def main(out=None):
    X, Y = nn.data.seed_dataset()
    print(__doc__.strip())
    t = Tables()
    per_sample_w = part_002(t, X, Y)
    epoch_outputs = part_004(t, X, Y)
    batch_outputs, loss_avg = part_000(t, X, Y)

    print("\n4. Why exact arithmetic and the ReLU convention matter: the third sample")
    third = X[2]
    float_o2 = sum(w * x for w, x in zip(seed_model(float).w, third))
    exact_o2 = sum(w * x for w, x in zip(seed_model(Fraction).w, third))
    model_f = learn(lr=1e-7, batch_size=1, numbers=float)
    model_0 = learn(lr=Fraction(1, 10 ** 7), batch_size=1, grad_at_zero=0)
    print(table(["setting", "L2 output on (0, 2000, 3000)", "outputs after one epoch"], [
        ("Fractions, ReLU'(0) = 1 (the articles)", exact(exact_o2.data), ", ".join(exact(o) for o in epoch_outputs)),
        ("floats, ReLU'(0) = 1", "%.3g" % float_o2.data, ", ".join(exact(o) for o in outputs(model_f))),
        ("Fractions, ReLU'(0) = 0 (PyTorch)", exact(exact_o2.data), ", ".join(exact(o) for o in outputs(model_0))),
    ]))
    print("In floats the L2 output lands just below 0, so ReLU blocks the gradient; with ReLU'(0) = 0 it is\n"
          "blocked at 0 itself. Either way the third sample teaches the model nothing.")

    pictures = {}
    if have_dot():
        # every node is named: w1..w3 and x1..x3 by the model, z = w2 . o1 (one dot node), o, e, e², Loss
        model = seed_model()
        with record_scopes():
            loss = LOSS(model(third), 1)
        loss.label = 'Loss'
        loss.backward()
        pictures['graph'] = draw(loss).render(out_path('seed_third_sample', out), format='svg', cleanup=True)
        model = seed_model()
        with record_scopes() as scopes:
            loss = LOSS(model(third), 1)
        loss.label = 'Loss'
        pictures['explorer'] = explore(loss, out_path('seed_explorer.html', out), clusters=scopes)
        print("\nwrote %s and %s (open it in a browser: step through the backward pass)"
              % (pictures['graph'], pictures['explorer']))
    else:
        print("\n(Graphviz's dot is not installed: no pictures; apt-get install graphviz)")
    return dict(per_sample_w=per_sample_w, epoch_outputs=epoch_outputs, batch_outputs=batch_outputs,
                loss_avg=loss_avg, float_o2=float_o2.data, float_outputs=outputs(model_f),
                relu0_outputs=outputs(model_0), pictures=pictures, tables=t.rows)


if __name__ == '__main__':
    main()

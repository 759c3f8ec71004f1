"""The seed articles' worked example (shared seeds 002, 004 and 000), digit for digit.

Data: (broccoli, Tagada strawberries, workout hours) -> bad (0) or good (1) shape.
Model: L1 identity, L2 = W . X with no bias, L3 = ReLU whose derivative is 1 where
its input is >= 0 (the articles' convention). Loss = 1/2 (x - y)^2.
"""
from fractions import Fraction

import nn
from autograd import draw, explore, record_scopes

from .common import exact, have_dot, out_path, table

W2 = (Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800))


def seed_model(numbers=Fraction, grad_at_zero=1):
    model = nn.Neuron(3, activation='relu', bias=False, grad_at_zero=grad_at_zero)
    for w, v in zip(model.w, W2):
        w.data = numbers(v)
    return model


def learn(lr, batch_size, numbers=Fraction, grad_at_zero=1):
    """one epoch of the articles' learning phase; returns (model, history, weights after each step)."""
    X, Y = nn.data.seed_dataset()
    X = [tuple(numbers(v) for v in x) for x in X]
    model = seed_model(numbers, grad_at_zero)
    after = []
    trainer = nn.Trainer(model, nn.half_squared_error, nn.SGD(model.parameters(), lr=lr),
                         batch_size=batch_size, shuffle=False)
    history = trainer.fit(X, Y, epochs=1, progress=False,
                          callback=lambda s: after.append([w.data for w in model.w]))
    return model, history, after


def outputs(model):
    X, _ = nn.data.seed_dataset()
    return [model(x).data for x in X]


def main(out=None):
    X, Y = nn.data.seed_dataset()
    print(__doc__.strip().splitlines()[0])
    print("starting weights w2 = (1/200, -3000/11600000, 1/5800) = (%s)" % ", ".join(exact(w) for w in W2))

    print("\n1. One per-sample pass, learning rate 1 (seed 002)")
    model, history, after = learn(lr=1, batch_size=1)
    print(table(["sample", "x", "y", "loss", "w2 after the step"],
                [(i + 1, x, y, exact(l), "(%s)" % ", ".join(exact(v) for v in w))
                 for i, (x, y, l, w) in enumerate(zip(X, Y, history.step_loss, after))]))
    per_sample_w = after[-1]
    print("w2 = (1/200, 2000 - 3000/11600000, 3000 + 1/5800), as the article writes it")

    print("\n2. One epoch of per-sample gradient descent, learning rate 1e-7 (seed 004)")
    model, _, _ = learn(lr=Fraction(1, 10 ** 7), batch_size=1)
    epoch_outputs = outputs(model)
    print(table(["x", "output after the epoch"], [(x, exact(o)) for x, o in zip(X, epoch_outputs)]))

    print("\n3. One batch step over the three samples, learning rate 1e-7 (seed 000)")
    model, history, _ = learn(lr=Fraction(1, 10 ** 7), batch_size=None)
    batch_outputs = outputs(model)
    print(table(["x", "output after the batch step"], [(x, exact(o)) for x, o in zip(X, batch_outputs)]))
    loss_avg = history.step_loss[0]
    print("Loss^avg = 1/3 (0 + 0 + 1/2) = %s.  (Erratum: the article prints 5/6; it is 1/6.)" % loss_avg)

    print("\n4. Why exact arithmetic and the ReLU convention matter: the third sample")
    third = X[2]
    float_o2 = sum(w * x for w, x in zip(seed_model(float).w, third))
    exact_o2 = sum(w * x for w, x in zip(seed_model(Fraction).w, third))
    model_f, _, _ = learn(lr=1e-7, batch_size=1, numbers=float)
    model_0, _, _ = learn(lr=Fraction(1, 10 ** 7), batch_size=1, grad_at_zero=0)
    print(table(["setting", "L2 output on (0, 2000, 3000)", "outputs after one epoch"], [
        ("Fractions, ReLU'(0) = 1 (the articles)", exact(exact_o2.data), ", ".join(exact(o) for o in epoch_outputs)),
        ("floats, ReLU'(0) = 1", "%.3g" % float_o2.data, ", ".join(exact(o) for o in outputs(model_f))),
        ("Fractions, ReLU'(0) = 0 (PyTorch)", exact(exact_o2.data), ", ".join(exact(o) for o in outputs(model_0))),
    ]))
    print("In floats the L2 output lands just below 0, so ReLU blocks the gradient; with ReLU'(0) = 0 it is\n"
          "blocked at 0 itself. Either way the third sample teaches the model nothing.")

    pictures = {}
    if have_dot():
        # every node is named: w1..w3 and x1..x3 by the model, z (w . x) inside record_scopes(), o, Loss
        model = seed_model()
        with record_scopes():
            loss = nn.half_squared_error(model(third), 1)
        loss.label = 'Loss'
        loss.backward()
        pictures['graph'] = draw(loss).render(out_path('seed_third_sample', out), format='svg', cleanup=True)
        model = seed_model()
        with record_scopes() as scopes:
            loss = nn.half_squared_error(model(third), 1)
        loss.label = 'Loss'
        pictures['explorer'] = explore(loss, out_path('seed_explorer.html', out), clusters=scopes)
        print("\nwrote %s and %s (open it in a browser: step through the backward pass)"
              % (pictures['graph'], pictures['explorer']))
    else:
        print("\n(Graphviz's dot is not installed: no pictures; apt-get install graphviz)")
    return dict(per_sample_w=per_sample_w, epoch_outputs=epoch_outputs, batch_outputs=batch_outputs,
                loss_avg=loss_avg, float_o2=float_o2.data, float_outputs=outputs(model_f),
                relu0_outputs=outputs(model_0), pictures=pictures)


if __name__ == '__main__':
    main()

"""One training iteration at the network's scale: the seed articles' neuron on their third sample, and an MLP on the moons.

nn.lesson writes one offline page per model: the network as circles and lines, then forward layer by
layer, the loss, backward with the articles' δ's and ∂Loss/∂W, the update (the optimizer's own step) and
the next forward pass; click a neuron or a weight for its chain-rule steps. The seed lesson is the
articles' learning phase on (0, 2000, 3000) with α = 1 (Recapitulation for the Learning Process); the
moons lesson, MLP(2,[16,16,1]) on 100 samples, also shows 100 epochs of training over time.
"""
import os
from fractions import Fraction

import nn

from .common import out_path
from .seed_worked_example import LOSS, seed_model


def main(out=None):
    X, Y = nn.data.seed_dataset()
    model = seed_model()
    seed_page = nn.lesson(model, LOSS, X, Y, out_path('lesson_seed.html', out),
                          optimizer=nn.SGD(model.parameters(), lr=1), sample=2)
    print("wrote %s (%d KB): the 3rd data input, α = 1" % (seed_page, os.path.getsize(seed_page) // 1024))
    Xm, Ym = nn.data.moons(100, seed=0)
    mlp = nn.MLP(2, [16, 16, 1])
    moons_page = nn.lesson(mlp, nn.squared_error, Xm, Ym, out_path('lesson_moons.html', out),
                           optimizer=nn.SGD(mlp.parameters(), lr=0.1), epochs=100)
    print("wrote %s (%d KB): MLP(2,[16,16,1]) on sample 1 of 100 moons, and 100 epochs over time"
          % (moons_page, os.path.getsize(moons_page) // 1024))
    print("open them in a browser: → or PageDown for the next phase, click a neuron for its steps")
    return dict(seed=seed_page, moons=moons_page, seed_weights=[w.data for w in model.w],
                moons_parameters=len(mlp.parameters()), untouched=[w.data for w in model.w] == [
                    Fraction(1, 200), Fraction(-3, 11600), Fraction(1, 5800)])


if __name__ == '__main__':
    main()

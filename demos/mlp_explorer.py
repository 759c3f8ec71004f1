"""Step through the backward pass of a small MLP in the explorer page, one sample of the moons.

MLP(2,[4,4,1]) (tanh hidden layers), one sample, squared error: 75 chain-rule steps (each
neuron is one dot node, z = w . x + b, and its tanh) in one offline page, laid out once by Graphviz. Open the page in a browser: arrow keys or
the slider to step, f to see the whole graph, fold a layer, search a weight by name.
"""
import os

import nn
from autograd import explore, record_scopes, step

from .common import have_dot, out_path


def build():
    X, Y = nn.data.moons(8, seed=0)
    model = nn.MLP(2, [4, 4, 1], activation='tanh', seed=0)
    with record_scopes() as scopes:          # so that layers and neurons can be folded
        loss = nn.squared_error(model(X[0]), Y[0])
    return model, loss, scopes


def main(out=None):
    model, loss, scopes = build()
    s = step(loss)
    print("loss = %.6f; %d chain-rule steps through %d parameters" % (loss.data, len(s), len(model.parameters())))
    print("the first three steps:")
    for _ in range(3):
        print("  " + str(s.next()))
    s.reset()                                # every .grad back as it was
    page = None
    if have_dot():
        page = explore(loss, out_path('mlp_explorer.html', out), clusters=scopes)
        print("wrote %s (%d KB): open it in a browser" % (page, os.path.getsize(page) // 1024))
    else:
        print("(Graphviz's dot is not installed: no page; apt-get install graphviz)")
    return dict(loss=loss, steps=len(s), parameters=len(model.parameters()), page=page)


if __name__ == '__main__':
    main()

"""A small expression, L = tanh(a * b + c): its graph and its first backprop steps (the README's picture)."""
from autograd import Value, draw, step

from .common import have_dot, out_path


def build():
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a * b; e.label = 'e'
    d = e + c; d.label = 'd'
    L = d.tanh(); L.label = 'L'
    return L


def main(out=None):
    L = build()
    print("L = tanh(a * b + c) = %.6f" % L.data)
    print("the first three steps of the chain rule (each changes one .grad):")
    stepper = step(L)
    for _ in range(3):
        print("  " + str(stepper.next()))
    stepper.run()             # the rest: every .grad is now what L.backward() gives
    a, b = L.parents[0].parents[0].parents
    c = L.parents[0].parents[1]
    print("after all %d steps: a.grad = %.6f, b.grad = %.6f, c.grad = %.6f" % (len(stepper), a.grad, b.grad, c.grad))
    picture = None
    if have_dot():
        picture = draw(L).render(out_path('first_graph', out), format='svg', cleanup=True)
        print("wrote %s" % picture)
    return dict(root=L, picture=picture, steps=stepper.steps[:3])


if __name__ == '__main__':
    main()

"""The README's opening example: a small expression, its backward pass, every edge's numbers."""
from autograd import Value, topological_order


def main():
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a * b; e.label = 'e'
    d = e + c; d.label = 'd'
    L = d.tanh(); L.label = 'L'
    L.backward()
    print("L = tanh(a * b + c) = %.6f" % L.data)
    print("the chain rule, one edge at a time (parent.grad += local * node.grad):")
    for node in topological_order(L):
        for parent, local in zip(node.parents, node.local_grads):
            print("  dL/d%s += d%s/d%s * dL/d%s = %.6g * %.6g" % (
                parent.label, node.label, parent.label, node.label, local, node.grad))
    for v in (a, b, c):
        print("  %s.grad = %.6f" % (v.label, v.grad))
    return L


if __name__ == '__main__':
    main()

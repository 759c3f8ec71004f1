"""How fast could ANY engine with one Python object per node be, here?

    python benchmarks/floor.py            # about a minute; needs micrograd==0.1.0
    python benchmarks/floor.py --quick

It times benchmarks/engine.py's MLP step (the shared bench's workload) on three
engines, alternating them round by round, and prints medians and the speedups
over micrograd:
  micrograd   micrograd 0.1.0's engine
  project     autograd.Value
  floor       the least any one-object-per-node engine can do: a node with the
              same seven slots as autograd.Value (data, grad, op, two inputs,
              two local derivatives), only + * ** relu, no checks, no labels, no
              no_grad, no anomaly mode, and a creation-order tape so that
              backward() walks no graph at all.

The floor is NOT an engine: its tape keeps every node alive until a backward()
clears it wholesale, which is right only for this one workload (one graph,
built and then differentiated). It exists to bound what is reachable: where the
floor itself falls short of a speed target, no design of this kind meets it in
this interpreter on this machine.
"""
import argparse
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.one_thread import threads  # noqa: E402  (first: one BLAS thread, set before numpy loads)
from benchmarks.engine import Value, mlp_step_fn  # noqa: E402

_new = object.__new__
_tape = []
_record = _tape.append


class Floor:
    __slots__ = ('data', 'grad', '_op', '_a', '_b', '_da', '_db')

    def __init__(self, data):
        self.data = data
        self.grad = 0
        self._op = ''
        self._a = self._b = self._da = self._db = None

    # Every op written out in full, one store per statement: a helper call per op,
    # or tuple assignments, would each cost 10-20% here, and a floor must not.
    def __add__(self, other):
        out = _new(Floor)
        if other.__class__ is Floor:
            out.data = self.data + other.data
            out._db = 1
        else:
            out.data = self.data + other
            out._db = None
        out.grad = 0
        out._op = '+'
        out._a = self
        out._b = other
        out._da = 1
        _record(out)
        return out

    __radd__ = __add__

    def __mul__(self, other):
        out = _new(Floor)
        if other.__class__ is Floor:
            out.data = self.data * other.data
            out._da = other.data
            out._db = self.data
        else:
            out.data = self.data * other
            out._da = other
            out._db = None
        out.grad = 0
        out._op = '*'
        out._a = self
        out._b = other
        _record(out)
        return out

    def __sub__(self, other):
        return self + (-other)

    def __pow__(self, n):
        out = _new(Floor)
        out.data = self.data ** n
        out.grad = 0
        out._op = '**'
        out._a = self
        out._b = n
        out._da = n * self.data ** (n - 1)
        out._db = None
        _record(out)
        return out

    def relu(self):
        x = self.data
        out = _new(Floor)
        out.data = x if x > 0 else 0.0
        out.grad = 0
        out._op = 'relu'
        out._a = self
        out._b = 0
        out._da = 1 if x > 0 else 0
        out._db = None
        _record(out)
        return out

    def backward(self):
        # the tape is in creation order, so reversed it is a topological order: no walk
        for node in _tape:
            node.grad = 0
        self.grad = 1
        for node in reversed(_tape):
            g = node.grad
            if node._da is not None:
                node._a.grad += node._da * g
            if node._db is not None:
                node._b.grad += node._db * g
        _tape.clear()


def gradients(V):
    """d/dx of a small expression using every op the floor has, for a sanity check."""
    x, y = V(0.7), V(-1.3)
    out = ((x * y + 2.0) ** 2 + (x * 3.0 - 0.5).relu() * y + (y * 3.0).relu()) * 0.5
    out.backward()
    return x.grad, y.grad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    print(threads())
    reps = 3 if args.quick else 9
    from micrograd.engine import Value as Micrograd
    engines = {'micrograd': Micrograd, 'project': Value, 'floor': Floor}
    assert all(abs(f - p) < 1e-12 for f, p in zip(gradients(Floor), gradients(Value))), "the floor is wrong"
    for gc_on in (True, False):
        steps = {name: mlp_step_fn(V) for name, V in engines.items()}
        times = {name: [] for name in engines}
        for _ in range(reps):
            for name, step in steps.items():
                gc.collect()
                (gc.enable if gc_on else gc.disable)()
                t = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - t)
                gc.enable()
        line = ["mlp_step_gc_%-3s" % ('on' if gc_on else 'off')]
        for name in engines:
            ratio = statistics.median(m / t for m, t in zip(times['micrograd'], times[name]))
            line.append("%s %6.1f ms (%4.1fx)" % (name, 1e3 * statistics.median(times[name]), ratio))
        print("   ".join(line))


if __name__ == '__main__':
    main()

"""Optimizers, simplest first. Each reads p.grad and changes p.data; nothing is recorded."""
import math

from autograd import Value


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError("%s: params[%d] is %s, not a Value" % (type(self).__name__, i, type(p).__name__))
        if not lr > 0:
            raise ValueError("%s: lr must be positive, got %r" % (type(self).__name__, lr))
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad = 0


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (grad + weight_decay * p), as in PyTorch.
    With a Fraction lr and exact gradients the weights stay exact."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity = [0] * len(self.params)

    def step(self):
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            if self.momentum:
                g = self.velocity[i] = self.momentum * self.velocity[i] + g
            p.data = p.data - self.lr * g


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), as in PyTorch."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.b1, self.b2 = betas
        self.eps = eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self):
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for i, p in enumerate(self.params):
            g = float(p.grad)
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * g * g
            p.data = p.data - self.lr * (self.m[i] / c1) / (math.sqrt(self.v[i] / c2) + self.eps)

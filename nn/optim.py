"""Optimizers, simplest first. Each reads p.grad and changes p.data; nothing is recorded.

Hyperparameters are checked when an optimizer is made: a non-finite, negative or
non-numeric one is a ValueError naming the optimizer, the argument and the value
(numpy scalars count as numbers and are converted). state_dict() and
load_state_dict() copy what step() changes besides the weights, so that the
Trainer can undo a step that went wrong.
"""
from __future__ import annotations

import math
from typing import Iterable, Tuple

from autograd import Value
from autograd.value import as_number


# what each kind of hyperparameter must be, as a test and as words for the error
RULES = {
    'positive': (lambda x: 0 < x < math.inf, "positive and finite"),
    'non-negative': (lambda x: 0 <= x < math.inf, "finite and >= 0"),
    'below one': (lambda x: 0 <= x < 1, "in [0, 1)"),
}


def hyperparameter(owner, name, value, rule):
    """value as a plain number (numpy scalars converted) if it obeys RULES[rule];
    otherwise a ValueError naming owner, name and value. nan obeys no rule."""
    test, words = RULES[rule]
    try:
        number = as_number(value, owner)
    except TypeError:
        raise ValueError("%s: %s must be a number, got %s %r" % (owner, name, type(value).__name__, value)) from None
    if not test(number):
        raise ValueError("%s: %s must be %s, got %r" % (owner, name, words, value))
    return number


class Optimizer:
    """params: the Values to step. A Value given twice (a shared parameter, at each of
    its places) is kept once, at its first place, and stepped once: backward() has
    already summed its gradient over every place it is used."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        params = list(params)
        name = type(self).__name__
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError("%s: params[%d] is %s, not a Value" % (name, i, type(p).__name__))
        seen = set()
        self.params = [p for p in params if not (id(p) in seen or seen.add(id(p)))]
        self.lr = hyperparameter(name, 'lr', lr, 'positive')

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0

    def state_dict(self) -> dict:
        """a copy of the running state step() keeps besides the weights ({} here)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """put back a state_dict() taken earlier."""


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (grad + weight_decay * p), as in PyTorch.
    With a Fraction lr and exact gradients the weights stay exact."""

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = hyperparameter('SGD', 'momentum', momentum, 'non-negative')
        self.weight_decay = hyperparameter('SGD', 'weight_decay', weight_decay, 'non-negative')
        self.velocity = [0] * len(self.params)

    def step(self) -> None:
        lr, decay, momentum, velocity = self.lr, self.weight_decay, self.momentum, self.velocity
        if not (decay or momentum):          # plain SGD: p -= lr * grad
            for p in self.params:
                p.data = p.data - lr * p.grad
            return
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            if momentum:
                g = velocity[i] = momentum * velocity[i] + g
            p.data = p.data - lr * g

    def state_dict(self) -> dict:
        """{'velocity': [v per parameter]}, copied."""
        return {'velocity': list(self.velocity)}

    def load_state_dict(self, state: dict) -> None:
        self.velocity = list(state['velocity'])


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), as in PyTorch.
    0 <= b1, b2 < 1 and eps >= 0, as PyTorch requires."""

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError("Adam: betas must be a pair (b1, b2), got %r" % (betas,))
        self.b1, self.b2 = (hyperparameter('Adam', 'betas[%d]' % i, b, 'below one') for i, b in enumerate(betas))
        self.eps = hyperparameter('Adam', 'eps', eps, 'non-negative')
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for i, p in enumerate(self.params):
            g = float(p.grad)
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * g * g
            p.data = p.data - self.lr * (self.m[i] / c1) / (math.sqrt(self.v[i] / c2) + self.eps)

    def state_dict(self) -> dict:
        """{'m': [...], 'v': [...], 't': steps taken}, copied."""
        return {'m': list(self.m), 'v': list(self.v), 't': self.t}

    def load_state_dict(self, state: dict) -> None:
        self.m, self.v, self.t = list(state['m']), list(state['v']), state['t']

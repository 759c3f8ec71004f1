"""Module: what every model part shares: its parameters, and saving and loading them.

Parameters are found by walking the module's attributes in the order they were
set: a Value is a parameter, a Module is walked into, and so is a list of either.
No registration and no __getattr__ magic: a typo is an AttributeError.
"""
import json
import math
import os
import tempfile
from fractions import Fraction

from autograd import Value
from autograd.value import as_number

FORMAT = "scalar-autograd/1"


class Module:

    def named_parameters(self, prefix=''):
        """[(dotted name, Value)] in a stable order, e.g. 'layers.0.neurons.1.w.0'."""
        found = []
        for name, attr in vars(self).items():
            if name.startswith('_'):
                continue
            _collect(attr, prefix + name, found)
        return found

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def state_dict(self):
        """{name: number}, the parameters' values."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Set every parameter from `state`. Everything is checked first: on any error
        (a missing or unknown name, a count that differs, a value that is not a finite
        number) a ValueError says what, and the model is left exactly as it was.
        numpy scalars are numbers: they are stored as int, float or Fraction."""
        named = self.named_parameters()
        if not isinstance(state, dict):
            raise ValueError("load_state_dict: expected a dict of %d parameters, got %s"
                             % (len(named), type(state).__name__))
        names = [n for n, _ in named]
        missing = [n for n in names if n not in state]
        unknown = [k for k in state if k not in set(names)]
        if missing or unknown or len(state) != len(named):
            raise ValueError("load_state_dict: the model has %d parameters, the state %d; missing %s, unknown %s"
                             % (len(named), len(state), missing[:5], unknown[:5]))
        values = {}
        for name in names:
            v = state[name]
            try:
                values[name] = as_number(v, 'load_state_dict')     # numpy scalars become int or float
            except TypeError:
                values[name] = None
            if values[name] is None or (isinstance(values[name], float) and not math.isfinite(values[name])):
                raise ValueError("load_state_dict: parameter %r is %r, not a finite number" % (name, v))
        for name, p in named:
            p.data = values[name]

    def save(self, path):
        """Write the parameters to `path` as JSON (Fractions kept exact). The file is
        replaced atomically: a failed save leaves the old file intact."""
        body = {"format": FORMAT, "parameters": {k: _encode(k, v) for k, v in self.state_dict().items()}}
        text = json.dumps(body, indent=1, allow_nan=False)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load(self, path):
        """Load parameters saved by save() into this model, in place. A missing,
        truncated or corrupted file, or one for another model, raises ValueError
        (or OSError) and leaves the model exactly as it was."""
        with open(path, encoding='utf-8') as f:
            text = f.read()
        try:
            body = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError("load %s: not a complete JSON file (%s)" % (path, e)) from None
        if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("parameters"), dict):
            raise ValueError("load %s: not a %s parameter file" % (path, FORMAT))
        state = {k: _decode(path, k, v) for k, v in body["parameters"].items()}
        self.load_state_dict(state)
        return self

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.describe())

    def describe(self):
        return "%d parameters" % len(self.parameters())


def _collect(attr, name, found):
    if isinstance(attr, Value):
        found.append((name, attr))
    elif isinstance(attr, Module):
        found.extend(attr.named_parameters(name + '.'))
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            _collect(item, "%s.%d" % (name, i), found)


def _encode(name, v):
    if isinstance(v, Fraction):
        return {"fraction": "%d/%d" % (v.numerator, v.denominator)}
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("save: parameter %r is %r; only finite numbers can be saved" % (name, v))
    return v


def _decode(path, name, v):
    if isinstance(v, dict) and set(v) == {"fraction"} and isinstance(v["fraction"], str):
        try:
            return Fraction(v["fraction"])
        except (ValueError, ZeroDivisionError):
            pass
    elif v.__class__ in (int, float):
        return v
    raise ValueError("load %s: parameter %r is %r, not a number" % (path, name, v))

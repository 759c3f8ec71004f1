"""Module: what every model part shares: its parameters, and saving and loading them.

Parameters are found by walking the module's attributes in the order they were
set: a Value is a parameter, a Module is walked into, and so is a list of either.
No registration and no __getattr__ magic: a typo is an AttributeError.
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
from fractions import Fraction
from typing import Dict, List, Tuple, Union

from autograd import Value
from autograd.files import write_atomic
from autograd.notation import ParamName, autolabel
from autograd.value import as_number

FORMAT = "scalar-autograd/1"

# the bounds of what load() accepts (and so save() writes); see Module.load
MAX_FILE_BYTES = 64 * 2 ** 20
MAX_DIGITS = 4300               # Python's default int <-> str limit (sys.get_int_max_str_digits())
DIGIT_LIMIT = 10 ** MAX_DIGITS
FRACTION = re.compile(r'(-?[0-9]+)(?:/([0-9]+))?\Z')     # what save() writes: 'p/q', or 'p'
SPARE_VALUES = 10_000           # JSON values load() allows beyond what a file for the model holds
READ_CHUNK = 2 ** 20            # load() reads and counts this many bytes at a time

# whether os.access can check as the effective user, as open() does (Linux, macOS: yes)



class Module:

    def named_parameters(self, prefix: str = '') -> List[Tuple[str, Value]]:
        """[(dotted name, Value)] in a stable order, e.g. 'layers.0.neurons.1.w.0'.
        A Value found at several places (a shared parameter: layer.neurons[1].b =
        layer.neurons[0].b) is listed once, at its first place, as PyTorch lists it."""
        return _first_places(self._walk(prefix, False))

    def drawn_parameters(self, prefix: str = '') -> List[Tuple[str, Value]]:
        """[(name, Value)] as named_parameters() lists them, each named as drawings and
        messages name it: 'layers.0.neurons.2.w.1' is L1.n3.w2 (see label_parameters)."""
        return _first_places(self._walk(prefix, True))

    def ties(self, drawn: bool = False) -> Dict[str, str]:
        """{name: name of its first place} for every place that holds a parameter already
        found earlier (a shared parameter), in dotted names (drawn: as drawings name
        them, {'L1.n2.b': 'L1.n1.b'}); {} for a model without ties."""
        first, found = {}, {}
        for name, p in self._walk('', drawn):
            if id(p) in first:
                found[name] = first[id(p)]
            else:
                first[id(p)] = name
        return found

    def _walk(self, prefix, drawn):
        """[(name, Value)] at every place, a shared Value at each of its places: dotted
        names counted from 0, or (drawn) the drawings' short names counted from 1."""
        found = []
        for name, attr in vars(self).items():
            if not name.startswith('_'):
                _collect(attr, prefix + (self.short_names.get(name, name) if drawn else name), found, drawn)
        return found

    def _places(self):
        """every parameter at every place, in _walk's order, without names: what a check
        that needs no names walks (a name costs more than the walk)."""
        found = []
        for name, attr in vars(self).items():
            if not name.startswith('_'):
                _collect_places(attr, found)
        return found

    short_names = {}   # attribute -> the short name drawings use (MLP: layers -> L)

    def label_parameters(self, prefix: str = '') -> Module:
        """Name every parameter after its place in the model, short enough for a box:
        attributes by their short names, list positions counted from 1 and joined on,
        so 'layers.0.neurons.2.w.1' is drawn as L1.n3.w2 (layer 1, neuron 3, weight 2)
        and 'layers.0.neurons.2.b' as L1.n3.b. A shared parameter is named after its
        first place. A label you set yourself is kept. Returns the model."""
        self._prefix = prefix        # a neuron names its z and a with it, inside record_scopes()
        for name, attr in list(vars(self).items()):
            if not name.startswith('_'):
                _label(attr, prefix + self.short_names.get(name, name))
        for name, p in self.drawn_parameters(prefix):     # last, so that a tie's first place wins
            autolabel(p, ParamName(name))
        return self

    def parameters(self) -> List[Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0

    def state_dict(self) -> Dict[str, object]:
        """{name: number}, the parameters' values; a shared parameter once, at its first
        place (named_parameters). save() writes the ties beside them (see there)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Dict[str, object]) -> None:
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
        known = set(names)
        unknown = [k for k in state if k not in known]
        if missing or unknown or len(state) != len(named):
            ties = self.ties()
            raise ValueError("load_state_dict: the model has %d parameters, the state %d; missing %s, unknown %s%s"
                             % (len(named), len(state), missing[:5], unknown[:5],
                                "; the model shares parameters (a place: its first place): %s" % ties if ties else ""))
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

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the parameters to `path` as JSON (Fractions kept exact).

        The file is replaced atomically (written to a temporary file beside it, then
        renamed over it): a failed save leaves the old file intact. The new file keeps
        the old one's mode; a new file gets the umask's default, as open() would give.
        A file this process may not write (a 0444 file, for a user who is not root) is
        refused with open()'s PermissionError, though a rename would get past it.
        Where `path` is a symbolic link, the file it points to is replaced and the link
        kept. Temporary files that killed saves of the same file left behind are
        removed (autograd.files.write_atomic does all this). A number that load() would refuse (see there) is
        refused here too, naming the parameter.

        A model with shared parameters (ties()) is written with them: each shared
        parameter once, at its first place, and "ties": {place: first place}; load()
        accepts the file only into a model tied the same way.
        """
        body = {"format": FORMAT, "parameters": {k: _encode(k, v) for k, v in self.state_dict().items()}}
        ties = self.ties()
        if ties:
            body["ties"] = ties
        text = json.dumps(body, indent=1, allow_nan=False)
        write_atomic(path, text)

    def load(self, path: Union[str, os.PathLike]) -> Module:
        """Load parameters saved by save() into this model, in place.

        A missing, truncated or corrupted file, or one for another model, raises
        ValueError naming the file (and the parameter, where one is at fault), or
        OSError, and leaves the model exactly as it was. Bounds, so that a hostile
        file costs neither time nor memory: the file is at most MAX_FILE_BYTES (64 MiB);
        an int, and a fraction's numerator and denominator, have at most MAX_DIGITS
        (4300) digits, Python's own limit for int <-> str; every number is finite and
        at most the largest float (about 1.8e308) in size, so the model can still run
        on floats; a fraction is written 'p/q' or 'p', as save() writes it. Before
        json parses anything, the file's commas, '[' and '{' are counted as it is
        read, a chunk at a time: each JSON value past the first needs one, and a file
        for this model needs at most 2 per parameter, plus those in the names. One
        with more than that plus SPARE_VALUES (10,000) is refused as soon as the count
        passes it, so a huge list costs the reading of a chunk, not a list of
        millions of numbers.

        Shared parameters: the file's "ties" (see save) must be this model's ties();
        a file of a tied model loaded into a model without that tie (or the other
        way round) is refused with a ValueError naming the ties, the model unchanged:
        tie the model's parameters as the file says (model.ties()), then load.
        """
        allowed = _most_separators(self.named_parameters(), self.ties()) + SPARE_VALUES
        buffer, found = bytearray(), 0
        with open(path, 'rb') as f:
            while True:
                chunk = f.read(READ_CHUNK)
                if not chunk:
                    break
                if len(buffer) + len(chunk) > MAX_FILE_BYTES:
                    raise ValueError("load %s: the file is larger than %d bytes, the most load() reads (MAX_FILE_BYTES)"
                                     % (path, MAX_FILE_BYTES))
                found += chunk.count(b',') + chunk.count(b'[') + chunk.count(b'{')
                if found > allowed:
                    raise ValueError("load %s: the file holds more JSON values than a parameter file for this model "
                                     "could: over %d commas, '[' and '{' in its first %d bytes, where %d parameters "
                                     "need at most %d (and load() allows %d more): another model's file, or not a "
                                     "parameter file" % (path, allowed, len(buffer) + len(chunk),
                                                         len(self.named_parameters()), allowed - SPARE_VALUES,
                                                         SPARE_VALUES))
                buffer += chunk
        try:
            text = buffer.decode('utf-8-sig')
        except UnicodeDecodeError as e:
            raise ValueError("load %s: not UTF-8 text (byte %d: %s)" % (path, e.start, e.reason)) from None
        try:
            body = json.loads(text, parse_int=_parse_int, object_pairs_hook=lambda pairs: _no_repeats(path, pairs))
        except json.JSONDecodeError as e:
            raise ValueError("load %s: not a complete JSON file (%s)" % (path, e)) from None
        except RecursionError:
            raise ValueError("load %s: nested too deeply to be a parameter file" % path) from None
        if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("parameters"), dict):
            raise ValueError("load %s: not a %s parameter file" % (path, FORMAT))
        ties = body.get("ties", {})
        if not isinstance(ties, dict):
            raise ValueError("load %s: its \"ties\" are %.60r, not {place: first place}, so it is not a %s "
                             "parameter file" % (path, ties, FORMAT))
        if ties != self.ties():
            raise ValueError("load %s: the file's model shares parameters as %s, this model as %s (each a place: "
                             "its first place); tie this model's parameters as the file's were before loading"
                             % (path, _ties_text(ties), _ties_text(self.ties())))
        state = {k: _decode(path, k, v) for k, v in body["parameters"].items()}
        try:
            self.load_state_dict(state)
        except ValueError as e:
            raise ValueError("load %s: %s" % (path, str(e).replace("load_state_dict: ", "", 1))) from None
        return self

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, self.describe())

    def describe(self) -> str:
        return "%d parameters" % len(self.parameters())


def _collect(attr, name, found, drawn):
    if isinstance(attr, Value):
        found.append((name, attr))
    elif isinstance(attr, Module):
        found.extend(attr._walk(name + '.', drawn))
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            _collect(item, "%s%d" % (name, i + 1) if drawn else "%s.%d" % (name, i), found, drawn)


def _collect_places(attr, found):
    """_collect without the names."""
    if isinstance(attr, Value):
        found.append(attr)
    elif isinstance(attr, Module):
        found.extend(attr._places())
    elif isinstance(attr, (list, tuple)):
        for item in attr:
            if isinstance(item, Value):      # most are (a neuron's w): no call for them
                found.append(item)
            else:
                _collect_places(item, found)


def _first_places(found):
    """found without the places of a Value listed earlier."""
    seen = set()
    return [(name, p) for name, p in found if not (id(p) in seen or seen.add(id(p)))]


def _label(attr, name):
    """set each module's prefix (label_parameters); the Values are labelled after."""
    if isinstance(attr, Module):
        attr.label_parameters(name + '.')
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            _label(item, "%s%d" % (name, i + 1))


def _encode(name, v):
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("save: parameter %r is %r; only finite numbers can be saved" % (name, v))
    problem = _out_of_bounds(v)
    if problem:
        raise ValueError("save: parameter %r %s, so load() would refuse it" % (name, problem))
    if isinstance(v, Fraction):
        return {"fraction": "%d/%d" % (v.numerator, v.denominator)}
    return v


def _out_of_bounds(v):
    """what is wrong with the number v for a file (see Module.load), or ''."""
    terms = [v.numerator, v.denominator] if isinstance(v, Fraction) else [v] if isinstance(v, int) else []
    if any(abs(t) >= DIGIT_LIMIT for t in terms):
        return "has more than %d digits" % MAX_DIGITS
    if abs(v) > sys.float_info.max:
        return "is larger than the largest float (%r)" % sys.float_info.max
    return ""


def _decode(path, name, v):
    """a parameter's value in the file as a number, or a ValueError naming the file and name."""
    if isinstance(v, dict) and set(v) == {"fraction"} and isinstance(v["fraction"], str):
        m = FRACTION.match(v["fraction"])
        if m is None:
            raise ValueError("load %s: parameter %r is the fraction %.60r, not 'p/q' or 'p' with integers p and q > 0"
                             % (path, name, v["fraction"]))
        p, q = m.group(1), m.group(2) or '1'
        if len(p.lstrip('-')) > MAX_DIGITS or len(q) > MAX_DIGITS:
            raise ValueError("load %s: parameter %r is a fraction with more than %d digits" % (path, name, MAX_DIGITS))
        if int(q) == 0:
            raise ValueError("load %s: parameter %r is the fraction %r, whose denominator is 0" % (path, name, v["fraction"]))
        value = Fraction(int(p), int(q))
    elif isinstance(v, _TooManyDigits):
        raise ValueError("load %s: parameter %r is an int of %d digits, more than %d" % (path, name, v.digits, MAX_DIGITS))
    elif v.__class__ in (int, float):
        value = v
    else:
        raise ValueError("load %s: parameter %r is %.60r, not a number" % (path, name, v))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("load %s: parameter %r is %r, not a finite number" % (path, name, value))
    problem = _out_of_bounds(value)
    if problem:
        raise ValueError("load %s: parameter %r %s" % (path, name, problem))
    return value


def _ties_text(ties):
    """a file's or model's ties for a message, short where the file is hostile."""
    if not ties:
        return "none (no ties)"
    text = repr(ties)
    return text if len(text) <= 300 else text[:300] + "..."


def _most_separators(named, ties):
    """the most commas, '[' and '{' a parameter file for these (name, Value) pairs holds:
    one comma between format and parameters and n - 1 between parameters, a '{' for the
    file, its parameters and each fraction, and any in the names themselves; with ties,
    a comma and a '{' for them, one comma between two, and any in their names."""
    in_names = sum(json.dumps(name).count(c) for name in [n for n, _ in named] + list(ties) + list(ties.values())
                   for c in ',[{')
    return 2 * len(named) + 2 + in_names + (len(ties) + 1 if ties else 0)


class _TooManyDigits:
    """what json reads for an int literal of more than MAX_DIGITS digits, so that the
    error can name the parameter (and no time goes into converting it)."""

    def __init__(self, digits):
        self.digits = digits


def _parse_int(text):
    digits = len(text.lstrip('-'))
    return int(text) if digits <= MAX_DIGITS else _TooManyDigits(digits)


def _no_repeats(path, pairs):
    """a JSON object as a dict; a key given twice is an error (json would keep the last silently)."""
    found = {}
    for key, value in pairs:
        if key in found:
            raise ValueError("load %s: the key %r appears twice" % (path, key))
        found[key] = value
    return found



"""Type hints on the public API of autograd and nn (PEP 561: the package ships py.typed): every
public function and method names the type of each parameter and of its result, and the
hints resolve (typing.get_type_hints), so that an editor or mypy can read them."""
import inspect
import os
import typing

import pytest

import autograd
from autograd import Stepper, Value

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# what the hints leave out on purpose: the notebook's protocol and dunders Python fills in
EXEMPT = {'_repr_mimebundle_', '_repr_html_', '_repr_latex_'}


def public_callables():
    """(name, function) for every function in autograd.__all__ and nn.__all__ (and nn.data's,
    nn.timeline.record), and every public method or operator of Value, Stepper and nn's classes
    (properties by their getter)."""
    import nn
    from nn import timeline
    found = []
    for module in (autograd, nn):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append((name, obj))
    for name in ('moons', 'circles', 'xor', 'blobs', 'seed_dataset', 'load_csv'):
        found.append(('data.' + name, getattr(nn.data, name)))
    found.append(('timeline.record', timeline.record))
    for cls in (Value, Stepper, nn.Module, nn.Neuron, nn.Layer, nn.MLP, nn.SGD, nn.Adam, nn.Trainer, nn.History):
        for klass in cls.__mro__[:-1]:
            for name, attr in vars(klass).items():
                if name in EXEMPT or (name.startswith('_') and not (name.startswith('__') and name.endswith('__'))):
                    continue
                if name in ('__init_subclass__', '__class_getitem__', '__slots__', '__module__', '__doc__',
                            '__qualname__', '__dict__', '__weakref__', '__annotations__', '__dataclass_fields__',
                            '__dataclass_params__', '__hash__', '__eq__', '__match_args__', '__array_ufunc__'):
                    continue
                function = attr.fget if isinstance(attr, property) else attr
                if inspect.isfunction(function):
                    found.append(('%s.%s' % (klass.__name__, name), function))
    return found


def missing_hints(function):
    """the parameters (and 'return') of function without a type hint."""
    # names imported only for type checkers (under TYPE_CHECKING, to keep import circles and
    # the optional graphviz out of the modules) are given here, as a type checker would see them
    import graphviz
    import torch
    hints = typing.get_type_hints(function, localns={'Value': Value, 'graphviz': graphviz, 'torch': torch})   # raises on an unknown name
    signature = inspect.signature(function)
    missing = [p.name for p in signature.parameters.values()
               if p.name not in ('self', 'cls') and p.name not in hints]
    return missing + ([] if 'return' in hints else ['return'])


@pytest.mark.parametrize("name, function", public_callables(), ids=lambda x: x if isinstance(x, str) else '')
def test_every_public_function_has_type_hints_that_resolve(name, function):
    assert missing_hints(function) == [], name


def test_the_check_can_fail_and_covers_the_api():
    def bare(x, y: int):
        return x
    assert missing_hints(bare) == ['x', 'return']
    names = {name for name, _ in public_callables()}
    assert {'Value.__add__', 'Value.relu', 'Value.backward', 'Value.op', 'dot', 'backward',
            'grad', 'step', 'Stepper.next', 'Stepper.prev', 'Stepper.explore', 'explore', 'to_dot', 'draw',
            'trace', 'tree', 'gradcheck', 'no_grad', 'MLP.__init__', 'MLP.__call__', 'Module.parameters',
            'Module.save', 'SGD.step', 'Trainer.fit', 'half_squared_error', 'layer_view', 'lesson', 'to_torch',
            'data.moons', 'timeline.record'} <= names


def test_the_packages_ship_py_typed():
    for package in ('autograd', 'nn'):
        assert os.path.exists(os.path.join(ROOT, package, 'py.typed'))
    assert '"py.typed"' in open(os.path.join(ROOT, 'pyproject.toml')).read()

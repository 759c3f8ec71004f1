"""Scopes: which module call made which node, so that drawings can box them.

    with record_scopes() as scopes:     # {node: ('layer 0', 'neuron 3')}
        loss = model(x) ...
    draw(loss, clusters=scopes)

Inside, `with scope('neuron 3'):` names the nodes made in its block. Outside
record_scopes() a scope does nothing, and nothing is slowed down.
"""
from contextlib import contextmanager

from .mode import state


@contextmanager
def record_scopes():
    """note the scope path of every node made inside; yields the {node: path} dict."""
    scopes = {}
    old = state.set(scopes=scopes)
    try:
        yield scopes
    finally:
        state.restore(old)


def recording_scopes():
    """True inside record_scopes(): a caller can skip naming scopes otherwise."""
    return state.scopes is not None


class scope:
    """`with scope(name):` nodes made inside are noted under name (nested scopes nest)."""
    __slots__ = ('name', 'outer')

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.outer = state.path
        if state.scopes is not None:
            state.path = self.outer + (self.name,)
        return self

    def __exit__(self, *exc):
        state.path = self.outer
        return False

"""Scopes: which module call made which node, so that drawings can box them.

    with record_scopes() as scopes:     # {node: ('layer 0', 'neuron 3')}
        loss = model(x) ...
    draw(loss, clusters=scopes)

Inside, `with scope('neuron 3'):` names the nodes made in its block. Outside
record_scopes() a scope does nothing, and nothing is slowed down.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import ContextManager, Dict, Tuple

from . import mode


@contextmanager
def record_scopes() -> ContextManager[Dict[object, Tuple[str, ...]]]:
    """note the scope path of every node made inside; yields the {node: path} dict."""
    scopes = {}
    token = mode.switch(scopes=scopes)
    try:
        yield scopes
    finally:
        mode.restore(token)


def recording_scopes():
    """True inside record_scopes(): a caller can skip naming scopes otherwise."""
    return mode.current().scopes is not None


class scope:
    """`with scope(name):` nodes made inside are noted under name (nested scopes nest)."""
    __slots__ = ('name', 'token')

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        m = mode.current()
        self.token = mode.switch(path=m.path + (self.name,)) if m.scopes is not None else None
        return self

    def __exit__(self, *exc):
        if self.token is not None:
            mode.restore(self.token)
        return False

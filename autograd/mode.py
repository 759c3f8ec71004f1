"""The engine's switches: is the graph being recorded, is every node checked,
is the module scope of every node noted.

Set only through the context managers `no_grad()` (functional.py),
`detect_anomaly()` (anomaly.py), `record_scopes()` and `scope()` (scope.py).
The switches are per thread and per asyncio task: they live in a ContextVar,
so a block changes only its own context and, on exit, puts back exactly the
setting it found, however blocks in other threads or tasks overlap with it.
A new thread starts with the defaults; an asyncio task starts with the
setting in force where it was created (as every ContextVar does).

A setting is one Mode object, never changed once made: entering a block
installs a new one. Value reads it once per operation, and the common case
costs one check, `current().fast`; `plain` is the fast case of no_grad().
"""
from contextvars import ContextVar


class Mode:
    """One setting of all the switches. Treat it as immutable: switch() makes a new one."""
    __slots__ = ('recording', 'anomaly', 'scopes', 'path', 'fast', 'plain')

    def __init__(self, recording=True, anomaly=False, scopes=None, path=()):
        self.recording = recording  # False inside no_grad(): results are leaves
        self.anomaly = anomaly      # True inside detect_anomaly(): nan and inf raise
        self.scopes = scopes        # inside record_scopes(): {node: scope path}, filled as nodes are made
        self.path = path            # the scope names entered so far
        self.fast = recording and not anomaly and scopes is None   # record, and nothing more
        self.plain = not recording and not anomaly                 # results are bare leaves

    def __repr__(self):
        return "Mode(recording=%r, anomaly=%r, scopes=%s, path=%r)" % (
            self.recording, self.anomaly, 'None' if self.scopes is None else '{...}', self.path)


DEFAULT = Mode()
_mode = ContextVar('autograd_mode', default=DEFAULT)
# Setting the default explicitly is no change of meaning, but ContextVar.get()
# caches a value found in the context and not the default: ~10 ns less per operation.
_mode.set(DEFAULT)

current = _mode.get
"""current() -> the Mode in force in this thread or task."""


def switch(**changes):
    """install the current Mode with some switches changed; returns the token for restore()."""
    m = current()
    fields = dict(recording=m.recording, anomaly=m.anomaly, scopes=m.scopes, path=m.path)
    fields.update(changes)
    return _mode.set(Mode(**fields))


restore = _mode.reset
"""restore(token): put back the Mode that switch() replaced, in this context only."""

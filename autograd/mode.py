"""The engine's switches: is the graph being recorded, is every node checked,
is the module scope of every node noted.

Set only through the context managers `no_grad()` (functional.py),
`detect_anomaly()` (anomaly.py) and `record_scopes()` (scope.py), which restore
the old setting on exit. Value reads `state.fast` once per operation, so the
common case costs one check; `state.plain` is the fast case of no_grad().
The switches are process-wide, not per thread.
"""


class _State:
    __slots__ = ('recording', 'anomaly', 'scopes', 'path', 'fast', 'plain')

    def __init__(self):
        self.recording = True   # False inside no_grad(): results are leaves
        self.anomaly = False    # True inside detect_anomaly(): nan and inf raise
        self.scopes = None      # inside record_scopes(): {node: scope path}, filled as nodes are made
        self.path = ()          # the scope names entered so far
        self.fast = True        # recording, and neither anomaly nor scopes
        self.plain = False      # neither recording nor anomaly: results are bare leaves

    def set(self, recording=None, anomaly=None, scopes=False):
        """change a switch; returns the old (recording, anomaly, scopes) for restore()."""
        old = (self.recording, self.anomaly, self.scopes)
        if recording is not None:
            self.recording = recording
        if anomaly is not None:
            self.anomaly = anomaly
        if scopes is not False:
            self.scopes = scopes
        self.fast = self.recording and not self.anomaly and self.scopes is None
        self.plain = not self.recording and not self.anomaly
        return old

    def restore(self, old):
        self.set(*old)


state = _State()

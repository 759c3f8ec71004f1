"""The engine's two switches: is the graph being recorded, is every node checked.

Set only through the context managers `no_grad()` (functional.py) and
`detect_anomaly()` (anomaly.py), which restore the old setting on exit.
Value reads `state.fast` once per operation, so the common case costs one check.
"""


class _State:
    __slots__ = ('recording', 'anomaly', 'fast')

    def __init__(self):
        self.recording = True   # False inside no_grad(): results are leaves
        self.anomaly = False    # True inside detect_anomaly(): nan and inf raise
        self.fast = True        # recording and not anomaly

    def set(self, recording=None, anomaly=None):
        """change a switch; returns the old (recording, anomaly) for restore()."""
        old = (self.recording, self.anomaly)
        if recording is not None:
            self.recording = recording
        if anomaly is not None:
            self.anomaly = anomaly
        self.fast = self.recording and not self.anomaly
        return old

    def restore(self, old):
        self.set(*old)


state = _State()

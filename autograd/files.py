"""Files written whole or not at all: a temporary file beside the target, then an atomic
rename over it, so that a failed write (a full disk, Ctrl-C, a killed process) leaves the
old file as it was. Models (nn's save), explorer pages, lessons and drawings are written so."""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from typing import Union

# the ages at which a write takes a temporary file of the same target for an orphan; see _remove_stale
STALE_SECONDS = 60
ORPHAN_SECONDS = 3600
_EFFECTIVE_IDS = os.access in os.supports_effective_ids


def write_atomic(path: Union[str, os.PathLike], data: Union[str, bytes]) -> Union[str, os.PathLike]:
    """Write `data` (str, as UTF-8, or bytes) to `path`, replacing it atomically: written to a
    temporary file beside it, flushed to disk, then renamed over it; a failure leaves the old
    file intact and no temporary file. The new file keeps the old one's mode; a new file gets
    the umask's default, as open() would give. A file this process may not write (a 0444 file,
    for a user who is not root) is refused with open()'s PermissionError, naming the path,
    though a rename would get past it. Where `path` is a symbolic link, the file it
    points to is replaced and the link kept. Temporary files that killed writes of the same
    file left behind are removed (see _remove_stale)."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    target = os.path.realpath(path)          # through a symlink, to the file itself
    folder, name = os.path.split(target)
    if os.path.exists(target) and not os.access(target, os.W_OK, effective_ids=_EFFECTIVE_IDS):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    _remove_stale(folder, name)
    tmp = os.path.join(folder, '.%s.%d.%s.tmp' % (name, os.getpid(), secrets.token_hex(4)))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)    # 0o666 less the umask, as open() does
    try:
        with os.fdopen(fd, 'wb') as f:
            try:
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            except FileNotFoundError:
                pass                         # a new file: the umask's default stands
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _remove_stale(folder, name):
    """Remove the temporary files that writes of `name` (in `folder`) left behind when
    they were killed. write_atomic names its own '.NAME.PID.RANDOM.tmp': one is stale once its
    process has ended and it is STALE_SECONDS old (a write that is still running is
    never touched). Any of them, and the older '.NAME.XXXXXXXX.tmp' of tempfile, is
    stale after ORPHAN_SECONDS whoever wrote it (a pid may be reused). Best effort:
    a file that cannot be removed is left."""
    ours = re.compile(r'\.%s\.(?:([0-9]+)\.[0-9a-f]{8}|[a-z0-9_]{8})\.tmp\Z' % re.escape(name))
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for entry in entries:
        m = ours.match(entry)
        if m is None:
            continue
        full = os.path.join(folder, entry)
        try:
            age = now - os.lstat(full).st_mtime
            if age > ORPHAN_SECONDS or (m.group(1) and age > STALE_SECONDS and not _running(int(m.group(1)))):
                os.unlink(full)
        except OSError:
            pass


def _running(pid):
    """whether process `pid` exists on this machine (True where that cannot be told)."""
    if os.name != 'posix':
        return True             # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True             # e.g. another user's process: it exists
    return True

"""Files written whole or not at all (autograd.files.write_atomic): models, pages, drawings."""
import os

import pytest

from autograd import Value, draw, explore
from autograd import files


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_write_that_fails_leaves_the_old_file_its_mode_and_no_temporary(tmp_path, monkeypatch, failure):
    path = tmp_path / "page.html"
    path.write_text("the old page")
    os.chmod(path, 0o640)
    real_fsync = os.fsync

    def fail(fd):
        real_fsync(fd)
        raise failure
    monkeypatch.setattr(os, "fsync", fail)       # after the new text is written, before the rename
    with pytest.raises(type(failure)):
        files.write_atomic(path, "a new page, cut off")
    assert path.read_text() == "the old page" and os.stat(path).st_mode & 0o777 == 0o640
    assert leftovers(tmp_path, {"page.html"}) == []


def test_a_write_replaces_the_file_keeps_its_mode_and_a_symlink(tmp_path):
    real = tmp_path / "real.svg"
    real.write_bytes(b"old")
    os.chmod(real, 0o604)
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    files.write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new" and os.stat(real).st_mode & 0o777 == 0o604
    files.write_atomic(tmp_path / "fresh.txt", "é")
    assert (tmp_path / "fresh.txt").read_bytes() == "é".encode('utf-8')


def test_explore_keeps_the_old_page_when_the_disk_is_full(tmp_path, monkeypatch):
    a = Value(2.0, label='a')
    root = (a * a).tanh()
    path = tmp_path / "g.html"
    explore(root, path)
    old = path.read_bytes()

    def full(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        explore((a * a * a).tanh(), path)
    assert path.read_bytes() == old and leftovers(tmp_path, {"g.html"}) == []


def test_a_drawing_rendered_over_an_old_one_keeps_it_when_writing_fails(tmp_path, monkeypatch):
    pytest.importorskip('graphviz')
    a = Value(2.0, label='a')
    name = str(tmp_path / "d")
    rendered = draw(a * a).render(name, format='svg', cleanup=True)
    old = open(rendered, 'rb').read()

    def interrupted(src, dst):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        draw((a * a).tanh()).render(name, format='svg', cleanup=True)
    assert open(rendered, 'rb').read() == old
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def test_a_stale_temporary_of_a_killed_write_is_removed_and_a_live_one_kept(tmp_path):
    target = tmp_path / "m.json"
    dead = tmp_path / (".m.json.%d.%s.tmp" % (2 ** 22 + 12345, "0123abcd"))     # no such process
    live = tmp_path / (".m.json.%d.%s.tmp" % (os.getpid(), "89abcdef"))
    for p in (dead, live):
        p.write_text("cut off")
        os.utime(p, (1, 1))                       # written long ago: past STALE_SECONDS and ORPHAN_SECONDS
    os.utime(live, None)                          # this one is fresh, and its writer (this process) runs
    files.write_atomic(target, "{}")
    assert not dead.exists() and live.exists() and target.read_text() == "{}"

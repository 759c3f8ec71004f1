"""./run, on a copy in a temporary folder with stand-ins for python and apt-get: two
first runs at once set the .venv up once; a lock held by another apt-get is waited
for; a failing apt-get is reported plainly. Nothing real is installed."""
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = ["bash", "dirname", "basename", "cat", "cksum", "cut", "touch", "flock", "mktemp", "grep", "sed",
         "sleep", "rm", "mkdir", "cp"]

pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS) or os.name != 'posix',
                                reason="needs bash and the usual command-line tools (flock among them)")

FAKE_PYTHON = """\
#!/bin/bash
# a stand-in for python: notes what it is asked to do in $FAKE_LOG
case "$1 $2" in
  "-m venv") echo venv >> "$FAKE_LOG"; sleep 1; mkdir -p "$3/bin"; cp "$0" "$3/bin/python" ;;
  "-c import pip") ;;
  "-m pip") echo pip >> "$FAKE_LOG"; sleep 1 ;;
  "-m pytest") echo pytest >> "$FAKE_LOG" ;;
  *) echo "unexpected: $*" >> "$FAKE_LOG"; exit 3 ;;
esac
"""


def executable(path, text):
    path.write_text(textwrap.dedent(text))
    path.chmod(0o755)


@pytest.fixture
def project(tmp_path):
    """a copy of ./run with a pyproject.toml, a bin folder holding only the tools it
    needs, a fake python and a fake `id` that says root; returns (folder, env, log)."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(os.path.join(ROOT, "run"), folder / "run")
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in TOOLS:
        (bin_ / tool).symlink_to(shutil.which(tool))
    executable(bin_ / "id", "#!/bin/bash\necho 0\n")
    executable(tmp_path / "python", FAKE_PYTHON)
    log = tmp_path / "log"
    env = {"PATH": str(bin_), "PYTHON": str(tmp_path / "python"), "FAKE_LOG": str(log), "HOME": str(tmp_path)}
    return folder, env, log


def with_graphviz_and_chromium(env):
    for name in ("dot", "chromium"):
        executable(Path(env["PATH"], name), "#!/bin/bash\n")


def test_two_first_runs_at_once_set_the_venv_up_once(project):
    folder, env, log = project
    with_graphviz_and_chromium(env)
    runs = [subprocess.Popen([str(folder / "run"), "tests"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=60) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    lines = log.read_text().split()
    assert sorted(lines) == ["pip", "pytest", "pytest", "venv"]     # not two venvs, not two installs
    assert any("waiting" in err for _, err in outputs)


def fake_apt_get(env, lock_failures, then="ok"):
    """an apt-get that notes its arguments and says its lock is held the first
    `lock_failures` times; then its install fakes dot and chromium ('ok') or fails ('fail')."""
    bin_ = env["PATH"]
    executable(Path(bin_, "apt-get"), """\
        #!/bin/bash
        echo "apt-get $*" >> "$FAKE_LOG"
        n=$(cat "$FAKE_LOG.count" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_LOG.count"
        if [ "$n" -lt %d ]; then
          echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
          exit 100
        fi
        case "%s $*" in
          "fail "*install*) echo "E: Unable to locate package chromium" >&2; exit 100 ;;
          "ok "*install*) printf '#!/bin/bash\\n' > "%s/dot"; printf '#!/bin/bash\\n' > "%s/chromium"
                     chmod +x "%s/dot" "%s/chromium" ;;
        esac
        """ % (lock_failures, then, bin_, bin_, bin_, bin_))


def test_apt_get_waits_for_a_lock_held_by_another_apt(project):
    folder, env, log = project
    fake_apt_get(env, lock_failures=1)
    result = subprocess.run([str(folder / "run"), "tests"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = [line for line in log.read_text().splitlines() if line.startswith("apt-get")]
    assert len(calls) == 3                      # update (lock busy), update again, install
    assert all("-o DPkg::Lock::Timeout=120" in c for c in calls)
    assert "update" in calls[0] and "update" in calls[1] and "install" in calls[2]
    assert "Could not get lock" not in result.stderr and "pytest" in log.read_text()


def test_a_failing_apt_get_is_reported_plainly_and_the_run_goes_on(project):
    folder, env, log = project
    fake_apt_get(env, lock_failures=0, then="fail")
    result = subprocess.run([str(folder / "run"), "tests"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "./run: 'apt-get install -y -qq graphviz chromium' failed" in result.stderr
    assert "Unable to locate package chromium" in result.stderr
    assert "not installed" in result.stderr and "pytest" in log.read_text()

"""Every benchmark runs numpy's BLAS and torch on one thread (benchmarks/one_thread.py).

Statically: each script imports benchmarks.one_thread before anything that could load numpy
or torch, and prints threads(). By running: each script's import, in a fresh interpreter
whose environment has no thread variables, then numpy and torch, leaves one thread
everywhere. No timing here: the benchmarks time, the tests only check how they are set up.
"""
import ast
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'benchmarks')
PIN = 'benchmarks.one_thread'
VARIABLES = ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def scripts():
    """the benchmarks that run (an `if __name__ == '__main__'`), not their helper modules."""
    return sorted(name for name in os.listdir(BENCH) if name.endswith('.py')
                  and "if __name__ == '__main__':" in open(os.path.join(BENCH, name)).read())


def top_imports(path):
    """the modules a file imports at its top level, in order."""
    tree = ast.parse(open(path).read())
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(node.module)
    return found


def test_the_benchmarks_are_found():
    found = scripts()
    assert {'digits.py', 'matrix.py', 'lanes.py', 'engine.py'} <= set(found)
    assert 'one_thread.py' not in found and 'timing.py' not in found


@pytest.mark.parametrize('name', scripts())
def test_the_pin_comes_before_any_import_that_could_load_numpy(name):
    imports = top_imports(os.path.join(BENCH, name))
    assert PIN in imports, "%s does not import %s" % (name, PIN)
    before = imports[:imports.index(PIN)]
    # only the standard library may load before the pin (numpy, torch, nn, autograd, bench... may not)
    assert all(m.split('.')[0] in sys.stdlib_module_names for m in before), (name, before)
    assert 'print(threads())' in open(os.path.join(BENCH, name)).read(), "%s does not say its threads" % name


PROBE = r"""
import importlib.util, json, os, sys
path = sys.argv[1]
spec = importlib.util.spec_from_file_location('benchmark_under_test', path)
spec.loader.exec_module(importlib.util.module_from_spec(spec))     # its imports; not its main()
import numpy, threadpoolctl
found = {v: os.environ.get(v) for v in %r}
found['blas'] = [lib['num_threads'] for lib in threadpoolctl.threadpool_info() if lib['user_api'] == 'blas']
try:
    import torch
    found['torch'] = torch.get_num_threads()
except ImportError:
    found['torch'] = None
print(json.dumps(found))
""" % (VARIABLES,)


def probe(paths, env_extra=None):
    """{path: what PROBE found after importing the script at path}, in fresh interpreters
    started together, their environments without the thread variables (plus env_extra)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES + ('VECLIB_MAXIMUM_THREADS',)}
    env.update(env_extra or {})
    runs = {p: subprocess.Popen([sys.executable, '-c', PROBE, p], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for p in paths}
    found = {}
    for p, run in runs.items():
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, (p, err[-2000:])
        found[p] = json.loads(out.strip().splitlines()[-1])
    return found


def test_every_benchmark_runs_numpy_and_torch_on_one_thread():
    found = probe([os.path.join(BENCH, name) for name in scripts()])
    for path, f in found.items():
        name = os.path.basename(path)
        assert all(f[v] == '1' for v in VARIABLES), (name, f)
        assert f['blas'] and all(n == 1 for n in f['blas']), (name, f)
        assert f['torch'] in (None, 1), (name, f)


def test_the_probe_sees_a_script_that_does_not_pin(tmp_path):
    # the check above can fail: a script without the pin leaves the variables unset
    bare = tmp_path / 'bare.py'
    bare.write_text("import numpy\n")
    (f,) = probe([str(bare)]).values()
    assert all(f[v] is None for v in VARIABLES), f


def test_a_value_you_set_is_kept_and_threads_says_so():
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from benchmarks.one_thread import threads\nimport numpy\nprint(threads())") % ROOT
    env = dict(os.environ, OPENBLAS_NUM_THREADS='2')
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.startswith('NOT one thread:') and 'OPENBLAS_NUM_THREADS=2' in out.stdout, out.stdout
    env['OPENBLAS_NUM_THREADS'] = '1'
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.startswith('one thread:') and 'openblas' in out.stdout, out.stdout


"""Every error that says what to install says something that works from a clone:
`pip install numpy` (a package on PyPI), or the project's own extra installed from the
checkout (`pip install -e '.[batch]'`), never the project by name from an index, where
it is not; and without numpy it suggests no mode that needs numpy too."""
import json
import os
import re
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# as tests/autograd/test_lanes.py blocks it: `import numpy` raises ImportError in the child
BLOCK_NUMPY = ("import sys\n"
               "class NoNumpy:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'numpy' or name.startswith('numpy.'):\n"
               "            raise ModuleNotFoundError('numpy is blocked in this test', name=name)\n"
               "sys.meta_path.insert(0, NoNumpy())\n")

ADVICE = ("import json, autograd, nn\n"
          "X, Y = [(0.5, -1.0), (-0.3, 0.8)], [1, -1]\n"
          "said, trained = {}, {}\n"
          "def model():\n"
          "    m = nn.MLP(2, [3, 1], activation='tanh'); return m, nn.SGD(m.parameters(), lr=0.1)\n"
          "try:\n"
          "    m, opt = model(); nn.Trainer(m, nn.hinge, opt, mode='matrix')\n"
          "except nn.MatrixModeError as e:\n"
          "    said['matrix'] = str(e)\n"
          "try:\n"
          "    m, opt = model(); nn.Trainer(m, nn.hinge, opt, mode='lanes').fit(X, Y, progress=False)\n"
          "except ImportError as e:\n"
          "    said['lanes'] = str(e)\n"
          "try:\n"
          "    autograd.Lanes\n"
          "except ImportError as e:\n"
          "    said['Lanes'] = str(e)\n"
          "for mode in ('accumulate', 'graph'):     # what the advice offers instead: it trains\n"
          "    m, opt = model()\n"
          "    trained[mode] = nn.Trainer(m, nn.hinge, opt, mode=mode).fit(X, Y, epochs=3, progress=False).epoch_loss\n"
          "print(json.dumps({'said': said, 'trained': [[float(v) for v in trained[k]] for k in sorted(trained)],\n"
          "                  'numpy': 'numpy' in sys.modules}))\n")


def extras():
    with open(os.path.join(ROOT, 'pyproject.toml'), 'rb') as f:
        return tomllib.load(f)['project']['optional-dependencies']


def test_without_numpy_the_errors_advise_what_works():
    out = subprocess.run([sys.executable, '-c', BLOCK_NUMPY + ADVICE], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    said = result['said']
    assert set(said) == {'matrix', 'lanes', 'Lanes'} and not result['numpy']
    for where, message in said.items():
        assert 'pip install numpy' in message, (where, message)
        assert 'scalar-autograd' not in message, (where, message)
    for where in ('matrix', 'lanes'):
        advice = said[where].split('needs numpy', 1)[1]
        assert "mode='lanes'" not in advice, said[where]     # lanes need numpy too
        assert "mode='accumulate'" in advice and "mode='graph'" in advice
    assert "pip install -e '.[matrix]'" in said['matrix'] and "pip install -e '.[batch]'" in said['lanes']
    accumulate, graph = result['trained']
    assert len(accumulate) == 3 and max(abs(a - b) for a, b in zip(accumulate, graph)) < 1e-12


def test_every_install_hint_in_the_code_names_an_extra_or_a_package_the_extras_list():
    # `pip install X` works from a clone where X is a package some extra of pyproject.toml
    # installs (so it is on PyPI), and `pip install -e '.[E]'` where E is one of the extras
    listed = extras()
    packages = {re.split(r'[<>=\[]', p)[0].lower() for deps in listed.values() for p in deps}
    hints = []
    for folder in ('autograd', 'nn'):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith('.py'):
                with open(os.path.join(ROOT, folder, name), encoding='utf-8') as f:
                    hints += [(name, m.group(1)) for m in re.finditer(r"pip install (-e '\.\[\w+\]'|[\w.=\[\]-]+)",
                                                                      f.read())]
    assert len(hints) >= 6, hints
    for name, what in hints:
        extra = re.match(r"-e '\.\[(\w+)\]'", what)
        if extra:
            assert extra.group(1) in listed, (name, what)
        else:
            assert '[' not in what and re.split(r'[<>=]', what)[0].lower() in packages, (name, what)
    assert 'numpy' in listed['batch'] and 'numpy' in listed['matrix']

"""notebooks/: each lesson runs top to bottom in a real Jupyter kernel (nbclient), from notebooks/ as
Jupyter starts it, and shows what it teaches: the numbers (checked here by hand or against an
independent computation) and the views as a notebook shows them (their MIME types)."""
import ast
import glob
import os
from pathlib import Path
from fractions import Fraction

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = os.path.dirname(os.path.abspath(__file__ + '/..'))
FOLDER = os.path.join(ROOT, 'notebooks')
NAMES = ['1_value_and_chain_rule', '2_worked_example', '3_batch_learning', '4_matrix_form',
         '5_training_moons']


def read(name):
    return nbformat.read(os.path.join(FOLDER, name + '.ipynb'), as_version=4)


_executed = {}


def run(name):
    """The notebook executed once per session, with the kernel's cwd in notebooks/ (as Jupyter starts it)."""
    if name not in _executed:
        nb = read(name)
        where = nbformat.v4.new_code_cell("import autograd, nn\nprint(autograd.__file__); print(nn.__file__)")
        where.id = 'where'             # added here: which copy of the project the notebook imported
        nb.cells.append(where)
        nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',
                                resources={'metadata': {'path': FOLDER}}).execute()
        _executed[name] = {cell.id: cell for cell in nb.cells}
    return _executed[name]


def data(cells, cid):
    bundle = {}
    for out in cells[cid].outputs:
        assert out.output_type != 'error', (cid, out.get('ename'), out.get('evalue'))
        bundle.update(out.get('data', {}))
    return bundle


def value(cells, cid):
    """The cell's result as a Python literal (its text/plain repr)."""
    return ast.literal_eval(data(cells, cid)['text/plain'])


def text(cells, cid):
    return ''.join(out.get('text', '') for out in cells[cid].outputs if out.output_type == 'stream')


def test_the_five_notebooks_are_there_and_no_others():
    assert sorted(os.path.basename(p)[:-6] for p in glob.glob(os.path.join(FOLDER, '*.ipynb'))) == NAMES


@pytest.mark.parametrize('name', NAMES)
def test_saved_without_outputs_and_valid(name):
    nb = read(name)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == 'code']
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    # lessons: prose between the code, and short code cells
    assert sum(c.cell_type == 'markdown' for c in nb.cells) >= len(code) // 2
    assert max(len(c.source.splitlines()) for c in code) <= 25


@pytest.mark.parametrize('name', NAMES)
def test_the_articles_by_title_never_by_seed_file(name):
    source = '\n'.join(c.source for c in read(name).cells).lower()
    assert 'seed 00' not in source and 'seeds/' not in source and 'errata' not in source


@pytest.mark.parametrize('name', NAMES)
def test_runs_top_to_bottom_without_an_error(name):
    cells = run(name)
    for cell in cells.values():
        if cell.cell_type == 'code':
            assert all(o.output_type != 'error' for o in cell.outputs), (name, cell.id, cell.outputs)


@pytest.mark.parametrize('name', NAMES)
def test_imports_this_checkout_without_installing(name):
    # the first cell puts the project's folder first on the path, so a clone needs no install
    # (and an installed copy elsewhere is not what the notebook runs)
    files = text(run(name), 'where').split()
    assert files == [os.path.join(ROOT, 'autograd', '__init__.py'), os.path.join(ROOT, 'nn', '__init__.py')]


def test_1_a_value_and_the_chain_rule():
    cells = run('1_value_and_chain_rule')
    html = data(cells, 'graph')['text/html']
    assert '<svg' in html and '>c</text>' in html and '>a</text>' in html
    assert value(cells, 'trace') == ['t1 = a * b = 2.0 * -3.0 = -6.0', 'c = t1 + a = -6.0 + 2.0 = -4.0']
    forward = data(cells, 'forward1')
    assert forward['text/plain'] == '<Step 1: t1 = a * b = 2.0 * -3.0 = -6.0>'
    assert forward['text/html'].startswith('<math display="block" class="step forward">')
    assert data(cells, 'backward1')['text/plain'].startswith('<Step 3: t1.grad += ∂c/∂t1 · c.grad = 1 · 1.0')
    assert value(cells, 'grads') == (-2.0, 2.0)            # c = ab + a: ∂c/∂a = b + 1, ∂c/∂b = a
    assert 'a   data 2.0   grad -2.0' in text(cells, 'tree')
    assert '<svg' in data(cells, 'tanh-draw')['text/html']
    grad, numeric, by_hand = value(cells, 'check')
    assert by_hand == pytest.approx(0.6207960452207, abs=1e-12)        # (1 - tanh(0.35)^2)(b + 1)
    assert grad == pytest.approx(by_hand, abs=1e-15) and numeric == pytest.approx(grad, abs=1e-8)
    for cid in ('explore', 'explore-file'):             # the explorer page, inline
        html = data(cells, cid)['text/html']
        assert html.startswith('<iframe srcdoc="') and '&lt;svg id=&quot;graph&quot;' in html
    assert '&quot;at&quot;:4,' in data(cells, 'explore')['text/html']        # opens at its step


def test_2_the_worked_example_and_its_tables():
    cells = run('2_worked_example')
    assert value(cells, 'forward-table') == [((100, 2000, 100), '0', 0, '0'), ((200, 0, 0), '1', 1, '0'),
                                             ((0, 2000, 3000), '0', 1, '1/2')]
    # the articles' third sample: δ4 = o3 - y = -1, δ3 = -1 (ReLU' = 1 at 0), ∂Loss/∂W2 = δ3 o1 = -(0, 2000, 3000)
    assert value(cells, 'deltas') == (['-1'], ['-1'], ['0', '-2000', '-3000'])
    view = data(cells, 'layer-view')
    assert '<table' in view['text/html'] and 'δ4' in view['text/plain']
    same, floats = value(cells, 'step-lr1')
    assert same and floats == pytest.approx([0.005, 2000 - 3 / 11600, 3000 + 1 / 5800])
    # The Gradient Descent Algorithm's outputs after one epoch at 1e-7: 0.43, 1, 1.3 (exact)
    assert [Fraction(s) for s in value(cells, 'gd-epoch')] == [Fraction(43, 100), 1, Fraction(13, 10)]
    assert '<table' in data(cells, 'batch-view')['text/html']
    # Batch Learning: Loss^avg = (0 + 0 + 1/2) / 3; the summed gradient -(0, 2000, 3000) / 3
    assert value(cells, 'batch-numbers') == ('1/6', ['0', '-2000/3', '-1000'])
    assert [Fraction(s) for s in value(cells, 'batch-step')] == [Fraction(43, 300), 1, Fraction(13, 30)]
    lesson = data(cells, 'lesson')['text/html']
    assert lesson.startswith('<iframe srcdoc="') and '-(0, 2000, 3000)' in lesson


def test_3_the_four_modes_give_one_gradient():
    cells = run('3_batch_learning')
    assert value(cells, 'setup-data') == 37          # MLP(2,[4,4,1]): 4*3 + 4*5 + 5
    first = [value(cells, cid) for cid in ('accumulate', 'graph', 'matrix')] + [value(cells, 'lanes')[1]]
    assert value(cells, 'lanes')[0] == 20
    assert max(first) - min(first) < 1e-12 and abs(first[0]) > 0.1          # not trivially 0
    differences = value(cells, 'compare')
    assert set(differences) == {'graph', 'lanes', 'matrix'} and max(differences.values()) < 1e-12
    assert value(cells, 'size') > 0.5                                       # the gradients compared are not 0
    numeric, difference = value(cells, 'numeric')                           # a central difference agrees
    assert difference < 1e-8 and numeric == pytest.approx(first[0], abs=1e-8)
    trained = value(cells, 'trainers')
    assert set(trained) == {'accumulate', 'graph', 'lanes', 'matrix'} and max(trained.values()) < 1e-12
    assert '<svg' in data(cells, 'lane-drawing')['text/html']


def test_4_the_matrix_form():
    cells = run('4_matrix_form')
    assert value(cells, 'step') == ([(2, 20), (4, 20), (4, 20), (2, 20)], [(4, 20), (4, 20), (2, 20)])
    # each formula of Batch in Backpropagation, computed in the notebook with numpy, against last_batch
    assert value(cells, 'dz-output') < 1e-12 and value(cells, 'dz-hidden') < 1e-12
    assert all(dw < 1e-12 and db < 1e-12 for dw, db in value(cells, 'dw'))
    assert value(cells, 'update') < 1e-12
    summed, dw = value(cells, 'shares')
    assert summed == pytest.approx(dw, abs=1e-15) and abs(dw) > 1e-3
    assert 'Loss^learning' in data(cells, 'sample-graph')['text/plain']
    difference, nonzero, total = value(cells, 'sample-grads')
    assert difference < 1e-15 and total == 42 and nonzero > total // 2   # not a sample with its ReLUs off
    dz, column = value(cells, 'sample-dz')
    assert dz == pytest.approx(column, abs=1e-15) and sum(dz) == pytest.approx(0, abs=1e-15)   # P - Y sums to 0
    assert abs(dz[0]) > 0.1
    assert '<table' in data(cells, 'sample-view')['text/html']
    assert '<svg' in data(cells, 'sample-draw')['text/html']


def test_5_training_moons_and_watching_it():
    cells = run('5_training_moons')
    assert 'image/png' in data(cells, 'data')
    history = data(cells, 'history')
    assert history['text/plain'].startswith('History(100 epochs (100 steps), loss 0.9372 -> ')
    assert history['text/plain'].endswith('accuracy 1)')
    assert history['text/html'].count('<svg') == 1 and 'polyline' in history['text/html']
    accuracy, first_accuracy, first_loss = value(cells, 'accuracy')
    assert accuracy == 1.0 and first_accuracy < 0.7
    assert value(cells, 'first-loss') == pytest.approx(first_loss, abs=1e-12)    # the mean hinge, by hand
    assert 'image/png' in data(cells, 'boundaries')
    lesson = data(cells, 'lesson')['text/html']
    # with its slider over a real training of 100 epochs, and the decision boundary
    assert lesson.startswith('<iframe srcdoc="') and '&quot;epochs&quot;:100,' in lesson and 'boundary' in lesson


# ./run notebooks, on a copy in a temporary folder with a stand-in python that notes what it is asked to do:
# no JupyterLab is installed and no server started (that part is not tested here)
FAKE_PYTHON = """#!/bin/bash
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "-m venv") mkdir -p "$3/bin"; cp "$0" "$3/bin/python" ;;
esac
exit 0
"""
TOOLS = ["bash", "dirname", "basename", "cat", "cksum", "cut", "touch", "flock", "mktemp", "grep", "sed",
         "sleep", "rm", "mkdir", "cp"]


@pytest.fixture
def project(tmp_path):
    import shutil
    folder = tmp_path / 'project'
    folder.mkdir()
    shutil.copy(os.path.join(ROOT, 'run'), folder / 'run')
    shutil.copy(os.path.join(ROOT, 'pyproject.toml'), folder / 'pyproject.toml')
    bin_ = tmp_path / 'bin'
    bin_.mkdir()
    for tool in TOOLS:
        (bin_ / tool).symlink_to(shutil.which(tool))
    for name, text in (('python', FAKE_PYTHON), ('id', '#!/bin/bash\necho 1000\n')):   # not root: no apt-get
        (bin_ / name).write_text(text)
        (bin_ / name).chmod(0o755)
    log = tmp_path / 'log'
    env = {'PATH': str(bin_), 'PYTHON': str(bin_ / 'python'), 'FAKE_LOG': str(log), 'HOME': str(tmp_path)}
    return folder, env, log


def sh(folder, env, *args):
    import subprocess
    return subprocess.run(['./run', *args], cwd=folder, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('command', ['notebooks', 'lab'])
def test_run_notebooks_installs_the_lab_extra_then_opens_notebooks_in_jupyterlab(project, command):
    folder, env, log = project
    done = sh(folder, env, command, '--port', '8899')
    assert done.returncode == 0, done.stderr
    lines = log.read_text().splitlines()
    assert lines == ['-m venv .venv', '-m pip install -q --disable-pip-version-check -e .[lab]',
                     '-m jupyter lab --notebook-dir=notebooks --port 8899']
    log.unlink()
    assert sh(folder, env, command).returncode == 0           # the second time: set up already
    assert log.read_text().splitlines() == ['-c import pip', '-m jupyter lab --notebook-dir=notebooks']


def test_run_notebooks_as_root_lets_jupyter_run_as_root(project):
    folder, env, log = project
    (Path(env['PATH']) / 'id').write_text('#!/bin/bash\necho 0\n')   # root: ./run also tries apt-get (absent here)
    done = sh(folder, env, 'notebooks')
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines()[-1] == '-m jupyter lab --notebook-dir=notebooks --allow-root'


def test_run_notebooks_dry_run_says_what_it_would_do_and_does_nothing(project):
    folder, env, log = project
    done = sh(folder, env, 'notebooks', '--dry-run')
    assert done.returncode == 0 and 'python -m jupyter lab --notebook-dir=notebooks' in done.stdout
    assert not log.exists() and not (folder / '.venv').exists()


def test_the_lab_extra_has_jupyterlab():
    text = open(os.path.join(ROOT, 'pyproject.toml')).read()
    assert '\nlab = ["jupyterlab"' in text

"""python -m autograd step: driven through its standard input."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(expression, commands, tmp_path):
    return subprocess.run([sys.executable, '-m', 'autograd', 'step', expression, '--out', str(tmp_path)],
                          input=commands, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_stepping_from_the_terminal(tmp_path):
    out = run("a = Value(2.0); b = Value(3.0); c = a * b; c + 1.0", "n\nn\np\nt\n?\ns\nq\n", tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "3 chain-rule steps" in text
    assert "dL/dc += dL/dc * dL/dL = 1 * 1 = 1   (c.grad 0 -> 1)" in text
    assert "dL/da += dc/da * dL/dc = 3.0 * 1 = 3.0   (a.grad 0 -> 3.0)" in text
    assert "undid: dL/da" in text
    assert "L = +   data 7.0   grad 1" in text and "commands:" in text
    assert "<Stepper step 1 of 3" in text


def test_render_command_writes_an_svg(tmp_path):
    out = run("x = Value(1.5); x * x", "n\nr\nq\n", tmp_path)
    assert out.returncode == 0
    assert os.path.exists(tmp_path / 'step_001.svg') or "cannot render" in out.stdout


def test_errors_are_printed_clearly_without_a_traceback(tmp_path):
    for expression, words in (("1 +", "syntax error"), ("a = Value(-1.0); a.log()", "log(a=-1.0)"),
                              ("3 * 4", "not a Value"), ("undefined_name * 2", "NameError")):
        out = run(expression, "", tmp_path)
        assert out.returncode == 1 and words in out.stderr, (expression, out.stderr)
        assert "Traceback" not in out.stderr + out.stdout


def test_end_of_input_quits(tmp_path):
    assert run("Value(1.0) * 2", "n\n", tmp_path).returncode == 0

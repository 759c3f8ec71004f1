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
    # L = c + 1.0, c = a * b: dL/dc = 1.0 (local 1 times L.grad 1.0: a float graph); dc/da = b = 3.0
    assert "c.grad += ∂L/∂c · L.grad = 1 · 1.0 = 1.0   (c.grad 0 -> 1.0)" in text
    assert "a.grad += ∂c/∂a · c.grad = 3.0 · 1.0 = 3.0   (a.grad 0 -> 3.0)" in text
    assert "undid: a.grad += " in text
    # after undoing step 2, the tree marks step 1: L passing gradient to c
    assert "L = +   data 7.0   grad 1.0   ◀ passing gradient to c" in text and "commands:" in text
    assert "c = *   data 6.0   grad 1.0   ◀ receiving gradient from L (step 1)" in text
    assert "a   data 2.0   grad -" in text
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


def test_ctrl_c_and_ctrl_d_leave_quietly():
    from autograd import Value
    from autograd.__main__ import interact
    for error in (KeyboardInterrupt, EOFError):
        said = []

        def read(prompt, error=error):
            raise error
        assert interact(Value(1.0, 'x') * 2, read=read, write=said.append) == 0
        assert said[-1] == ""


def test_a_failing_render_is_reported_without_a_traceback(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    out = subprocess.run([sys.executable, '-m', 'autograd', 'step', "x = Value(1.5); x * x", '--out', str(blocker)],
                         input="r\nq\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and "cannot render:" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_control_characters_in_labels_are_shown_not_sent_to_the_terminal(tmp_path):
    out = run("a = Value(2.0, label='\\x1b[31mred'); a * 3", "n\nt\ns\nq\n", tmp_path)
    assert out.returncode == 0
    assert "\x1b" not in out.stdout and "\\x1b[31mred" in out.stdout


def test_help_says_the_expression_is_run_as_python():
    from autograd.__main__ import HELP
    assert "Python code" in HELP and "trust" in HELP

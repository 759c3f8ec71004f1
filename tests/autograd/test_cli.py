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


def test_forward_steps_the_forward_pass_first_and_p_goes_back_across(tmp_path):
    out = subprocess.run([sys.executable, '-m', 'autograd', 'step', '--forward',
                          "a = Value(2.0); b = Value(-3.0); c = a * b; c + a", '--out', str(tmp_path)],
                         input="n\nt\nn\nn\np\ns\nt\nq\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "6 steps: 2 forward (one per operation, each value from its inputs), then 4 chain-rule steps." in text
    # the prompt says the pass and how far into it; each forward step as trace() writes it
    assert "forward 1/2> c = a * b = 2.0 * -3.0 = -6.0\n" in text
    # before L is computed, the tree shows no value for it, and marks c as just computed
    assert "L = +   data -   grad -\n" in text and "c = *   data -6.0   grad -   ◀ computed (step 1)" in text
    assert "forward 2/2> L = c + a = -6.0 + 2.0 = -4.0\n" in text
    assert ("backward 1/4> -- the forward pass is done: L = -4.0. The backward pass, from L.grad = 1 (∂L/∂L):\n"
            "c.grad += ∂L/∂c · L.grad = 1 · 1.0 = 1.0   (c.grad 0 -> 1.0)\n") in text
    # p undoes the first backward step: back in the forward pass, no gradient
    assert "backward 2/4> undid: c.grad += ∂L/∂c" in text
    assert "-- back in the forward pass: no gradient yet, every .grad as before" in text
    assert "backward 1/4> <Stepper step 2 of 6 (forward), last: L computed; 2 of 2 values computed, no gradient yet>" in text
    assert "L = +   data -4.0   grad -   ◀ computed (step 2)" in text


def test_without_forward_the_prompt_is_as_before(tmp_path):
    out = run("x = Value(1.5); x * x", "n\nn\nn\nq\n", tmp_path)
    assert out.stdout.count("step> ") == 4 and "forward" not in out.stdout

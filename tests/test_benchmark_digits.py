"""benchmarks/digits.py compares like with like: its torch and numpy-by-hand steps are the
Trainer's matrix step (no timing here: the benchmark times, the test checks what it times)."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_digits_benchmark_times_the_same_step_three_ways():
    # benchmarks/digits.py compares like with like only if its torch and numpy-by-hand steps are
    # the Trainer's step: after one step from the same weights the three agree to rounding; and
    # the three trainings (the same shuffled order) reach the same test accuracy, above 95%.
    # In a subprocess: importing a benchmark pins this process's threads.
    code = ("import json, sys; sys.path.insert(0, %r)\n"
            "import nn\n"
            "from benchmarks import digits\n"
            "X, y, Xt, yt = nn.data.digits()\n"
            "results = {}\n"
            "for fn in digits.training_rows(X, y, results).values():\n"
            "    fn()\n"
            "print(json.dumps([digits.one_step_agreement(X[:100], y[:100]), digits.test_accuracy(results, Xt, yt)]))"
            % ROOT)
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    (to_torch, to_numpy), accuracy = json.loads(out.stdout.strip().splitlines()[-1])
    assert to_torch < 1e-12 and to_numpy < 1e-12, (to_torch, to_numpy)
    assert set(accuracy) == {'matrix', 'torch float64', 'numpy by hand'}
    assert len(set(accuracy.values())) == 1 and accuracy['matrix'] >= 0.95, accuracy

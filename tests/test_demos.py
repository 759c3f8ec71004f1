"""Each demo runs, and its key numbers are checked by hand."""
import math

from demos import first_graph
from demos.__main__ import main


def test_first_graph_gradients(capsys):
    L = first_graph.main()
    # L = tanh(ab + c) with a=2, b=-3, c=10: dL/da = b (1 - tanh^2(4)), dL/db = a (1 - tanh^2(4))
    slope = 1 - math.tanh(4.0) ** 2
    a, b, c = L.parents[0].parents[0].parents + L.parents[0].parents[1:]
    assert math.isclose(a.grad, -3 * slope) and math.isclose(b.grad, 2 * slope) and math.isclose(c.grad, slope)
    assert "dL/da += de/da * dL/de" in capsys.readouterr().out


def test_demos_command_lists_and_runs(capsys):
    assert main(['--list']) == 0
    assert 'first_graph' in capsys.readouterr().out
    assert main([]) == 0

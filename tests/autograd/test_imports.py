"""The views are one layer above the engine: engine files import no view, anywhere (not
even inside a function), and no file of autograd or nn takes part in an import circle."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENGINE = {'ops', 'value', 'backward', 'functional', 'mode', 'anomaly', 'gradcheck', 'lanes', 'scope'}
VIEWS = {'notation', 'text', 'render', 'steps', 'stepper', 'explore', '__main__'}


def runtime_nodes(tree):
    """every node of tree, but those under `if TYPE_CHECKING:` (imports for type checkers
    only, which never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == 'TYPE_CHECKING':
                stack.extend(child.orelse)
                continue
            stack.append(child)


def imports(package):
    """{module: {modules of the same package it imports, at any depth of its code}}."""
    found = {}
    for path in (ROOT / package).glob('*.py'):
        name = path.stem
        targets = set()
        for node in runtime_nodes(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:                  # from .x import y
                    targets.add(node.module.split('.')[0])
                elif node.level == 1:                                # from . import x, y
                    targets.update(alias.name for alias in node.names)
                elif node.module and node.module.split('.')[0] == package:
                    parts = node.module.split('.')
                    targets.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split('.')
                    if parts[0] == package and len(parts) > 1:
                        targets.add(parts[1])
        found[name] = {t for t in targets if (ROOT / package / (t + '.py')).exists() and t != name}
    return found


def cycle(graph):
    """one import circle as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 'done'
        return None
    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_engine_imports_no_view():
    graph = imports('autograd')
    assert ENGINE | VIEWS <= set(graph) | {'__main__'}
    for module in ENGINE:
        assert not graph[module] & VIEWS, (module, graph[module] & VIEWS)


def test_no_import_circle_in_autograd_or_nn():
    for package in ('autograd', 'nn'):
        graph = imports(package)
        graph.pop('__init__', None)
        assert cycle(graph) is None, (package, cycle(graph))


def test_the_circle_finder_finds_one():
    # the check above can fail: on a made-up graph with a circle it names it
    assert cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert cycle({'a': {'b'}, 'b': set()}) is None


def test_nn_imports_autograd_and_autograd_never_nn():
    for path in (ROOT / 'autograd').glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ''] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n == 'nn' or n.startswith('nn.') for n in names), path.name


def test_imports_for_type_checkers_only_are_not_run_and_not_counted():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .value import Value\n"
                     "else:\n    from .mode import current\n")
    found = [n.module for n in runtime_nodes(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ['mode', 'typing'] or sorted(found) == ['mode', 'typing']

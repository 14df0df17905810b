"""mmsnn imports in one direction: no circles, no import from a lower layer
into a higher one (not even inside a function).

The package is read, not imported: every ``import`` / ``from ... import``
node of every module, at any depth, relative imports resolved, plus
``importlib.import_module`` / ``__import__`` with a literal name. Importing
a module also runs the ``__init__`` of each package above it that the
importer is not already inside (``from ..layers.spikify import x`` in
``models/neurons`` runs ``models/layers/__init__.py``), so those count as
imports too; ``from .x import y`` among siblings does not import the
enclosing package's ``__init__`` again.

The layers, bottom to top (a module imports from its own layer or below):

* ``utils``, ``registry``, ``version``
* ``models`` (inside it: ``time`` and ``defaults``, then ``neurons``, then
  ``layers``, then the parts, then ``detectors``)
* ``analysis``, ``datasets``, ``evaluation``, ``visualization``
* ``engine``, ``conversion``
* ``mmsnn/__init__.py``
"""
import ast
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

import pytest

PACKAGE = 'mmsnn'
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

#: Layer of each top-level part of mmsnn; the package's ``__init__`` is the
#: top. A module may import from its own layer or a lower one.
LAYERS = {
    'mmsnn.utils': 0,
    'mmsnn.registry': 0,
    'mmsnn.version': 0,
    'mmsnn.models': 1,
    'mmsnn.analysis': 2,
    'mmsnn.datasets': 2,
    'mmsnn.evaluation': 2,
    'mmsnn.visualization': 2,
    'mmsnn.engine': 3,
    'mmsnn.conversion': 3,
    'mmsnn': 4,
}

#: Layers inside ``mmsnn.models``: the time layer is a leaf (as
#: spikingjelly's ``functional``), and so are the CPU kernels that neurons
#: and layers call; neurons fold time, layers build neurons,
#: parts use layers, detectors assemble parts. ``mmsnn.models`` itself (the
#: ``__init__`` that re-exports all of them) is the top.
MODEL_LAYERS = {
    'mmsnn.models.time': 0,
    'mmsnn.models.defaults': 0,
    'mmsnn.models.cpu_kernels': 0,
    'mmsnn.models.neurons': 1,
    'mmsnn.models.layers': 2,
    'mmsnn.models.losses': 2,
    'mmsnn.models.task_modules': 2,
    'mmsnn.models.backbones': 3,
    'mmsnn.models.necks': 3,
    'mmsnn.models.dense_heads': 3,
    'mmsnn.models.data_preprocessors': 3,
    'mmsnn.models.detectors': 4,
    'mmsnn.models': 5,
}

class Import(NamedTuple):
    """One import edge: ``importer`` runs ``target`` (both module names)."""
    importer: str
    target: str
    path: str
    line: int

    def __str__(self) -> str:
        return f'{self.path}:{self.line} {self.importer} -> {self.target}'


def module_names(package_dir: Path, package: str) -> Dict[str, Path]:
    """Every module of the package by dotted name (a package by its
    ``__init__``)."""
    modules = {}
    for path in sorted(package_dir.rglob('*.py')):
        parts = path.relative_to(package_dir).with_suffix('').parts
        if parts[-1] == '__init__':
            parts = parts[:-1]
        modules['.'.join((package, ) + parts)] = path
    return modules


def _imported_names(node: ast.AST, module: str,
                    is_package: bool) -> Iterator[Tuple[str, Tuple[str, ...]]]:
    """(base, names) for each import in ``node``; ``names`` are what a
    ``from base import ...`` takes (empty for ``import base``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, ()
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ''
        if node.level:
            parts = module.split('.')
            # a package's __init__ is inside the package itself
            keep = len(parts) - node.level + (1 if is_package else 0)
            if keep < 1:
                raise ValueError(f'{module}: relative import beyond the top '
                                 f'package (level {node.level})')
            base = '.'.join(parts[:keep] + ([base] if base else []))
        yield base, tuple(alias.name for alias in node.names)
    elif isinstance(node, ast.Call) and node.args and isinstance(
            node.args[0], ast.Constant) and isinstance(node.args[0].value,
                                                       str):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(
            func, 'id', None)
        if name in ('import_module', '__import__'):
            yield node.args[0].value, ()


def _known_module(name: str, modules: Dict[str, Path]) -> Optional[str]:
    """``name`` or its longest prefix that is a module of the package."""
    parts = name.split('.')
    while parts:
        if '.'.join(parts) in modules:
            return '.'.join(parts)
        parts.pop()
    return None


def _ancestors(module: str) -> List[str]:
    parts = module.split('.')
    return ['.'.join(parts[:i]) for i in range(1, len(parts))]


def read_imports(package_dir: Path, package: str) -> List[Import]:
    """Every import among the package's modules, as edges."""
    modules = module_names(package_dir, package)
    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        shown = str(path.relative_to(package_dir.parent))
        is_package = path.name == '__init__.py'
        inside = set(_ancestors(module)) | {module}
        for node in ast.walk(tree):
            for base, names in _imported_names(node, module, is_package):
                if base.split('.')[0] != package:
                    continue
                targets = set()
                for name in names or ('', ):
                    sub = f'{base}.{name}'
                    if name and sub in modules:  # from package import module
                        targets.add(sub)
                    else:
                        targets.add(_known_module(base, modules) or base)
                for target in sorted(targets):
                    # the __init__ of every package above the target that
                    # the importer is not inside runs too
                    for runs in _ancestors(target) + [target]:
                        if runs not in inside:
                            edges.append(
                                Import(module, runs, shown, node.lineno))
    return edges


def group_of(module: str, groups: Dict[str, int]) -> Optional[str]:
    """The longest key of ``groups`` that is ``module`` or a package above
    it."""
    for name in [module] + _ancestors(module)[::-1]:
        if name in groups:
            return name
    return None


def upward_imports(edges: List[Import], layers: Dict[str, int]) -> List[str]:
    """Edges from a lower layer into a higher one, as messages."""
    found = []
    for edge in edges:
        low, high = (group_of(m, layers) for m in (edge.importer,
                                                   edge.target))
        if low is None or high is None or layers[high] <= layers[low]:
            continue
        found.append(f'{edge}: {low} (layer {layers[low]}) imports '
                     f'{high} (layer {layers[high]})')
    return found


def cycles(edges: List[Import]) -> List[List[Import]]:
    """The circles among ``edges``: for each strongly connected set of
    modules (Tarjan), the edges inside it."""
    graph: Dict[str, Set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [
        sorted({e for e in edges
                if e.importer in c and e.target in c}, key=str)
        for c in components
    ]


def grouped(edges: List[Import], groups: Dict[str, int]) -> List[Import]:
    """``edges`` between different groups, each end named by its group."""
    found = set()
    for edge in edges:
        a, b = (group_of(m, groups) for m in (edge.importer, edge.target))
        if a is not None and b is not None and a != b:
            found.add(edge._replace(importer=a, target=b))
    return sorted(found, key=str)


def shortest_circle(edges: List[Import]) -> List[Import]:
    """One shortest circle through the first importer of ``edges`` (the
    edges of one strongly connected set), as its edges in order."""
    start = edges[0].importer
    came_from: Dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for edge in edges:
                if edge.importer != node:
                    continue
                if edge.target == start:
                    path = [edge]
                    while path[0].importer != start:
                        path.insert(0, came_from[path[0].importer])
                    return path
                if edge.target not in came_from:
                    came_from[edge.target] = edge
                    following.append(edge.target)
        frontier = following
    raise ValueError(f'no circle through {start}')


def _show(circles: List[List[Import]]) -> str:
    """Each circle set as one shortest circle through it, file and line
    of each import."""
    return '\n\n'.join(
        f'{len({e.importer for e in c})} modules import each other, e.g.:\n'
        + '\n'.join(map(str, shortest_circle(c))) for c in circles)


@pytest.fixture(scope='module')
def edges():
    found = read_imports(PACKAGE_DIR, PACKAGE)
    assert len(found) > 100  # the package was read
    return found


def test_every_module_has_a_layer():
    modules = module_names(PACKAGE_DIR, PACKAGE)
    assert not [m for m in modules if group_of(m, LAYERS) is None], \
        'give each new top-level part of mmsnn a layer in LAYERS'
    assert not [
        m for m in modules if m.startswith('mmsnn.models.')
        and group_of(m, MODEL_LAYERS) == 'mmsnn.models'
    ], 'give each new part of mmsnn.models a layer in MODEL_LAYERS'


def test_no_import_circle(edges):
    circles = cycles(edges)
    if circles:
        pytest.fail('import circles:\n' + _show(circles), pytrace=False)


def test_no_upward_import(edges):
    found = upward_imports(edges, LAYERS)
    assert not found, 'imports from a lower layer into a higher one:\n' + \
        '\n'.join(found)


def test_models_import_in_one_direction(edges):
    inside = [
        e for e in edges if e.importer.startswith('mmsnn.models.')
        and e.target.startswith('mmsnn.models')
    ]
    parts = grouped(inside, MODEL_LAYERS)
    circles = cycles(parts)
    if circles:
        pytest.fail('circles between parts of mmsnn.models:\n' +
                    _show(circles), pytrace=False)
    found = upward_imports(parts, MODEL_LAYERS)
    assert not found, 'upward imports inside mmsnn.models:\n' + \
        '\n'.join(found)


def test_time_layer_is_a_leaf(edges):
    found = [
        str(e) for e in edges if e.importer.startswith('mmsnn.models.time')
        and e.target.startswith('mmsnn.models')
        and not e.target.startswith('mmsnn.models.time')
    ]
    assert not found, 'mmsnn.models.time imports the models:\n' + \
        '\n'.join(found)


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / 'pkg' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / 'pkg'


def test_reader_resolves_imports(tmp_path):
    pkg = _write(
        tmp_path, {
            '__init__.py': 'from .low import *\nfrom . import high\n',
            'low/__init__.py': 'from .a import f\n',
            'low/a.py': 'import os\nfrom ..high.b import g\n',
            'low/c.py': 'def f():\n    from pkg.high import b\n'
            '    import importlib\n'
            "    importlib.import_module('pkg.high')\n",
            'high/__init__.py': '',
            'high/b.py': 'from ..low import a\nfrom ..low.a import f\n',
        })
    got = {(e.importer, e.target, e.line) for e in read_imports(pkg, 'pkg')}
    assert got == {
        ('pkg', 'pkg.low', 1), ('pkg', 'pkg.high', 2),
        ('pkg.low', 'pkg.low.a', 1),
        # the package above the target runs its __init__ too
        ('pkg.low.a', 'pkg.high', 2), ('pkg.low.a', 'pkg.high.b', 2),
        ('pkg.low.c', 'pkg.high', 2), ('pkg.low.c', 'pkg.high.b', 2),
        ('pkg.low.c', 'pkg.high', 4),
        ('pkg.high.b', 'pkg.low', 1), ('pkg.high.b', 'pkg.low.a', 1),
        ('pkg.high.b', 'pkg.low', 2), ('pkg.high.b', 'pkg.low.a', 2),
    }


def test_checks_find_circles_and_upward_imports(tmp_path):
    pkg = _write(
        tmp_path, {
            '__init__.py': '',
            'low/__init__.py': '',
            'low/a.py': 'def f():\n    from ..high import b\n',
            'high/__init__.py': '',
            'high/b.py': 'from ..low.a import f\n',
            'high/c.py': 'from . import b\n',
        })
    edges = read_imports(pkg, 'pkg')
    layers = {'pkg.low': 0, 'pkg.high': 1, 'pkg': 2}
    found = upward_imports(edges, layers)
    assert found and all(m.startswith('pkg/low/a.py:2 pkg.low.a -> pkg.high')
                         for m in found)
    circles = cycles(edges)
    assert len(circles) == 1
    assert {e.importer for e in circles[0]} == {'pkg.low.a', 'pkg.high.b'}
    parts = cycles(grouped(edges, layers))
    assert {e.importer for e in parts[0]} == {'pkg.low', 'pkg.high'}
    # the sibling import of high/c.py is no circle with high/__init__.py
    assert not cycles([e for e in edges if e.importer != 'pkg.low.a'])

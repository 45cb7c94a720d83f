"""The modules a Lambda handler can import: the static import closure of the handlers within our packages.

Every ``import`` and ``from ... import`` statement counts, wherever it is (module level, a function body, a
``TYPE_CHECKING`` block), so a lazy import is never left out of the bundle; importing ``a.b.c`` also runs the
``__init__`` of ``a`` and ``a.b``. Dynamic imports by name (``importlib.import_module``) are not followed: the domain
has none, and ``tests/infrastructure/test_infra_bundle.py`` proves it by importing every handler from the bundle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path


def module_file(source_dir: Path, name: str) -> Path | None:
    """The file of module ``name`` under ``source_dir`` (a package's ``__init__.py``), or None if it is not ours."""
    base = source_dir.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_statements(path: Path, name: str) -> Iterator[tuple[str, list[str]]]:
    """Every import statement of module ``name`` (file ``path``), lazy ones too: the module it names (relative imports
    resolved) and the names it imports from it (empty for ``import a.b``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names]


def _imported_names(path: Path, name: str) -> Iterable[str]:
    for target, names in import_statements(path, name):
        yield target
        yield from (f"{target}.{alias}" for alias in names)  # a submodule imported by name


def import_closure(source_dir: Path, roots: Iterable[str], packages: Iterable[str]) -> set[str]:
    """Every module of ``packages`` (top-level names) under ``source_dir`` that ``roots`` import, roots included."""
    ours = tuple(packages)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name.split(".")[0] not in ours:
            continue
        path = module_file(source_dir, name)
        if path is None:
            continue  # ``from pkg import attribute``: not a module
        seen.add(name)
        parts = name.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages' __init__
        pending.extend(_imported_names(path, name))
    return seen

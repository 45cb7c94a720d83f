"""The layers of the house: a pure domain, AWS access, the Lambda steps, the handlers, and local tools on top.

Every ``import`` statement counts wherever it is (module level, a function body, ``TYPE_CHECKING``), read with
``ast`` from the source files, so a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterator
from pathlib import Path

from stacks.closure import import_statements

REPO = Path(__file__).resolve().parents[3]
SOURCE_ROOTS = (REPO / "lambdas", REPO / "src")

# What each package may import of ours; a package always may import itself.
ALLOWED = {
    "amts": set(),
    "amts_aws": {"amts"},
    "amts_steps": {"amts", "amts_aws"},
    "amts_handlers": {"amts", "amts_aws", "amts_steps"},
    "amts_local": {"amts", "amts_aws", "amts_steps", "amts_handlers"},
}
AWS_LIBRARIES = {"boto3", "botocore", "moto", "aws_lambda_powertools", "mypy_boto3_s3"}


def _modules() -> dict[str, Path]:
    found = {}
    for root in SOURCE_ROOTS:
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every name ``name`` imports: ``a.b`` for ``import a.b``, ``a.b.c`` when ``from a.b import c`` is a module."""
    for target, names in import_statements(path, name):
        if not names:
            yield target
        for alias in names:
            yield f"{target}.{alias}" if f"{target}.{alias}" in MODULES else target


def _our_module(imported: str) -> str | None:
    """The module of ours that ``imported`` names (``amts.book.parse`` -> ``amts.book``), or None."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported or None


def test_the_domain_imports_no_aws_library() -> None:
    """Given every module of the ``amts`` package
    Then none imports boto3, botocore, moto or Powertools: AWS access lives in ``amts_aws`` and the steps."""
    offenders = sorted(
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        if name.split(".")[0] == "amts"
        for imported in _imports(name, path)
        if imported.split(".")[0] in AWS_LIBRARIES
    )
    assert offenders == []


def test_no_package_imports_a_layer_above_it() -> None:
    """Given the packages amts < amts_aws < amts_steps < amts_handlers < amts_local
    Then each imports only itself and the layers below; nothing bundled reaches the local tools."""
    assert {name.split(".")[0] for name in MODULES} == set(ALLOWED)
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in MODULES.items()
        for imported in _imports(name, path)
        if (target := _our_module(imported)) is not None
        and target.split(".")[0] not in {name.split(".")[0], *ALLOWED[name.split(".")[0]]}
    )
    assert offenders == []


def test_there_is_no_import_circle_between_modules() -> None:
    """Given every import between our modules (a module importing its own parent package aside: Python runs the
    package's ``__init__`` first anyway)
    Then the modules can be ordered so that each imports only modules before it."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {_our_module(imported) for imported in _imports(name, path)}
        graph[name] = {t for t in targets if t is not None and t != name and not name.startswith(f"{t}.")}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise AssertionError(f"import circle: {' -> '.join(error.args[1])}") from None

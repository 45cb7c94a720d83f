#!/usr/bin/env python3
"""Move the packages to the layout of issue 18, and rewrite every reference to the moved modules.

    lambdas/amts/           the pure domain (no boto3): book, align, sync, translate, evaluate, config, ...
    lambdas/amts_aws/       the only code that talks to AWS clients: S3 helpers, the S3 memory store
    lambdas/amts_steps/     one module per Lambda action with its models (was amts.pipeline)
    lambdas/amts_handlers/  thin Powertools handlers (unchanged)
    src/amts_local/         never bundled: local runtime, Translate stand-in, offline engines, CLI, sample book, demo

Run from anywhere: ``python scripts/relayout.py`` (``--dry-run`` lists what it would do). It works on the git
checkout it lives in, moves files with ``git mv`` (so history follows them), rewrites dotted module names
(``amts.pipeline.stage``) and paths (``lambdas/amts/pipeline/stage.py``, ``amts/pipeline/``) in every tracked
source, test, config and documentation file, edits the packaging, type-checking and bundling settings, and
sorts and formats the touched Python files with ruff. It is idempotent: on a tree already moved it changes
nothing, so it can be re-run after other branches that still use the old names have merged.

Whole folders move (not a list of their files), so a module another branch adds to ``amts/pipeline/`` or
``amts/local/`` moves with its folder. What the script cannot know: a new module of the domain that imports
boto3, or a new reference spelled another way (``from amts import cli``); the layer test
(``tests/unit/foundation/test_layers.py``) names the first, and the test run the second.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (old, new), repository paths. More specific entries first: a file leaves its folder before the folder moves.
MOVES: tuple[tuple[str, str], ...] = (
    # AWS clients: the only code that calls S3.
    ("lambdas/amts/pipeline/s3.py", "lambdas/amts_aws/s3.py"),
    ("lambdas/amts/sync/s3_memory.py", "lambdas/amts_aws/memory.py"),
    # The one key validator is pure and the S3 helpers use it: it belongs to the domain, below both.
    ("lambdas/amts/pipeline/keys.py", "lambdas/amts/keys.py"),
    # One module per Lambda action, with the models, S3 layout and environment settings they share.
    ("lambdas/amts/pipeline", "lambdas/amts_steps"),
    # Never bundled: the offline engines, the Translate stand-in, the CLI and the local runtime.
    ("lambdas/amts/translate/engines.py", "src/amts_local/engines/chain.py"),
    ("lambdas/amts/sync/translators.py", "src/amts_local/engines/sync.py"),
    ("lambdas/amts/evaluate/engines.py", "src/amts_local/engines/experiments.py"),
    ("lambdas/amts/translate/standin", "src/amts_local/standin"),
    ("lambdas/amts/cli", "src/amts_local/cli"),
    ("lambdas/amts/deploy", "src/amts_local/deploy"),
    ("lambdas/amts/local", "src/amts_local"),
    # Tests to their true tier: these run no state machine (pure IAM evaluation, a progress display).
    ("tests/e2e/test_least_privilege_checker.py", "tests/unit/local/test_least_privilege_checker.py"),
    ("tests/e2e/test_local_progress.py", "tests/unit/local/test_local_progress.py"),
)

# Packages the moves create, with the docstring of their ``__init__``.
NEW_PACKAGES: dict[str, str] = {
    "lambdas/amts_aws/__init__.py": (
        '"""The only code that talks to AWS clients: S3 reads and writes, the translation memory\'s S3 store."""\n'
    ),
    "lambdas/amts_steps/__init__.py": (
        '"""One module per Lambda action (plan, parallel data, stage, assemble, score, release, budget, starter),\n'
        'with the models, S3 layout and settings they share. The handlers in ``amts_handlers`` call these."""\n'
    ),
    "src/amts_local/engines/__init__.py": (
        '"""The offline translation engines: the stand-in\'s chain (memory, Apertium, pseudo), the one-shot sync\'s\n'
        'translators and the experiments\' engines. Never bundled into Lambda."""\n'
    ),
    "tests/unit/local/__init__.py": "",
}

# Settings that name packages or source roots: (file, old, new); applied only where ``old`` is still present.
EDITS: tuple[tuple[str, str, str], ...] = (
    ("pyproject.toml", 'where = ["lambdas"]', 'where = ["lambdas", "src"]'),
    ("pyproject.toml", 'mypy_path = "lambdas"', 'mypy_path = "lambdas:src"'),
    (
        "pyproject.toml",
        'packages = ["amts", "amts_handlers", "stacks"]',
        'packages = ["amts", "amts_aws", "amts_steps", "amts_handlers", "amts_local", "stacks"]',
    ),
    (
        "pyproject.toml",
        'amts = ["deploy/cdk.json", "deploy/statemachine/*.json"]',
        'amts_local = ["deploy/cdk.json", "deploy/statemachine/*.json"]',
    ),
    (
        "stacks/bundling.py",
        'BUNDLED_PACKAGES = ("amts", "amts_handlers")',
        'BUNDLED_PACKAGES = ("amts", "amts_aws", "amts_steps", "amts_handlers")',
    ),
    ("src/amts_local/deployment.py", 'resources.files("amts") / "deploy"', 'resources.files("amts_local") / "deploy"'),
    (
        "bench/bench_languages.py",
        'sys.path.insert(0, str(REPO / "lambdas"))',
        'sys.path[:0] = [str(REPO / "lambdas"), str(REPO / "src")]',
    ),
    (
        "tests/unit/foundation/test_threads.py",
        'os.pathsep.join([str(REPO / "lambdas"), str(REPO)])',
        'os.pathsep.join([str(REPO / "lambdas"), str(REPO / "src"), str(REPO)])',
    ),
    (
        "app.py",
        "# The shared names and the config model live in the domain package under lambdas/.",
        "# The shared names and the config model live in the domain package under lambdas/ (never in src/).",
    ),
)

TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".sh", ".txt", ".yml", ".yaml"}
TEXT_NAMES = {"Makefile"}
SKIPPED = ("scripts/relayout.py", "bench/results/")  # this file names the old paths; results are records


def git(*args: str, capture: bool = False) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, check=True, text=True, capture_output=capture)
    return result.stdout if capture else ""


def tracked(path: str) -> list[str]:
    """The tracked files at or under ``path``."""
    return [line for line in git("ls-files", "--", path, capture=True).splitlines() if line]


def module_name(path: str) -> str:
    """``lambdas/amts/pipeline/s3.py`` -> ``amts.pipeline.s3``; a folder -> its package."""
    parts = Path(path).with_suffix("").parts if path.endswith(".py") else Path(path).parts
    if parts[0] in {"lambdas", "src"}:
        parts = parts[1:]
    return ".".join(parts)


def short_path(path: str) -> str:
    """A path as docs often write it, without the source root: ``amts/pipeline/s3.py``."""
    parts = Path(path).parts
    return str(Path(*parts[1:])) if parts[0] in {"lambdas", "src"} else path


def move(old: str, new: str, dry_run: bool, moved_files: list[str]) -> int:
    """``git mv`` every tracked file under ``old`` to the same place under ``new``; links keep their targets."""
    files = tracked(old)
    for source in files:
        target = new + source[len(old) :]
        if (ROOT / target).exists() or (ROOT / target).is_symlink():
            sys.exit(f"relayout: {target} exists already; cannot move {source} onto it")
        print(f"git mv {source} {target}")
        if dry_run:
            continue
        link = os.readlink(ROOT / source) if (ROOT / source).is_symlink() else None
        (ROOT / target).parent.mkdir(parents=True, exist_ok=True)
        git("mv", source, target)
        moved_files.append(target)
        if link is not None:  # a relative link: point it from its new folder to the same file
            aimed = os.path.normpath((ROOT / source).parent / link)
            relinked = os.path.relpath(aimed, (ROOT / target).parent)
            if relinked != link:
                (ROOT / target).unlink()
                (ROOT / target).symlink_to(relinked)
                git("add", target)
    if files and not dry_run and (ROOT / old).is_dir():
        remove_if_only_caches(ROOT / old)
    return len(files)


def remove_if_only_caches(folder: Path) -> None:
    """Remove a folder the move emptied of tracked files (untracked byte code goes with it)."""
    if any(p.is_file() and p.suffix not in {".pyc", ".pyo"} for p in folder.rglob("*")):
        return
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()
    folder.rmdir()


def rewrite_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every old dotted name and path, longest first, and what each becomes."""
    names: dict[str, str] = {}
    for old, new in MOVES:
        if old.startswith(("lambdas/", "src/")):
            names[module_name(old)] = module_name(new)
            names[short_path(old)] = short_path(new)
        names[old] = new
    alternatives = "|".join(re.escape(key) for key in sorted(names, key=len, reverse=True))
    # Not inside a longer name (``foo.amts.cli``, ``xamts/cli``), and not a prefix of one (``amts.pipeline_config``).
    return re.compile(rf"(?<![\w./])(?:{alternatives})(?![\w])"), names


def rewrite(dry_run: bool) -> list[str]:
    pattern, names = rewrite_pattern()
    changed = []
    for name in git("ls-files", capture=True).splitlines():
        path = ROOT / name
        if name.startswith(SKIPPED) or path.is_symlink() or not path.is_file():
            continue
        if path.suffix not in TEXT_SUFFIXES and path.name not in TEXT_NAMES:
            continue
        text = path.read_text(encoding="utf-8")
        new_text = pattern.sub(lambda match: names[match.group(0)], text)
        if new_text != text:
            changed.append(name)
            if not dry_run:
                path.write_text(new_text, encoding="utf-8")
    return changed


def edit_settings(dry_run: bool) -> list[str]:
    changed = []
    for name, old, new in EDITS:
        path = ROOT / name
        if path.is_file() and old in (text := path.read_text(encoding="utf-8")):
            changed.append(name)
            if not dry_run:
                path.write_text(text.replace(old, new), encoding="utf-8")
    return changed


def create_packages(dry_run: bool) -> list[str]:
    created = []
    for name, docstring in NEW_PACKAGES.items():
        path = ROOT / name
        if not path.parent.is_dir() or (path.exists() and (path.read_text(encoding="utf-8").strip() or not docstring)):
            continue  # the folder did not move here, or the package already says what it is
        created.append(name)
        if not dry_run:
            path.write_text(docstring, encoding="utf-8")
            git("add", name)
    return created


def tidy(files: list[str]) -> None:
    """Import order and formatting of the rewritten Python files (a renamed import sorts elsewhere)."""
    python = [name for name in files if name.endswith(".py") and (ROOT / name).is_file()]
    if python:
        subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "I", "--fix", "-q", *python], cwd=ROOT)
        subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *python], cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
    args = parser.parse_args()
    moved_files: list[str] = []
    moved = sum(move(old, new, args.dry_run, moved_files) for old, new in MOVES)
    created = create_packages(args.dry_run)
    edited = edit_settings(args.dry_run)
    rewritten = rewrite(args.dry_run)
    if not args.dry_run:
        tidy(sorted(set(rewritten + edited + created + moved_files)))  # a moved module may sort its imports anew
    for name in created:
        print(f"created {name}")
    for name in sorted(set(edited + rewritten)):
        print(f"rewrote {name}")
    rewritten_count = len(set(edited + rewritten))
    print(f"relayout: {moved} files moved, {len(created)} packages created, {rewritten_count} files rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

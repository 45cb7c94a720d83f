"""The Lambda bundle: built without Docker for the Lambda platform, complete, within size, importable.

The bundle is imported by a CPython of the Lambda runtime's version when this machine has one (pyenv installs
are looked up); otherwise a bundle built for the local interpreter is imported instead, and the test says so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from amts import config

from stacks.bundling import (
    BUNDLED_PACKAGES,
    LAMBDA_SOURCE_DIR,
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    LOCK_FILE,
    REQUIREMENTS_FILE,
    build_bundle,
    copy_handler_modules,
    directory_size,
    pip_platform_args,
)
from stacks.closure import import_closure

PYENV_ROOTS = (Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions", Path.home() / ".pyenv" / "versions")

# Run inside the Lambda-version Python with nothing but the bundle on sys.path (-S: no site-packages, -E: no env).
IMPORT_CHECK = r"""
import importlib, json, sys
bundle, modules = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, bundle)
failed = {}
for name in modules:
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # report every failure, not only the first
        failed[name] = f"{type(exc).__name__}: {exc}"
        continue
    if not module.__file__ or not module.__file__.startswith(bundle):
        failed[name] = f"imported from {module.__file__}, not from the bundle"
print(json.dumps({"version": sys.version.split()[0], "failed": failed}))
"""


def _last_json_line(command: list[str], *, env: dict[str, str], cwd: Path) -> Any:
    """Run an import check in a clean interpreter; it must succeed, and its verdict is the JSON it printed last."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _lambda_python() -> Path | None:
    version = config.LAMBDA_PYTHON_VERSION
    for root in PYENV_ROOTS:
        for candidate in sorted(root.glob(f"{version}.*"), reverse=True):
            binary = candidate / "bin" / f"python{version}"
            if binary.is_file():
                return binary
    return None


def _requirement_names(path: Path) -> list[str]:
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\[=<>!~; ]", line, maxsplit=1)[0])
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(bundle dir, python to import it with, python version it targets)."""
    python = _lambda_python()
    if python is not None:
        version = config.LAMBDA_PYTHON_VERSION
    else:
        # CI's image carries the Lambda runtime's CPython (pyenv): there the import test must run under it.
        assert not os.environ.get("CI"), f"CI needs a Python {config.LAMBDA_PYTHON_VERSION} to import the bundle with"
        python = Path(sys.executable)
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        print(
            f"NOTE: no Python {config.LAMBDA_PYTHON_VERSION} here; importing a {version} bundle with {python} instead"
        )
    out = tmp_path_factory.mktemp("lambda-bundle")
    build_bundle(out, architecture=config.LAMBDA_ARCHITECTURE, python_version=version)
    return out, python, version


def _locked(path: Path) -> dict[str, str]:
    return {
        _canonical(match.group(1)): match.group(2)
        for match in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    }


def test_the_lambda_lock_pins_every_requirement_at_the_tested_version() -> None:
    """Given requirements.txt, the Lambda lock and the dev lock, then every requirement is locked at its pinned
    version, and every package the bundle gets is the version the tests run with."""
    lambda_lock, dev_lock = _locked(LOCK_FILE), _locked(LOCK_FILE.with_name("requirements-dev.lock"))
    pinned = _locked(REQUIREMENTS_FILE)
    assert pinned
    assert {name: lambda_lock.get(name) for name in pinned} == pinned
    assert {name: dev_lock.get(name) for name in lambda_lock} == lambda_lock


@pytest.mark.slow
def test_bundle_fits_lambda_and_holds_every_requirement(bundle: tuple[Path, Path, str]) -> None:
    out, _, _ = bundle
    size = directory_size(out)
    assert size < LAMBDA_UNZIPPED_LIMIT_BYTES, f"{size / 2**20:.0f} MiB unzipped"
    installed = {_canonical(d.metadata["Name"]) for d in metadata.distributions(path=[str(out)])}
    missing = [name for name in _requirement_names(REQUIREMENTS_FILE) if _canonical(name) not in installed]
    assert missing == []
    for package in BUNDLED_PACKAGES:
        assert (out / package / "__init__.py").is_file()
    assert not list(out.rglob("__pycache__")), "bytecode of the build machine's Python must not ship"
    # Dev-only tools never reach Lambda.
    assert not installed & {"moto", "pytest", "aws-cdk-lib", "cdk-nag", "cfn-lint", "mypy", "ruff"}


@pytest.mark.slow
def test_native_wheels_are_for_the_lambda_platform(bundle: tuple[Path, Path, str]) -> None:
    out, _, version = bundle
    tag = f"cp{version.replace('.', '')}"
    machine = {"x86_64": "x86_64", "arm64": "aarch64"}[config.LAMBDA_ARCHITECTURE]
    wheels = []
    for wheel_file in out.glob("*.dist-info/WHEEL"):
        tags = [line.split(": ", 1)[1] for line in wheel_file.read_text().splitlines() if line.startswith("Tag: ")]
        if all(t.endswith("-none-any") for t in tags):
            continue  # pure Python
        wheels.append(wheel_file.parent.name)
        assert any(t.startswith(f"{tag}-") or "-abi3-" in t for t in tags), (wheel_file.parent.name, tags)
        assert all("manylinux" in t and t.endswith(machine) for t in tags), (wheel_file.parent.name, tags)
    assert wheels, "expected native wheels (pydantic-core, regex) in the bundle"


@pytest.mark.slow
def test_every_handler_and_dependency_imports_in_the_lambda_python(bundle: tuple[Path, Path, str]) -> None:
    out, python, version = bundle
    modules = [spec.handler.rsplit(".", 1)[0] for spec in config.FUNCTIONS]
    for dist in metadata.distributions(path=[str(out)]):
        top_level = dist.read_text("top_level.txt") or ""
        modules += [m for m in top_level.split() if m.isidentifier() and not m.startswith("_")]
    env = {"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "1", "LANG": "C.UTF-8"}
    outcome = _last_json_line(
        [str(python), "-S", "-E", "-c", IMPORT_CHECK, str(out), json.dumps(sorted(set(modules)))], env=env, cwd=out
    )
    assert outcome["version"].startswith(version)
    assert outcome["failed"] == {}


def test_pip_is_asked_for_lambda_wheels_only() -> None:
    args = pip_platform_args(architecture="arm64", python_version="3.13")
    assert args[:4] == ["--platform", "manylinux_2_28_aarch64", "--platform", "manylinux2014_aarch64"]
    assert "--only-binary=:all:" in args
    assert args[args.index("--python-version") + 1] == "3.13"
    assert args[args.index("--implementation") + 1] == "cp"


# Import every handler with only the copied modules and the installed dependencies on the path (not lambdas/).
HANDLER_IMPORT = r"""
import importlib, json, sys
bundle, handlers = sys.argv[1], json.loads(sys.argv[2])
for name in handlers:
    importlib.import_module(name)
loaded = sorted(n for n, m in sys.modules.items() if (getattr(m, "__file__", None) or "").startswith(bundle))
print(json.dumps(loaded))
"""


def _module_names(root: Path) -> set[str]:
    names = set()
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_bundled_module_is_in_some_handlers_import_closure(tmp_path: Path) -> None:
    """Given the modules the bundler copies
    Then each is reached by the import closure of at least one handler, and what only local tools use is left out."""
    copy_handler_modules(tmp_path)
    bundled = _module_names(tmp_path)
    reached: set[str] = set()
    for spec in config.FUNCTIONS:
        reached |= import_closure(LAMBDA_SOURCE_DIR, [spec.handler.rsplit(".", 1)[0]], BUNDLED_PACKAGES)
    assert bundled == reached
    assert {name.split(".")[0] for name in bundled} == {"amts", "amts_aws", "amts_steps", "amts_handlers"}
    assert not (LAMBDA_SOURCE_DIR / "amts_local").exists()  # local tools live in src/, outside the bundled root
    assert bundled < _module_names(LAMBDA_SOURCE_DIR)


def test_handlers_import_from_the_copied_modules_alone(tmp_path: Path) -> None:
    """Given the copied modules and the installed dependencies, without lambdas/ on the path
    When every handler is imported
    Then each imports, every module it loads comes from the copy, and every copied module is loaded on import (the
    domain's one lazy import, sync's offline translators, is a local tool in ``amts_local`` and not bundled)."""
    copy_handler_modules(tmp_path)
    handlers = [spec.handler.rsplit(".", 1)[0] for spec in config.FUNCTIONS]
    site = [p for p in sys.path if p.endswith("site-packages")]
    path_setup = f"import sys; sys.path[:0] = {[str(tmp_path), *site]!r}\n"  # -I: no PYTHONPATH, no editable .pth
    env = {"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1", "LANG": "C.UTF-8"}
    loaded = set(
        _last_json_line(
            [sys.executable, "-I", "-S", "-c", path_setup + HANDLER_IMPORT, str(tmp_path), json.dumps(handlers)],
            env=env,
            cwd=tmp_path,
        )
    )
    bundled = _module_names(tmp_path)
    assert loaded <= bundled
    assert bundled == loaded

"""Bundle the Lambda code without Docker: pip installs wheels built for the Lambda platform, then copies our code.

``aws-lambda-python-alpha`` needs Docker; this needs only pip. pip is told the target platform (manylinux wheels for
the chosen architecture and the Lambda's CPython version, binary wheels only), so the bundle is what Lambda can
import even when the build machine runs another Python or OS. One bundle serves every function (they share the
``amts`` package); CDK hashes the source folder, so the bundle is built once per change.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import cast

import aws_cdk as cdk
import jsii
from amts import config
from aws_cdk import aws_lambda as lambda_

from stacks.closure import import_closure, module_file

REPO_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_SOURCE_DIR = REPO_ROOT / "lambdas"
REQUIREMENTS_FILE = REPO_ROOT / "requirements.txt"
# The bundle is installed from this lock (every package pinned with its hashes, resolved for Lambda's Python and
# platform and constrained to the versions the tests run with): `make lock` regenerates it from requirements.txt.
LOCK_FILE = REPO_ROOT / "requirements-lambda.lock"
# The packages whose modules may be bundled next to the pip-installed dependencies: only the modules in the handlers'
# import closure are copied (the local runtime, the stand-in, the CLI and the sample book never reach Lambda).
BUNDLED_PACKAGES = ("amts", "amts_aws", "amts_steps", "amts_handlers")
# Lambda's hard limit for a function's unzipped code (and layers): 250 MB.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024


class BundlingError(RuntimeError):
    """The Lambda bundle could not be built (pip failed, a package is missing, or it is too large)."""


def pip_platform_args(*, architecture: str, python_version: str) -> list[str]:
    """pip options selecting wheels for Lambda (Amazon Linux 2023, glibc 2.34) on ``architecture``."""
    machine = {"x86_64": "x86_64", "arm64": "aarch64"}.get(architecture)
    if machine is None:
        raise BundlingError(f"unknown Lambda architecture {architecture!r}; expected x86_64 or arm64")
    # manylinux_2_28 first: numpy 2.x and lxml 6.x publish only 2_27/2_28 wheels; manylinux2014 covers older ones.
    return [
        "--platform",
        f"manylinux_2_28_{machine}",
        "--platform",
        f"manylinux2014_{machine}",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
    ]


def directory_size(path: Path) -> int:
    """Bytes of every regular file under ``path``."""
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


def build_bundle(
    output_dir: Path,
    *,
    architecture: str,
    python_version: str,
    requirements: Path = LOCK_FILE,
    source_dir: Path = LAMBDA_SOURCE_DIR,
) -> int:
    """Install the locked ``requirements`` for the Lambda platform into ``output_dir`` and copy our packages; return
    its size."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",  # Lambda compiles on first import; .pyc built by another Python would be ignored anyway
        "--require-hashes",
        "--no-deps",  # the lock lists the whole tree; nothing may be resolved anew at bundling time
        "--requirement",
        str(requirements),
        "--target",
        str(output_dir),
        *pip_platform_args(architecture=architecture, python_version=python_version),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BundlingError(f"pip could not install {requirements} for Lambda:\n{result.stderr.strip()}")
    copy_handler_modules(output_dir, source_dir=source_dir)
    for cache in list(output_dir.rglob("__pycache__")):  # built by the build machine's Python: useless on Lambda
        shutil.rmtree(cache, ignore_errors=True)
    size = directory_size(output_dir)
    if size > LAMBDA_UNZIPPED_LIMIT_BYTES:
        raise BundlingError(
            f"the Lambda bundle is {size / 2**20:.1f} MiB unzipped; Lambda allows 250 MiB. Trim requirements.txt."
        )
    return size


def handler_modules(source_dir: Path = LAMBDA_SOURCE_DIR) -> dict[str, Path]:
    """Every module the handlers of ``amts.config.FUNCTIONS`` can import from our packages, with its file."""
    roots = [spec.handler.rsplit(".", 1)[0] for spec in config.FUNCTIONS]
    modules: dict[str, Path] = {}
    for name in sorted(import_closure(source_dir, roots, BUNDLED_PACKAGES)):
        path = module_file(source_dir, name)
        if path is None:  # pragma: no cover - the closure holds only modules it found
            raise BundlingError(f"module {name} vanished while bundling")
        modules[name] = path
    for root in roots:
        if root not in modules:
            raise BundlingError(f"handler module {root} is not under {source_dir}; the Lambda bundle needs it")
    return modules


def copy_handler_modules(output_dir: Path, *, source_dir: Path = LAMBDA_SOURCE_DIR) -> list[Path]:
    """Copy the handlers' import closure into ``output_dir`` (same relative paths); the files written."""
    written = []
    for path in handler_modules(source_dir).values():
        target = output_dir / path.relative_to(source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


@jsii.implements(cdk.ILocalBundling)
class LocalPythonBundler:
    """CDK local bundling: build the bundle on this machine, so synth never needs Docker."""

    def __init__(self, *, architecture: str, python_version: str) -> None:
        self._architecture = architecture
        self._python_version = python_version

    def try_bundle(self, output_dir: str, options: cdk.BundlingOptions) -> bool:  # options: jsii passes them; unused
        build_bundle(Path(output_dir), architecture=self._architecture, python_version=self._python_version)
        return True  # True: bundled here, CDK must not fall back to Docker


def lambda_code(*, architecture: str, python_version: str, runtime: lambda_.Runtime) -> lambda_.Code:
    """The shared code asset of every function, bundled locally (Docker is only named because CDK requires one)."""
    return lambda_.Code.from_asset(
        str(LAMBDA_SOURCE_DIR),
        # The hash covers the sources; add the requirements and target so a dependency or platform change rebuilds.
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=_source_hash(architecture=architecture, python_version=python_version),
        bundling=cdk.BundlingOptions(
            image=runtime.bundling_image,
            # jsii calls try_bundle(output_dir, options) positionally; its Python protocol spells the options as
            # keywords, so the checker needs the cast.
            local=cast(
                cdk.ILocalBundling, LocalPythonBundler(architecture=architecture, python_version=python_version)
            ),
            command=["false"],  # never run: local bundling always succeeds or raises
        ),
    )


def _source_hash(*, architecture: str, python_version: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{architecture}|{python_version}|".encode())
    digest.update(LOCK_FILE.read_bytes())
    for path in handler_modules().values():  # only what is bundled: a change to the local runtime redeploys nothing
        digest.update(str(path.relative_to(LAMBDA_SOURCE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()

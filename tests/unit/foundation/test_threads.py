"""One BLAS/OpenMP thread per AMTS process (``amts.threads``): the CLI at start-up, the handlers at cold start; a
thread count the user set is honoured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from amts.threads import pin_threads

REPO = Path(__file__).resolve().parents[3]
THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
REPORT = (
    "import json, threadpoolctl; "
    "print(json.dumps({i['internal_api']: i['num_threads'] for i in threadpoolctl.threadpool_info()}))"
)


def _python(code: str, **env: str) -> dict[str, int]:
    """Run ``code`` in a fresh interpreter with no thread variables (plus ``env``); its last line, as JSON."""
    clean = {k: v for k, v in os.environ.items() if k not in THREADS}
    clean["PYTHONPATH"] = os.pathsep.join([str(REPO / "lambdas"), str(REPO / "src"), str(REPO)])
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True, cwd=REPO
    )
    found: dict[str, int] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_the_variables_are_set_when_unset_and_kept_when_the_user_set_them() -> None:
    env: dict[str, str] = {"OMP_NUM_THREADS": "3"}
    assert pin_threads(env) == 3
    assert env == {"OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    assert pin_threads({"OPENBLAS_NUM_THREADS": "4", "MKL_NUM_THREADS": "2"}) == 2  # the smallest the user set
    assert pin_threads({}) == 1
    assert pin_threads({"OMP_NUM_THREADS": "all"}) == 1  # not a number: one thread


def test_the_cli_runs_numpy_on_one_thread() -> None:
    assert _python(f"import amts_local.cli, numpy; {REPORT}") == {"openblas": 1}


def test_a_thread_count_the_user_set_is_honoured() -> None:
    assert _python(f"import amts_local.cli, numpy; {REPORT}", OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2") == {
        "openblas": 2
    }


def test_a_handler_limits_a_pool_loaded_before_it() -> None:
    # Given numpy loaded first, with OpenBLAS's default pool (one thread per core), then a handler module imported
    code = f"import numpy, amts_handlers.stage; {REPORT}"
    # Then the cold start limited the pool already running to one thread
    assert _python(code, AWS_DEFAULT_REGION="us-east-1") == {"openblas": 1}

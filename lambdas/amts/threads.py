"""One thread for the numerical libraries (BLAS, OpenMP) of every AMTS process: CLI, local runtime, Lambda.

The aligner's sentence embeddings call numpy, whose OpenBLAS starts one thread per core by default. The work is
small matrix products in a loop, so the threads mostly wait on each other: on a 24-file subset ``amts pairs``
used 21.6-37.9 s of CPU with default threads against 9.0-9.4 s with one, for identical output. A Lambda function
has one or two vCPUs and CI two cores, so one thread is also what the hardware gives.

The environment variables (``THREAD_ENVIRONMENT``) reach libraries loaded afterwards; ``threadpoolctl`` limits
the ones already loaded. A variable the user has set is left as it is and its count is the limit, so
``OMP_NUM_THREADS=4 amts pairs ...`` still uses four threads.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from threadpoolctl import threadpool_limits

from amts.config import THREAD_ENVIRONMENT


def pin_threads(environ: MutableMapping[str, str] | None = None) -> int:
    """Set the thread variables that are unset and limit the loaded thread pools; return the limit applied."""
    env = os.environ if environ is None else environ
    limit = _limit([env.get(name, "") for name in THREAD_ENVIRONMENT])
    for name, value in THREAD_ENVIRONMENT.items():
        env.setdefault(name, value)
    threadpool_limits(limits=limit)
    return limit


def _limit(values: list[str]) -> int:
    """The smallest positive thread count the user set in one of the variables, else one thread."""
    counts = [int(value) for value in values if value.strip().isdigit() and int(value) > 0]
    return min(counts, default=1)

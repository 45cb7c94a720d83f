"""Tests that need a Debian package (Apertium, Chromium).

On a developer's machine without the package they are skipped, saying how to install it. In CI (``CI`` set),
``.ci/run`` installs the packages first, so a missing one is a failure, never a silent skip.
"""

from __future__ import annotations

import os

import pytest


def needs_system_package(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip when the package is missing on a developer's machine; run (and fail) in CI."""
    return pytest.mark.skipif(not available and not os.environ.get("CI"), reason=reason)

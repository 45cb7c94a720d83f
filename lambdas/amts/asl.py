"""The state machine's ``${Name}`` placeholders: one pattern for the stack, the local runtime and the tests.

The stack hands the names to CDK's ``definition_substitutions``; the local runtime substitutes them itself in the
file it runs. Values are plain text (ARNs, names, and JSON numbers written unquoted in the ASL).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from amts.errors import InputError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def placeholders(text: str) -> set[str]:
    """Every ``${Name}`` in an ASL text."""
    return set(PLACEHOLDER.findall(text))


def substitute(text: str, substitutions: Mapping[str, str], *, path: str) -> str:
    """The ASL text with every ``${Name}`` replaced; an unknown name, or a result that is not JSON, is an error
    naming ``path`` and the line."""
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in substitutions:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"no local value for placeholder ${{{match.group(1)}}}", path=path, line=line)
    result = PLACEHOLDER.sub(lambda m: substitutions[m.group(1)], text)
    try:
        json.loads(result)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON after substitution: {exc.msg}", path=path, line=exc.lineno) from None
    return result

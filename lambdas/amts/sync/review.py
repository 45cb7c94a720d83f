"""Review markers: an HTML comment on its own line before a block that a person should check.

``<!-- amts:review reasons=machine-translation segments=s0003,s0004 chars=123 -->`` is a paragraph of its
own (blank lines around it), so it never joins the paragraph it annotates; the book model reads it as a
COMMENT block, and d2lbook drops HTML comments from rendered pages. A reviewer deletes the marker when done;
``amts review-list`` and the sync report list the markers still present.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import get_args

from amts.sync.models import ReviewItem, ReviewReason

MARKER_PREFIX = "<!-- amts:review"
MARKER = re.compile(rf"^{re.escape(MARKER_PREFIX)} (?P<body>[^\n]*?) -->[ \t]*\r?$", re.MULTILINE)
_FIELD = re.compile(r"(\w+)=(\S+)")
_EXCERPT_CHARS = 80


def format_marker(review: Sequence[tuple[str, str, int]]) -> str:
    """One marker line for a block: its reasons, the segment ids concerned and the characters to check."""
    reasons = sorted({reason for reason, _, _ in review})
    segment_ids = [segment_id for _, segment_id, _ in review if segment_id]
    chars = sum(chars for _, _, chars in review)
    fields = [f"reasons={','.join(reasons)}"]
    if segment_ids:
        fields.append(f"segments={','.join(dict.fromkeys(segment_ids))}")
    fields.append(f"chars={chars}")
    return f"{MARKER_PREFIX} {' '.join(fields)} -->"


def scan_markers(markdown: str, *, file: str) -> list[ReviewItem]:
    """The review markers still present in ``markdown``, with the line and an excerpt of the block after each."""
    known = set(get_args(ReviewReason))
    items: list[ReviewItem] = []
    for match in MARKER.finditer(markdown):
        fields = dict(_FIELD.findall(match.group("body")))
        reasons: list[ReviewReason] = [reason for reason in fields.get("reasons", "").split(",") if reason in known]
        try:
            chars = int(fields.get("chars", "0"))
        except ValueError:
            chars = 0
        line = markdown.count("\n", 0, match.start()) + 1
        rest = markdown[match.end() :].lstrip("\r\n")
        excerpt = rest.split("\n", 1)[0].strip()
        if len(excerpt) > _EXCERPT_CHARS:
            excerpt = excerpt[: _EXCERPT_CHARS - 1] + "…"
        items.append(
            ReviewItem(
                file=file,
                segment_ids=[s for s in fields.get("segments", "").split(",") if s],
                line=line,
                reasons=reasons,
                chars=chars,
                excerpt=excerpt,
            )
        )
    return items

"""Inline protected spans: the parts of a segment's text that must reach the translation byte-identical."""

from __future__ import annotations

import re
from collections.abc import Iterator

from amts.book.model import ProtectedSpan, SpanKind

# Pandoc attributes ``{#id .class key=value}`` (``{-}`` for unnumbered, ``{=html}`` for raw content): identifiers and
# options of the element before them, never prose.
_ATTRIBUTE = (
    r"""(?:[#.][^\s{}"'#.][^\s{}"']*|=[A-Za-z]\w*|-"""  # #id .class =format -
    r"""|[A-Za-z_][\w.:-]*=(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s{}"']+))"""  # key=value
)
ATTRIBUTES = rf"\{{[ \t]*{_ATTRIBUTE}(?:[ \t]+{_ATTRIBUTE})*[ \t]*\}}"
# A raw HTML tag with attributes (CommonMark): its attribute values (``class``, ``src``, ``href``) are not prose.
# A bare ``<b>``, ``</div>`` or ``<pad>`` is a token.
HTML_TAG = r"""<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)+\s*/?>"""

# One leftmost-first scan; the alternatives are ordered so that a construct that starts earlier wins and, at the
# same position, the more specific construct wins (a role before inline code, display math before inline math).
_INLINE = re.compile(
    r"""
    (?=[<:`$\\&\]\[(*~h{])  # a cheap first-character test: most positions cannot start any alternative
    (?:
      (?P<comment><!--[\s\S]*?-->)
    | (?P<role>:[A-Za-z][\w-]*:(?P<roleticks>`+)[^`\r\n]*?(?P=roleticks))
    | (?P<code>(?P<ticks>`+)(?!`)[\s\S]*?(?<!`)(?P=ticks)(?!`))
    | (?P<dmath>(?<!\\)\$\$[\s\S]+?\$\$)
    | (?P<math>(?<![\\$])\$(?![\s$])(?:\\[\s\S]|[^$\\\r\n]|(?:\r\n?|\n)(?![ \t]*[\r\n]))+?(?<![\s\\])\$(?!\$))
    | (?P<escape>\\[\\`*_{}\[\]()#+\-.!$|<>~&])
    | (?P<entity>&(?:\#\d+|\#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)
    | (?P<autolink><[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*>|<[\w.!\#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9][\w.-]*>)
    | (?P<target>\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"\r\n]*")?\))
    | (?P<footnote>\[\^[^\]\s]+\])
    | (?P<collapsed>\[[^\[\]\r\n]+\]\[\])
    | (?P<reference>\]\[[^\[\]\r\n]+\])
    | (?P<spanattrs>\]"""
    + ATTRIBUTES
    + r""")
    | (?P<attrs>(?<=[)\]`])"""
    + ATTRIBUTES
    + r""")
    | (?P<slideopen>\[\*\*|\(\*\*|\[~~|\(~~)
    | (?P<slideclose>\*\*\]|\*\*\)|~~\]|~~\))
    | (?P<token></?[A-Za-z][\w-]*\s*/?>)
    | (?P<html>"""
    + HTML_TAG
    + r"""|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>)
    | (?P<url>https?://[^\x00-\x20<>()\[\]`*\x7f-\U0010ffff]*[^\x00-\x20<>()\[\]`*.,;:!?'"\x7f-\U0010ffff])
    )
    """,
    re.VERBOSE,
)

_GROUP_KIND: dict[str, SpanKind] = {
    "comment": SpanKind.COMMENT,
    "role": SpanKind.ROLE,
    "code": SpanKind.CODE,
    "dmath": SpanKind.MATH,
    "math": SpanKind.MATH,
    "escape": SpanKind.TOKEN,
    "entity": SpanKind.ENTITY,
    "autolink": SpanKind.URL,
    "target": SpanKind.LINK_TARGET,
    "footnote": SpanKind.FOOTNOTE,
    "collapsed": SpanKind.LINK_TARGET,  # ``[label][]``: its text is the label, so it is kept whole
    "reference": SpanKind.LINK_TARGET,  # ``][label]`` of ``[text][label]``
    "spanattrs": SpanKind.ATTRIBUTES,  # ``]{.class}`` of a bracketed span ``[text]{.class}``
    "attrs": SpanKind.ATTRIBUTES,
    "slideopen": SpanKind.SLIDE_OPEN,
    "slideclose": SpanKind.SLIDE_CLOSE,
    "token": SpanKind.TOKEN,
    "html": SpanKind.HTML,
    "url": SpanKind.URL,
}


def find_protected(text: str) -> tuple[ProtectedSpan, ...]:
    """Every protected span of ``text``, sorted and non-overlapping.

    A link's ``[`` (or ``![``) and its ``](url)`` are separate spans so that the link text between them stays
    translatable; the opening bracket is found by bracket balancing, skipping protected spans.
    """
    spans: list[ProtectedSpan] = []
    for match in _INLINE.finditer(text):
        group = match.lastgroup
        if group is None:  # pragma: no cover - every alternative is a named group
            continue
        kind = _GROUP_KIND[group]
        spans.append(ProtectedSpan(kind, match.start(), match.end(), match.group()))
    if any(span.text[0] == "]" for span in spans):
        spans = _add_link_openers(text, spans)
    return tuple(spans)


def _add_link_openers(text: str, spans: list[ProtectedSpan]) -> list[ProtectedSpan]:
    covered = bytearray(len(text))
    for span in spans:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    openers: list[ProtectedSpan] = []
    for span in spans:
        if span.text[0] != "]":  # a link's ](url) or ][label], a bracketed span's ]{.class}
            continue
        depth = 0
        position = span.start - 1
        while position >= 0:
            if not covered[position]:
                char = text[position]
                if char == "]":
                    depth += 1
                elif char == "[":
                    if depth == 0:
                        break
                    depth -= 1
            position -= 1
        if position < 0:
            continue  # a stray "](url)": still protected, just without an opener
        start = position - 1 if position > 0 and text[position - 1] == "!" and not covered[position - 1] else position
        openers.append(ProtectedSpan(SpanKind.LINK_OPEN, start, position + 1, text[start : position + 1]))
        covered[start : position + 1] = b"\x01" * (position + 1 - start)
    return sorted([*spans, *openers], key=lambda span: span.start)


def without_slide_marks(text: str) -> Iterator[tuple[str, ProtectedSpan | None]]:
    """``text`` in order as plain pieces ``(text, None)`` and protected spans ``(span.text, span)``, slide marks
    left out and so is the slides-only text between ``[~~``/``(~~`` and ``~~]``/``~~)``: what a sentence says
    with its slide marks ignored (``[**…**]`` and ``(**…**)`` only mark what a slide shows)."""
    position = 0
    deleting = False
    for span in find_protected(text):
        if not deleting and span.start > position:
            yield text[position : span.start], None
        if span.kind in (SpanKind.SLIDE_OPEN, SpanKind.SLIDE_CLOSE):
            if "~" in span.text:
                deleting = span.kind is SpanKind.SLIDE_OPEN
        elif not deleting:
            yield span.text, span
        position = span.end
    if not deleting and position < len(text):
        yield text[position:], None

"""Translate-ready HTML (Amazon Translate ``text/html``) and the way back to markdown.

Each segment becomes one element whose ``id`` is the segment id; each protected span becomes
``<span translate="no" data-p="N">`` with N its index in the segment. Non-translatable blocks are not in the HTML
at all. Reading the translation back restores every protected span from the source, byte-identical, and checks
that each one came back exactly once (links and slide marks also in order; code and math may move with the target
language's word order); a segment that fails keeps its source text and is listed as untranslated.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from html.parser import HTMLParser

from amts.book.inline import find_protected
from amts.book.model import Document, ProtectedSpan, Segment, SpanKind
from amts.book.segments import replace_segments
from amts.book.segments import segments as document_segments
from amts.errors import InputError


@dataclass(frozen=True, slots=True)
class SegmentIssue:
    """A problem found in a translation of one segment; the segment keeps its source text."""

    path: str
    segment_id: str
    problem: str  # dropped-span, duplicated-span, reordered-spans, altered-span, missing-segment, ...
    detail: str
    span: ProtectedSpan | None = None

    def __str__(self) -> str:
        where = f"{self.path}: segment {self.segment_id}"
        if self.span is not None:
            where += f" span {self.span.text!r}"
        return f"{where}: {self.problem}: {self.detail}"


@dataclass(slots=True)
class HtmlRebuild:
    """The result of reading translated HTML back: per-segment markdown and the problems found."""

    path: str
    translations: dict[str, str] = field(default_factory=dict)
    issues: list[SegmentIssue] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # segment ids that keep their source text

    def markdown(self, doc: Document) -> str:
        """The translated markdown: every non-segment byte and every protected span as in the source."""
        return replace_segments(doc, self.translations)

    @property
    def ok(self) -> bool:
        return not self.issues


def to_html(doc: Document, segment_ids: Collection[str] | None = None) -> str:
    """HTML for a batch translation job: the chosen segments (all by default), in document order."""
    chosen = _chosen(doc, segment_ids)
    lines = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f'<title translate="no">{html.escape(doc.path)}</title></head>',
        "<body>",
    ]
    for segment in chosen:
        tag = f"h{min(segment.level, 6)}" if segment.kind == "heading" and segment.level > 0 else "p"
        lines.append(f'<{tag} id="{segment.id}">{_segment_html(segment)}</{tag}>')
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def _chosen(doc: Document, segment_ids: Collection[str] | None) -> list[Segment]:
    all_segments = document_segments(doc)
    if segment_ids is None:
        return all_segments
    wanted = set(segment_ids)
    known = {segment.id for segment in all_segments}
    unknown = sorted(wanted - known)
    if unknown:
        raise InputError(f"unknown segment ids {', '.join(unknown[:5])}", path=doc.path)
    return [segment for segment in all_segments if segment.id in wanted]


def _segment_html(segment: Segment) -> str:
    pieces: list[str] = []
    position = 0
    text = segment.text
    for number, span in enumerate(segment.protected):
        pieces.append(html.escape(text[position : span.start], quote=False))
        pieces.append(f'<span translate="no" data-p="{number}">{html.escape(span.text, quote=False)}</span>')
        position = span.end
    pieces.append(html.escape(text[position:], quote=False))
    return "".join(pieces)


@dataclass
class _Collected:
    """What the HTML holds for one segment element: text pieces and protected spans in order."""

    parts: list[tuple[str, int | None, str]] = field(default_factory=list)  # ("text"|"span", index, text)
    count: int = 1


class _SegmentReader(HTMLParser):
    def __init__(self, ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ids = ids
        self.found: dict[str, _Collected] = {}
        self.unknown_ids: list[str] = []
        self.current: _Collected | None = None
        self.depth = 0  # element depth inside the current segment element
        self.span_depth = 0  # depth inside a translate="no" span (0 when outside)
        self.span_index: int | None = None
        self.span_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.current is None:
            element_id = attributes.get("id")
            if element_id is None:
                return
            if element_id not in self.ids:
                self.unknown_ids.append(element_id)
                return
            if element_id in self.found:
                self.found[element_id].count += 1
                return
            self.current = self.found[element_id] = _Collected()
            self.depth = 1
            return
        self.depth += 1
        if self.span_depth:
            self.span_depth += 1
        elif attributes.get("translate") == "no":
            self.span_depth = 1
            raw_index = attributes.get("data-p")
            self.span_index = int(raw_index) if raw_index is not None and raw_index.isdigit() else None
            self.span_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.current is None:
            return
        self.depth -= 1
        if self.span_depth:
            self.span_depth -= 1
            if self.span_depth == 0:
                self.current.parts.append(("span", self.span_index, "".join(self.span_text)))
        if self.depth == 0:
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is None:
            return
        if self.span_depth:
            self.span_text.append(data)
        else:
            self.current.parts.append(("text", None, data))


def from_html(
    doc: Document,
    html_text: str,
    segment_ids: Collection[str] | None = None,
) -> HtmlRebuild:
    """Read translated HTML back into per-segment markdown, reporting every damaged or missing segment.

    ``segment_ids`` names the segments that were sent (all by default), so that a lost id is detected. A
    translation may change the order of code, math or other protected spans (a legitimate word-order change: the
    pipeline, sync and the CLI all accept it); links and slide marks must keep their order.
    """
    expected = _chosen(doc, segment_ids)
    reader = _SegmentReader({segment.id for segment in document_segments(doc)})
    reader.feed(html_text)
    reader.close()
    result = HtmlRebuild(path=doc.path)
    for element_id in reader.unknown_ids:
        if element_id.startswith("s") and element_id[1:].isdigit():
            result.issues.append(SegmentIssue(doc.path, element_id, "unknown-segment", "id not in the document"))
    for segment in expected:
        collected = reader.found.get(segment.id)
        if collected is None:
            issues = [SegmentIssue(doc.path, segment.id, "missing-segment", "the segment id is not in the HTML")]
            translation = None
        else:
            translation, issues = _rebuild(doc.path, segment, collected)
        if issues or translation is None:
            result.issues += issues
            result.untranslated.append(segment.id)
        else:
            result.translations[segment.id] = translation
    return result


_ORDERED_KINDS = frozenset({"link-open", "link-target", "slide-open", "slide-close"})


def _rebuild(path: str, segment: Segment, collected: _Collected) -> tuple[str | None, list[SegmentIssue]]:
    issues: list[SegmentIssue] = []
    spans = segment.protected
    if collected.count > 1:
        issues.append(SegmentIssue(path, segment.id, "duplicated-segment", f"the id occurs {collected.count} times"))
    unused = {number: span.text for number, span in enumerate(spans)}
    order: list[int] = []
    pieces: list[str] = []
    for part_kind, index, content in collected.parts:
        if part_kind == "text":
            pieces.append(content)
            continue
        number = index if index is not None and 0 <= index < len(spans) else _by_content(unused, content)
        if number is None:
            issues.append(SegmentIssue(path, segment.id, "unknown-span", f"a protected span {content!r} not in source"))
            continue
        if number in order:
            issues.append(SegmentIssue(path, segment.id, "duplicated-span", "occurs more than once", spans[number]))
            continue
        unused.pop(number, None)
        order.append(number)
        pieces.append(spans[number].text)
    for number in sorted(unused):
        issues.append(SegmentIssue(path, segment.id, "dropped-span", "missing from the translation", spans[number]))
    checked = [n for n in order if spans[n].kind.value in _ORDERED_KINDS]
    for previous, current in itertools.pairwise(checked):
        if current < previous:
            issues.append(
                SegmentIssue(path, segment.id, "reordered-spans", f"now after span {previous}", spans[current])
            )
            break
    if issues:
        return None, issues
    translation = "".join(pieces)
    if not translation.strip():
        return None, [SegmentIssue(path, segment.id, "empty-translation", "the translation has no text")]
    rebuilt = [_comparable(span) for span in find_protected(translation)]
    source = [_comparable(spans[n]) for n in order]
    if sorted(rebuilt) != sorted(source):
        detail = "the translated text creates or breaks protected markup (e.g. a stray $, ` or [)"
        return None, [SegmentIssue(path, segment.id, "markup-changed", detail)]
    return translation, []


def _comparable(span: ProtectedSpan) -> str:
    """A span as the markup check compares it: a bare URL only by its scheme and host, because translated
    text glued to it (``https://x.org获得`` rewritten as ``https://x.orgobtained``) moves its end, not its start."""
    if span.kind is SpanKind.URL:
        return span.text.split("/", 3)[2] if span.text.count("/") >= 2 else span.text
    return span.text


def _by_content(unused: dict[int, str], content: str) -> int | None:
    for number, text in unused.items():
        if text == content:
            return number
    return None

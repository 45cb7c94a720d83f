"""Protected markup inside a sentence: keys that ignore it, and carrying its changes into a human translation.

A source sentence that changed only in protected spans (slide marks, whitespace, inline code or math, a cited
key, a reference target, a link target) still has its human translation: the words did not change. Slide marks
and whitespace are ignored outright (the Chinese book places its own slide marks); any other changed span is
carried into the translation by replacing the old span's text there with the new one. References are skeleton
elements, so a translation's ``:numref:``/``:eqref:``/``:cite:`` spans are also brought in line with its source.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from amts.book import ProtectedSpan, SpanKind, find_protected, without_slide_marks
from amts.book.skeleton import REF_ROLE, reference_keys
from amts.sync.memory import loose_key, normalise

_TRAILING_PUNCTUATION = re.compile(r"[。．.！!？?；;：:]+\s*$")


def _markup_spans(text: str) -> list[ProtectedSpan]:
    """The protected spans of ``text`` but slide marks and the slides-only text between ``[~~``/``~~]``."""
    return [span for _, span in without_slide_marks(text) if span is not None]


def prose_key(text: str) -> str:
    """The text with every protected span (but slide marks, which are dropped) as one placeholder of its kind:
    two sentences with the same prose key differ only in markup, so they share a translation."""
    return normalise("".join(piece if span is None else f"\x00{span.kind.value}\x00" for piece, span in
                             without_slide_marks(text)))  # fmt: skip


def _is_reference(span: ProtectedSpan) -> bool:
    return span.kind is SpanKind.ROLE and REF_ROLE.fullmatch(span.text) is not None


@dataclass(frozen=True)
class SpanChange:
    """A protected span the English changed: its old and new text, and which span of that old text it is (the
    ``occurrence``-th of ``count`` spans with that text in the old English), so that the same span of the
    translation is the one changed when a formula or a name occurs more than once."""

    old: str
    new: str
    occurrence: int
    count: int


def span_changes(old_spans: Sequence[str], pairs: Sequence[tuple[int, str]]) -> list[SpanChange]:
    """``(index in old_spans, new text)`` pairs as changes that know which occurrence of their old text they are."""
    counts = Counter(old_spans)
    changes: list[SpanChange] = []
    for index, new_text in pairs:
        text = old_spans[index]
        if text != new_text:
            changes.append(SpanChange(text, new_text, old_spans[:index].count(text), counts[text]))
    return changes


def changed_spans(old: str, new: str) -> list[SpanChange] | None:
    """The protected spans that differ between two texts whose words are the same, in order; None when the texts
    differ in more than markup. References may also be added or removed (a citation added to a sentence):
    ``align_references`` brings those in line afterwards."""
    if prose_key(old) != prose_key(new) and _without_references(old) != _without_references(new):
        return None
    old_spans = [span.text for span in _markup_spans(old) if not _is_reference(span)]
    new_spans = [span.text for span in _markup_spans(new) if not _is_reference(span)]
    if len(old_spans) != len(new_spans):
        return None
    return span_changes(old_spans, list(enumerate(new_spans)))


def _without_references(text: str) -> str:
    """The prose key with reference spans left out entirely."""
    pieces = [
        piece if span is None else f"\x00{span.kind.value}\x00"
        for piece, span in without_slide_marks(text)
        if span is None or not _is_reference(span)
    ]
    return normalise("".join(pieces))


_WHOLE_SLIDE = re.compile(r"(?s)^(\s*)([\[(])\*\*(.*)\*\*([\])])(\s*[.。!！?？;；:：]?\s*)$")
_FINAL_PUNCTUATION = re.compile(r"(?s)^(.*?)(\s*[.。!！?？;；:：]?\s*)$")


def apply_slide_marks(target: str, old: str, new: str) -> str:
    """Bring a whole-sentence slide mark the English added or removed (``(**…**)``, ``[**…**]``) into the
    translation of that sentence; marks inside a sentence cannot be placed in another language and are left out."""
    old_mark, new_mark = _WHOLE_SLIDE.match(old), _WHOLE_SLIDE.match(new)
    if bool(old_mark) == bool(new_mark):
        return target
    if new_mark is not None:
        if "**" in target:  # the translation has slide marks of its own
            return target
        body = _FINAL_PUNCTUATION.match(target)
        assert body is not None  # the pattern matches any text
        closer = "]" if new_mark.group(2) == "[" else ")"
        return f"{new_mark.group(2)}**{body.group(1)}**{closer}{body.group(2)}"
    mark = _WHOLE_SLIDE.match(target)
    if mark is None:
        return target
    return f"{mark.group(1)}{mark.group(3)}{mark.group(5)}"


def carry_markup(target: str, changes: Sequence[SpanChange]) -> str | None:
    """The translation with each changed span replaced: the k-th span of an old text in the English is taken to be
    the k-th span of that text in the translation. None when the translation does not have that text as often as
    the English (it was reworded, or a span merged or repeated there): which one to change is then a guess."""
    spans: dict[str, list[ProtectedSpan]] = {}
    for span in _markup_spans(target):
        spans.setdefault(span.text, []).append(span)
    replacements: list[tuple[int, int, str]] = []
    for change in changes:
        found = spans.get(change.old, [])
        if len(found) != change.count:
            return None
        span = found[change.occurrence]
        replacements.append((span.start, span.end, change.new))
    result = target
    for start, end, text in sorted(replacements, reverse=True):
        result = result[:start] + text + result[end:]
    return result


def _reference_keys(text: str) -> Counter[str]:
    """Reference targets of a text, one per cited key (``:cite:`a,b``` counts ``cite:a`` and ``cite:b``)."""
    keys: Counter[str] = Counter()
    for span in _reference_spans(text):
        keys.update(reference_keys(span.text))
    return keys


def _reference_spans(text: str) -> list[ProtectedSpan]:
    return [span for span in find_protected(text) if _is_reference(span)]


def align_references(target: str, source: str) -> tuple[str, bool] | None:
    """The translation with the reference targets of ``source`` (the skeleton requires the same ones); None when
    nothing had to change, else the text and whether a reference had to be added or removed.

    A translation's reference the source still has stays where it is; one the source no longer has takes the
    place of the next reference the translation lacks (a renamed label, a changed citation). What is left over is
    removed, and references still missing are added at the end of the text, before its final punctuation, for a
    person to move.
    """
    wanted = _reference_keys(source)
    if _reference_keys(target) == wanted:
        return None
    source_spans = _reference_spans(source)
    target_spans = _reference_spans(target)
    remaining = Counter(wanted)
    keep: list[bool] = []
    for span in target_spans:
        keys = reference_keys(span.text)
        fits = all(remaining[key] >= count for key, count in Counter(keys).items())
        if fits:
            remaining.subtract(keys)
        keep.append(fits)
    unplaced: list[str] = []
    for span in source_spans:
        keys = reference_keys(span.text)
        if all(remaining[key] >= count for key, count in Counter(keys).items()):
            remaining.subtract(keys)
            unplaced.append(span.text)
    pieces: list[str] = []
    position = 0
    guessed = False
    for span, fits in zip(target_spans, keep, strict=True):
        before = target[position : span.start]
        if fits:
            pieces += [before, span.text]
        elif unplaced:
            pieces += [before, unplaced.pop(0)]
        else:  # removed: so is the space that set it off, when a space or punctuation follows
            following = target[span.end : span.end + 1]
            pieces.append(before.rstrip(" \t") if not following or following in " \t，,。.；;：:" else before)
            guessed = True
        position = span.end
    pieces.append(target[position:])
    text = "".join(pieces)
    if unplaced:
        tail = _TRAILING_PUNCTUATION.search(text)
        cut = tail.start() if tail is not None else len(text.rstrip())
        text = f"{text[:cut].rstrip()} {' '.join(unplaced)}{text[cut:]}"
        guessed = True
    return text, guessed


def carry_markup_changes(target: str, old_source: str, new_source: str) -> str | None:
    """The target text with the markup changes between ``old_source`` and ``new_source`` carried into it (a
    whole-sentence slide mark too); None when the English changed in more than markup."""
    if old_source == new_source:
        return target
    if loose_key(old_source) == loose_key(new_source):
        return apply_slide_marks(target, old_source, new_source)
    changes = changed_spans(old_source, new_source)
    carried = carry_markup(target, changes) if changes is not None else None
    return apply_slide_marks(carried, old_source, new_source) if carried is not None else None


_CARRIED_KINDS = frozenset({SpanKind.CODE, SpanKind.MATH, SpanKind.ROLE, SpanKind.LINK_TARGET, SpanKind.URL})


def carry_replaced_spans(target: str, old_source: str, new_source: str) -> str:
    """A fuzzy match's translation with the protected spans the English replaced one for one (a renamed function,
    a changed formula) replaced there too, where the translation has them; the rest is for the reviewer."""
    old = [s.text for s in find_protected(old_source) if s.kind in _CARRIED_KINDS]
    new = [s.text for s in find_protected(new_source) if s.kind in _CARRIED_KINDS]
    pairs: list[tuple[int, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs.extend(zip(range(i1, i2), new[j1:j2], strict=True))
    changes = span_changes(old, pairs)
    carried = carry_markup(target, changes) if changes else None
    return carried if carried is not None else target

"""Sentence segmentation tuned for technical markdown text, with the rules of each language's profile.

When in doubt the segmenter splits: the aligner can merge sentences but cannot split them. It never splits inside
a protected span (code, math, roles, links...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from amts.book.inline import find_protected
from amts.book.model import ProtectedSpan, Segment, Sentence, SpanKind
from amts.language_profiles import LanguageProfile, profile

# Closing quotes, brackets and slide marks stay with the sentence they end (plus each language's own closers).
_COMMON_CLOSERS = "\"'”’)]"
_OPENING_QUOTES = "\"'“‘「『"
_WORD_BEFORE = re.compile(r"([^\W\d_]+(?:\.[^\W\d_]+)*)\.?$")


@functools.cache
def _end_pattern(lang: str) -> re.Pattern[str]:
    """Sentence-final punctuation of ``lang``: full-width marks end a sentence wherever they stand, Latin marks
    only before whitespace (Korean, Vietnamese, Turkish... end sentences with Latin marks amid their script)."""
    rules = profile(lang)
    closers = rf"(?:[{re.escape(_COMMON_CLOSERS + rules.closers)}]|\*\*[\])]|~~[\])])*"
    latin = rf"(?:[.!?]+|…){closers}(?=\s)"
    if not rules.full_stops:
        return re.compile(latin)
    return re.compile(rf"[{re.escape(rules.full_stops)}]+{closers}|[.]{closers}(?=\s)")


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text`` (markdown allowed; protected spans are detected and never split)."""
    return [sentence.text for sentence in _split(text, find_protected(text), lang)]


def segment_sentences(segment: Segment, lang: str) -> list[Sentence]:
    """The sentences of a segment, each with its offsets in ``segment.text``."""
    return _split(segment.text, segment.protected, lang)


def _split(text: str, protected: Sequence[ProtectedSpan], lang: str) -> list[Sentence]:
    cuts = _cut_points(text, protected, lang)
    sentences: list[Sentence] = []
    start = 0
    for cut in [*cuts, len(text)]:
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            begin = start + (len(piece) - len(piece.lstrip()))
            sentences.append(Sentence(begin, begin + len(stripped), stripped))
        start = cut
    return sentences


def _cut_points(text: str, protected: Sequence[ProtectedSpan], lang: str) -> list[int]:
    rules = profile(lang)
    cjk = rules.unspaced
    owner = _span_owner(text, protected)
    opens = {span.start: span for span in protected}
    pattern = _end_pattern(lang)
    cuts: list[int] = []
    for match in pattern.finditer(text):
        end = match.end()
        if owner[match.start()] or (owner[end - 1] and owner[end - 1] == owner[end]):
            continue  # the punctuation is inside a protected span, or the cut would fall inside one
        following = _next_visible(text, end)
        if following >= len(text):
            continue
        # After Chinese full stops a full-width "（" opens a new sentence, e.g. an enumeration "；（2）".
        if not (match.group()[0] in rules.full_stops and text[following] == "（") and not _starts_sentence(
            text, following, opens, cjk=cjk
        ):
            continue
        punctuation = match.group()
        if punctuation[-1] in "」』" and text[following] in rules.quote_continuers:
            continue  # a quoted sentence inside a sentence: 「それは何？」と聞いた。
        if punctuation.startswith(".") and (
            _is_abbreviation(text, match.start(), rules) or _numbers_an_item(text, match.start(), cjk=cjk)
        ):
            continue
        if _after_opening_quote(text, match.start()):
            continue  # a quoted punctuation mark such as "." is a token being discussed, not a sentence end
        cuts.append(end)
    return cuts


def _span_owner(text: str, protected: Sequence[ProtectedSpan]) -> list[int]:
    """For each offset (and one past the end), 1 + the index of the protected span covering it, else 0."""
    owner = [0] * (len(text) + 1)
    for number, span in enumerate(protected, start=1):
        owner[span.start : span.end] = [number] * (span.end - span.start)
    return owner


def _after_opening_quote(text: str, position: int) -> bool:
    """Whether the punctuation at ``position`` directly follows an opening quote, as in ``the token "."``."""
    if position == 0 or text[position - 1] not in _OPENING_QUOTES:
        return False
    quote = text[position - 1]
    return quote in "“‘「『" or position == 1 or text[position - 2].isspace() or text[position - 2] in "([（"


def _numbers_an_item(text: str, period: int, *, cjk: bool) -> bool:
    """Whether the period at ``period`` follows an item number (``“3. Configure Instance”``), not a sentence's end:
    one to three digits after an opening quote or bracket, and in unspaced scripts also after a space or a letter of
    the script (``点击“4. 添加存储”``; a Chinese sentence ends with ``。``, not with a number and a Latin period)."""
    digits = period
    while digits > 0 and period - digits < 3 and text[digits - 1].isdigit():
        digits -= 1
    if digits == period or (digits > 0 and text[digits - 1].isdigit()):
        return False
    before = text[digits - 1] if digits > 0 else ""
    if before in _OPENING_QUOTES or before in "([（":
        return True
    return cjk and (before == "" or before.isspace() or (before.isalpha() and not before.isascii()))


def _next_visible(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _starts_sentence(text: str, position: int, opens: dict[int, ProtectedSpan], *, cjk: bool) -> bool:
    """Whether the text at ``position`` can begin a new sentence (no lower-case, digit or ``(`` continuation)."""
    span = opens.get(position)
    if span is not None:
        # A slide mark, code, math, a link... may begin a sentence; a citation or reference continues one.
        return span.kind not in (SpanKind.ROLE, SpanKind.SLIDE_CLOSE) or span.text.startswith((":numref:", ":ref:"))
    char = text[position]
    if char.isdigit() or char in "(（" or char in ",;:.!?)]}、，。；：）":
        return False
    if char.islower():
        return False
    return True if cjk else not (char in "-–—" and text[position : position + 2] not in ("- ", "— "))


def _is_abbreviation(text: str, period: int, rules: LanguageProfile) -> bool:
    before = _WORD_BEFORE.search(text, max(0, period - 20), period)
    if before is None:
        return False
    word = before.group(1)
    standalone = before.start() == 0 or text[before.start() - 1] in " \t\r\n(["
    if len(word) == 1 and standalone:
        return True  # an initial such as "H. G. Wells", or "z. B." (variables are written as $x$, not x)
    lowered = rules.lower(word)
    if lowered in rules.abbreviations:
        return True
    # "et al." is two words; "e.g." and "i.e." arrive as "e.g"/"i.e" thanks to the dotted-word pattern.
    return lowered == "al" and text[max(0, before.start() - 3) : before.start()].lower() == "et "

"""MT units as book-model segments: what the pipeline's Stage step turns into Translate-ready HTML.

Each unit (a segment of the new source, or sentences inside one) becomes a paragraph of a small staging
document; ``amts.book.to_html`` makes the job input from it, and ``amts.book.from_html`` reads the job
output back with protected spans restored byte for byte. A unit whose text would not stay one paragraph
segment (it starts like a heading or a list item, say) is reported and translated as plain text instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amts.book import Document, from_html, parse, segments
from amts.errors import InputError

NOTHING_STAGED = "<!-- amts: no unit to translate -->\n"  # a document without segments (the parser refuses empty text)


@dataclass(frozen=True)
class StagedUnits:
    document: Document
    segment_of_unit: list[str | None]  # staging segment id of each unit, None when it did not stage cleanly


def stage_units(texts: Sequence[str], *, path: str = "<mt units>") -> StagedUnits:
    """A markdown document with one paragraph per unit text (lines joined, so no blank line can split one).

    A unit that is not one paragraph on its own (it starts like a heading, opens a code fence or ``$$``) is left
    out of the document, so it can neither fail the parse nor swallow the units after it; it gets the fallback."""
    paragraphs = [" ".join(text.split()) for text in texts]
    staged = [paragraph for paragraph in paragraphs if _one_paragraph(paragraph, path)]
    document = parse("\n\n".join(staged) + "\n" if staged else NOTHING_STAGED, path=path)
    found = {segment.start: segment for segment in segments(document)}
    mapping: list[str | None] = []
    position = 0
    for paragraph in paragraphs:
        if not staged or paragraph is not staged[0]:
            mapping.append(None)
            continue
        staged.pop(0)
        segment = found.get(position)
        mapping.append(segment.id if segment is not None and segment.text == paragraph else None)
        position += len(paragraph) + 2
    return StagedUnits(document, mapping)


def _one_paragraph(paragraph: str, path: str) -> bool:
    try:
        found = segments(parse(paragraph + "\n", path=path))
    except InputError:
        return False
    return len(found) == 1 and found[0].start == 0 and found[0].text == paragraph


def unstage_translations(staged: StagedUnits, html_text: str, *, fallback: Sequence[str]) -> list[str]:
    """Translations per unit from the translated HTML; units with a problem get ``fallback``."""
    rebuilt = from_html(staged.document, html_text)
    result: list[str] = []
    for index, segment_id in enumerate(staged.segment_of_unit):
        text = rebuilt.translations.get(segment_id) if segment_id is not None else None
        result.append(text if text is not None and segment_id not in rebuilt.untranslated else fallback[index])
    return result

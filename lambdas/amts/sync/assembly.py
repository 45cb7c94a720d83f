"""The output written out: the planner's chunks as pieces, with review markers, blank lines and line endings."""

from __future__ import annotations

from amts.sync.accounting import Chunk
from amts.sync.models import Piece
from amts.sync.review import marker_pieces


def assemble(chunks: list[Chunk], *, head: str, newline: str, final_newline: bool) -> list[Piece]:
    """Chunks to the output's pieces: ``head`` (what precedes the first block: a byte-order mark, front matter), a
    review marker before a chunk that asks for one, one blank line at least between chunks, a final line end when
    ``final_newline``, and every line ending ``newline`` (the new source's text and the translation's may differ in
    it)."""
    _hoist_tab_group_reviews(chunks)
    pieces: list[Piece] = [Piece(text=head)] if head else []
    for index, chunk in enumerate(chunks):
        if chunk.review:
            pieces += [*marker_pieces(chunk.review, chunk.counts), Piece(text=newline + newline)]
        body = [piece for piece in chunk.pieces if piece.unit is not None or piece.text]
        pieces.extend(body)
        ends_line = bool(body) and body[-1].unit is None and body[-1].text.endswith("\n")
        if index == len(chunks) - 1:
            if not ends_line and final_newline:
                pieces.append(Piece(text=newline))
            elif ends_line:
                pieces.append(Piece(text=chunk.separator))
            break
        separator = chunk.separator if "\n" in chunk.separator else newline
        pieces.append(Piece(text=("" if ends_line else newline) + separator))
    for piece in pieces:
        piece.text = with_newline(piece.text, newline)
    return pieces


def with_newline(text: str, newline: str) -> str:
    """``text`` with every line ending ``newline``."""
    flat = text.replace("\r\n", "\n")
    return flat if newline == "\n" else flat.replace("\n", newline)


def _is_tabbed(chunk: Chunk) -> bool:
    """A code cell or a ``:begin_tab:`` block: d2lbook shows a run of them as one framework switcher."""
    first = next((piece.text for piece in chunk.pieces if piece.unit is not None or piece.text), "")
    return first.startswith(("```", ":begin_tab:"))


def _hoist_tab_group_reviews(chunks: list[Chunk]) -> None:
    """A marker between two framework cells would split d2lbook's tab switcher in two: the reviews of a run of
    consecutive tabbed chunks go into one marker before the run."""
    start: int | None = None
    for index, chunk in enumerate([*chunks, Chunk([], "")]):
        if index < len(chunks) and _is_tabbed(chunk):
            if start is None:
                start = index
            elif chunk.review:
                chunks[start].review.extend(chunk.review)
                for name, (sentences, chars) in chunk.counts.items():
                    figures = chunks[start].counts.setdefault(name, [0, 0])
                    figures[0] += sentences
                    figures[1] += chars
                chunk.review, chunk.counts = [], {}
            continue
        start = None

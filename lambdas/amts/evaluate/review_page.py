"""The translator's review page: one self-contained HTML file (inline CSS and a few lines of inline script).

A summary first (segments to review per class, the effort left, the chapters with most work), then every chapter
in book order and every segment in it: the new English, the published translation, the old English with the word
diff where it changed, the class, the review marker's text, and the file and line. Buttons filter by class and a
list by chapter; without script every row shows. The rows are ``ReviewSegment`` models, the same that
``report.json`` carries as ``segments``.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from collections.abc import Sequence

from amts.evaluate.models import NO_REVIEW_CLASSES, REVIEW_CLASS_LABELS, REVIEW_CLASSES, ReviewClass, ReviewSegment
from amts.evaluate.report_html import BASE_CSS
from amts.evaluate.review_totals import EFFORT_NOTE, review_totals

_CSS = """
.summary{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;background:#f6f8fa}
.filters{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.6rem 0}
.filters button{border:1px solid #d0d7de;border-radius:999px;background:#fff;padding:.2rem .7rem;cursor:pointer;
font:inherit;font-size:.85rem}.filters button[aria-pressed=false]{opacity:.45;text-decoration:line-through}
.filters label{min-width:0;max-width:100%}.filters select{max-width:min(100%,20rem);text-overflow:ellipsis}
.row{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;margin:.7rem 0;padding:.4rem .7rem}
.row[hidden]{display:none}.row header{display:flex;flex-wrap:wrap;gap:.5rem;font-size:.85rem;color:#57606a}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.6rem;margin-top:.3rem}
.cols>div{min-width:0}.cols h4{margin:.1rem 0;font-size:.75rem;color:#57606a;text-transform:uppercase}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.92rem}
.marker{font-size:.8rem;color:#57606a;overflow-wrap:anywhere}
.badge{border-radius:4px;padding:0 .35rem;color:#fff;font-size:.8rem}
del{background:#ffebe9;color:#82071e}ins{background:#dafbe1;color:#116329;text-decoration:none}
"""
# One colour per class (review classes warm, nothing-to-do classes grey-green).
CLASS_COLOURS: dict[ReviewClass, str] = {
    "refused": "#cf222e",
    "structure": "#a40e26",
    "untranslated": "#e5534b",
    "new": "#bc4c00",
    "machine-translated": "#d95f02",
    "human-edit": "#8250df",
    "fuzzy-kept": "#9a6700",
    "code-changed": "#0969da",
    "translator-only": "#1b7c83",
    "references": "#6e7781",
    "markup-updated": "#4d7c0f",
    "kept": "#57606a",
}
_SCRIPT = """
const rows=[...document.querySelectorAll('.row')],buttons=[...document.querySelectorAll('[data-filter]')],
chapter=document.getElementById('chapter');
function apply(){const on=new Set(buttons.filter(b=>b.getAttribute('aria-pressed')==='true').map(b=>b.dataset.filter));
const ch=chapter.value;let shown=0;for(const r of rows){const v=on.has(r.dataset.class)&&(!ch||r.dataset.chapter===ch);
r.hidden=!v;if(v)shown++;}
for(const s of document.querySelectorAll('section[data-chapter]'))s.hidden=!s.querySelector('.row:not([hidden])');
document.getElementById('shown').textContent=shown;}
for(const b of buttons)b.addEventListener('click',()=>{b.setAttribute('aria-pressed',
b.getAttribute('aria-pressed')==='true'?'false':'true');apply();});
chapter.addEventListener('change',apply);apply();
"""
_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def word_diff_html(old: str, new: str) -> str:
    """The new text with removed words struck (``<del>``) and added words marked (``<ins>``)."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(_e("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{_e(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{_e(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def class_counts(rows: Sequence[ReviewSegment]) -> dict[ReviewClass, int]:
    """Rows per class (a row counts under its first class), every class listed."""
    found = Counter(row.review_class for row in rows)
    return {name: found.get(name, 0) for name in REVIEW_CLASSES}


def _chapter_key(row: ReviewSegment) -> str:
    return f"{row.pair} {row.chapter}".strip()


def _badge(name: ReviewClass) -> str:
    return f'<span class="badge" style="background:{CLASS_COLOURS[name]}">{_e(REVIEW_CLASS_LABELS[name])}</span>'


def summary_html(rows: Sequence[ReviewSegment], *, heading: str = "To review") -> str:
    """The summary block: blocks to review per class, the effort left, the three chapters with most work (the
    figures of ``review_totals``, which every report shows)."""
    counts = class_counts(rows)
    totals = review_totals(rows)
    items = "".join(
        f'<li data-class-count="{name}">{_badge(name)} <strong>{count}</strong></li>'
        for name, count in counts.items()
        if count and name not in NO_REVIEW_CLASSES
    )
    top = [c for c in totals.chapters if c.to_review][:3]
    top_html = "".join(f"<li>{_e(c.chapter)}: {c.to_review} blocks to review, effort {c.effort:,.0f}</li>" for c in top)
    return (
        f'<div class="summary" id="summary"><h2>{_e(heading)}</h2>'
        f'<p id="headline"><strong id="to-review">{totals.to_review}</strong> of {totals.blocks} blocks need a '
        f"translator ({totals.kept} kept as the translators left them). Effort left: about "
        f'<strong id="effort">{totals.effort:,.0f}</strong> weighted source characters of {totals.chars:,} to check; '
        f'<span id="mt-sentences">{totals.mt_sentences:,}</span> machine-translated sentences to post-edit '
        f"({_e(EFFORT_NOTE)}).</p>"
        + (f'<ul class="classes">{items}</ul>' if items else "<p>No review markers: nothing to do.</p>")
        + (f"<p>Most work:</p><ol>{top_html}</ol>" if top_html else "")
        + "</div>"
    )


def _row_html(row: ReviewSegment) -> str:
    link = f'<a href="{_e(row.file)}">{_e(row.file)}:{row.line}</a>'
    meta = [link, *(_badge(name) for name in row.classes)]
    if row.segment_id:
        meta.append(_e(row.segment_id))
    if row.needs_review:
        meta.append(f"{row.chars:,} chars, effort {row.effort:,.0f}")
    columns = [
        ("New English", _e(row.source) if row.source else "<em>not known</em>"),
        ("Published translation", _e(row.translation)),
    ]
    if row.old_source is not None:
        columns.append(("Old English → new (word diff)", word_diff_html(row.old_source, row.source)))
    body = "".join(f'<div><h4>{title}</h4><div class="text">{text}</div></div>' for title, text in columns)
    marker = f'<p class="marker"><code>{_e(row.marker)}</code></p>' if row.marker else ""
    change = f'<p class="marker">English change: {_e(row.change)}</p>' if row.change and row.old_source is None else ""
    colour = CLASS_COLOURS[row.review_class]
    return (
        f'<article class="row" data-class="{row.review_class}" data-chapter="{_e(_chapter_key(row))}" '
        f'style="border-left-color:{colour}"><header>{" · ".join(meta)}</header>{marker}{change}'
        f'<div class="cols">{body}</div></article>'
    )


def render_review_page(rows: Sequence[ReviewSegment], *, title: str = "AMTS review", notes: Sequence[str] = ()) -> str:
    """The whole page. Rows stay in the order given (book order); classes with nothing to do start hidden."""
    counts = class_counts(rows)
    buttons = "".join(
        f'<button type="button" data-filter="{name}" aria-pressed="{"false" if name in NO_REVIEW_CLASSES else "true"}"'
        f">{_e(REVIEW_CLASS_LABELS[name])} {count}</button>"
        for name, count in counts.items()
        if count
    )
    chapters: dict[str, list[ReviewSegment]] = {}
    for row in rows:
        chapters.setdefault(_chapter_key(row), []).append(row)
    options = "".join(f'<option value="{_e(key)}">{_e(key)}</option>' for key in chapters)
    sections = "".join(
        f'<section data-chapter="{_e(key)}"><h2>{_e(key)}</h2>{"".join(_row_html(row) for row in group)}</section>'
        for key, group in chapters.items()
    )
    notes_html = "".join(f'<p class="note">{_e(note)}</p>' for note in notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{BASE_CSS}{_CSS}</style></head>\n<body>\n<h1>{_e(title)}</h1>\n"
        f"{summary_html(rows)}\n{notes_html}"
        f'<div class="filters">Show: {buttons}<label>chapter <select id="chapter"><option value="">all</option>'
        f'{options}</select></label> <span><span id="shown">{len(rows)}</span> shown</span></div>\n'
        f"{sections or '<p>No chapters.</p>'}\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )

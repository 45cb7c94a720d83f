"""Translation engines of the offline stand-in; each result names the engine that produced it.

1. ``TranslationMemoryEngine``: the active parallel data as a translation memory (exact, then fuzzy above a
   threshold), standing in for Active Custom Translation.
2. ``ApertiumEngine``: Debian's Apertium for the pairs it has installed (real rule-based MT, e.g. EN<->ES).
   Apertium does not honour ``translate="no"``, so every placeholder is masked as an empty ``<i>`` tag first.
3. ``PseudoEngine``: a clearly marked pseudo-translation, placeholders and markup intact.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from amts.book import split_sentences
from amts.book.inline import find_protected
from amts.languages import CJK_LANGUAGES
from amts.translate.markup import MarkupDocument, Part, Placeholder, Unit, render_parts
from amts.translate.parallel_data import ParallelRow

_WORD = re.compile(r"[^\W_]+")
_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"  # kana, Han, Hangul
_CJK = re.compile(f"[{_CJK_CLASS}]")
_APERTIUM_PLACEHOLDER = re.compile(r'<i id="amtsph(\d+)"></i>')
APERTIUM_CODES = {"en": "eng", "es": "spa", "es-MX": "spa", "fr": "fra", "ca": "cat", "pt": "por", "it": "ita"}


@dataclass(frozen=True)
class EngineResult:
    parts: list[Part]
    engine: str


class Engine:
    """Translate units from ``src`` to ``tgt``; ``None`` for a unit means "not mine, ask the next engine"."""

    name = "engine"

    def translate(self, units: Sequence[Unit], src: str, tgt: str) -> list[EngineResult | None]:
        raise NotImplementedError


def _normalize(text: str) -> str:
    return " ".join(text.split()).casefold()


def _features(text: str) -> set[str]:
    """Words for Latin text, character bigrams for CJK: enough to shortlist fuzzy candidates."""
    words = set(_WORD.findall(text.casefold()))
    cjk = "".join(_CJK.findall(text))
    return words | {cjk[i : i + 2] for i in range(len(cjk) - 1)}


_MATCH_TOKEN = re.compile(f"[{_CJK_CLASS}]|[^\\s{_CJK_CLASS}]+")


def _match_tokens(text: str) -> list[str]:
    """Fuzzy matching compares token sequences (words; single CJK characters): much faster than characters."""
    return _MATCH_TOKEN.findall(text)


def default_sentence_splitter(text: str, lang: str) -> list[str]:
    """The book's sentence rules (``amts.book.split_sentences``)."""
    return list(split_sentences(text, lang))


def _spans_in_text(parts: Sequence[Part]) -> Counter[str]:
    """The protected spans (math, code, roles...) written as text in ``parts``, not held by placeholders."""
    return Counter(span.text for part in parts if isinstance(part, str) for span in find_protected(part))


class TranslationMemoryEngine(Engine):
    """Exact and fuzzy matches against the job's parallel data, whole unit first, then sentence by sentence."""

    name = "translation-memory"

    def __init__(
        self,
        rows: Sequence[ParallelRow],
        src_lang: str,
        tgt_langs: Sequence[str],
        *,
        fuzzy_threshold: float = 0.85,
        splitter: Callable[[str, str], list[str]] = default_sentence_splitter,
    ) -> None:
        self.src_lang = src_lang
        self.fuzzy_threshold = fuzzy_threshold
        self.splitter = splitter
        self.targets: dict[str, dict[str, str]] = {lang: {} for lang in tgt_langs}
        self.sources: list[str] = []
        self.source_tokens: list[list[str]] = []
        self.index: dict[str, list[int]] = {}
        known: set[str] = set()
        for row in rows:
            key = _normalize(row.src)
            if key not in known:
                known.add(key)
                number = len(self.sources)
                self.sources.append(key)
                self.source_tokens.append(_match_tokens(key))
                for feature in _features(key):
                    self.index.setdefault(feature, []).append(number)
            for lang, text in zip(tgt_langs, row.tgts, strict=True):
                if text:
                    self.targets[lang][key] = text  # the last record wins, as in Amazon Translate

    def lookup(self, text: str, tgt: str) -> tuple[str, str] | None:
        """(target text, engine label) for an exact or fuzzy match."""
        table = self.targets.get(tgt, {})
        key = _normalize(text)
        if key in table:
            return table[key], f"{self.name} (exact)"
        votes: Counter[int] = Counter()
        # Features found in a large share of the memory ("the", "的") shortlist nothing and cost the most.
        common = max(100, len(self.sources) // 20)
        for feature in _features(key):
            postings = self.index.get(feature, ())
            if len(postings) <= common:
                votes.update(postings)
        best, best_score = None, 0.0
        query = _match_tokens(key)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(query)  # the query is seq2: SequenceMatcher caches what it learns about seq2
        for number, _ in votes.most_common(10):
            candidate = self.sources[number]
            tokens = self.source_tokens[number]
            # Cheap upper bounds first: a length mismatch or the bag of tokens already rules a candidate out.
            if candidate not in table or 2 * min(len(tokens), len(query)) / (len(tokens) + len(query)) < max(
                best_score, self.fuzzy_threshold
            ):
                continue
            matcher.set_seq1(tokens)
            if matcher.quick_ratio() < max(best_score, self.fuzzy_threshold):
                continue
            score = matcher.ratio()
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= self.fuzzy_threshold:
            return table[best], f"{self.name} (fuzzy {best_score:.2f})"
        return None

    @staticmethod
    def _restore(target: str, placeholders: list[Placeholder], source_parts: Sequence[Part]) -> list[Part] | None:
        """Put protected elements back where their text occurs in the target; fail when one cannot be placed, or when
        the target keeps markup beyond what the source has as text (a fuzzy match's ``$f$`` or ``:numref:``): pasted
        as text, it would publish a span the source lacks, and the whole unit would be thrown out. Markup that the
        source carries as plain text (a plain-text unit's ``$w_c$``) stays text on both sides."""
        parts: list[Part] = [target]
        for placeholder in placeholders:
            if placeholder.kind != "protected":
                continue
            for i, part in enumerate(parts):
                if isinstance(part, str) and placeholder.match_text and placeholder.match_text in part:
                    before, _, after = part.partition(placeholder.match_text)
                    parts[i : i + 1] = [before, placeholder, after]
                    break
            else:
                return None
        left_in_text = _spans_in_text(parts)
        if left_in_text and left_in_text - _spans_in_text(source_parts):
            return None
        return [p for p in parts if p != ""]

    def _translate_text(self, unit: Unit, tgt: str) -> EngineResult | None:
        hit = self.lookup(unit.plain_source(), tgt)
        if hit is None:
            return None
        placeholders = [p for p in unit.parts if isinstance(p, Placeholder)]
        parts = self._restore(hit[0], placeholders, unit.parts)
        return None if parts is None else EngineResult(parts, hit[1])

    def translate(self, units: Sequence[Unit], src: str, tgt: str) -> list[EngineResult | None]:
        return [self._translate_text(unit, tgt) for unit in units]

    def split_unit(self, unit: Unit) -> list[Unit]:
        """Sentences of a unit, placeholders kept with the sentence they sit in."""
        marks: dict[str, Placeholder] = {}
        flat: list[str] = []
        for part in unit.parts:
            if isinstance(part, str):
                flat.append(part)
            else:
                mark = chr(0xE000 + len(marks))
                marks[mark] = part
                flat.append(mark)
        sentences = self.splitter("".join(flat), self.src_lang)
        units: list[Unit] = []
        for sentence in (s.strip() for s in sentences):
            parts: list[Part] = []
            for piece in re.split(f"([{''.join(marks)}])", sentence) if marks else [sentence]:
                if piece in marks:
                    parts.append(marks[piece])
                elif piece:
                    parts.append(piece)
            if parts:
                units.append(Unit(parts, unit.element_id))
        return units


class ApertiumEngine(Engine):
    """Apertium through its command line, one process per batch of units."""

    name = "apertium"

    def __init__(self, executable: str | None = None, timeout: float = 120.0) -> None:
        self.executable = executable or shutil.which("apertium")
        self.timeout = timeout

    @functools.cached_property
    def modes(self) -> frozenset[str]:
        if not self.executable:
            return frozenset()
        try:
            listing = subprocess.run(
                [self.executable, "-l"], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return frozenset()
        return frozenset(line.strip() for line in listing.splitlines() if line.strip())

    def mode_for(self, src: str, tgt: str) -> str | None:
        if src not in APERTIUM_CODES or tgt not in APERTIUM_CODES:
            return None
        mode = f"{APERTIUM_CODES[src]}-{APERTIUM_CODES[tgt]}"
        return mode if mode in self.modes else None

    def supports(self, src: str, tgt: str) -> bool:
        return self.mode_for(src, tgt) is not None

    def translate(self, units: Sequence[Unit], src: str, tgt: str) -> list[EngineResult | None]:
        mode = self.mode_for(src, tgt)
        if mode is None or not units or self.executable is None:
            return [None] * len(units)
        placeholder_lists: list[list[Placeholder]] = []
        lines: list[str] = []
        for unit in units:
            found: list[Placeholder] = []
            chunks: list[str] = []
            for part in unit.parts:
                if isinstance(part, str):
                    chunks.append(html.escape(part, quote=False))
                else:
                    chunks.append(f'<i id="amtsph{len(found)}"></i>')
                    found.append(part)
            placeholder_lists.append(found)
            lines.append("<p>" + "".join(chunks).replace("\n", " ") + "</p>")
        completed = subprocess.run(
            [self.executable, "-u", "-f", "html", mode],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        outputs = re.findall(r"<p>(.*?)</p>", completed.stdout, re.DOTALL)
        if completed.returncode != 0 or len(outputs) != len(units):
            return [None] * len(units)
        results: list[EngineResult | None] = []
        for output, found in zip(outputs, placeholder_lists, strict=True):
            pieces = _APERTIUM_PLACEHOLDER.split(output)
            parts: list[Part] = []
            used: list[int] = []
            for k, piece in enumerate(pieces):
                if k % 2:
                    used.append(int(piece))
                    parts.append(found[int(piece)])
                elif piece:
                    parts.append(html.unescape(piece))
            if sorted(used) != list(range(len(found))):
                results.append(None)  # a placeholder got lost: let the next engine take the unit
            else:
                results.append(EngineResult(parts, f"{self.name} {mode}"))
        return results


_ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "áéíóúÁÉÍÓÚçñýÇÑÝ")


class PseudoEngine(Engine):
    """Not a translation: a marked copy (``[pseudo en→zh]``, accented letters) with markup and placeholders kept."""

    name = "pseudo"

    def translate(self, units: Sequence[Unit], src: str, tgt: str) -> list[EngineResult | None]:
        results: list[EngineResult | None] = []
        for unit in units:
            parts: list[Part] = [f"[pseudo {src}→{tgt}] "]
            parts.extend(p.translate(_ACCENTS) if isinstance(p, str) else p for p in unit.parts)
            results.append(EngineResult(parts, self.name))
        return results


def apply_terms(unit: Unit, terms: Sequence[tuple[str, str]], src_lang: str) -> tuple[Unit, list[tuple[str, str]]]:
    """Replace source terms (case-sensitive, whole words for Latin script) by placeholders holding the translation."""
    applied: list[tuple[str, str]] = []
    parts = list(unit.parts)
    for source_term, target_term in sorted(terms, key=lambda t: -len(t[0])):
        boundary = "" if src_lang in CJK_LANGUAGES else r"(?<![\w-])"
        end = "" if src_lang in CJK_LANGUAGES else r"(?![\w-])"
        pattern = re.compile(boundary + re.escape(source_term) + end)
        new_parts: list[Part] = []
        for part in parts:
            if not isinstance(part, str) or not pattern.search(part):
                new_parts.append(part)
                continue
            pieces = pattern.split(part)
            for k, piece in enumerate(pieces):
                if k:
                    new_parts.append(
                        Placeholder(html.escape(target_term, quote=False), target_term, source_term, "term")
                    )
                if piece:
                    new_parts.append(piece)
            if (source_term, target_term) not in applied:
                applied.append((source_term, target_term))
        parts = new_parts
    return Unit(parts, unit.element_id), applied


@dataclass
class UnitTranslation:
    parts: list[Part]
    engines: list[str]


class EngineChain:
    """Ask each engine in turn; a translation memory is tried on the whole unit, then per sentence."""

    def __init__(self, engines: Sequence[Engine], *, tgt_is_cjk: bool = False) -> None:
        self.engines = list(engines)
        self.joiner = "" if tgt_is_cjk else " "

    def _fallback(self, units: list[Unit], src: str, tgt: str) -> list[UnitTranslation]:
        results: list[UnitTranslation | None] = [None] * len(units)
        for engine in self.engines:
            if isinstance(engine, TranslationMemoryEngine):
                continue
            todo = [i for i, r in enumerate(results) if r is None]
            if not todo:
                break
            answers = engine.translate([units[i] for i in todo], src, tgt)
            for i, answer in zip(todo, answers, strict=True):
                if answer is not None:
                    results[i] = UnitTranslation(answer.parts, [answer.engine])
        return [
            r if r is not None else UnitTranslation(list(u.parts), ["untranslated"])
            for r, u in zip(results, units, strict=True)
        ]

    def translate(
        self, units: Sequence[Unit], src: str, tgt: str, terms: Sequence[tuple[str, str]] = ()
    ) -> tuple[list[UnitTranslation], list[tuple[str, str]]]:
        memory = next((e for e in self.engines if isinstance(e, TranslationMemoryEngine)), None)
        final: list[UnitTranslation | None] = [None] * len(units)
        pending: list[tuple[int, int, Unit]] = []  # (unit index, sentence index, sentence unit)
        sentence_results: dict[int, list[UnitTranslation | None]] = {}
        for i, unit in enumerate(units):
            if memory is None:
                pending.append((i, -1, unit))
                continue
            whole = memory.translate([unit], src, tgt)[0]
            if whole is not None:
                final[i] = UnitTranslation(whole.parts, [whole.engine])
                continue
            sentences = memory.split_unit(unit)
            answers = memory.translate(sentences, src, tgt) if len(sentences) > 1 else [None]
            if len(sentences) <= 1:
                sentences = [unit]
            sentence_results[i] = [UnitTranslation(a.parts, [a.engine]) if a else None for a in answers]
            pending.extend((i, k, s) for k, s in enumerate(sentences) if answers[k] is None)
        applied: list[tuple[str, str]] = []
        prepared: list[Unit] = []
        for _, _, unit in pending:
            with_terms, used = apply_terms(unit, terms, src) if terms else (unit, [])
            prepared.append(with_terms)
            applied.extend(t for t in used if t not in applied)
        for (i, k, _), translation in zip(pending, self._fallback(prepared, src, tgt), strict=True):
            if k < 0:
                final[i] = translation
            else:
                sentence_results[i][k] = translation
        for i, pieces in sentence_results.items():
            parts: list[Part] = []
            engines: list[str] = []
            for k, piece in enumerate(pieces):
                assert piece is not None
                if k:
                    parts.append(self.joiner)
                parts.extend(piece.parts)
                engines.extend(piece.engines)
            final[i] = UnitTranslation([p for p in parts if p != ""], engines)
        return [f for f in final if f is not None], applied


def translate_document(
    doc: MarkupDocument, chain: EngineChain, src: str, tgt: str, terms: Sequence[tuple[str, str]] = ()
) -> tuple[str, list[UnitTranslation], list[tuple[str, str]]]:
    """Every unit of a parsed document through ``chain``: the document rendered with the translations, each
    unit's translation (with the engines that made it), and the terms applied."""
    results, applied = chain.translate(doc.units(), src, tgt, terms)
    return doc.render({index: result.parts for index, result in enumerate(results)}), results, applied


def standin_chain(
    src: str,
    tgt: str,
    *,
    memory: TranslationMemoryEngine | None = None,
    apertium: ApertiumEngine | None = None,
) -> EngineChain:
    """The stand-in's engines for one direction, in order: the translation memory (when there is one), Apertium
    (when given and it has the pair), then the marked pseudo-translation that always answers."""
    engines: list[Engine] = []
    if memory is not None:
        engines.append(memory)
    if apertium is not None and apertium.supports(src, tgt):
        engines.append(apertium)
    engines.append(PseudoEngine())
    return EngineChain(engines, tgt_is_cjk=tgt in CJK_LANGUAGES)


def unit_text(parts: list[Part]) -> str:
    return render_parts(parts, html_output=False)

"""HTML units, billing rule, and the stand-in's engines (translation memory, pseudo, terms)."""

from __future__ import annotations

from amts.translate.markup import Placeholder, Unit, billed_characters, parse_html, parse_plain
from amts.translate.parallel_data import ParallelRow

from amts_local.engines.chain import EngineChain, PseudoEngine, TranslationMemoryEngine, apply_terms

PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Intro</title><style>p{color:red}</style></head>'
    '<body>\n<h1 id="s0001">The encoder</h1>\n'
    '<p id="s0002">The function <span translate="no">$f(x) &lt; 1$</span> computes the <b>loss</b> &amp; more.</p>\n'
    '<p id="s0003" translate="no">Do not touch <i>this</i>.</p>\n'
    "<script>var s = 'not text';</script>\n</body></html>\n"
)


def test_html_roundtrip_is_byte_identical_without_translation() -> None:
    doc = parse_html(PAGE)
    assert doc.render({}) == PAGE


def test_html_units_keep_ids_and_protect_translate_no() -> None:
    units = parse_html(PAGE).units()
    assert [u.element_id for u in units] == [None, "s0001", "s0002"]
    protected = [p for p in units[2].parts if isinstance(p, Placeholder) and p.kind == "protected"]
    assert protected[0].raw == '<span translate="no">$f(x) &lt; 1$</span>'
    assert protected[0].match_text == "$f(x) < 1$"
    assert units[2].plain_source() == "The function $f(x) < 1$ computes the loss & more."
    assert all("Do not touch" not in u.plain_source() for u in units)
    assert all("not text" not in u.plain_source() for u in units)


def test_pseudo_translation_is_marked_and_keeps_markup_byte_for_byte() -> None:
    doc = parse_html(PAGE)
    results, _ = EngineChain([PseudoEngine()]).translate(doc.units(), "en", "zh")
    out = doc.render({i: r.parts for i, r in enumerate(results)})
    assert '<h1 id="s0001">[pseudo en→zh] ' in out
    assert '<span translate="no">$f(x) &lt; 1$</span>' in out
    assert '<p id="s0003" translate="no">Do not touch <i>this</i>.</p>' in out
    assert "<script>var s = 'not text';</script>" in out
    assert "<b>" in out
    assert "</b>" in out
    assert "&amp;" in out
    assert all(r.engines == ["pseudo"] for r in results)


def test_billed_characters_count_text_not_tags() -> None:
    assert billed_characters("<p>ab &amp; c</p><script>xx</script>", "text/html") == len("ab & c")
    assert billed_characters("<p>ab</p>", "text/plain") == len("<p>ab</p>")


def test_plain_text_units_are_lines() -> None:
    doc = parse_plain("First line.\n\n  Second line.\n")
    assert [u.plain_source() for u in doc.units()] == ["First line.", "Second line."]
    assert doc.render({}) == "First line.\n\n  Second line.\n"


def test_translation_memory_exact_then_fuzzy() -> None:
    memory = TranslationMemoryEngine(
        [ParallelRow("The model is trained on data.", ("模型在数据上训练。",))], "en", ["zh"], fuzzy_threshold=0.85
    )
    assert memory.lookup("the model is  trained on data.", "zh") == ("模型在数据上训练。", "translation-memory (exact)")
    fuzzy = memory.lookup("The model is trained on the data.", "zh")
    assert fuzzy is not None
    assert fuzzy[1].startswith("translation-memory (fuzzy 0.9")
    assert memory.lookup("Something entirely different here.", "zh") is None


def test_translation_memory_restores_protected_spans_or_declines() -> None:
    memory = TranslationMemoryEngine([ParallelRow("Call $f$ now.", ("现在调用 $f$。",))], "en", ["zh"])
    span = Placeholder('<span translate="no">$f$</span>', "$f$", "$f$", "protected")
    result = memory.translate([Unit(["Call ", span, " now."])], "en", "zh")[0]
    assert result is not None
    assert result.parts == ["现在调用 ", span, "。"]
    other = Placeholder('<span translate="no">$g$</span>', "$g$", "$f$", "protected")
    memory_missing = TranslationMemoryEngine([ParallelRow("Call $f$ now.", ("现在调用它。",))], "en", ["zh"])
    assert memory_missing.translate([Unit(["Call ", other, " now."])], "en", "zh") == [None]
    # A fuzzy match whose translation has markup this source lacks declines instead of pasting the markup as text
    fuzzy = TranslationMemoryEngine(
        [
            ParallelRow(
                "We train the model on the data for ten epochs, see :numref:`sec_f`.",
                ("训练十轮，见 :numref:`sec_f`。",),
            )
        ],
        "en",
        ["zh"],
    )
    assert fuzzy.lookup("We train the model on the data for ten epochs, see below.", "zh") is not None
    assert fuzzy.translate([Unit(["We train the model on the data for ten epochs, see below."])], "en", "zh") == [None]
    # Markup that a plain-text unit carries as text on both sides is text, not a span to restore
    plain = TranslationMemoryEngine([ParallelRow("Call $f$ now.", ("现在调用 $f$。",))], "en", ["zh"])
    answer = plain.translate([Unit(["Call $f$ now."])], "en", "zh")[0]
    assert answer is not None
    assert answer.parts == ["现在调用 $f$。"]


def test_chain_uses_memory_per_sentence_and_falls_back_naming_each_engine() -> None:
    memory = TranslationMemoryEngine([ParallelRow("It is good.", ("很好。",))], "en", ["zh"])
    chain = EngineChain([memory, PseudoEngine()], tgt_is_cjk=True)
    results, _ = chain.translate([Unit(["The cat sat. It is good."])], "en", "zh")
    assert results[0].engines == ["pseudo", "translation-memory (exact)"]
    assert "很好。" in "".join(p for p in results[0].parts if isinstance(p, str))


def test_terms_become_placeholders_with_the_translation() -> None:
    unit, applied = apply_terms(Unit(["The encoder and the encoders."]), [("encoder", "编码器")], "en")
    assert applied == [("encoder", "编码器")]
    assert [p.text for p in unit.parts if isinstance(p, Placeholder)] == ["编码器"]  # whole words only
    results, used = EngineChain([PseudoEngine()]).translate(
        [Unit(["An encoder."])], "en", "zh", [("encoder", "编码器")]
    )
    assert used == [("encoder", "编码器")]
    assert any(isinstance(p, Placeholder) and p.text == "编码器" for p in results[0].parts)

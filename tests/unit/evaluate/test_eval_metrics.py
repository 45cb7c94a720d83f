"""Scores through sacreBLEU's object API equal the sacrebleu command line's, signatures included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from amts.errors import InputError
from amts.evaluate import metrics
from amts.evaluate.metrics import choose_tokenization, score_pairs

SACREBLEU = Path(sys.executable).parent / "sacrebleu"

ZH_HYPS = ["我们使用字典统计文本里的单词。", "单词计数条形图。", "关于词元的第一个项目。", "PyTorch将计数存在张量里。"]
ZH_REFS = ["我们用字典统计文本中的单词。", "单词计数的条形图。", "关于词元的第一项。", "PyTorch把计数保存在张量中。"]
EN_HYPS = ["We count words of a text using a dictionary.", "A chart of word counts.", "The first item is tokens."]
EN_REFS = ["We count the words in a text with a dictionary.", "A bar chart of word counts.", "First item about tokens."]


def _cli(tmp_path: Path, hyps: list[str], refs: list[str], *args: str) -> list[dict[str, str]]:
    hyp_file, ref_file = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp_file.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    ref_file.write_text("\n".join(refs) + "\n", encoding="utf-8")
    completed = subprocess.run(
        [str(SACREBLEU), str(ref_file), "-i", str(hyp_file), "-w", "6", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    parsed = json.loads(completed.stdout)
    # One metric prints one JSON object, several print a list.
    result: list[dict[str, str]] = parsed if isinstance(parsed, list) else [parsed]
    return result


@pytest.mark.parametrize(
    ("tgt", "hyps", "refs", "tokenize"),
    [("zh", ZH_HYPS, ZH_REFS, "zh"), ("en", EN_HYPS, EN_REFS, "13a"), ("es", EN_HYPS, EN_REFS, "13a")],
)
def test_scores_and_signatures_equal_the_sacrebleu_command_line(
    tmp_path: Path, tgt: str, hyps: list[str], refs: list[str], tokenize: str
) -> None:
    # Given segment lists, when scored with the API and with the sacrebleu CLI on the same lines
    tokenization = choose_tokenization(tgt)
    ours = score_pairs(hyps, refs, tokenization, metrics=("BLEU", "chrF", "chrF++"))
    cli = _cli(tmp_path, hyps, refs, "-m", "bleu", "chrf", "--tokenize", tokenize)
    cli_plus = _cli(tmp_path, hyps, refs, "-m", "chrf", "--chrf-word-order", "2")
    # Then the scores and signatures are the same
    assert tokenization.tokenize == tokenize
    by_name = {m.metric: m for m in ours}
    assert by_name["BLEU"].score == pytest.approx(float(cli[0]["score"]), abs=1e-6)
    assert by_name["BLEU"].signature == cli[0]["signature"]
    assert by_name["chrF"].score == pytest.approx(float(cli[1]["score"]), abs=1e-6)
    assert by_name["chrF"].signature == cli[1]["signature"]
    assert by_name["chrF++"].score == pytest.approx(float(cli_plus[0]["score"]), abs=1e-6)
    assert by_name["chrF++"].signature == cli_plus[0]["signature"]
    assert 0 < by_name["BLEU"].score < 100


def test_zero_to_one_scale_is_the_score_divided_by_100() -> None:
    score = score_pairs(ZH_HYPS, ZH_REFS, choose_tokenization("zh"))[0]
    assert score.score_unit == pytest.approx(score.score / 100, abs=1e-6)
    assert score.model_dump()["score_unit"] == score.score_unit


def test_chinese_uses_zh_tokenizer_and_13a_would_score_zero() -> None:
    zh = score_pairs(ZH_HYPS, ZH_REFS, choose_tokenization("zh"))[0]
    assert "tok:zh" in zh.signature
    assert zh.score > 20


def test_japanese_without_mecab_falls_back_to_char_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in the Lambda bundle, which leaves MeCab's dictionaries out: the tokenizer cannot be built
    monkeypatch.setattr(metrics, "_tokenizer_available", lambda name: not name.endswith("-mecab"))
    tokenization = choose_tokenization("ja")
    assert tokenization.tokenize == "char"
    assert "ja-mecab" in tokenization.note
    score = score_pairs(["これはペンです。"], ["これはペンだ。"], tokenization)[0]
    assert "tok:char" in score.signature


def test_unknown_language_code_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unknown target language 'xx'"):
        choose_tokenization("xx")


def test_nothing_to_score_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="nothing to score"):
        score_pairs([], [], choose_tokenization("en"))


def test_line_breaks_inside_a_segment_do_not_split_it() -> None:
    joined = score_pairs(["a b\nc d"], ["a b c d"], choose_tokenization("en"))[0]
    assert joined.score == pytest.approx(100.0)

"""``amts run --old-source`` on a book where a chapter moved: it is synced from its old path, not translated as new.

The chapter's Chinese has a paddle cell the English never had (as D2L's Chinese edition does): only a sync keeps
it. The old path's translation is not current output: the report names it and the download sets it aside.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amts_local.cli import main

pytestmark = pytest.mark.slow

OLD_PATH, NEW_PATH, STAYS = "basics/small.md", "intro/small.md", "stays.md"

ENGLISH = """# Small Things
:label:`sec_small`

Cats sit on warm mats in the afternoon. Dogs chase red balls across the park.

```{.python .input}
%%tab pytorch
x = torch.ones(2)
```

The weather is pleasant today, so we walk to the river.
"""

CHINESE = """# 小事情
:label:`sec_small`

下午猫坐在温暖的垫子上。狗在公园里追逐红色的球。

```{.python .input}
%%tab pytorch
x = torch.ones(2)
```

```{.python .input}
#@tab paddle
x = paddle.ones([2])
```

今天天气宜人，所以我们走到河边。
"""

STAYS_EN = """# Staying Put
:label:`sec_stays`

This chapter keeps its place in the book from one edition to the next.
"""

STAYS_ZH = """# 原地不动
:label:`sec_stays`

这一章在书的各个版本中都保持原来的位置。
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_moved_chapter_keeps_its_human_text_and_paddle_cell_and_its_old_translation_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the previous English with the chapter at its old path, its Chinese there (with a paddle cell),
    # and the current English where the chapter moved to another folder with its last sentence edited
    old, book, out = tmp_path / "old-en", tmp_path / "book", tmp_path / "out"
    _write(old / OLD_PATH, ENGLISH)
    _write(old / STAYS, STAYS_EN)
    _write(book / "zh" / OLD_PATH, CHINESE)
    _write(book / "zh" / STAYS, STAYS_ZH)
    _write(book / "en" / NEW_PATH, ENGLISH.replace("walk to the river", "walk to the old bridge"))
    _write(book / "en" / STAYS, STAYS_EN)

    # When it runs in two phases through the local pipeline
    status = main(["run", "--book", str(book), "--pairs", "en-zh", "--old-source", str(old), "-o", str(out)])

    # Then the moved chapter is synced from its old translation: the human text and the paddle cell are kept,
    # and the edited sentence keeps its Chinese, marked with the English change
    printed = capsys.readouterr().out
    assert status == 0, printed
    moved = (out / "zh" / NEW_PATH).read_text(encoding="utf-8")
    assert "下午猫坐在温暖的垫子上。狗在公园里追逐红色的球。" in moved
    assert "#@tab paddle\nx = paddle.ones([2])" in moved
    assert "reasons=fuzzy-kept" in moved
    assert "change: river → old bridge" in moved
    assert "今天天气宜人，所以我们走到河边。" in moved
    # and the report names the rename and the translation whose source is gone
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"moved chapter synced from its old path: {OLD_PATH} -> {NEW_PATH}" in report
    assert f"translated/zh/{OLD_PATH}: its source is gone; moved to {NEW_PATH}" in report
    # and the old path's translation is set aside, so the output holds each label once
    assert not (out / "zh" / OLD_PATH).exists()
    assert (out / "source-gone" / "zh" / OLD_PATH).is_file()
    assert f"set aside: zh/{OLD_PATH} -> source-gone/zh/{OLD_PATH}" in printed
    labels = [label for path in (out / "zh").rglob("*.md") for label in re.findall(r":label:`(\w+)`", path.read_text())]
    assert sorted(labels) == ["sec_small", "sec_stays"]

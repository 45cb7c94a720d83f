"""Screenshots of the pages a run leaves a person, at a desktop and a phone width (``make screenshots``).

Reads a run's output folder (``make demo`` writes ``out/``): the run report, the evaluation report and the review
page, each opened in headless Chromium at 1400 px and at 400 px. Writes the first screen of each as a PNG to
``bench/results/screenshots/`` (CI keeps them as artifacts; the README shows the review page's) and prints, per
page and width, whether it fits the viewport and opens with its summary.

    python -m bench.screenshots [OUT]      # from the repository root; OUT defaults to out/
"""

from __future__ import annotations

import sys
from pathlib import Path

from amts.fsio import write_atomic

from tests.integration.evaluate.headless_chromium import find_chromium, open_page

RESULTS = Path(__file__).resolve().parent / "results" / "screenshots"
PAGES = {"run-report": "report.html", "evaluation-report": "report-evaluate.html", "review": "review.html"}
WIDTHS = (1400, 400)
HEIGHT = 900
LAYOUT = {
    "scroll_width": "document.documentElement.scrollWidth",
    "summary_bottom": "document.getElementById('headline').getBoundingClientRect().bottom",
}


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "out")
    if find_chromium() is None:
        print("Chromium is not installed (make system-deps installs Debian's chromium): no screenshots")
        return 1
    missing = [name for name in PAGES.values() if not (out / name).is_file()]
    if missing:
        print(f"{out} has no {', '.join(missing)}: run 'make demo' (or 'amts run --out {out}') first")
        return 1
    failed = False
    for name, page in PAGES.items():
        for width in WIDTHS:
            result = open_page((out / page).resolve().as_uri(), width=width, height=HEIGHT, expressions=LAYOUT,
                               full_page=False)  # fmt: skip
            target = RESULTS / f"{name}-{width}.png"
            write_atomic(target, result.png)
            fits = result.values["scroll_width"] <= width
            above = result.values["summary_bottom"] <= HEIGHT
            failed |= not (fits and above) or bool(result.console_errors)
            print(
                f"{target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}: "
                f"{len(result.png) // 1024} KiB, scroll width {result.values['scroll_width']} of {width}, summary "
                f"{'above' if above else 'BELOW'} the fold"
                + (f", console: {result.console_errors}" if result.console_errors else "")
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What becomes of a synced chapter: published, or the translation at its path kept with a proposal beside it.

One policy for the directory form of ``amts sync`` and the pipeline's Assemble step:

- a chapter synced against the translation at its path is published when its output has its source's skeleton;
- otherwise (the translation did not match its old source, or the output still differs from the skeleton) that
  translation stays as it is, byte for byte, and the machine translation is offered beside it as a proposal;
- a chapter with no translation at its path (a new chapter, or one that moved) has nothing to keep: it is
  published, and an output that still differs from its skeleton carries a ``skeleton-mismatch`` marker at its top
  and is reported.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class ChapterAction(enum.StrEnum):
    PUBLISH = "publish"  # the output goes to the chapter's path, and the memory records it
    KEEP_HUMAN = "keep-human"  # the translation at the path stays; the output is offered beside it as a proposal


@dataclass(frozen=True)
class ChapterDecision:
    """What to do with a chapter's output, and the problem to report (None: published as synced)."""

    action: ChapterAction
    problem: str | None = None

    @property
    def publish(self) -> bool:
        return self.action is ChapterAction.PUBLISH


def chapter_outcome(
    *, translation_at_path: bool, refusal: str | None = None, skeleton_differences: Sequence[str] = ()
) -> ChapterDecision:
    """Decide a chapter's fate from its sync.

    ``translation_at_path``: a translation (a person's, or one published earlier) is at the chapter's own path;
    False for a new chapter and for one that moved (synced against its old path's translation). ``refusal``: why
    the sync against that translation was refused (it does not match its old source), the output then being a
    whole-chapter translation. ``skeleton_differences``: the output's differences from the new source's skeleton
    (``SyncReport.skeleton_differences``).
    """
    if translation_at_path and refusal is not None:
        return ChapterDecision(ChapterAction.KEEP_HUMAN, f"not synced, human file kept: {refusal}")
    if not skeleton_differences:
        return ChapterDecision(ChapterAction.PUBLISH)
    differs = (
        f"the synced chapter still differs from its source in {len(skeleton_differences)} places "
        f"(first: {skeleton_differences[0]})"
    )
    if translation_at_path:
        return ChapterDecision(ChapterAction.KEEP_HUMAN, f"not synced, human file kept: {differs}")
    return ChapterDecision(ChapterAction.PUBLISH, f"published with a skeleton-mismatch marker: {differs}")

"""Splitting a plan text into blocks and keeping paragraph anchors across versions.

A new version is compared with the previous one block by block (difflib):
unchanged blocks keep their anchor; in a replaced stretch, each new block takes
the anchor of the most similar old block (if similar enough), so an edited
paragraph keeps its comments; everything else gets a fresh anchor.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from difflib import SequenceMatcher

#: How alike an edited paragraph must stay to its predecessor to keep its anchor.
SIMILAR = 0.5


def split_blocks(markdown: str) -> list[str]:
    """Blocks separated by blank lines, whitespace-trimmed, empty ones dropped."""
    text = (markdown or "").replace("\r\n", "\n").replace("\r", "\n")
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


@dataclass(frozen=True)
class Mapped:
    text: str
    anchor: str
    change: str                  # "unchanged", "edited" or "new"
    predecessor: int | None      # index of the old block it continues


def new_anchor(taken: set[str]) -> str:
    while True:
        anchor = "p-" + secrets.token_hex(4)
        if anchor not in taken:
            taken.add(anchor)
            return anchor


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _similarity(a: str, b: str) -> float:
    """How much of a paragraph survives an edit: by words, or by characters when a few
    long words changed (whichever is higher)."""
    by_words = SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()
    by_chars = SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio()
    return max(by_words, by_chars)


def map_blocks(old: list[tuple[str, str]], new: list[str],
               taken: set[str] | None = None) -> list[Mapped]:
    """Give each new block an anchor, given the old version's (anchor, text) blocks.

    ``taken`` holds every anchor the plan ever used: a removed paragraph's anchor
    is never given to a new one (its comments would move to the wrong text).
    """
    old_texts = [text for _, text in old]
    taken = set(taken or ()) | {anchor for anchor, _ in old}
    result: list[Mapped | None] = [None] * len(new)
    used: set[int] = set()
    matcher = SequenceMatcher(None, old_texts, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                result[j1 + offset] = Mapped(new[j1 + offset], old[i1 + offset][0], "unchanged",
                                             i1 + offset)
                used.add(i1 + offset)
        elif tag == "replace":
            candidates = list(range(i1, i2))
            for j in range(j1, j2):
                scored = [(_similarity(old_texts[i], new[j]), i) for i in candidates if i not in used]
                if scored:
                    score, best = max(scored)
                    if score >= SIMILAR:
                        used.add(best)
                        result[j] = Mapped(new[j], old[best][0], "edited", best)
    for j, item in enumerate(result):
        if item is None:
            result[j] = Mapped(new[j], new_anchor(taken), "new", None)
    return result  # type: ignore[return-value]

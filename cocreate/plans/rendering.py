"""Safe HTML from plan Markdown and from comments, and word-level comparisons.

Plan texts are Markdown with raw HTML switched off, rendered by markdown-it-py
and cleaned by nh3 (a maintained sanitiser). Comments are plain text: escaped,
with web addresses turned into links, and cleaned by nh3 as well.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
    .enable("strikethrough")
TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "code",
        "blockquote", "br", "s", "del", "ins", "span"}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}
SCHEMES = {"http", "https", "mailto"}
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def _clean(html: str) -> Markup:
    return Markup(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                            link_rel="nofollow noopener ugc"))


def markdown(text: str) -> Markup:
    return _clean(_markdown.render(text or ""))


def plain_text(text: str) -> Markup:
    """A comment: paragraphs and line breaks kept, links made clickable, nothing else."""
    escaped = str(escape(text or ""))
    linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n\s*\n", linked) if p.strip()]
    return _clean("".join(f"<p>{p}</p>" for p in paragraphs))


def word_diff(old: str, new: str) -> Markup:
    """The new text with insertions and deletions marked, word by word."""
    a, b = (old or "").split(), (new or "").split()
    parts = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(str(escape(" ".join(b[j1:j2]))))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return _clean(" ".join(parts))

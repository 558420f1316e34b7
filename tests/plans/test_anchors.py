"""Anchors survive editing (property-based) and texts render safely."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cocreate.plans import rendering
from cocreate.plans.anchors import map_blocks, split_blocks

WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=12).map(str.strip).filter(bool)
BLOCK = st.lists(WORDS, min_size=3, max_size=12).map(" ".join)


def _old(blocks):
    return [(f"p-{i:08x}", text) for i, text in enumerate(blocks)]


@settings(max_examples=200, deadline=None)
@given(old=st.lists(BLOCK, min_size=1, max_size=8, unique=True),
       ops=st.lists(st.tuples(st.sampled_from(["keep", "edit", "drop", "insert"]), BLOCK),
                    max_size=12))
def test_unchanged_paragraphs_keep_anchors_and_anchors_stay_unique(old, ops):
    new, kept = [], []
    for index, text in enumerate(old):
        op, extra = ops[index] if index < len(ops) else ("keep", "")
        if op == "keep":
            new.append(text)
            kept.append(index)
        elif op == "edit":
            new.append(text + " " + extra.split()[0])  # a small edit
        elif op == "insert":
            new.extend([extra + " inserted zz", text])
            kept.append(index)
    if not new:
        return
    previous = _old(old)
    mapped = map_blocks(previous, new)
    anchors = [m.anchor for m in mapped]
    assert len(set(anchors)) == len(anchors)
    assert [m.text for m in mapped] == new
    by_text = {m.text: m for m in mapped}
    for index in kept:
        if new.count(old[index]) == 1:
            assert by_text[old[index]].anchor == previous[index][0]
            assert by_text[old[index]].change == "unchanged"
    old_anchors = {a for a, _ in previous}
    for item in mapped:
        assert (item.change == "new") == (item.anchor not in old_anchors)


def test_an_edited_paragraph_keeps_its_anchor_and_a_new_one_gets_a_fresh_one():
    old = _old(["# Titel", "Lessen Nederlands worden overdag gegeven in het centrum.", "Slot."])
    new = ["# Titel", "Lessen Nederlands worden overdag en 's avonds gegeven, met kinderopvang.",
           "Een nieuwe alinea over buddy's voor nieuwkomers in de buurt.", "Slot."]
    mapped = map_blocks(old, new)
    assert [m.change for m in mapped] == ["unchanged", "edited", "new", "unchanged"]
    assert mapped[1].anchor == old[1][0] and mapped[2].anchor not in {a for a, _ in old}


def test_removed_anchors_are_never_reused():
    taken = {"p-00000001", "p-00000002"}
    mapped = map_blocks([], ["Een", "Twee"], taken)
    assert not {m.anchor for m in mapped} & taken


def test_split_blocks():
    assert split_blocks("# A\n\nB\nC\n\n\n  \nD\r\n\r\nE") == ["# A", "B\nC", "D", "E"]
    assert split_blocks("") == []


def test_markdown_is_rendered_without_raw_html():
    html = str(rendering.markdown("# Kop\n\n<script>alert(1)</script> **vet** [x](javascript:alert(1))"
                                  " <img src=x onerror=alert(1)>"))
    assert "<h1>Kop</h1>" in html and "<strong>vet</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run


def test_comments_are_plain_text_with_safe_links():
    html = str(rendering.plain_text("Zie https://ninove.be/plan en <b>dit</b>\n\njavascript:alert(1)"))
    assert '<a href="https://ninove.be/plan" rel="nofollow noopener ugc">' in html
    assert "<b>" not in html and "&lt;b&gt;" in html and 'href="javascript' not in html


def test_word_diff_marks_insertions_and_deletions():
    html = str(rendering.word_diff("lessen overdag", "lessen overdag en 's avonds"))
    assert "<ins>en &#39;s avonds</ins>" in html or "<ins>en 's avonds</ins>" in html
    assert "<del>" in str(rendering.word_diff("een twee", "een"))

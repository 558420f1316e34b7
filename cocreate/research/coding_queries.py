"""Read helpers of qualitative coding: the codebook, codings and memos of a lab.

Objects are loaded through their lab (another lab's id is a 404); lists are one
query each, grouped in Python by unit or code — never one query per item.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from cocreate.accounts.models import User
from cocreate.extensions import db
from cocreate.research import units
from cocreate.research.models import Code, CodebookTemplate, Coding, Memo


def get_code_or_404(lab, code_id: int) -> Code:
    code = db.session.get(Code, code_id)
    if code is None or code.lab_id != lab.id:
        abort(404)
    return code


def get_coding_or_404(lab, coding_id: int) -> Coding:
    coding = db.session.get(Coding, coding_id)
    if coding is None or coding.lab_id != lab.id:
        abort(404)
    return coding


def get_memo_or_404(lab, memo_id: int) -> Memo:
    memo = db.session.get(Memo, memo_id)
    if memo is None or memo.lab_id != lab.id:
        abort(404)
    return memo


# -- The codebook -------------------------------------------------------------------------------


def lab_codes(lab) -> list[Code]:
    return list(db.session.scalars(sa.select(Code).where(Code.lab_id == lab.id)
                                   .order_by(Code.position, Code.id)))


def codebook(lab) -> list[tuple[Code, int]]:
    """The lab's codes in tree order with their depth (0 for top-level codes); one query."""
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in lab_codes(lab):
        children[code.parent_id].append(code)
    ordered: list[tuple[Code, int]] = []

    def walk(parent_id, depth):
        for code in children.get(parent_id, []):
            ordered.append((code, depth))
            walk(code.id, depth + 1)

    walk(None, 0)
    return ordered


def subtree_ids(code: Code) -> list[int]:
    """The code and every code below it, level by level (the code itself first)."""
    parents = dict(db.session.execute(sa.select(Code.id, Code.parent_id)
                                      .where(Code.lab_id == code.lab_id)).all())
    result, frontier = [code.id], {code.id}
    while frontier:
        level = [child for child, parent in parents.items() if parent in frontier]
        result.extend(level)
        frontier = set(level)
    return result


def coding_count(code_ids: Iterable[int]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Coding)
                             .where(Coding.code_id.in_(list(code_ids)))) or 0


def code_usage(lab) -> Counter:
    """Codings per code id (GROUP BY)."""
    return Counter(dict(db.session.execute(
        sa.select(Coding.code_id, sa.func.count()).where(Coding.lab_id == lab.id)
        .group_by(Coding.code_id)).all()))


def template_definition(lab) -> list[dict]:
    """The codebook as a template definition: nested ``key/name/description/color/children``."""
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for code, _depth in codebook(lab):
        node = {"key": code.key, "name": code.name, "description": code.description,
                "color": code.color, "children": []}
        nodes[code.id] = node
        (nodes[code.parent_id]["children"] if code.parent_id else roots).append(node)
    return roots


def templates_for(municipality) -> list[CodebookTemplate]:
    """The shared codebook templates, then the municipality's own."""
    return list(db.session.scalars(
        sa.select(CodebookTemplate).where(sa.or_(CodebookTemplate.municipality_id.is_(None),
                                                 CodebookTemplate.municipality_id == municipality.id))
        .order_by(CodebookTemplate.municipality_id.is_not(None), CodebookTemplate.id)))


def get_template_or_none(municipality, template_id: int | None) -> CodebookTemplate | None:
    """A template this municipality may use (shared or its own), else None."""
    if template_id is None:
        return None
    template = db.session.get(CodebookTemplate, template_id)
    if template is None or template.municipality_id not in (None, municipality.id):
        return None
    return template


# -- Codings and memos -----------------------------------------------------------------------------


def _on_units(model, refs: Iterable[tuple[str, int]]):
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, unit_id in refs:
        by_kind[kind].add(unit_id)
    return sa.or_(sa.false(), *(sa.and_(model.unit_kind == kind, model.unit_id.in_(ids))
                                for kind, ids in by_kind.items()))


def codings_on(lab, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[Coding]]:
    """The codings on these units, by unit, in the order they were made (one query)."""
    result: dict[tuple[str, int], list[Coding]] = defaultdict(list)
    for coding in db.session.scalars(sa.select(Coding).where(Coding.lab_id == lab.id, _on_units(Coding, refs))
                                     .order_by(Coding.id)):
        result[(coding.unit_kind, coding.unit_id)].append(coding)
    return result


def memos_on(lab, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[Memo]]:
    result: dict[tuple[str, int], list[Memo]] = defaultdict(list)
    for memo in db.session.scalars(sa.select(Memo).where(Memo.lab_id == lab.id, _on_units(Memo, refs))
                                   .order_by(Memo.id)):
        result[(memo.unit_kind, memo.unit_id)].append(memo)
    return result


def code_memos(lab, code_ids: Iterable[int]) -> list[Memo]:
    """Memos about codes themselves (not those written on a unit)."""
    return list(db.session.scalars(sa.select(Memo).where(
        Memo.lab_id == lab.id, Memo.code_id.in_(list(code_ids)), Memo.unit_kind.is_(None))
        .order_by(Memo.id)))


def general_memos(lab) -> list[Memo]:
    """Memos on the lab's coding as a whole."""
    return list(db.session.scalars(sa.select(Memo).where(
        Memo.lab_id == lab.id, Memo.code_id.is_(None), Memo.unit_kind.is_(None)).order_by(Memo.id)))


def coders(lab) -> list[User]:
    """People who coded in this lab, by name."""
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(Coding.coder_id).where(Coding.lab_id == lab.id)))
        .order_by(User.display_name, User.id)))


def span(coding: Coding, unit: units.Unit) -> tuple[int, int] | None:
    """Where a coding lies in its unit's text, in code points (end exclusive).

    A whole-unit coding covers the text. A passage is clipped to the text as it is
    now (a moderator may have corrected a transcript turn since); None when nothing
    of it is left.
    """
    if coding.start_pos is None:
        return (0, unit.length)
    start, end = min(coding.start_pos, unit.length), min(coding.end_pos, unit.length)
    return (start, end) if start < end else None


@dataclass(frozen=True)
class Segment:
    """A coded stretch of text, as researchers read it: pseudonymous, with its source."""

    coding: Coding
    unit: units.Unit
    start: int
    end: int

    @property
    def quote(self) -> str:
        return self.unit.text[self.start:self.end]

    @property
    def is_whole_unit(self) -> bool:
        return self.coding.start_pos is None


def segments(lab, code_ids: Iterable[int] | None = None) -> list[Segment]:
    """Coded segments of the lab (of ``code_ids`` only, when given) whose units may be
    used, in source order: three queries for the units, one for the codings."""
    query = sa.select(Coding).where(Coding.lab_id == lab.id)
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(list(code_ids)))
    codings = list(db.session.scalars(query.order_by(Coding.unit_kind, Coding.unit_id, Coding.id)))
    found = units.units_by_ref(lab, {(c.unit_kind, c.unit_id) for c in codings})
    result = []
    for coding in codings:
        unit = found.get((coding.unit_kind, coding.unit_id))
        where = span(coding, unit) if unit else None
        if where is not None:
            result.append(Segment(coding, unit, *where))
    return result


def group_counts(found: Iterable[Segment]) -> list[tuple[str, int, int]]:
    """``(group, segments, people)`` per group, largest first; facilitator turns count as
    segments without a person."""
    seg, people = Counter(), defaultdict(set)
    for segment in found:
        seg[segment.unit.group] += 1
        if segment.unit.person:
            people[segment.unit.group].add(segment.unit.person)
    return [(group, count, len(people[group])) for group, count in seg.most_common()]


def coder_units(lab, coder_id: int) -> dict[tuple[str, int], set[int]]:
    """For agreement: the codes one coder applied, per unit that may still be used."""
    result: dict[tuple[str, int], set[int]] = defaultdict(set)
    for kind, unit_id, code_id in db.session.execute(
            sa.select(Coding.unit_kind, Coding.unit_id, Coding.code_id)
            .where(Coding.lab_id == lab.id, Coding.coder_id == coder_id)):
        result[(kind, unit_id)].add(code_id)
    usable = units.units_by_ref(lab, result)
    return {ref: codes for ref, codes in result.items() if ref in usable}

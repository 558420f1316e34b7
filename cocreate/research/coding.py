"""Write paths of qualitative coding: the codebook, codings and memos.

Every function takes the acting researcher explicitly and refuses bad input
with a :class:`CodingError` before it writes anything. Codes belong to one lab;
their ``key`` is stable (kept from a template) so that towns coding with the
same template can be compared. Offsets of a passage are Unicode code points of
the unit's text, end exclusive — the same as Python string indices and as
REFI-QDA's ``PlainTextSelection``.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.errors import DomainError
from cocreate.extensions import db
from cocreate.research import units
from cocreate.research.coding_queries import coding_count, lab_codes, subtree_ids, template_definition
from cocreate.research.models import Code, CodebookTemplate, Coding, Memo

log = logging.getLogger("cocreate.research")

NAME_MAX = 120
DESCRIPTION_MAX = 2000
MEMO_MAX = 4000
DEFAULT_COLOR = "#1f6f8b"
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TEMPLATE_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
#: Deepest nesting accepted from a template (a guard against malformed definitions).
MAX_DEPTH = 8


class CodingError(DomainError):
    """A refusal about the codebook, codings or memos."""


# -- Codes ----------------------------------------------------------------------------------------


def _clean_name(name) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise CodingError(_l("Give the code a name."))
    if len(name) > NAME_MAX:
        raise CodingError(_l("Keep the name under %(max)s characters.", max=NAME_MAX))
    return name


def _clean_description(description) -> str:
    description = (description or "").strip() if isinstance(description, str) else ""
    if len(description) > DESCRIPTION_MAX:
        raise CodingError(_l("Keep the description under %(max)s characters.", max=DESCRIPTION_MAX))
    return description


def _clean_color(color) -> str:
    if not color:
        return DEFAULT_COLOR
    if not isinstance(color, str) or not COLOR.fullmatch(color):
        raise CodingError(_l("Choose a colour as #RRGGBB, for example #1f6f8b."))
    return color.lower()


def _parent(lab, parent_id) -> Code | None:
    if parent_id in (None, ""):
        return None
    parent = db.session.get(Code, parent_id) if isinstance(parent_id, int) else None
    if parent is None or parent.lab_id != lab.id:
        raise CodingError(_l("The parent code is not in this lab's codebook."))
    return parent


def _next_position(lab, parent: Code | None) -> int:
    last = db.session.scalar(sa.select(sa.func.max(Code.position)).where(
        Code.lab_id == lab.id,
        Code.parent_id.is_(None) if parent is None else Code.parent_id == parent.id))
    return 0 if last is None else last + 1


def _key_from(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "code"


def _unique_key(lab, wanted: str) -> str:
    taken = set(db.session.scalars(sa.select(Code.key).where(Code.lab_id == lab.id)))
    key, number = wanted, 2
    while key in taken:
        key, number = f"{wanted}-{number}", number + 1
    return key


def create_code(actor, lab, *, name, description="", color=None, parent_id=None,
                key: str | None = None) -> Code:
    """Add a code; its key comes from the name unless given (and stays forever)."""
    name, description, color = _clean_name(name), _clean_description(description), _clean_color(color)
    parent = _parent(lab, parent_id)
    if key is not None:
        if not KEY.fullmatch(key):
            raise CodingError(_l("A key has lower-case letters, digits, - and _ only."))
        if db.session.scalar(sa.select(Code.id).where(Code.lab_id == lab.id, Code.key == key)):
            raise CodingError(_l("This key is already used in this codebook."))
    else:
        key = _unique_key(lab, _key_from(name))
    code = Code(lab_id=lab.id, parent_id=parent.id if parent else None, key=key, name=name,
                description=description, color=color, position=_next_position(lab, parent))
    db.session.add(code)
    db.session.flush()
    log.info("lab %s: code %s (%s) added by user %s", lab.id, code.id, key, getattr(actor, "id", None))
    return code


def _own(lab, obj) -> None:
    # Views load everything through the lab; this keeps a wrong pairing from writing.
    if obj.lab_id != lab.id:
        raise CodingError(_l("This belongs to another lab."))


def update_code(actor, lab, code: Code, *, name, description="", color=None, parent_id=None) -> Code:
    """Rename, describe, recolour or move a code; moving under itself or one of its own
    sub-codes is refused (the codebook stays a tree)."""
    _own(lab, code)
    name, description, color = _clean_name(name), _clean_description(description), _clean_color(color)
    parent = _parent(lab, parent_id)
    if parent is not None and parent.id in subtree_ids(code):
        raise CodingError(_l("A code cannot be moved under itself or under one of its own sub-codes."))
    new_parent_id = parent.id if parent else None
    if new_parent_id != code.parent_id:
        code.position = _next_position(lab, parent)
        code.parent_id = new_parent_id
    code.name, code.description, code.color = name, description, color
    log.info("lab %s: code %s edited by user %s", lab.id, code.id, getattr(actor, "id", None))
    return code


def delete_code(actor, lab, code: Code) -> int:
    """Delete a code with its sub-codes, their codings and memos; returns how many
    codings went."""
    _own(lab, code)
    ids, key = subtree_ids(code), code.key
    removed = coding_count(ids)
    db.session.execute(sa.delete(Coding).where(Coding.code_id.in_(ids)))
    db.session.execute(sa.delete(Memo).where(Memo.code_id.in_(ids)))
    # Deepest codes first (``subtree_ids`` goes level by level), so no row is left
    # pointing at a deleted parent, whether or not the database cascades.
    for code_id in reversed(ids):
        db.session.execute(sa.delete(Code).where(Code.id == code_id))
    db.session.expire_all()
    audit.record("research.code_deleted", None, actor=actor, municipality=lab.municipality,
                 lab_id=lab.id, code_key=key, codes=len(ids), codings=removed)
    return removed


# -- Templates ----------------------------------------------------------------------------------


def import_template(actor, lab, template: CodebookTemplate) -> int:
    """Add the template's codes the lab does not have yet (matched by key), keeping keys,
    so importing twice adds nothing. Returns the number of codes added."""
    existing = {code.key: code for code in lab_codes(lab)}
    added = 0

    def add(nodes, parent: Code | None, depth: int):
        nonlocal added
        if depth > MAX_DEPTH or not isinstance(nodes, list):
            return
        for node in nodes:
            if not isinstance(node, dict) or not KEY.fullmatch(str(node.get("key", ""))):
                continue
            code = existing.get(node["key"])
            if code is None:
                code = create_code(actor, lab, name=str(node.get("name") or node["key"])[:NAME_MAX],
                                   description=str(node.get("description") or "")[:DESCRIPTION_MAX],
                                   color=node.get("color") if COLOR.fullmatch(str(node.get("color")))
                                   else None, parent_id=parent.id if parent else None, key=node["key"])
                existing[code.key] = code
                added += 1
            add(node.get("children") or [], code, depth + 1)

    add(template.definition, None, 0)
    audit.record("research.codebook_imported", template, actor=actor, municipality=lab.municipality,
                 lab_id=lab.id, added=added)
    return added


def save_as_template(actor, lab, *, slug: str, title: str, language: str) -> CodebookTemplate:
    """Keep the lab's codebook as a template of its municipality."""
    title = (title or "").strip()
    if not title or len(title) > NAME_MAX:
        raise CodingError(_l("Give the template a title of at most %(max)s characters.", max=NAME_MAX))
    if not TEMPLATE_SLUG.fullmatch(slug or ""):
        raise CodingError(_l("Use lower-case letters, digits and hyphens for the short name."))
    if db.session.scalar(sa.select(CodebookTemplate.id).where(CodebookTemplate.slug == slug)):
        raise CodingError(_l("This short name is already used by another template."))
    definition = template_definition(lab)
    if not definition:
        raise CodingError(_l("The codebook is empty: add codes first."))
    template = CodebookTemplate(slug=slug, municipality_id=lab.municipality_id,
                                title={language: title}, definition=definition)
    db.session.add(template)
    audit.record("research.codebook_template_saved", template, actor=actor,
                 municipality=lab.municipality, lab_id=lab.id)
    return template


# -- Codings --------------------------------------------------------------------------------------


def _offset(value) -> int | None:
    """A form's offset: "" or None → None; digits → int; anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    raise CodingError(_l("The selected passage is not valid. Select it again."))


def add_coding(actor, lab, *, code_id, unit_kind: str, unit_id, start=None, end=None,
               memo: str = "") -> Coding:
    """Code a whole unit (no offsets) or a passage of it (``start``/``end`` in code points).

    Refused: a code of another lab, a unit that is not this lab's or whose author
    withdrew, offsets outside the text, the same coding by the same coder twice.
    """
    code = db.session.get(Code, code_id) if isinstance(code_id, int) else None
    if code is None or code.lab_id != lab.id:
        raise CodingError(_l("Choose a code of this lab's codebook."))
    unit = units.get_unit(lab, unit_kind, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        raise CodingError(_l("This text is not part of this lab's material, or may no longer be used."))
    start, end = _offset(start), _offset(end)
    if (start is None) != (end is None):
        raise CodingError(_l("The selected passage is not valid. Select it again."))
    if start is not None and not 0 <= start < end <= unit.length:
        raise CodingError(_l("The selected passage is outside the text. Select it again."))
    memo = (memo or "").strip()
    if len(memo) > MEMO_MAX:
        raise CodingError(_l("Keep the memo under %(max)s characters.", max=MEMO_MAX))
    same = sa.select(Coding.id).where(
        Coding.lab_id == lab.id, Coding.code_id == code.id, Coding.coder_id == actor.id,
        Coding.unit_kind == unit.kind, Coding.unit_id == unit.id,
        Coding.start_pos.is_(None) if start is None else Coding.start_pos == start,
        Coding.end_pos.is_(None) if end is None else Coding.end_pos == end)
    if db.session.scalar(same):
        raise CodingError(_l("You have already coded this with this code."))
    coding = Coding(lab_id=lab.id, code_id=code.id, coder_id=actor.id, unit_kind=unit.kind,
                    unit_id=unit.id, start_pos=start, end_pos=end)
    db.session.add(coding)
    if memo:
        db.session.add(Memo(lab_id=lab.id, author_id=actor.id, code_id=code.id, unit_kind=unit.kind,
                            unit_id=unit.id, text=memo))
    db.session.flush()
    log.info("lab %s: user %s coded %s %s with code %s%s", lab.id, actor.id, unit.kind, unit.id, code.id,
             "" if start is None else f" [{start}:{end}]")
    return coding


def remove_coding(actor, lab, coding: Coding) -> None:
    """Coders remove their own codings only."""
    _own(lab, coding)
    if coding.coder_id != actor.id:
        raise CodingError(_l("You can only remove your own codings."))
    audit.record("research.coding_removed", coding, actor=actor, municipality=lab.municipality,
                 lab_id=lab.id, code_id=coding.code_id, unit=f"{coding.unit_kind}:{coding.unit_id}")
    db.session.delete(coding)


# -- Memos ------------------------------------------------------------------------------------------


def add_memo(actor, lab, *, text: str, code_id=None, unit_kind: str | None = None, unit_id=None) -> Memo:
    """A memo on a code, on a unit, or (neither given) on the lab's coding as a whole."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise CodingError(_l("Write the memo first."))
    if len(text) > MEMO_MAX:
        raise CodingError(_l("Keep the memo under %(max)s characters.", max=MEMO_MAX))
    code = None
    if code_id is not None:
        code = db.session.get(Code, code_id) if isinstance(code_id, int) else None
        if code is None or code.lab_id != lab.id:
            raise CodingError(_l("Choose a code of this lab's codebook."))
    unit = None
    if unit_kind or unit_id is not None:
        unit = units.get_unit(lab, unit_kind, unit_id) if isinstance(unit_id, int) else None
        if unit is None:
            raise CodingError(_l("This text is not part of this lab's material, or may no longer be used."))
    memo = Memo(lab_id=lab.id, author_id=actor.id, code_id=code.id if code else None,
                unit_kind=unit.kind if unit else None, unit_id=unit.id if unit else None, text=text)
    db.session.add(memo)
    db.session.flush()
    log.info("lab %s: memo %s added by user %s", lab.id, memo.id, actor.id)
    return memo


def delete_memo(actor, lab, memo: Memo) -> None:
    """Authors delete their own memos only."""
    _own(lab, memo)
    if memo.author_id != actor.id:
        raise CodingError(_l("You can only delete your own memos."))
    audit.record("research.memo_deleted", memo, actor=actor, municipality=lab.municipality, lab_id=lab.id)
    db.session.delete(memo)

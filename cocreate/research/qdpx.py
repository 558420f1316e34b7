"""REFI-QDA project export (``.qdpx``) and a flat CSV of coded segments.

A ``.qdpx`` is a ZIP holding ``project.qde`` (QDA-XML 1.0, UTF-8 without BOM)
and one plain-text file per source under ``sources/``. NVivo, ATLAS.ti, MAXQDA,
QualCoder and others read it, so a lab's coding can be continued or checked in
the tool a research team already uses.

Layout of the project:

* **Users** — the people who coded or wrote memos, as ``Coder 1``, ``Coder 2`` …
  with a GUID derived from their keyed pseudonym (no names, no addresses).
* **CodeBook** — the lab's codes, nested, with colour and description.
* **Variables + Cases** — one case per pseudonymous participant with their id,
  group and language, linked to every selection of their words.
* **Sources** — one ``TextSource`` per transcript, per survey question with free
  text and per plan's comments. Each unit is preceded by a ``[speaker]`` line and
  gets its own ``PlainTextSelection`` spanning its words, so every unit's place in
  the text is known; whole-unit codings sit in that selection, passage codings in
  selections of their own. Positions are 0-based code points, end exclusive.
* **Notes** — memos, referenced from their code, unit selection or the project.

Only material the consent ledger allows is written (``research.units``). GUIDs
are UUID 5 of stable keys and the ZIP carries fixed timestamps, so exporting the
same data twice gives the same bytes.
"""

from __future__ import annotations

import csv
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa
from lxml import etree

from cocreate.core.i18n import localize
from cocreate.extensions import db
from cocreate.research import pseudonyms, units
from cocreate.research.coding_queries import codebook, span
from cocreate.research.models import Coding, Memo

NS = "urn:QDA-XML:project:1.0"
_GUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://cocreate.eu/refi-qda")
#: ZIP entries carry this time, not the time of the export (identical bytes each time).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Characters XML 1.0 cannot hold; removed from names, descriptions and memos.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: A cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SPEAKERS = {"facilitator": "Facilitator", "unknown": "Unknown speaker", "participant": "Participant"}
SEGMENT_COLUMNS = ["code_key", "code_name", "participant_id", "group", "source", "unit", "start", "end",
                   "quote", "language", "coder"]


def guid(key: str) -> str:
    """A deterministic REFI-QDA GUID (upper-case UUID 5) for a stable key."""
    return str(uuid.uuid5(_GUIDS, key)).upper()


def _xml(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


def _when(value) -> str:
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _el(parent, tag: str, **attributes):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for name, value in attributes.items():
        if value is not None:
            element.set(name, _xml(value))
    return element


def speaker_label(unit: units.Unit) -> str:
    return unit.person or SPEAKERS[unit.speaker]


def source_name(source: units.Source, lab) -> str:
    """A readable, language-stable name: the lab's default language first."""
    title = localize(source.title, lang=lab.default_language, default=source.language).text
    if source.kind == "transcript":
        return f"Transcript: {title}" + (f" ({source.detail})" if source.detail else "")
    if source.kind == "question":
        context = localize(source.context, lang=lab.default_language, default=source.language).text
        return f"{context} – {source.question_code}: {title}"
    return f"Comments: {title}"


# -- What is exported ---------------------------------------------------------------------------


@dataclass
class _Laid:
    """A unit placed in its source's text: where its words start and end."""

    unit: units.Unit
    start: int
    end: int


@dataclass
class _Material:
    sources: list[tuple[units.Source, str, list[_Laid]]]
    laid: dict[tuple[str, int], _Laid]
    codings: dict[tuple[str, int], list[Coding]]
    memos: list[Memo]
    coders: dict[int, tuple[str, str]]  # user id → (GUID, "Coder n")


def _layout(source_units: list[units.Unit]) -> tuple[str, list[_Laid]]:
    """The source's text: each unit as ``[speaker]`` on a line, then its words; units
    apart by an empty line. Offsets count code points (Python indices)."""
    parts, laid, position = [], [], 0
    for index, unit in enumerate(source_units):
        header = ("\n\n" if index else "") + f"[{speaker_label(unit)}]\n"
        position += len(header)
        laid.append(_Laid(unit, position, position + unit.length))
        parts.extend((header, unit.text))
        position += unit.length
    return "".join(parts), laid


def _coders(lab, user_ids) -> dict[int, tuple[str, str]]:
    """Coders by pseudonym: a GUID and a neutral name, numbered in pseudonym order."""
    keyed = sorted((pseudonyms.person_id(lab.id, user_id=user_id), user_id) for user_id in user_ids)
    return {user_id: (guid(f"coder:{pseudonym}"), f"Coder {number}")
            for number, (pseudonym, user_id) in enumerate(keyed, start=1)}


def _material(lab) -> _Material:
    sources, laid = [], {}
    for source, found in units.all_units(lab):
        if not found:
            continue
        text, placed = _layout(found)
        sources.append((source, text, placed))
        laid.update((item.unit.ref, item) for item in placed)
    codings: dict[tuple[str, int], list[Coding]] = defaultdict(list)
    for coding in db.session.scalars(sa.select(Coding).where(Coding.lab_id == lab.id).order_by(Coding.id)):
        ref = (coding.unit_kind, coding.unit_id)
        if ref in laid and span(coding, laid[ref].unit) is not None:
            codings[ref].append(coding)
    memos = [memo for memo in db.session.scalars(sa.select(Memo).where(Memo.lab_id == lab.id).order_by(Memo.id))
             if memo.unit_kind is None or (memo.unit_kind, memo.unit_id) in laid]
    people = {c.coder_id for found in codings.values() for c in found} | {m.author_id for m in memos}
    return _Material(sources, laid, codings, memos, _coders(lab, people - {None}))


def _by_person(material: _Material) -> dict[str, dict]:
    """Per participant: their group and language (most frequent, ties alphabetical) and
    the GUIDs of every selection of their words."""
    found: dict[str, dict] = {}
    for _source, _text, placed in material.sources:
        for item in placed:
            person = item.unit.person
            if not person:
                continue
            entry = found.setdefault(person, {"groups": Counter(), "languages": Counter(), "selections": []})
            if item.unit.group:
                entry["groups"][item.unit.group] += 1
            entry["languages"][item.unit.language] += 1
            entry["selections"].append(_unit_guid(item.unit))
            entry["selections"].extend(guid(f"selection:{c.id}") for c in material.codings[item.unit.ref]
                                       if c.start_pos is not None)
    return found


def _most_common(counter: Counter) -> str:
    return min(counter.items(), key=lambda pair: (-pair[1], pair[0]))[0] if counter else ""


def _unit_guid(unit: units.Unit) -> str:
    return guid(f"unit:{unit.kind}:{unit.id}")


# -- The project file ------------------------------------------------------------------------------


def _coding_element(parent, coding: Coding, material: _Material, code_guids: dict[int, str]) -> None:
    coder = material.coders.get(coding.coder_id)
    element = _el(parent, "Coding", guid=guid(f"coding:{coding.id}"), creatingUser=coder[0] if coder else None,
                  creationDateTime=_when(coding.created_at))
    _el(element, "CodeRef", targetGUID=code_guids[coding.code_id])


def _project(lab, material: _Material) -> etree._Element:
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})
    root.set("name", _xml(localize(lab.title, lang=lab.default_language, default=lab.default_language).text
                          or lab.slug))
    root.set("origin", "Cocreate")
    if material.coders:
        users = _el(root, "Users")
        for user_guid, name in sorted(material.coders.values(), key=lambda pair: int(pair[1].split()[-1])):
            _el(users, "User", guid=user_guid, name=name, id=name)

    memo_guids = {memo.id: guid(f"memo:{memo.id}") for memo in material.memos}
    code_memos, unit_memos, lab_memos = defaultdict(list), defaultdict(list), []
    for memo in material.memos:
        if memo.unit_kind is not None:
            unit_memos[(memo.unit_kind, memo.unit_id)].append(memo_guids[memo.id])
        elif memo.code_id is not None:
            code_memos[memo.code_id].append(memo_guids[memo.id])
        else:
            lab_memos.append(memo_guids[memo.id])

    entries = codebook(lab)
    code_guids = {code.id: guid(f"code:{code.key}") for code, _depth in entries}
    if entries:
        codes = _el(_el(root, "CodeBook"), "Codes")
        elements = {}
        for code, _depth in entries:
            parent = elements[code.parent_id] if code.parent_id else codes
            element = _el(parent, "Code", guid=code_guids[code.id], name=code.name, isCodable="true",
                          color=code.color)
            if code.description:
                _el(element, "Description").text = _xml(code.description)
            for target in code_memos[code.id]:
                _el(element, "NoteRef", targetGUID=target)
            elements[code.id] = element

    people = _by_person(material)
    if people:
        variables = _el(root, "Variables")
        names = (("participant", "Participant id", "The pseudonymous id within this lab."),
                 ("group", "Group", "The person's group code (newcomer, long-term resident, generation …)."),
                 ("language", "Language", "The language the person wrote or spoke in most."))
        for key, name, description in names:
            _el(_el(variables, "Variable", guid=guid(f"variable:{key}"), name=name, typeOfVariable="Text"),
                "Description").text = description
        cases = _el(root, "Cases")
        for person in sorted(people):
            entry = people[person]
            case = _el(cases, "Case", guid=guid(f"case:{person}"), name=person)
            for key, value in (("participant", person), ("group", _most_common(entry["groups"])),
                               ("language", _most_common(entry["languages"]))):
                variable_value = _el(case, "VariableValue")
                _el(variable_value, "VariableRef", targetGUID=guid(f"variable:{key}"))
                _el(variable_value, "TextValue").text = _xml(value)
            for target in entry["selections"]:
                _el(case, "SelectionRef", targetGUID=target)

    if material.sources:
        sources = _el(root, "Sources")
        for source, _text, placed in material.sources:
            source_guid = guid(f"source:{source.key}")
            element = _el(sources, "TextSource", guid=source_guid, name=source_name(source, lab),
                          plainTextPath=f"internal://{source_guid}.txt")
            for item in placed:
                found = material.codings[item.unit.ref]
                selection = _el(element, "PlainTextSelection", guid=_unit_guid(item.unit),
                                name=speaker_label(item.unit), startPosition=str(item.start),
                                endPosition=str(item.end))
                for coding in found:
                    if coding.start_pos is None:
                        _coding_element(selection, coding, material, code_guids)
                for target in unit_memos[item.unit.ref]:
                    _el(selection, "NoteRef", targetGUID=target)
                for coding in sorted((c for c in found if c.start_pos is not None),
                                     key=lambda c: (span(c, item.unit), c.id)):
                    start, end = span(coding, item.unit)
                    passage = _el(element, "PlainTextSelection", guid=guid(f"selection:{coding.id}"),
                                  name=speaker_label(item.unit), startPosition=str(item.start + start),
                                  endPosition=str(item.start + end))
                    _coding_element(passage, coding, material, code_guids)

    if material.memos:
        notes = _el(root, "Notes")
        for memo in material.memos:
            author = material.coders.get(memo.author_id)
            note = _el(notes, "Note", guid=memo_guids[memo.id], name=f"Memo {memo.id}",
                       creatingUser=author[0] if author else None, creationDateTime=_when(memo.created_at))
            _el(note, "PlainTextContent").text = _xml(memo.text)
    for target in lab_memos:
        _el(root, "NoteRef", targetGUID=target)
    return root


def _entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write_qdpx(lab, out) -> int:
    """Write the lab's REFI-QDA project to the binary stream ``out``; returns the
    number of codings written."""
    material = _material(lab)
    project = etree.tostring(_project(lab, material), xml_declaration=True, encoding="UTF-8",
                             pretty_print=True)
    with zipfile.ZipFile(out, "w") as archive:
        _entry(archive, "project.qde", project)
        for source, text, _placed in material.sources:
            _entry(archive, f"sources/{guid(f'source:{source.key}')}.txt", text.encode("utf-8"))
    return sum(len(found) for found in material.codings.values())


# -- Coded segments as CSV ---------------------------------------------------------------------------


def _cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (a leading ')."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_segments_csv(lab, out) -> int:
    """One row per coded segment to the text stream ``out``; returns the number of rows.

    ``start``/``end`` are code points within the unit's own text (end exclusive); a
    whole-unit coding spans the unit. The coder is named as in the ``.qdpx`` export.
    """
    material = _material(lab)
    codes = {code.id: code for code, _depth in codebook(lab)}
    names = {source.key: source_name(source, lab) for source, _text, _placed in material.sources}
    writer = csv.writer(out)
    writer.writerow(SEGMENT_COLUMNS)
    rows = 0
    for _source, _text, placed in material.sources:
        for item in placed:
            for coding in material.codings[item.unit.ref]:
                start, end = span(coding, item.unit)
                code, coder = codes[coding.code_id], material.coders.get(coding.coder_id)
                writer.writerow([_cell(value) for value in (
                    code.key, code.name, item.unit.person or SPEAKERS[item.unit.speaker], item.unit.group,
                    names[item.unit.source_key], f"{item.unit.kind}:{item.unit.id}", start, end,
                    item.unit.text[start:end], item.unit.language, coder[1] if coder else "")])
                rows += 1
    return rows

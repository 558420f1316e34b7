"""The REFI-QDA export: schema-valid, deterministic, selections on the right characters,
Arabic and emoji intact, only consented material, no names; and the segments CSV."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from cocreate.extensions import db
from cocreate.research import coding, pseudonyms, units
from cocreate.research.models import Coding, Memo
from cocreate.research.qdpx import SEGMENT_COLUMNS, guid, write_qdpx, write_segments_csv
from tests.research.coding_material import ARABIC_EMOJI, EMOJI_TEXT, build

SCHEMA_NAME = "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


def schema_path() -> Path:
    """The shared schema next to the repository, else the copy kept with these tests."""
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "refi-qda" / SCHEMA_NAME
    return shared if shared.exists() else Path(__file__).resolve().parent / "data" / SCHEMA_NAME


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(schema_path())))


def export(lab) -> tuple[bytes, int]:
    out = io.BytesIO()
    count = write_qdpx(lab, out)
    return out.getvalue(), count


def open_project(data: bytes, schema):
    archive = zipfile.ZipFile(io.BytesIO(data))
    raw = archive.read("project.qde")
    assert raw.startswith(b"<?xml") and not raw.startswith(b"\xef\xbb\xbf")
    root = etree.fromstring(raw)
    schema.assertValid(root)
    texts = {}
    for source in root.iterfind(".//q:TextSource", NS):
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        raw_text = archive.read(f"sources/{source.get('guid')}.txt")
        assert not raw_text.startswith(b"\xef\xbb\xbf")
        texts[source.get("guid")] = raw_text.decode("utf-8")
    return archive, root, texts


@pytest.fixture
def coded(app, make_municipality, make_user, make_lab, make_survey, make_session):
    material = build(app, make_municipality, make_user, make_lab, make_survey, make_session)
    lab, researcher = material.lab, material.researcher
    colleague = make_user(roles=[(material.town, "researcher")], name="Colin Colleague",
                          email="colin@research.example.org")
    language = coding.create_code(researcher, lab, name="Language", description="Learning languages",
                                  color="#1f77b4")
    courses = coding.create_code(researcher, lab, name="Evening courses", parent_id=language.id, color="#aec7e8")
    other = coding.create_code(researcher, lab, name="Other", color="#ff7f0e")
    allowed = material.allowed
    start = ARABIC_EMOJI.index("نريد")
    comment_start = EMOJI_TEXT.index("evening")
    expected = {}

    def add(actor, code, ref, span=(None, None), quote=None, memo=""):
        found = coding.add_coding(actor, lab, code_id=code.id, unit_kind=ref[0], unit_id=ref[1],
                                  start=span[0], end=span[1], memo=memo)
        expected[found.id] = quote
        return found

    add(researcher, language, allowed["turn_arabic"], quote=ARABIC_EMOJI, memo="Over avondlessen")
    add(colleague, language, allowed["turn_arabic"], quote=ARABIC_EMOJI)
    add(researcher, courses, allowed["answer_arabic"], (start, start + len("نريد دروسا")), "نريد دروسا")
    add(colleague, courses, allowed["comment_emoji"], (comment_start, comment_start + len("evening lessons")),
        "evening lessons")
    add(researcher, other, allowed["answer_other"], quote="=SUM(A1)")
    add(researcher, other, allowed["turn_facilitator"], (0, 6), "Welkom")
    # A coding made before consent was withdrawn (or of a declined unit) never leaves.
    db.session.add(Coding(lab_id=lab.id, code_id=other.id, coder_id=researcher.id, unit_kind="turn",
                          unit_id=material.hidden["turn_refusing"][1]))
    coding.add_memo(researcher, lab, text="Algemene indruk: veel over taal")
    coding.add_memo(colleague, lab, text="Definitie: ook avondcursussen", code_id=language.id)
    coding.add_memo(researcher, lab, text="Zegt het twee keer", unit_kind="turn",
                    unit_id=material.allowed["turn_arabic"][1])
    db.session.add(Memo(lab_id=lab.id, author_id=researcher.id, unit_kind="turn", text="Dit mag niet mee",
                        unit_id=material.hidden["turn_refusing"][1]))
    db.session.flush()
    material.expected = expected
    material.codes = {"language": language, "courses": courses, "other": other}
    return material


def test_export_is_valid_and_points_at_the_right_characters(coded, schema):
    data, count = export(coded.lab)
    assert count == 6
    _archive, root, texts = open_project(data, schema)

    for source in root.iterfind(".//q:TextSource", NS):
        text = texts[source.get("guid")]
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)
            for element in selection.iterfind("q:Coding", NS):
                coding_id = next(i for i in coded.expected if guid(f"coding:{i}") == element.get("guid"))
                assert text[start:end] == coded.expected[coding_id]
    coded_guids = {e.get("guid") for e in root.iterfind(".//q:Coding", NS)}
    assert coded_guids == {guid(f"coding:{i}") for i in coded.expected}

    # Every unit has a selection spanning exactly its words.
    found = units.units_by_ref(coded.lab, coded.allowed.values())
    selections = {s.get("guid"): s for s in root.iterfind(".//q:PlainTextSelection", NS)}
    for ref, unit in found.items():
        selection = selections[guid(f"unit:{ref[0]}:{ref[1]}")]
        text = texts[selection.getparent().get("guid")]
        assert text[int(selection.get("startPosition")):int(selection.get("endPosition"))] == unit.text
    assert any(ARABIC_EMOJI in text for text in texts.values())
    assert any(EMOJI_TEXT in text for text in texts.values())


def test_export_structure_codebook_users_cases_and_notes(coded, schema):
    _archive, root, _texts = open_project(export(coded.lab)[0], schema)
    for element in root.iter():
        for name in ("guid", "targetGUID", "creatingUser"):
            if element.get(name):
                assert GUID.fullmatch(element.get(name)), (element.tag, name)

    codes = root.find("q:CodeBook/q:Codes", NS)
    language = codes.find("q:Code[@name='Language']", NS)
    assert language.get("isCodable") == "true" and language.get("color") == "#1f77b4"
    assert language.find("q:Description", NS).text == "Learning languages"
    assert language.find("q:Code", NS).get("name") == "Evening courses"
    assert language.get("guid") == guid("code:language")

    users = root.findall("q:Users/q:User", NS)
    assert sorted(u.get("name") for u in users) == ["Coder 1", "Coder 2"]

    cases = {case.get("name"): case for case in root.iterfind("q:Cases/q:Case", NS)}
    amal = pseudonyms.person_id(coded.lab.id, email="amal@secret.example.org")
    assert amal in cases
    values = {v.find("q:VariableRef", NS).get("targetGUID"): v.find("q:TextValue", NS).text
              for v in cases[amal].iterfind("q:VariableValue", NS)}
    assert values == {guid("variable:participant"): amal, guid("variable:group"): "FG_GROUP_1",
                      guid("variable:language"): "ar"}
    selection_guids = {s.get("guid") for s in root.iterfind(".//q:PlainTextSelection", NS)}
    for case in cases.values():
        refs = [ref.get("targetGUID") for ref in case.iterfind("q:SelectionRef", NS)]
        assert refs and set(refs) <= selection_guids

    notes = {note.get("guid"): note.find("q:PlainTextContent", NS).text for note in root.iterfind("q:Notes/q:Note", NS)}
    assert set(notes.values()) == {"Algemene indruk: veel over taal", "Definitie: ook avondcursussen",
                                   "Over avondlessen", "Zegt het twee keer"}
    note_refs = {ref.get("targetGUID") for ref in root.iter("{urn:QDA-XML:project:1.0}NoteRef")}
    assert note_refs == set(notes)
    assert [ref.get("targetGUID") for ref in root.findall("q:NoteRef", NS)] == \
        [g for g, text in notes.items() if text.startswith("Algemene")]
    assert language.find("q:NoteRef", NS) is not None


def test_export_holds_no_names_and_nothing_without_consent(coded, schema):
    archive, _root, _texts = open_project(export(coded.lab)[0], schema)
    everything = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for secret in ("Amal Secret", "Bert", "secret.example.org", "Rita", "Colin", "research.example.org",
                   "Moderator Mona", "Commenter", "Dit mag niemand lezen", "Ik wil niet onderzocht worden",
                   "Later trok ik", "Geen onderzoek", "Dit mag niet mee", "Ik trek mijn toestemming in",
                   "Hidden by a moderator"):
        assert secret not in everything, secret
    assert "[Facilitator]" in everything


def test_export_is_deterministic(coded):
    first, _count = export(coded.lab)
    second, _count = export(coded.lab)
    assert first == second


def test_an_empty_lab_exports_a_valid_project(app, make_municipality, make_lab, schema):
    lab = make_lab(make_municipality())
    data, count = export(lab)
    assert count == 0
    archive, root, texts = open_project(data, schema)
    assert archive.namelist() == ["project.qde"] and texts == {}
    assert root.get("name") == "Samen leven"


def test_segments_csv(coded):
    out = io.StringIO()
    rows = write_segments_csv(coded.lab, out)
    assert rows == 6
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(table[0]) == SEGMENT_COLUMNS and len(table) == 6
    quotes = {row["quote"] for row in table}
    assert {"نريد دروسا", "evening lessons", ARABIC_EMOJI, "Welkom", "'=SUM(A1)"} <= quotes
    arabic = next(row for row in table if row["quote"] == "نريد دروسا")
    start = ARABIC_EMOJI.index("نريد")
    assert (arabic["start"], arabic["end"], arabic["language"], arabic["code_key"]) == \
        (str(start), str(start + len("نريد دروسا")), "ar", "evening-courses")
    assert {row["coder"] for row in table} == {"Coder 1", "Coder 2"}
    assert next(row for row in table if row["quote"] == "Welkom")["participant_id"] == "Facilitator"
    assert "Secret" not in out.getvalue() and "@" not in out.getvalue()

"""Qualitative coding: text units through the consent ledger, the codebook (CRUD, cycles,
templates), coding whole units and passages (code points, emoji, Arabic), refusals
that store nothing, coders' own codings, memos, the per-code view and agreement."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.accounts.models import ConsentRecord, User
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.labs.models import Lab
from cocreate.research import coding, pseudonyms, units
from cocreate.research import coding_queries as queries
from cocreate.research.models import Code, CodebookTemplate, Coding, Memo
from tests.research.coding_material import ARABIC_EMOJI, EMOJI_TEXT, build, coding_url

TEMPLATE = [
    {"key": "language", "name": "Language", "description": "Learning and using languages.", "color": "#1f77b4",
     "children": [{"key": "language-courses", "name": "Language courses", "description": "", "color": "#aec7e8",
                   "children": []}]},
    {"key": "housing", "name": "Housing", "description": "", "color": "#ff7f0e", "children": []},
]


@pytest.fixture
def material(app, make_municipality, make_user, make_lab, make_survey, make_session):
    return build(app, make_municipality, make_user, make_lab, make_survey, make_session)


@pytest.fixture
def researcher_client(client, material):
    client.login_as(material.researcher)
    return client


def add_code(material, name="Housing", parent=None, **kwargs):
    code = coding.create_code(material.researcher, material.lab, name=name,
                              parent_id=parent.id if parent else None, **kwargs)
    db.session.flush()
    return code


def coding_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Coding))


def code_unit(client, material, code, ref, start="", end="", memo="", follow=True):
    source = units.get_unit(material.lab, *ref)
    return client.post_form(coding_url(material, "/codings"), {
        "code": str(code.id), "unit_kind": ref[0], "unit_id": str(ref[1]), "start": str(start),
        "end": str(end), "memo": memo,
        "next": coding_url(material, f"/sources/{source.source_key}") if source else ""},
        follow_redirects=follow)


# -- Units and consent ---------------------------------------------------------------------------


def test_units_are_only_those_of_people_who_agreed(material):
    lab = material.lab
    listed = {unit.ref for _source, found in units.all_units(lab) for unit in found}
    assert listed == set(material.allowed.values())
    for ref in material.hidden.values():
        assert units.get_unit(lab, *ref) is None
    counts = {source.key: source.unit_count for source in units.sources(lab)}
    assert counts == {f"transcript-{material.transcript.id}": 2, f"question-{material.survey.id}-T1": 1,
                      f"question-{material.survey.id}-T2": 1, f"plan-{material.plan.id}": 1}


def test_withdrawing_consent_takes_units_out_at_once(material):
    ref = material.allowed["comment_emoji"]
    assert units.get_unit(material.lab, *ref) is not None
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.context == f"plan:{material.plan.id}")
                       .values(withdrawn_at=utcnow()))
    assert units.get_unit(material.lab, *ref) is None


def test_units_carry_pseudonyms_groups_and_languages(material):
    lab = material.lab
    found = units.units_by_ref(lab, material.allowed.values())
    arabic = found[material.allowed["answer_arabic"]]
    assert arabic.text == ARABIC_EMOJI and arabic.language == "ar" and arabic.group == "GEN_1"
    assert arabic.person.startswith("R")  # anonymous response: linked to no one
    assert found[material.allowed["answer_other"]].group == "ORIGIN_1"  # no generation answer
    turn = found[material.allowed["turn_arabic"]]
    assert turn.person == pseudonyms.person_id(lab.id, email="amal@secret.example.org")
    assert turn.group == screening.NEWCOMER
    facilitator = found[material.allowed["turn_facilitator"]]
    assert facilitator.person is None and facilitator.speaker == "facilitator"
    comment = found[material.allowed["comment_emoji"]]
    assert comment.text == EMOJI_TEXT and comment.person.startswith("P")


def test_units_of_another_lab_are_not_found(material, make_lab):
    other_lab = make_lab(material.town)
    assert units.units_by_ref(other_lab, material.allowed.values()) == {}


# -- Codebook --------------------------------------------------------------------------------------


def test_codebook_add_edit_move_and_refuse_cycles(researcher_client, material):
    client = researcher_client
    response = client.post_form(coding_url(material, "/codebook"),
                                {"name": "Werk", "description": "Over werk", "color": "#AA0000", "parent": ""})
    assert response.status_code == 302
    work = db.session.scalar(sa.select(Code).where(Code.lab_id == material.lab.id))
    assert (work.name, work.key, work.color, work.parent_id) == ("Werk", "werk", "#aa0000", None)
    response = client.post_form(coding_url(material, "/codebook"),
                                {"name": "Vrijwilligerswerk", "color": "#00aa00", "parent": str(work.id)})
    child = db.session.scalar(sa.select(Code).where(Code.key == "vrijwilligerswerk"))
    assert child.parent_id == work.id

    page = client.get(coding_url(material, "/codebook"))
    assert page.status_code == 200 and "Vrijwilligerswerk" in page.text and 'fill="#00aa00"' in page.text

    # Moving a code under its own child would make a cycle: refused, nothing changes.
    response = client.post_form(coding_url(material, f"/codes/{work.id}/edit"),
                                {"name": "Werk", "color": "#aa0000", "parent": str(child.id)})
    assert response.status_code == 400
    assert "cannot be moved under itself or under one of its own sub-codes" in response.text
    db.session.expire_all()
    assert db.session.get(Code, work.id).parent_id is None
    response = client.post_form(coding_url(material, f"/codes/{work.id}/edit"),
                                {"name": "Werk", "color": "#aa0000", "parent": str(work.id)})
    assert response.status_code == 400

    # Rename, recolour and move the child to the top level.
    response = client.post_form(coding_url(material, f"/codes/{child.id}/edit"),
                                {"name": "Vrijwillig werk", "description": "", "color": "#0000ff", "parent": ""})
    assert response.status_code == 302
    db.session.expire_all()
    child = db.session.get(Code, child.id)
    assert (child.name, child.color, child.parent_id, child.key) == ("Vrijwillig werk", "#0000ff", None,
                                                                       "vrijwilligerswerk")


@pytest.mark.parametrize("data,message", [
    ({"name": "", "color": "#aa0000", "parent": ""}, "Give the code a name."),
    ({"name": "x" * 121, "color": "#aa0000", "parent": ""}, "Keep the name under 120 characters."),
    ({"name": "Ok", "color": "red", "parent": ""}, "Choose a colour as #RRGGBB"),
    ({"name": "Ok", "color": "#aa0000", "parent": "999999"}, "The parent code is not in this lab"),
    ({"name": "Ok", "color": "#aa0000", "parent": "abc"}, "The parent code is not in this lab"),
])
def test_bad_code_input_is_refused(researcher_client, material, data, message):
    response = researcher_client.post_form(coding_url(material, "/codebook"), data)
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == 0


def test_delete_a_code_says_how_many_codings_go(researcher_client, material):
    parent = add_code(material, "Taal")
    child = add_code(material, "Taalles", parent=parent)
    coding.add_coding(material.researcher, material.lab, code_id=child.id,
                      unit_kind="comment", unit_id=material.allowed["comment_emoji"][1])
    coding.add_coding(material.researcher, material.lab, code_id=parent.id,
                      unit_kind="turn", unit_id=material.allowed["turn_arabic"][1])
    coding.add_memo(material.researcher, material.lab, text="Over taal", code_id=parent.id)
    db.session.flush()
    page = researcher_client.get(coding_url(material, f"/codes/{parent.id}/delete"))
    assert page.status_code == 200
    assert "2 codings will be deleted" in page.text and "Its 1 sub-code is deleted too." in page.text
    assert coding_count() == 2
    response = researcher_client.post_form(coding_url(material, f"/codes/{parent.id}/delete"), {},
                                           follow_redirects=True)
    assert "is deleted, with 2 codings" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == 0
    assert coding_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Memo)) == 0


def test_template_import_keeps_keys_and_is_idempotent(researcher_client, material, make_municipality):
    shared = CodebookTemplate(slug="shared-themes", municipality_id=None, title={"en": "Themes"},
                              definition=TEMPLATE)
    foreign = CodebookTemplate(slug="foreign-themes", municipality_id=make_municipality().id,
                               title={"en": "Not yours"}, definition=[{"key": "x", "name": "X", "children": []}])
    db.session.add_all([shared, foreign])
    db.session.flush()
    # A code with a template key already exists: it is kept, its child is added beneath it.
    existing = add_code(material, "Taal (eigen)", key="language")
    page = researcher_client.get(coding_url(material, "/codebook"))
    assert "Themes" in page.text and "Not yours" not in page.text

    response = researcher_client.post_form(coding_url(material, "/codebook/import"),
                                           {"template": str(shared.id)}, follow_redirects=True)
    assert "2 codes were added from the template." in response.text
    codes = {code.key: code for code in queries.lab_codes(material.lab)}
    assert set(codes) == {"language", "language-courses", "housing"}
    assert codes["language"].name == "Taal (eigen)" and codes["language-courses"].parent_id == existing.id
    assert codes["housing"].color == "#ff7f0e"

    response = researcher_client.post_form(coding_url(material, "/codebook/import"),
                                           {"template": str(shared.id)}, follow_redirects=True)
    assert "Every code of this template is already in the codebook." in response.text
    assert len(queries.lab_codes(material.lab)) == 3

    response = researcher_client.post_form(coding_url(material, "/codebook/import"),
                                           {"template": str(foreign.id)}, follow_redirects=True)
    assert "Choose one of the templates offered here." in response.text
    assert len(queries.lab_codes(material.lab)) == 3


def test_save_the_codebook_as_a_template_of_the_town(researcher_client, material):
    parent = add_code(material, "Wonen", color="#123456", description="Alles over wonen")
    add_code(material, "Huurprijs", parent=parent)
    response = researcher_client.post_form(coding_url(material, "/codebook/template"),
                                           {"title": "Ninove themes", "slug": "ninove-themes"},
                                           follow_redirects=True)
    assert "saved as a template" in response.text
    template = db.session.scalar(sa.select(CodebookTemplate).where(CodebookTemplate.slug == "ninove-themes"))
    assert template.municipality_id == material.town.id
    assert template.definition == [{"key": "wonen", "name": "Wonen", "description": "Alles over wonen",
                                    "color": "#123456", "children": [
                                        {"key": "huurprijs", "name": "Huurprijs", "description": "",
                                         "color": coding.DEFAULT_COLOR, "children": []}]}]
    response = researcher_client.post_form(coding_url(material, "/codebook/template"),
                                           {"title": "Again", "slug": "ninove-themes"}, follow_redirects=True)
    assert "already used by another template" in response.text


# -- Coding ----------------------------------------------------------------------------------------


def test_code_a_whole_unit_without_javascript(researcher_client, material):
    code = add_code(material, "Taal")
    ref = material.allowed["turn_arabic"]
    page = code_unit(researcher_client, material, code, ref)
    assert page.status_code == 200 and "The coding is saved." in page.text
    stored = db.session.scalar(sa.select(Coding))
    assert (stored.unit_kind, stored.unit_id, stored.start_pos, stored.end_pos) == (*ref, None, None)
    assert stored.coder_id == material.researcher.id
    # The source page shows the coding with its colour chip, name and coder, and a form
    # that works without JavaScript (a plain select and submit button).
    assert 'fill="#1f6f8b"' in page.text and "Rita Researcher" in page.text and "whole text" in page.text
    assert re.search(r'<select id="code-turn-\d+" name="code">', page.text)
    # Participants' words carry their own language and direction.
    assert f'lang="ar" dir="rtl">{ARABIC_EMOJI}</p>' in page.text


def test_a_passage_is_counted_in_code_points_with_emoji_and_arabic(researcher_client, material):
    code = add_code(material, "Avondles")
    ref = material.allowed["answer_arabic"]
    start = ARABIC_EMOJI.index("نريد")
    end = start + len("نريد دروسا")
    # Code points, not UTF-16 units: the emoji before the passage counts 2, not 4.
    assert len(ARABIC_EMOJI[:start].encode("utf-16-le")) // 2 == start + 2
    page = code_unit(researcher_client, material, code, ref, start, end)
    assert "The coding is saved." in page.text
    stored = db.session.scalar(sa.select(Coding))
    assert (stored.start_pos, stored.end_pos) == (start, end)
    assert '<q lang="ar" dir="rtl">نريد دروسا</q>' in page.text

    comment = material.allowed["comment_emoji"]
    start = EMOJI_TEXT.index("evening")
    code_unit(researcher_client, material, code, comment, start, start + len("evening lessons"))
    segment = next(s for s in queries.segments(material.lab) if s.unit.ref == comment)
    assert segment.quote == "evening lessons"
    whole = code_unit(researcher_client, material, code, comment, 0, len(EMOJI_TEXT))
    assert "The coding is saved." in whole.text  # the end of the text is a valid end


@pytest.mark.parametrize("start,end,message", [
    ("5", "5", "outside the text"),
    ("6", "2", "outside the text"),
    ("0", "999", "outside the text"),
    ("-1", "3", "not valid"),
    ("abc", "3", "not valid"),
    ("1.5", "3", "not valid"),
    ("3", "", "not valid"),
    ("", "3", "not valid"),
    ("１", "３", "not valid"),  # full-width digits are digits to Python, not offsets
    ("9" * 30, "9" * 31, "not valid"),
])
def test_bad_offsets_store_nothing(researcher_client, material, start, end, message):
    code = add_code(material)
    page = code_unit(researcher_client, material, code, material.allowed["answer_arabic"], start, end)
    assert page.status_code == 200 and message in page.text
    assert coding_count() == 0


def test_unknown_or_foreign_codes_and_units_store_nothing(researcher_client, material, make_lab,
                                                          make_municipality):
    code = add_code(material)
    other_lab_code = coding.create_code(material.researcher, make_lab(material.town), name="Elders")
    foreign_code = coding.create_code(material.researcher, make_lab(make_municipality()), name="Buitenland")
    db.session.flush()
    ref = material.allowed["turn_arabic"]
    client = researcher_client
    for code_id in ("999999", str(other_lab_code.id), str(foreign_code.id), "x", ""):
        page = client.post_form(coding_url(material, "/codings"),
                                {"code": code_id, "unit_kind": ref[0], "unit_id": str(ref[1])},
                                follow_redirects=True)
        assert "Choose a code of this lab" in page.text, code_id
    for kind, unit_id in [*material.hidden.values(), ("turn", 999999), ("paragraph", ref[1]),
                          ("turn", "abc"), ("", "")]:
        page = client.post_form(coding_url(material, "/codings"),
                                {"code": str(code.id), "unit_kind": kind, "unit_id": str(unit_id)},
                                follow_redirects=True)
        assert "not part of this lab" in page.text, (kind, unit_id)
    page = code_unit(client, material, code, ref, memo="x" * 4001)
    assert "Keep the memo under 4000 characters." in page.text
    assert coding_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Memo)) == 0


def test_a_unit_of_another_lab_cannot_be_coded_here(material, make_lab):
    other = make_lab(material.town)
    code = coding.create_code(material.researcher, other, name="Elders")
    with pytest.raises(coding.CodingError):
        coding.add_coding(material.researcher, other, code_id=code.id, unit_kind="comment",
                          unit_id=material.allowed["comment_emoji"][1])


def test_the_same_coding_twice_is_refused(researcher_client, material):
    code = add_code(material)
    ref = material.allowed["turn_facilitator"]
    code_unit(researcher_client, material, code, ref)
    page = code_unit(researcher_client, material, code, ref)
    assert "You have already coded this with this code." in page.text
    assert coding_count() == 1


def test_coders_remove_only_their_own_codings(researcher_client, material, make_user):
    colleague = make_user(roles=[(material.town, "researcher")], name="Colleague")
    code = add_code(material)
    ref = material.allowed["comment_emoji"]
    theirs = coding.add_coding(colleague, material.lab, code_id=code.id, unit_kind=ref[0], unit_id=ref[1])
    mine = coding.add_coding(material.researcher, material.lab, code_id=code.id, unit_kind=ref[0],
                             unit_id=ref[1], start=0, end=5)
    db.session.flush()
    mine_id, theirs_id = mine.id, theirs.id
    page = researcher_client.get(coding_url(material, f"/sources/plan-{material.plan.id}"))
    assert f"/codings/{mine_id}/delete" in page.text and f"/codings/{theirs_id}/delete" not in page.text
    response = researcher_client.post_form(coding_url(material, f"/codings/{theirs_id}/delete"), {},
                                           follow_redirects=True)
    assert "You can only remove your own codings." in response.text
    assert db.session.get(Coding, theirs_id) is not None
    response = researcher_client.post_form(coding_url(material, f"/codings/{mine_id}/delete"), {},
                                           follow_redirects=True)
    assert "The coding is removed." in response.text
    db.session.expunge_all()
    assert db.session.get(Coding, mine_id) is None and db.session.get(Coding, theirs_id) is not None


def test_codings_of_another_lab_are_404(researcher_client, material, make_lab):
    other = make_lab(material.town)
    code = coding.create_code(material.researcher, other, name="Elders")
    memo = coding.add_memo(material.researcher, other, text="Elders")
    db.session.flush()
    assert researcher_client.get(coding_url(material, f"/codes/{code.id}")).status_code == 404
    assert researcher_client.post_form(coding_url(material, f"/memos/{memo.id}/delete"), {}).status_code == 404
    assert researcher_client.get(coding_url(material, "/sources/transcript-999999")).status_code == 404
    assert researcher_client.get(coding_url(material, "/sources/nonsense")).status_code == 404


def test_source_pages_are_paged_and_list_only_consented_units(researcher_client, material):
    page = researcher_client.get(coding_url(material, f"/sources/transcript-{material.transcript.id}?page=x"))
    assert page.status_code == 200
    assert "Welkom allemaal." in page.text and "Dit mag niemand lezen." not in page.text
    assert "Facilitator" in page.text
    for secret in ("Amal Secret", "amal@secret", "Bert", "Moderator Mona"):
        assert secret not in page.text
    question = researcher_client.get(coding_url(material, f"/sources/question-{material.survey.id}-T1?page=99"))
    assert question.status_code == 200 and ARABIC_EMOJI in question.text
    assert "Ik wil niet onderzocht worden" not in question.text and "toestemming" not in question.text


# -- Memos -----------------------------------------------------------------------------------------


def test_memos_on_the_lab_a_code_and_a_unit(researcher_client, material, make_user):
    client = researcher_client
    code = add_code(material, "Wonen")
    ref = material.allowed["turn_arabic"]
    page = code_unit(client, material, code, ref, memo="Spreekt over avondlessen")
    assert "Spreekt over avondlessen" in page.text
    client.post_form(coding_url(material, "/memos"), {"text": "Algemene indruk", "next": coding_url(material)})
    client.post_form(coding_url(material, "/memos"), {"text": "Definitie aanscherpen", "code_id": str(code.id)})
    overview = client.get(coding_url(material))
    assert "Algemene indruk" in overview.text and "Definitie aanscherpen" not in overview.text
    code_page = client.get(coding_url(material, f"/codes/{code.id}"))
    assert "Definitie aanscherpen" in code_page.text and "Algemene indruk" not in code_page.text

    for data in ({"text": ""}, {"text": "x" * 4001}, {"text": "Ok", "code_id": "999999"},
                 {"text": "Ok", "unit_kind": "turn", "unit_id": str(material.hidden["turn_refusing"][1])}):
        client.post_form(coding_url(material, "/memos"), data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Memo)) == 3

    colleague = make_user(roles=[(material.town, "researcher")])
    theirs = coding.add_memo(colleague, material.lab, text="Van een collega")
    db.session.flush()
    response = client.post_form(coding_url(material, f"/memos/{theirs.id}/delete"), {}, follow_redirects=True)
    assert "You can only delete your own memos." in response.text
    mine = db.session.scalar(sa.select(Memo).where(Memo.text == "Algemene indruk"))
    response = client.post_form(coding_url(material, f"/memos/{mine.id}/delete"), {}, follow_redirects=True)
    assert "The memo is deleted." in response.text


# -- Per-code view and agreement ---------------------------------------------------------------------


def test_per_code_view_shows_pseudonymous_quotes_and_counts_by_group(researcher_client, material):
    lab = material.lab
    parent = add_code(material, "Taal")
    child = add_code(material, "Avondles", parent=parent)
    start = ARABIC_EMOJI.index("نريد")
    for ref, code, span in ((material.allowed["turn_arabic"], parent, (start, len(ARABIC_EMOJI))),
                            (material.allowed["turn_facilitator"], parent, ("", "")),
                            (material.allowed["comment_emoji"], child, ("", "")),
                            (material.allowed["answer_arabic"], child, ("", ""))):
        coding.add_coding(material.researcher, lab, code_id=code.id, unit_kind=ref[0], unit_id=ref[1],
                          start=span[0], end=span[1])
    db.session.flush()
    page = researcher_client.get(coding_url(material, f"/codes/{parent.id}"))
    assert page.status_code == 200
    assert "Research only." in page.text
    assert "نريد دروسا في المساء" in page.text and "Facilitator" in page.text
    assert pseudonyms.person_id(lab.id, email="amal@secret.example.org") in page.text
    assert EMOJI_TEXT not in page.text  # the child's segment only with its sub-codes
    for secret in ("Amal Secret", "amal@secret", "Moderator Mona", "Commenter", "commenter"):
        assert secret not in page.text
    assert "Less than 10 years" in page.text  # the newcomer group, by its label

    with_children = researcher_client.get(coding_url(material, f"/codes/{parent.id}?children=1"))
    assert EMOJI_TEXT in with_children.text and ARABIC_EMOJI in with_children.text
    counts = dict((group, (n, people)) for group, n, people in queries.group_counts(
        queries.segments(lab, queries.subtree_ids(parent))))
    assert counts[screening.NEWCOMER] == (1, 1) and counts["GEN_1"] == (1, 1) and counts[""] == (2, 1)

    # Withdrawn consent takes the segment out of the view.
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.context == f"plan:{material.plan.id}")
                       .values(withdrawn_at=utcnow()))
    after = researcher_client.get(coding_url(material, f"/codes/{parent.id}?children=1"))
    assert EMOJI_TEXT not in after.text and ARABIC_EMOJI in after.text


def test_agreement_between_two_coders(researcher_client, material, make_user):
    lab = material.lab
    colleague = make_user(roles=[(material.town, "researcher")], name="Colleague")
    housing, language = add_code(material, "Wonen"), add_code(material, "Taal")
    add_code(material, "Werk")  # used by nobody: kappa is undefined
    refs = list(material.allowed.values())
    for index, ref in enumerate(refs[:4]):
        coding.add_coding(material.researcher, lab, code_id=housing.id, unit_kind=ref[0], unit_id=ref[1])
        if index < 2:
            coding.add_coding(colleague, lab, code_id=housing.id, unit_kind=ref[0], unit_id=ref[1])
        else:
            coding.add_coding(colleague, lab, code_id=language.id, unit_kind=ref[0], unit_id=ref[1])
    db.session.flush()
    page = researcher_client.get(coding_url(material, "/agreement"))
    assert page.status_code == 200 and "Colleague" in page.text
    url = coding_url(material, f"/agreement?a={material.researcher.id}&b={colleague.id}")
    page = researcher_client.get(url)
    assert page.status_code == 200
    assert "4 texts were coded by both." in page.text
    # "Wonen": one coder always, the other half the time; "Taal": one never, the other half:
    # both agree exactly as often as chance would (kappa 0); "Werk": nobody, so no kappa.
    assert page.text.count("<td>0.00</td>") == 2 and page.text.count("Slight agreement") == 2
    assert "nothing to compare with chance" in page.text
    bad = researcher_client.get(coding_url(material, f"/agreement?a={material.researcher.id}&b=999999"))
    assert bad.status_code == 400 and "Choose a person who coded in this lab." in bad.text
    same = researcher_client.get(coding_url(material, f"/agreement?a={colleague.id}&b={colleague.id}"))
    assert same.status_code == 400 and "Choose two different coders." in same.text


def test_overview_lists_sources_codes_and_coders(researcher_client, material):
    code = add_code(material, "Wonen")
    coding.add_coding(material.researcher, material.lab, code_id=code.id, unit_kind="turn",
                      unit_id=material.allowed["turn_arabic"][1])
    db.session.flush()
    page = researcher_client.get(coding_url(material))
    assert page.status_code == 200
    assert f"sources/transcript-{material.transcript.id}" in page.text
    assert f"sources/question-{material.survey.id}-T1" in page.text and f"sources/plan-{material.plan.id}" in page.text
    assert "1 coding" in page.text and "Rita Researcher" in page.text


@pytest.mark.parametrize("role", ["official", "admin", "participant"])
def test_only_researchers_code(client, material, make_user, role):
    client.login_as(make_user(roles=[(material.town, role)]))
    assert client.get(coding_url(material)).status_code == 403
    client.login_as(make_user(site_admin=True))
    assert client.get(coding_url(material, "/codebook")).status_code == 403


FUZZ_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60) | \
    st.sampled_from(["", "-1", "0", "1e3", "٣", "9" * 40, "\x00", "1 ", " 2", "2147483648"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=FUZZ_TEXT, kind=FUZZ_TEXT | st.sampled_from(["turn", "answer", "comment"]), unit=FUZZ_TEXT,
       start=FUZZ_TEXT, end=FUZZ_TEXT, memo=FUZZ_TEXT)
def test_any_coding_input_is_answered_without_error(researcher_client, material, code, kind, unit, start, end,
                                                    memo):
    before = coding_count()
    response = researcher_client.post_form(coding_url(material, "/codings"), {
        "code": code, "unit_kind": kind, "unit_id": unit, "start": start, "end": end, "memo": memo})
    assert response.status_code == 302
    assert coding_count() == before  # none of these names a code of this lab


def test_demo_seed_codes_the_demo_lab_once(client, app):
    from seeds import run_demo

    run_demo(responses=40)
    lab = db.session.scalar(sa.select(Lab).where(Lab.slug == "samen-leven-ninove"))
    template = db.session.scalar(sa.select(CodebookTemplate)
                                 .where(CodebookTemplate.slug == "whole-of-community-themes"))
    assert template.municipality_id is None
    keys = {code.key for code in queries.lab_codes(lab)}
    assert {"language", "language-courses", "housing", "belonging", "participation", "discrimination",
            "services"} <= keys
    codings = db.session.scalars(sa.select(Coding).where(Coding.lab_id == lab.id)).all()
    assert len(codings) >= 6 and any(c.start_pos is not None for c in codings)
    assert {c.unit_kind for c in codings} == {"turn", "answer", "comment"}
    assert len(queries.segments(lab)) == len(codings)  # every seeded coding is on consented words
    run_demo(responses=40)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == len(codings)
    assert len(queries.lab_codes(lab)) == len(keys)
    researcher = db.session.scalar(sa.select(User).where(User.email == "researcher@ninove.demo"))
    client.login_as(researcher)
    page = client.get("/en/m/ninove/manage/labs/samen-leven-ninove/coding")
    assert page.status_code == 200 and "Language courses" in page.text


def test_researchers_find_the_coding_from_the_staff_home(client, material, make_user):
    link = f"/en/m/{material.town.slug}/manage/labs/{material.lab.slug}/coding"
    client.login_as(material.researcher)
    assert link in client.get(f"/en/m/{material.town.slug}/manage/").text
    client.login_as(make_user(roles=[(material.town, "official")]))
    assert link not in client.get(f"/en/m/{material.town.slug}/manage/").text

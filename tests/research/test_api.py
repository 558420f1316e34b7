"""The read-only research API: bearer tokens only, consent-filtered pseudonymous data,
tenant isolation, paging, JSON errors, rate limits and a complete OpenAPI document."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.accounts.models import ConsentRecord, Membership
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.focusgroups.models import Transcript, Turn
from cocreate.plans.models import Comment, Paragraph, Plan, PlanVersion
from cocreate.research import pseudonyms, tokens
from cocreate.research.consent import response_counted, response_exportable
from cocreate.research.models import ApiToken, Code, Coding
from cocreate.surveys import service as survey_service
from cocreate.surveys.models import Answer, Response

API = "/api/v1"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def new_token(user, name="analysis") -> str:
    _token, secret = tokens.create_token(user, name=name)
    db.session.flush()
    return secret


def submit(app, survey, answers, *, research=True, user=None, language="nl"):
    """A response stored through the real submission path, with its consent records."""
    with app.test_request_context():
        draft, _code = survey_service.start_draft(
            survey, language=language, user=user,
            consent={"participation": True, "research": research})
        draft.answers = answers
        response = survey_service.submit(survey, draft, draft.submission_token)
    db.session.flush()
    return response


def consent_to_plan(user, plan, *, withdrawn=False):
    db.session.add(ConsentRecord(user_id=user.id, context=f"plan:{plan.id}", scope="research",
                                 granted=True, text_version=1, language="nl",
                                 withdrawn_at=utcnow() if withdrawn else None))


@pytest.fixture
def study(app, make_municipality, make_user, make_lab, make_survey, make_session):
    """One town with a researcher, a lab, two surveys, responses with and without research
    consent, a plan with comments, a codebook with codings; and another town."""
    town, other = make_municipality(), make_municipality()
    researcher = make_user(roles=[(town, "researcher")], name="Rita Researcher",
                           email="rita@research.example.org")
    people = [make_user(roles=[(town, "participant")], name=f"Named Person {i}",
                        email=f"person{i}@participant.example.org") for i in range(4)]
    lab = make_lab(town)
    survey = make_survey(town, lab=lab)
    identified = make_survey(town, lab=lab, slug="s2", mode="identified")

    consented = submit(app, survey, {"Q1": {"option": "Q1_1"}, "Q11": {"option": "Q11_1"},
                                     "Q3": {"value": 4}, "Q7": {"text": "مرحبا بكم", "lang": "ar"}},
                       language="ar")
    consented_too = submit(app, survey, {
        "Q1": {"option": "Q1_3"}, "Q2": {"options": ["Q2_1", "Q2_other"], "other": "anders", "lang": "nl"},
        "Q3": {"value": 4}, "Q10": {"rows": {"Q10_r1": 2, "Q10_r2": 5}}})
    no_research = submit(app, survey, {"Q1": {"option": "Q1_1"}, "Q11": {"option": "Q11_2"},
                                       "Q3": {"value": 2}}, research=False)
    withdrawn = submit(app, survey, {"Q1": {"option": "Q1_3"}, "Q3": {"value": 1}})
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.response_id == withdrawn.id,
                                                      ConsentRecord.scope == "research")
                       .values(withdrawn_at=utcnow()))
    by_person = submit(app, identified, {"Q1": {"option": "Q1_3"}}, user=people[0])

    plan = Plan(lab=lab, slug="plan", title={"nl": "Plan"}, official_language="nl")
    version = PlanVersion(plan=plan, number=1, published_at=utcnow())
    version.paragraphs.append(Paragraph(position=0, anchor="p-00000001", text="Tekst"))
    db.session.add(plan)
    db.session.flush()
    comment = {}
    for key, author, status in (("consented", people[0], "published"), ("silent", people[1], "published"),
                                ("hidden", people[0], "hidden"), ("withdrawn", people[2], "published")):
        comment[key] = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001",
                               user_id=author.id, body=f"Reactie {key}", language="nl", status=status)
        db.session.add(comment[key])
    consent_to_plan(people[0], plan)
    consent_to_plan(people[2], plan, withdrawn=True)
    db.session.flush()
    comment["reply"] = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001",
                               parent_id=comment["consented"].id, user_id=people[0].id,
                               body="رد", language="ar", quote="Tekst")
    db.session.add(comment["reply"])

    root = Code(lab_id=lab.id, key="trust", name="Trust", description="Vertrouwen", position=0)
    db.session.add(root)
    db.session.flush()
    child = Code(lab_id=lab.id, parent_id=root.id, key="trust-city", name="Trust in the city",
                 position=1, color="#aa3300")
    db.session.add(child)
    focus = make_session(town, lab=lab)
    transcript = Transcript(session_id=focus.id, source="notes", language="nl")
    db.session.add(transcript)
    db.session.flush()
    turn = Turn(transcript_id=transcript.id, position=0, speaker_kind="facilitator",
                text="Welkom", language="nl")
    db.session.add(turn)
    db.session.flush()

    def answer_id(response, code):
        return db.session.scalar(sa.select(Answer.id).where(Answer.response_id == response.id,
                                                            Answer.question_code == code))

    coding = {
        "answer": Coding(lab_id=lab.id, code_id=child.id, coder_id=researcher.id, unit_kind="answer",
                         unit_id=answer_id(consented, "Q7"), start_pos=0, end_pos=5),
        "answer_no_consent": Coding(lab_id=lab.id, code_id=root.id, coder_id=researcher.id,
                                    unit_kind="answer", unit_id=answer_id(no_research, "Q1")),
        "comment": Coding(lab_id=lab.id, code_id=root.id, coder_id=researcher.id, unit_kind="comment",
                          unit_id=comment["consented"].id),
        "comment_no_consent": Coding(lab_id=lab.id, code_id=root.id, coder_id=None,
                                     unit_kind="comment", unit_id=comment["silent"].id),
        "turn": Coding(lab_id=lab.id, code_id=root.id, coder_id=researcher.id, unit_kind="turn",
                       unit_id=turn.id),
    }
    db.session.add_all(coding.values())

    other_lab = make_lab(other)
    other_survey = make_survey(other, lab=other_lab)
    db.session.flush()
    return dict(town=town, other=other, researcher=researcher, people=people, lab=lab,
                survey=survey, identified=identified, plan=plan, comment=comment, codes=(root, child),
                coding=coding, responses=dict(consented=consented, consented_too=consented_too,
                                              no_research=no_research, withdrawn=withdrawn,
                                              by_person=by_person),
                other_lab=other_lab, other_survey=other_survey, secret=new_token(researcher))


def get(client, study, path, **params):
    response = client.get(API + path, headers=bearer(study["secret"]), query_string=params)
    assert response.mimetype == "application/json", (path, response.status_code)
    return response


def get_all(client, study, path, **params) -> list:
    """Every item of a list, following the pages."""
    items, page = [], 1
    while True:
        body = get(client, study, path, page=page, **params).json
        items += body["items"]
        if page * body["per_page"] >= body["total"]:
            assert len(items) == body["total"]
            return items
        page += 1


# -- Authentication --------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer cc_not-a-real-token",
                                    "Basic dXNlcjpwYXNz", "cc_abc", "Bearer " + "cc_" + "x" * 300,
                                    "Bearer cc_\u00e9\u00e9"])
def test_no_valid_token_is_401_json(client, study, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert response.json["error"]["code"] == "unauthorized" and response.json["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert ('error="invalid_token"' in response.headers["WWW-Authenticate"]) == bool(header)


def test_a_browser_session_does_not_open_the_api(client, study):
    client.login_as(study["researcher"])
    assert client.get("/en/profile").status_code == 200  # the session itself works
    response = client.get(f"{API}/me")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    assert "Set-Cookie" not in response.headers
    # With a token the same client is served, and the API still sets no cookie.
    response = client.get(f"{API}/me", headers=bearer(study["secret"]))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_revoked_expired_and_disabled_tokens_are_refused(client, study):
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == study["researcher"].id))
    assert get(client, study, "/me").status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert get(client, study, "/me").status_code == 401
    token.expires_at = utcnow() + timedelta(days=1)
    token.revoked_at = utcnow()
    db.session.flush()
    assert get(client, study, "/me").status_code == 401
    token.revoked_at = None
    study["researcher"].is_disabled = True
    db.session.flush()
    assert get(client, study, "/me").status_code == 401
    study["researcher"].is_disabled = False
    db.session.flush()
    assert get(client, study, "/me").status_code == 200


def test_last_use_is_noted_at_most_once_a_minute(client, study):
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == study["researcher"].id))
    assert token.last_used_at is None
    get(client, study, "/me")
    db.session.refresh(token)
    first = token.last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    get(client, study, "/me")
    db.session.refresh(token)
    assert token.last_used_at == first
    token.last_used_at = first - timedelta(minutes=2)
    db.session.flush()
    get(client, study, "/me")
    db.session.refresh(token)
    assert token.last_used_at > first - timedelta(minutes=2)


# -- Content ---------------------------------------------------------------------------


def test_me_and_municipalities(client, study, make_municipality):
    third = make_municipality()
    db.session.add(Membership(user_id=study["researcher"].id, municipality_id=third.id,
                              role="official"))
    db.session.flush()
    me = get(client, study, "/me").json
    assert me["display_name"] == "Rita Researcher"
    assert me["municipalities"] == [{"slug": study["town"].slug, "name": study["town"].name}]
    assert me["token"]["name"] == "analysis" and me["token"]["prefix"].startswith("cc_")
    assert "email" not in json.dumps(me)
    listed = get(client, study, "/municipalities").json
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 100)
    assert listed["items"][0]["slug"] == study["town"].slug
    assert listed["items"][0]["languages"][0] == study["town"].default_language


def test_labs_lab_and_surveys(client, study, make_lab):
    draft = make_lab(study["town"], status="draft")
    labs = get(client, study, f"/municipalities/{study['town'].slug}/labs").json
    assert [lab["id"] for lab in labs["items"]] == [study["lab"].id, draft.id]
    assert labs["items"][1]["status"] == "draft"
    lab = get(client, study, f"/labs/{study['lab'].id}").json
    assert lab["title"] == study["lab"].title and lab["description"] == study["lab"].description
    assert (lab["disclosure_k"], lab["disclosure_k_sensitive"]) == (5, 10)
    assert lab["municipality"] == study["town"].slug
    surveys = get(client, study, f"/labs/{study['lab'].id}/surveys").json
    assert [(s["id"], s["mode"]) for s in surveys["items"]] == [
        (study["survey"].id, "anonymous"), (study["identified"].id, "identified")]
    assert surveys["total"] == 2


def test_instrument_has_codes_types_and_every_language(client, study):
    body = get(client, study, f"/surveys/{study['survey'].id}").json
    questions = [q for section in body["sections"] for q in section["questions"]]
    assert [q["code"] for q in questions] == [q.code for q in study["survey"].questions]
    q1 = questions[0]
    assert (q1["type"], q1["required"], q1["text"]) == (
        "single", True, {"nl": "Question Q1 (nl)", "en": "Question Q1", "ar": "Question Q1 (ar)"})
    assert [(o["code"], o["kind"]) for o in q1["options"]] == [
        ("Q1_1", "choice"), ("Q1_2", "choice"), ("Q1_3", "choice"), ("Q1_other", "other"),
        ("Q1_pnts", "prefer_not")]
    assert q1["options"][0]["label"]["ar"] == "Option 1 (ar)"
    matrix = next(q for q in questions if q["code"] == "Q10")
    assert [o["kind"] for o in matrix["options"]] == ["row", "row"]
    assert body["sections"][1]["condition"] == {"question": "Q1", "options": ["Q1_2"]}


def _stored_answers(response) -> list[tuple]:
    rows = db.session.execute(sa.select(Answer).where(Answer.response_id == response.id)
                              .order_by(Answer.id)).scalars()
    return [(a.question_code, a.item_code, a.option_code,
             None if a.value_number is None else Decimal(a.value_number), a.value_text, a.text_language)
            for a in rows]


def test_responses_are_consented_only_with_pseudonyms(client, study):
    lab_id = study["lab"].id
    items = get_all(client, study, f"/surveys/{study['survey'].id}/responses", per_page=1)
    expected = [study["responses"]["consented"], study["responses"]["consented_too"]]
    assert [item["participant_id"] for item in items] == [pseudonyms.response_id(r.id) for r in expected]
    for item, response in zip(items, expected, strict=True):
        assert item["language"] == response.language and item["assisted"] is False
        assert item["submitted_on"] == response.submitted_at.date().isoformat()
        got = [(a["question_code"], a["item_code"], a["option_code"],
                None if a["value_number"] is None else Decimal(str(a["value_number"])),
                a["value_text"], a["text_language"]) for a in item["answers"]]
        assert got == _stored_answers(response)
    free_text = next(a for a in items[0]["answers"] if a["question_code"] == "Q7")
    assert (free_text["value_text"], free_text["text_language"]) == ("مرحبا بكم", "ar")
    # The same rule as the exports, read straight from SQL.
    exportable = db.session.scalars(sa.select(Response.id).where(
        Response.survey_id == study["survey"].id, response_exportable()).order_by(Response.id)).all()
    assert exportable == [r.id for r in expected]

    person = get(client, study, f"/surveys/{study['identified'].id}/responses").json["items"]
    assert [p["participant_id"] for p in person] == [
        pseudonyms.person_id(lab_id, user_id=study["people"][0].id)]


def test_responses_take_a_fixed_number_of_queries_per_page(app, client, study):
    for _ in range(3):
        submit(app, study["survey"], {"Q1": {"option": "Q1_3"}, "Q3": {"value": 3}})
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    url = f"/surveys/{study['survey'].id}/responses"
    get(client, study, url)  # the token's first use writes last_used_at; later calls do not
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        get(client, study, url, per_page=1)
        few = len(statements)
        statements.clear()
        body = get(client, study, url, per_page=5).json
        many = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(body["items"]) == 5 and all(item["answers"] for item in body["items"])
    assert many == few
    assert sum("survey_answer" in s for s in statements) == 1


def test_counts_are_one_group_by_over_counted_responses(client, study):
    survey = study["survey"]
    body = get(client, study, f"/surveys/{survey.id}/counts", per_page=500).json
    assert body["responses"] == 3 and body["by"] is None  # the withdrawn one is not counted
    counts = {(i["question_code"], i["item_code"], i["option_code"], i["value_number"]): i["count"]
              for i in body["items"]}
    assert counts[("Q1", None, "Q1_1", None)] == 2  # research consent is not needed to count
    assert counts[("Q1", None, "Q1_3", None)] == 1
    assert counts[("Q3", None, None, 4)] == 2 and counts[("Q3", None, None, 2)] == 1
    assert ("Q3", None, None, 1) not in counts
    assert counts[("Q10", "Q10_r2", None, 5)] == 1
    assert counts[("Q7", None, None, None)] == 1
    # The same groups and numbers as a GROUP BY written here against the consent rule.
    keys = (Answer.question_code, Answer.item_code, Answer.option_code, Answer.value_number)
    direct = db.session.execute(
        sa.select(*keys, sa.func.count(sa.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.survey_id == survey.id, response_counted()).group_by(*keys)).all()
    assert counts == {(q, i, o, None if v is None else int(v)): n for q, i, o, v, n in direct}
    # In the order of the survey: Q1 before Q2 … before Q10.
    order = [i["question_code"] for i in body["items"]]
    assert order.index("Q1") < order.index("Q2") < order.index("Q10") < order.index("Q11")


def test_counts_by_a_single_choice_question(client, study):
    body = get(client, study, f"/surveys/{study['survey'].id}/counts", by="Q1", per_page=500).json
    assert body["by"] == "Q1"
    split = {(i["question_code"], i["value_number"], i["by_option_code"]): i["count"]
             for i in body["items"] if i["question_code"] == "Q3"}
    assert split == {("Q3", 2, "Q1_1"): 1, ("Q3", 4, "Q1_1"): 1, ("Q3", 4, "Q1_3"): 1}
    for bad in ("Q2", "Q3", "Q99", "", "x" * 40, "Q1' OR 1=1 --"):
        response = get(client, study, f"/surveys/{study['survey'].id}/counts", by=bad)
        assert response.status_code == 400 and "by" in response.json["error"]["message"]


def test_comments_of_consented_commenters_only(client, study):
    lab_id, comment = study["lab"].id, study["comment"]
    items = get(client, study, f"/labs/{lab_id}/comments").json["items"]
    assert [i["id"] for i in items] == [comment["consented"].id, comment["hidden"].id,
                                        comment["reply"].id]
    first, hidden, reply = items
    person = pseudonyms.person_id(lab_id, user_id=study["people"][0].id)
    assert {i["participant_id"] for i in items} == {person}
    assert (first["body"], first["status"], first["anchor"], first["plan_slug"], first["version"]) == (
        "Reactie consented", "published", "p-00000001", "plan", 1)
    assert hidden["status"] == "hidden" and hidden["body"] is None
    assert (reply["parent_id"], reply["language"], reply["body"], reply["quote"]) == (
        comment["consented"].id, "ar", "رد", "Tekst")
    assert first["created_on"] == comment["consented"].created_at.date().isoformat()


def test_codes_and_codings(client, study):
    lab_id, (root, child) = study["lab"].id, study["codes"]
    codes = get(client, study, f"/labs/{lab_id}/codes").json["items"]
    assert [(c["id"], c["key"], c["parent_id"], c["parent_key"], c["color"]) for c in codes] == [
        (root.id, "trust", None, None, "#1f6f8b"), (child.id, "trust-city", root.id, "trust", "#aa3300")]
    codings = get(client, study, f"/labs/{lab_id}/codings").json["items"]
    coding = study["coding"]
    assert [c["id"] for c in codings] == [coding["answer"].id, coding["comment"].id, coding["turn"].id]
    first = codings[0]
    assert (first["code_key"], first["unit_kind"], first["start"], first["end"]) == (
        "trust-city", "answer", 0, 5)
    assert first["coder_id"] == pseudonyms.person_id(lab_id, user_id=study["researcher"].id)
    assert codings[2]["start"] is None and codings[2]["unit_kind"] == "turn"


def test_reading_participants_data_is_audited_once_per_pass(client, study):
    from cocreate.core.models import AuditLog

    def rows(action):
        return db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)).all()

    responses = f"/surveys/{study['survey'].id}/responses"
    get_all(client, study, responses, per_page=1)  # two pages, one pass
    [entry] = rows("api.responses_read")
    assert (entry.actor_id, entry.object_id, entry.municipality_id) == (
        study["researcher"].id, study["survey"].id, study["town"].id)
    assert entry.details["token"] == db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == study["researcher"].id))
    get(client, study, f"/labs/{study['lab'].id}/comments")
    get(client, study, f"/labs/{study['lab'].id}/comments", page=2)
    assert len(rows("api.comments_read")) == 1
    # Refused reads leave nothing.
    assert get(client, study, f"/surveys/{study['other_survey'].id}/responses").status_code == 404
    assert get(client, study, responses, page=0).status_code == 400
    assert len(rows("api.responses_read")) == 1


def test_no_names_addresses_or_account_ids_anywhere(client, study):
    paths = ["/me", "/municipalities", f"/municipalities/{study['town'].slug}/labs",
             f"/labs/{study['lab'].id}", f"/labs/{study['lab'].id}/surveys",
             f"/surveys/{study['survey'].id}", f"/surveys/{study['survey'].id}/responses",
             f"/surveys/{study['identified'].id}/responses", f"/surveys/{study['survey'].id}/counts",
             f"/labs/{study['lab'].id}/comments", f"/labs/{study['lab'].id}/codes",
             f"/labs/{study['lab'].id}/codings"]
    text = " ".join(get(client, study, path).get_data(as_text=True) for path in paths[1:])
    for person in study["people"]:
        assert person.email not in text and person.display_name not in text
    assert "example.org" not in text and "Rita" not in text
    assert not re.search(r'"(user_id|email|phone|guest_\w+|display_name)"', text)


# -- Tenant isolation and access ------------------------------------------------------

#: endpoint → path template (ids of the study's lab and survey), every API route.
API_PATHS = {
    "api.display_openapi": "/openapi.json",
    "api.export_me": "/me",
    "api.export_municipalities": "/municipalities",
    "api.export_municipality_labs": "/municipalities/{town}/labs",
    "api.export_lab": "/labs/{lab}",
    "api.export_lab_surveys": "/labs/{lab}/surveys",
    "api.export_survey": "/surveys/{survey}",
    "api.export_survey_responses": "/surveys/{survey}/responses",
    "api.export_survey_counts": "/surveys/{survey}/counts",
    "api.export_lab_comments": "/labs/{lab}/comments",
    "api.export_lab_codes": "/labs/{lab}/codes",
    "api.export_lab_codings": "/labs/{lab}/codings",
}
PUBLIC = {"api.display_openapi"}
NOT_SCOPED = {"api.export_me", "api.export_municipalities"}


def test_every_api_route_is_in_the_access_table(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes == set(API_PATHS)


@pytest.mark.parametrize("endpoint", sorted(API_PATHS))
def test_api_access(client, study, make_user, endpoint):
    """Researcher of the town → 200; of another town only → 404; no token → 401 (the
    OpenAPI document is public); a researcher whose role was removed → 404."""
    own = dict(town=study["town"].slug, lab=study["lab"].id, survey=study["survey"].id)
    other = dict(town=study["other"].slug, lab=study["other_lab"].id,
                 survey=study["other_survey"].id)
    path = API + API_PATHS[endpoint]
    outsider = make_user(roles=[(study["other"], "official"), (study["town"], "researcher")])
    outsider_secret = new_token(outsider, "elsewhere")

    assert client.get(path.format(**own), headers=bearer(study["secret"])).status_code == 200
    anonymous = client.get(path.format(**own))
    assert anonymous.status_code == (200 if endpoint in PUBLIC else 401)
    assert anonymous.mimetype == "application/json"
    if endpoint in PUBLIC or endpoint in NOT_SCOPED:
        return
    # Researcher here, official there: the other town's objects are not theirs.
    response = client.get(path.format(**other), headers=bearer(outsider_secret))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    # The token works as long as the role does.
    db.session.execute(sa.delete(Membership).where(Membership.user_id == study["researcher"].id))
    db.session.flush()
    assert client.get(path.format(**own), headers=bearer(study["secret"])).status_code == 404


def test_site_admins_hold_no_research_data(client, study, make_user):
    """A researcher who is also site admin still sees only their own towns."""
    study["researcher"].is_site_admin = True
    db.session.flush()
    assert get(client, study, f"/labs/{study['other_lab'].id}").status_code == 404
    assert get(client, study, "/municipalities").json["total"] == 1


# -- Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": "1.5"}, {"page": ""},
    {"page": "1000001"}, {"page": "99999999999999999999"}, {"per_page": "0"},
    {"per_page": "501"}, {"per_page": "x"}, {"page": "\u0661"}, {"per_page": " 5"}])
def test_bad_paging_is_400(client, study, params):
    for path in ("/municipalities", f"/labs/{study['lab'].id}/comments",
                 f"/surveys/{study['survey'].id}/responses"):
        response = get(client, study, path, **params)
        assert response.status_code == 400, (path, params)
        assert response.json["error"]["code"] == "bad_request"
        assert next(iter(params)) in response.json["error"]["message"]


def test_paging_bounds(client, study):
    path = f"/surveys/{study['survey'].id}/responses"
    body = get(client, study, path, per_page=500).json
    assert (body["total"], len(body["items"]), body["per_page"]) == (2, 2, 500)
    beyond = get(client, study, path, page=1000000, per_page=500).json
    assert beyond["items"] == [] and beyond["total"] == 2 and beyond["page"] == 1000000
    second = get(client, study, path, page=2, per_page=1).json
    assert len(second["items"]) == 1


@pytest.mark.parametrize("path,status", [
    ("/labs/abc", 400), ("/labs/-1", 400), ("/labs/99999999999", 400), ("/surveys/1e3/counts", 400),
    ("/labs/0", 404), ("/labs/2147483647/codings", 404), ("/nothing", 404), ("", 404), ("/", 404),
    ("/municipalities/NOT_A_SLUG/labs", 404), ("/municipalities/no-such-town/labs", 404),
    ("/me/", 404)])
def test_bad_ids_and_unknown_paths_answer_json(client, study, path, status):
    response = get(client, study, path)
    assert response.status_code == status
    assert response.json["error"]["code"] == ("bad_request" if status == 400 else "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_the_api_only_reads(client, study, method):
    for path in ("/me", f"/labs/{study['lab'].id}", "/openapi.json"):
        response = client.open(API + path, method=method, headers=bearer(study["secret"]),
                               data={"x": "1"})
        assert response.status_code == 405 and response.mimetype == "application/json"
        assert response.json["error"]["code"] == "method_not_allowed"
        assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("error,status,code", [
    (RuntimeError("boom"), 500, "server_error"),
    (sa.exc.OperationalError("SELECT 1", {}, Exception("database is gone")), 503, "unavailable")])
def test_unexpected_errors_are_json_too(app, client, study, error, status, code):
    original = app.view_functions["api.export_me"]

    def broken(**kwargs):
        raise error

    broken.__permission__ = original.__permission__
    app.view_functions["api.export_me"] = broken
    try:
        response = get(client, study, "/me")
    finally:
        app.view_functions["api.export_me"] = original
    assert response.status_code == status and response.json["error"]["code"] == code
    assert "boom" not in response.text and "gone" not in response.text


def test_error_messages_follow_accept_language(client, study):
    response = client.get(f"{API}/me", headers={"Accept-Language": "nl"})
    assert response.status_code == 401
    english = client.get(f"{API}/me", headers={"Accept-Language": "en"}).json["error"]["message"]
    assert english.startswith("Send a valid API token")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.text(max_size=12), per_page=st.text(max_size=12), by=st.text(max_size=40))
def test_any_query_string_gives_200_or_400(client, study, page, per_page, by):
    response = get(client, study, f"/surveys/{study['survey'].id}/counts",
                   page=page, per_page=per_page, by=by)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json["error"]["message"]


# -- Rate limit ------------------------------------------------------------------------


def test_rate_limit_per_token(app, client, study):
    other_secret = new_token(study["researcher"], "second")
    saved = app.config["RATELIMIT_API"]
    app.config["RATELIMIT_API"] = "3 per hour"
    try:
        statuses = [get(client, study, "/me").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = get(client, study, "/me")
        assert refused.json["error"]["code"] == "rate_limited" and "Retry-After" in refused.headers
        # Another token has its own count.
        assert client.get(f"{API}/me", headers=bearer(other_secret)).status_code == 200
    finally:
        app.config["RATELIMIT_API"] = saved


# -- OpenAPI ---------------------------------------------------------------------------


def _flask_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix(API))


def test_openapi_document_is_valid_and_complete(app, client):
    from openapi_spec_validator import validate

    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    routes = {_flask_path(rule.rule): rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert set(document["paths"]) == set(routes)
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        operation = item["get"]
        assert "api." + operation["operationId"] == routes[path]
        declared = {p["$ref"].rsplit("/", 1)[1] for p in operation.get("parameters", [])}
        assert set(re.findall(r"{(\w+)}", path)) <= declared, path
        if operation.get("security") == []:
            continue
        assert {"200", "401", "429"} <= set(operation["responses"]), path
        if "{" in path:
            assert {"400", "404"} <= set(operation["responses"]), path
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_schemas_describe_the_answers(client, study):
    """Every key the API sends is a property of its schema (no undocumented fields)."""
    document = client.get(f"{API}/openapi.json").json
    schemas = document["components"]["schemas"]

    def properties(name):
        schema = schemas[name]
        found = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            found.update(properties(part["$ref"].rsplit("/", 1)[1]) if "$ref" in part
                         else part["properties"])
        return found

    checks = [("/me", "Me", None), (f"/labs/{study['lab'].id}", "LabDetail", None),
              (f"/surveys/{study['survey'].id}", "Instrument", None),
              (f"/surveys/{study['survey'].id}/responses", "ResponsePage", "Response"),
              (f"/surveys/{study['survey'].id}/counts?by=Q1", "CountPage", "Count"),
              (f"/labs/{study['lab'].id}/comments", "CommentPage", "Comment"),
              (f"/labs/{study['lab'].id}/codes", "CodePage", "Code"),
              (f"/labs/{study['lab'].id}/codings", "CodingPage", "Coding")]
    for path, schema, item in checks:
        body = client.get(API + path, headers=bearer(study["secret"])).json
        assert set(body) <= set(properties(schema)), path
        if item:
            assert body["items"] and set(body["items"][0]) == set(properties(item)) - (
                set() if "by=" in path else {"by_option_code"}), path

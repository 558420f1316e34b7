"""Exports on the web and across data: comments, pooled templates, pseudonyms that link
one person within a lab only, the audited expiring download link and its rate limit."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.research import pseudonyms
from cocreate.research.models import Export
from tests.research.test_export_formats import (
    ANSWERS_A,
    ANSWERS_C,
    export_file,
    read_csv,
    readable,
    respond,
)


def exports_url(town, token=None, lang="en"):
    base = f"/{lang}/m/{town.slug}/manage/research/exports"
    return f"{base}/{token}" if token else base


@pytest.fixture
def town(make_municipality):
    return make_municipality("ninove-e")


@pytest.fixture
def researcher(town, make_user):
    return make_user(roles=[(town, "researcher")])


@pytest.fixture
def survey(town, make_survey):
    return make_survey(town, slug="wensen")


def download(client, location):
    """GET a download, consumed inside the request: the test client swaps app contexts
    around each request, and a streamed body must finish in the context it started in."""
    return client.get(location, buffered=True)


def ask(client, town, target, fmt):
    """Ask for an export; return the download path it redirects to."""
    response = client.post_form(exports_url(town), {"target": target, "format": fmt})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


# -- Plan comments ---------------------------------------------------------------------------


@pytest.fixture
def plan_world(town, survey, make_user, make_session):
    """A plan in the survey's lab: comments by people with and without research consent,
    a hidden one, a reply, supports and answers; one commenter also answered the survey."""
    from cocreate.accounts.consents import record_decision
    from cocreate.focusgroups.models import Registration
    from cocreate.plans.models import Comment, OfficialResponse, Paragraph, Plan, PlanVersion, Support

    lab = survey.lab
    plan = Plan(lab=lab, slug="integratieplan", title={"nl": "Plan"}, official_language="nl")
    version = PlanVersion(plan=plan, number=1, published_at=utcnow())
    version.paragraphs.append(Paragraph(position=0, anchor="p-00000001", text="Tekst"))
    db.session.add(plan)
    db.session.flush()
    fatima = make_user(email="fatima@example.org", name="Fatima Haddad")
    jan = make_user(email="jan@example.org", name="Jan Peeters")
    refuser = make_user(email="no@example.org", name="Niet Toegestaan")
    for person, agreed in ((fatima, True), (jan, True), (refuser, False)):
        record_decision(person.id, f"plan:{plan.id}", "research", agreed, language="nl")
    session = make_session(town, lab=lab)
    db.session.add(Registration(session=session, user_id=fatima.id, language="ar", status="confirmed",
                                group_code="newcomer", token_hash="t-fatima"))

    def comment(person, body, **kwargs):
        item = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001", body=body,
                       language=kwargs.pop("language", "nl"), user_id=person.id, **kwargs)
        db.session.add(item)
        db.session.flush()
        return item

    first = comment(fatima, "أريد دروسًا مسائية 🌙", language="ar", quote="=Tekst")
    reply = comment(jan, "-Eens", parent_id=first.id)
    hidden = comment(jan, "Bel me op 0470 12 34 56", status="hidden", hidden_reason="personal data")
    secret = comment(refuser, "Dit mag niet mee")
    db.session.add_all([Support(comment_id=first.id, user_id=jan.id),
                        Support(comment_id=first.id, user_id=refuser.id),
                        OfficialResponse(plan_id=plan.id, comment_id=first.id, status="adopted",
                                         explanation={"nl": "Ja"}),
                        OfficialResponse(plan_id=plan.id, anchor="p-00000001", status="noted",
                                         explanation={"nl": "Gezien"})])
    survey.mode = "identified"
    response = respond(survey, ANSWERS_C, user=fatima)
    db.session.flush()
    return dict(plan=plan, fatima=fatima, jan=jan, first=first, reply=reply, hidden=hidden, secret=secret,
                response=response)


def test_comments_csv_rows_and_moderation_trail(tmp_path, plan_world):
    w = plan_world
    data, export, _ = export_file(tmp_path, "plan", w["plan"].id, "csv")
    rows = read_csv(data)
    assert export.row_count == 3 and [int(r["comment_id"]) for r in rows] == \
        [w["first"].id, w["reply"].id, w["hidden"].id]  # not the one without consent
    first, reply, hidden = rows
    lab_id = w["plan"].lab_id
    assert first["participant_id"] == pseudonyms.person_id(lab_id, user_id=w["fatima"].id)
    assert (first["group"], first["language"], first["paragraph"], first["version"]) == \
        ("newcomer", "ar", "p-00000001", "1")
    assert (first["body"], first["quote"]) == ("أريد دروسًا مسائية 🌙", "'=Tekst")
    assert (first["supports"], first["response_status"], first["paragraph_response_status"]) == \
        ("2", "adopted", "noted")
    assert first["created"] == w["first"].created_at.date().isoformat()
    assert (reply["parent_id"], reply["body"], reply["group"]) == (str(w["first"].id), "'-Eens", "")
    assert (hidden["status"], hidden["hidden_reason"], hidden["body"]) == ("hidden", "personal data", "")
    plain = readable(data)
    for secret in (b"Fatima", b"fatima@", b"Jan Peeters", b"0470", b"Dit mag niet"):
        assert secret not in plain


def test_comments_xlsx(tmp_path, plan_world):
    from openpyxl import load_workbook

    _data, export, path = export_file(tmp_path, "plan", plan_world["plan"].id, "xlsx", "c.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["comments", "codebook"]
    rows = list(workbook["comments"].iter_rows(values_only=True))
    assert rows[0][:3] == ("participant_id", "group", "comment_id") and len(rows) == 4
    assert rows[1][8] == "أريد دروسًا مسائية 🌙" and rows[2][8] == "'-Eens"
    assert export.row_count == 3


def test_pseudonyms_link_a_person_within_a_lab_only(tmp_path, plan_world, town, make_survey):
    w = plan_world
    survey_rows = read_csv(export_file(tmp_path, "survey", w["response"].survey_id, "csv", "a.csv")[0])
    again = read_csv(export_file(tmp_path, "survey", w["response"].survey_id, "csv", "b.csv")[0])
    comment_rows = read_csv(export_file(tmp_path, "plan", w["plan"].id, "csv")[0])
    fatima_id = survey_rows[0]["participant_id"]
    assert fatima_id == again[0]["participant_id"] == comment_rows[0]["participant_id"]
    other_lab_survey = make_survey(town, mode="identified", slug="ander")
    respond(other_lab_survey, ANSWERS_C, user=w["fatima"])
    elsewhere = read_csv(export_file(tmp_path, "survey", other_lab_survey.id, "csv", "c.csv")[0])
    assert elsewhere[0]["participant_id"].startswith("P") and elsewhere[0]["participant_id"] != fatima_id


# -- Pooled across towns ---------------------------------------------------------------------


@pytest.fixture
def pooled(make_municipality, make_survey):
    """One template used in two towns; the second town's copy has an extra question."""
    from cocreate.surveys.models import SurveyTemplate
    from tests.surveys.definitions import DEFINITION, question

    template = SurveyTemplate(slug="samenleven", title={"en": "Living together"}, definition=DEFINITION)
    db.session.add(template)
    db.session.flush()
    first = make_survey(make_municipality("aalst-p"), template_id=template.id, slug="enquete")
    extra = {"sections": [*DEFINITION["sections"], {"title": {"en": "More"}, "condition": None,
                                                    "questions": [question("Q13", "number")]}]}
    second = make_survey(make_municipality("fermignano-p"), template_id=template.id, slug="indagine",
                         definition=extra)
    respond(first, ANSWERS_A, language="ar")
    respond(second, {**ANSWERS_C, "Q13": {"value": "2.5"}}, language="en")
    respond(second, ANSWERS_C, research=False)
    return dict(template=template, first=first, second=second)


def test_pooled_csv_has_every_town_and_the_union_of_codes(tmp_path, pooled):
    data, export, _ = export_file(tmp_path, "template", "samenleven", "csv")
    rows = read_csv(data)
    assert export.row_count == 2 and export.municipality_id is None
    assert [(r["municipality"], r["survey"]) for r in rows] == [("aalst-p", "enquete"), ("fermignano-p", "indagine")]
    assert list(rows[0])[-1] == "Q13" and rows[0]["Q13"] == "" and rows[1]["Q13"] == "2.5"
    assert rows[0]["Q7"] == ANSWERS_A["Q7"]["text"]


def test_pooled_sav(tmp_path, pooled):
    import pyreadstat

    _data, _export, path = export_file(tmp_path, "template", pooled["template"].id, "sav", "p.sav")
    frame, meta = pyreadstat.read_sav(str(path), output_format="polars", user_missing=True)
    assert frame["municipality"].to_list() == ["aalst-p", "fermignano-p"]
    assert frame["Q13"].to_list() == [None, 2.5] and frame["Q1"].to_list() == [2, 5]
    assert meta.variable_value_labels["Q1"][5] == "Prefer not (nl) [Q1_pnts]"
    assert pyreadstat.read_sav(str(path), output_format="polars")[0]["Q1"].to_list() == [2, None]


# -- The web: page, asking, downloading -----------------------------------------------------


def test_page_lists_what_the_town_can_export(client, town, researcher, survey, pooled):
    respond(survey, ANSWERS_C)
    client.login_as(researcher)
    page = client.get(exports_url(town))
    assert page.status_code == 200
    assert f'value="survey:{survey.id}"' in page.text and 'value="codebook-html"' in page.text
    assert "1" in page.text and "UTF-8" in page.text
    assert "samenleven" not in page.text  # the template is not used in this town
    assert "<script" not in page.text and "style=" not in page.text


def test_ask_and_download_csv(client, app, town, researcher, survey):
    respond(survey, ANSWERS_A, language="ar")
    respond(survey, ANSWERS_C)
    client.login_as(researcher)
    location = ask(client, town, f"survey:{survey.id}", "csv")
    token = location.rsplit("/", 1)[1]
    export = db.session.scalars(sa.select(Export)).one()
    assert export.token_hash == hashlib.sha256(token.encode()).hexdigest() and len(token) >= 43
    assert export.user_id == researcher.id and export.municipality_id == town.id
    assert (export.kind, export.format, export.target["survey"]) == ("responses", "csv", survey.id)
    minutes = (export.expires_at - export.created_at).total_seconds() / 60
    assert abs(minutes - app.config["EXPORT_LINK_MINUTES"]) < 1
    assert export.completed_at is None and export.download_count == 0
    created = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "research.export_created")).one()
    assert created.actor_id == researcher.id and created.object_id == export.id

    response = download(client, location)
    body = response.get_data()
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ninove-e_' + \
        f'{survey.lab.slug}_wensen_responses.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert len(read_csv(body)) == 2
    db.session.expire_all()
    export = db.session.get(Export, export.id)
    assert export.row_count == 2 and export.sha256 == hashlib.sha256(body).hexdigest()
    assert export.completed_at is not None and export.download_count == 1
    done = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "research.export_downloaded")).one()
    assert done.details["rows"] == 2 and done.details["sha256"] == export.sha256
    assert done.actor_id == researcher.id
    page = client.get(exports_url(town)).text
    assert export.sha256 in page and "Downloaded (1)" in page


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "codebook-json"])
def test_download_files_made_on_disk(client, town, researcher, survey, fmt):
    respond(survey, ANSWERS_A, language="ar")
    client.login_as(researcher)
    response = download(client, ask(client, town, f"survey:{survey.id}", fmt))
    body = response.get_data()
    assert response.status_code == 200 and body
    db.session.expire_all()
    export = db.session.scalars(sa.select(Export)).one()
    assert export.sha256 == hashlib.sha256(body).hexdigest() and export.download_count == 1


def test_the_link_is_personal_and_expires(client, town, researcher, survey, make_user, make_municipality):
    client.login_as(researcher)
    location = ask(client, town, f"survey:{survey.id}", "csv")
    token = location.rsplit("/", 1)[1]

    client.login_as(make_user(roles=[(town, "researcher")]))
    assert client.get(location).status_code == 404  # another researcher of the same town

    elsewhere = make_municipality()
    client.login_as(make_user(roles=[(elsewhere, "researcher")]))
    assert client.get(location).status_code == 403
    assert client.get(exports_url(elsewhere, token)).status_code == 404

    client.login_as(make_user(site_admin=True))
    assert client.get(location).status_code == 403  # site admins hold no research permission

    client.post_form("/en/logout")
    signed_out = client.get(location)
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]

    client.login_as(researcher)
    assert client.get(exports_url(town, "x" * 300)).status_code == 404
    export = db.session.scalars(sa.select(Export)).one()
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(location).status_code == 404
    db.session.expire_all()
    assert db.session.get(Export, export.id).download_count == 0


def test_a_researcher_who_lost_the_role_cannot_download(client, town, researcher, survey):
    from cocreate.accounts.models import Membership

    client.login_as(researcher)
    location = ask(client, town, f"survey:{survey.id}", "csv")
    db.session.execute(sa.update(Membership).where(Membership.user_id == researcher.id).values(role="official"))
    db.session.flush()
    assert client.get(location).status_code == 403


@pytest.mark.parametrize("data", [
    {"target": "survey:999999", "format": "csv"},
    {"target": "survey:abc", "format": "csv"},
    {"target": "nonsense", "format": "csv"},
    {"target": "", "format": "csv"},
    {"target": "SURVEY", "format": "pdf"},
    {"target": "plan:1", "format": ""},
    {"target": "survey:1" + "0" * 50, "format": "csv"},
])
def test_bad_requests_are_refused_and_change_nothing(client, town, researcher, survey, data):
    client.login_as(researcher)
    response = client.post_form(exports_url(town), data)
    assert response.status_code == 400 and "There is a problem" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == 0


def test_a_format_that_does_not_fit_and_another_towns_survey_are_refused(
        client, town, researcher, survey, make_municipality, make_survey):
    client.login_as(researcher)
    response = client.post_form(exports_url(town), {"target": f"survey:{survey.id}", "format": "qdpx"})
    assert response.status_code == 400 and "formats offered" in response.text
    foreign = make_survey(make_municipality())
    response = client.post_form(exports_url(town), {"target": f"survey:{foreign.id}", "format": "csv"})
    assert response.status_code == 400 and "Choose one of the surveys" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == 0


def test_pooled_from_the_web_covers_only_the_researchers_towns(client, pooled, make_user):
    first_town = pooled["first"].lab.municipality
    second_town = pooled["second"].lab.municipality
    person = make_user(roles=[(first_town, "researcher")])
    client.login_as(person)
    page = client.get(exports_url(first_town)).text
    assert "samenleven" in page and "1 surveys in 1 towns" in page
    rows = read_csv(download(client, ask(client, first_town, f"template:{pooled['template'].id}", "csv")).get_data())
    assert [r["municipality"] for r in rows] == ["aalst-p"]
    both = make_user(roles=[(first_town, "researcher"), (second_town, "researcher")])
    client.login_as(both)
    rows = read_csv(download(client, ask(client, first_town, f"template:{pooled['template'].id}", "csv")).get_data())
    assert [r["municipality"] for r in rows] == ["aalst-p", "fermignano-p"]


def test_creating_exports_is_rate_limited(client, app, town, researcher, survey):
    client.login_as(researcher)
    saved = app.config["RATELIMIT_EXPORT"]
    app.config["RATELIMIT_EXPORT"] = "2 per hour"
    try:
        statuses = [client.post_form(exports_url(town), {"target": f"survey:{survey.id}", "format": "csv"})
                    .status_code for _ in range(3)]
    finally:
        app.config["RATELIMIT_EXPORT"] = saved
    assert statuses == [302, 302, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == 2


def test_the_page_lists_recent_exports_in_every_language(client, town, researcher, survey):
    client.login_as(researcher)
    ask(client, town, f"survey:{survey.id}", "dta")
    for lang in ("en", "nl", "fr", "ar"):
        page = client.get(exports_url(town, lang=lang))
        assert page.status_code == 200
        assert re.search(r"ninove-e/lab-[0-9a-f]+/wensen", page.text)


# -- Anything a browser can send ---------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200) | st.sampled_from(
    ["survey:", "survey:-1", "survey:0", "template:0", "lab:" + "9" * 12, "plan:1e3", "\x00", "=cmd|' /C calc'!A0",
     "😀" * 30, "a" * 5000, "csv\n", "segments-csv", "qdpx"])


@pytest.fixture
def unlimited(app):
    saved = app.config["RATELIMIT_EXPORT"]
    app.config["RATELIMIT_EXPORT"] = "10000 per hour"
    yield
    app.config["RATELIMIT_EXPORT"] = saved


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=TEXT, fmt=TEXT, token=TEXT)
def test_any_input_is_refused_cleanly(client, town, researcher, survey, unlimited, target, fmt, token):
    client.login_as(researcher)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Export))
    response = client.post_form(exports_url(town), {"target": target, "format": fmt})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == before
    # 308: a token with "/" in it makes "//", which the router merges before answering.
    assert client.get(exports_url(town, quote(token, safe="") or "x")).status_code in (308, 404)

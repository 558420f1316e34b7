"""Survey results: counts from SQL on both engines, breakdowns, disclosure control for
everyone but the municipality's researchers, publishing, the public page, filters,
the comparison across towns and right-to-left charts."""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from decimal import Decimal
from statistics import median

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.research import results, results_cache
from cocreate.research.results_tables import build_page
from cocreate.surveys.answers import answer_rows
from cocreate.surveys.library import ABOUT_YOU
from cocreate.surveys.models import Answer, Response, Survey, SurveyTemplate
from tests.surveys.definitions import DEFINITION, manage_url, survey_url

#: The About-you block and one question of every type.
FULL = {"sections": ABOUT_YOU["sections"] + DEFINITION["sections"]}


def respond(survey, answers, *, language="nl", scopes=("participation", "research")):
    """Store a submitted response the way the survey service does (long answer rows and
    consent records), without the page-by-page answering."""
    response = Response(survey_id=survey.id, submission_key=uuid.uuid4().hex, language=language,
                        submitted_at=utcnow(), consent_scopes=list(scopes))
    db.session.add(response)
    db.session.flush()
    rows = answer_rows(survey, answers)
    if rows:
        db.session.execute(sa.insert(Answer), [{**row, "survey_id": survey.id, "response_id": response.id}
                                               for row in rows])
    for scope in scopes:
        db.session.add(ConsentRecord(response_id=response.id, context=f"survey:{survey.id}", scope=scope,
                                     granted=True, text_version=1, language=language))
    db.session.flush()
    return response


def generate(rng: random.Random) -> dict:
    """One person's answers (some questions left out on purpose)."""
    answers = {"Q1": {"option": rng.choice(["Q1_1", "Q1_2", "Q1_3", "Q1_pnts"])}}
    birth = rng.choice(["AY_BIRTH_1", "AY_BIRTH_1", "AY_BIRTH_2", "AY_BIRTH_3", None])
    if birth:
        answers["AY_BIRTH"] = {"option": birth}
    answers["AY_AGE"] = {"option": rng.choice(["AY_AGE_2", "AY_AGE_3", "AY_AGE_4"])}
    if rng.random() < 0.8:
        answers["Q2"] = {"options": rng.sample(["Q2_1", "Q2_2", "Q2_3", "Q2_4"], rng.choice([1, 2]))}
    answers["Q3"] = {"value": rng.randint(1, 5)} if rng.random() < 0.9 else {"option": "Q3_pnts"}
    answers["Q4"] = {"value": rng.randint(0, 10)}
    if rng.random() < 0.7:
        answers["Q5"] = {"value": str(rng.randint(18, 80))}
    if rng.random() < 0.5:
        answers["Q6"] = {"text": rng.choice(["goed", "ça va", "جيد"]), "lang": rng.choice(["nl", "fr", "ar"])}
    answers["Q9"] = {"ranking": rng.sample(["Q9_1", "Q9_2", "Q9_3"], 3)}
    answers["Q10"] = {"rows": {"Q10_r1": rng.randint(1, 5), "Q10_r2": rng.randint(1, 5)}}
    return answers


@pytest.fixture
def town(make_municipality):
    return make_municipality()


@pytest.fixture
def survey(town, make_lab, make_survey):
    return make_survey(town, lab=make_lab(town), definition=FULL)


@pytest.fixture
def official(town, make_user):
    return make_user(roles=[(town, "official")])


@pytest.fixture
def people(survey):
    rng = random.Random(20240601)
    everyone = [generate(rng) for _ in range(60)]
    for answers in everyone:
        respond(survey, answers)
    return everyone


def page_for(app, survey, *, unsuppressed=True, **args):
    with app.test_request_context("/en/"):
        return build_page(survey, MultiDict(args), unsuppressed=unsuppressed)


def result(page, code):
    return next(r for r in page.questions if r.question.code == code)


def counts(table, column=-1):
    """Category key → count in a column (the total column by default)."""
    return {h.key: row[column].count for h, row in zip(table.categories, table.rows, strict=True)}


# -- Counts ---------------------------------------------------------------------------------------


def test_counts_equal_the_stored_data(app, survey, people):
    page = page_for(app, survey)
    assert page.respondents.count == len(people)

    q1 = result(page, "Q1").tables[0]
    expected = Counter(p["Q1"]["option"] for p in people)
    assert counts(q1) == {code: expected.get(code, 0) for code in ["Q1_1", "Q1_2", "Q1_3", "Q1_other", "Q1_pnts"]}
    assert q1.total.count == len(people)
    assert q1.rows[0][-1].percent == pytest.approx(expected["Q1_1"] / len(people) * 100)

    # Multiple choice: per option, never per combination; base = those who answered.
    q2 = result(page, "Q2").tables[0]
    chose = [p["Q2"]["options"] for p in people if "Q2" in p]
    assert counts(q2) == {code: sum(code in c for c in chose) for code in ["Q2_1", "Q2_2", "Q2_3", "Q2_4", "Q2_other"]}
    assert q2.total.count == len(chose)
    assert result(page, "Q2").counts_overlap

    # Likert: every point and "prefer not to say".
    q3 = counts(result(page, "Q3").tables[0])
    assert q3 == {**{str(p): sum(a["Q3"].get("value") == p for a in people) for p in range(1, 6)},
                  "Q3_pnts": sum("option" in a["Q3"] for a in people)}

    # Matrix: row × scale point.
    q10 = result(page, "Q10").tables
    assert [counts(t) for t in q10] == [
        {str(p): sum(a["Q10"]["rows"][row] == p for a in people) for p in range(1, 6)} for row in ("Q10_r1", "Q10_r2")]

    # Ranking: first choices and mean ranks.
    q9 = result(page, "Q9").tables[0]
    assert counts(q9) == {code: sum(a["Q9"]["ranking"][0] == code for a in people) for code in ["Q9_1", "Q9_2", "Q9_3"]}
    for code, mean_rank in zip(["Q9_1", "Q9_2", "Q9_3"], q9.mean_ranks, strict=True):
        assert mean_rank == pytest.approx(sum(a["Q9"]["ranking"].index(code) + 1 for a in people) / len(people))

    # Scale and number: mean and median from the value distribution.
    for code in ("Q4", "Q5"):
        values = [Decimal(str(a[code]["value"])) for a in people if code in a]
        stats = result(page, code).stats
        assert stats.sizes[-1].count == len(values)
        assert stats.means[-1] == pytest.approx(float(sum(values) / len(values)))
        assert stats.medians[-1] == median(values)

    # Free text: how many answered, and the texts with their language.
    q6 = result(page, "Q6")
    written = [a["Q6"] for a in people if "Q6" in a]
    assert q6.answered.count == len(written)
    assert q6.texts.total == len(written)
    assert Counter((t.text, t.language) for t in q6.texts.answers) == Counter((w["text"], w["lang"]) for w in written)


def test_breakdown_columns_add_up_to_the_totals(app, survey, people):
    page = page_for(app, survey, by="AY_BIRTH")
    table = result(page, "Q1").tables[0]
    # Groups nobody is in are left out; "no answer" closes the row.
    chosen = {p["AY_BIRTH"]["option"] for p in people if "AY_BIRTH" in p}
    assert [g.key for g in table.groups] == sorted(chosen) + [""]
    for row in table.rows:
        assert sum(cell.count for cell in row[:-1]) == row[-1].count
    assert sum(cell.count for cell in table.bases[:-1]) == table.total.count == len(people)
    no_answer = sum("AY_BIRTH" not in p for p in people)
    assert table.bases[-2].count == no_answer
    outside = [p for p in people if p.get("AY_BIRTH", {}).get("option") == "AY_BIRTH_3"]
    column = [g.key for g in table.groups].index("AY_BIRTH_3")
    assert table.rows[0][column].count == sum(p["Q1"]["option"] == "Q1_1" for p in outside)
    # The breakdown question itself is shown on its own.
    assert result(page, "AY_BIRTH").tables[0].groups == []
    stats = result(page, "Q4").stats
    assert sum(cell.count for cell in stats.sizes[:-1]) == stats.sizes[-1].count


def test_multiple_choice_breakdown_counts_each_group_it_belongs_to(app, survey):
    for langs in (["AY_HOMELANG_1"], ["AY_HOMELANG_1", "AY_HOMELANG_3"], ["AY_HOMELANG_3"], []):
        answers = {"Q1": {"option": "Q1_1"}}
        if langs:
            answers["AY_HOMELANG"] = {"options": langs}
        respond(survey, answers)
    page = page_for(app, survey, by="AY_HOMELANG")
    assert page.groups_overlap
    table = result(page, "Q1").tables[0]
    assert [g.key for g in table.groups] == ["AY_HOMELANG_1", "AY_HOMELANG_3", ""]
    assert [cell.count for cell in table.bases] == [2, 2, 1, 4]


def test_withdrawn_consent_leaves_the_counts(app, survey, people):
    before = result(page_for(app, survey), "Q1").tables[0]
    gone = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)
                              .order_by(Response.id)).first()
    choice = db.session.scalar(sa.select(Answer.option_code).where(Answer.response_id == gone.id,
                                                                   Answer.question_code == "Q1"))
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.response_id == gone.id,
                                                      ConsentRecord.scope == "research")
                       .values(withdrawn_at=utcnow()))
    page = page_for(app, survey)
    after = result(page, "Q1").tables[0]
    assert page.respondents.count == len(people) - 1
    assert after.total.count == before.total.count - 1
    assert counts(after)[choice] == counts(before)[choice] - 1


# -- Disclosure control on the pages --------------------------------------------------------------


def small_group(survey):
    """20 people born in Belgium and 3 born outside the EU; everyone answers Q1 and Q4."""
    for i in range(23):
        respond(survey, {"AY_BIRTH": {"option": "AY_BIRTH_1" if i < 20 else "AY_BIRTH_3"},
                         "Q1": {"option": "Q1_1" if i % 2 else "Q1_2"}, "Q4": {"value": i % 11},
                         "Q6": {"text": f"tekst {i}", "lang": "nl"}})


def test_officials_see_small_groups_hidden_researchers_do_not(app, client, town, survey, make_user):
    small_group(survey)
    url = manage_url(survey) + "/results?by=AY_BIRTH"
    client.login_as(make_user(roles=[(town, "official")]))
    official = client.get(url)
    assert official.status_code == 200
    assert "&lt;10" in official.text and "fewer than 10" in official.text
    assert "tekst 1" not in official.text
    client.login_as(make_user(roles=[(town, "researcher")]))
    researcher = client.get(url)
    assert "&lt;10" not in researcher.text and "tekst 1" in researcher.text

    page = page_for(app, survey, unsuppressed=False, by="AY_BIRTH")
    table = result(page, "Q1").tables[0]
    outside = [g.key for g in table.groups].index("AY_BIRTH_3")
    assert all(row[outside].count in (None, 0) for row in table.rows)
    assert table.bases[outside].count is None and table.bases[outside].status == "small"
    # Subtracting the Belgian column from "Everyone" would give the small group away: in every
    # row where the small group has someone, one of the two is hidden as well.
    for row in table.rows:
        if not row[outside].shown:
            assert not row[0].shown or not row[-1].shown
    stats = result(page, "Q4").stats
    assert stats.means[outside] is None and stats.medians[outside] is None
    assert result(page, "Q6").texts is None


def test_no_small_count_is_shown_in_any_table(app, survey, people):
    for by in ("", "AY_BIRTH", "AY_AGE", "Q1"):
        page = page_for(app, survey, unsuppressed=False, by=by)
        for found in page.questions:
            cells = [c for t in found.tables for row in t.rows for c in row] + \
                [c for t in found.tables for c in t.bases] + (found.stats.sizes if found.stats else [])
            for cell in cells:
                assert cell.count is None or not 1 <= cell.count < found.k, (by, found.question.code)
                if cell.percent is not None:
                    assert cell.shown


def test_public_page_only_once_published_and_protected_for_everyone(client, town, survey, make_user):
    small_group(survey)
    public = survey_url(survey) + "/results?by=AY_BIRTH"
    assert client.get(public).status_code == 404
    official = make_user(roles=[(town, "official")])
    client.login_as(official)
    assert client.post_form(manage_url(survey) + "/results/publish", {"action": "publish"}).status_code == 302
    db.session.refresh(survey)
    assert survey.results_published_at is not None
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "survey.results_published",
                                                       AuditLog.object_id == survey.id)).actor_id == official.id
    assert "See the results of this survey" in client.get(survey_url(survey) + "/").text
    assert "/results" in client.get(f"/en/m/{town.slug}/labs/{survey.lab.slug}/").text

    client.post_form("/en/logout")
    anonymous = client.get(public)
    assert anonymous.status_code == 200 and "&lt;10" in anonymous.text and "tekst 1" not in anonymous.text
    client.login_as(make_user(roles=[(town, "researcher")]))
    researcher = client.get(public)
    assert "&lt;10" in researcher.text and "tekst 1" not in researcher.text

    client.login_as(official)
    client.post_form(manage_url(survey) + "/results/publish", {"action": "unpublish"})
    assert client.get(public).status_code == 404


def test_public_page_needs_a_public_lab(client, town, make_lab, make_survey):
    lab = make_lab(town, status="draft")
    survey = make_survey(town, lab=lab, results_published_at=utcnow())
    assert client.get(survey_url(survey) + "/results").status_code == 404


def test_researchers_cannot_publish(client, town, survey, make_user):
    client.login_as(make_user(roles=[(town, "researcher")]))
    response = client.post_form(manage_url(survey) + "/results/publish", {"action": "publish"})
    assert response.status_code == 403
    db.session.refresh(survey)
    assert survey.results_published_at is None


def test_publishing_twice_changes_nothing(client, town, survey, make_user):
    client.login_as(make_user(roles=[(town, "admin")]))
    url = manage_url(survey) + "/results/publish"
    client.post_form(url, {"action": "publish"})
    db.session.refresh(survey)
    first = survey.results_published_at
    client.post_form(url, {"action": "publish"})
    db.session.refresh(survey)
    assert survey.results_published_at == first
    assert client.post_form(url, {"action": "nonsense"}).status_code == 302
    db.session.refresh(survey)
    assert survey.results_published_at == first


# -- Parameters and filters -----------------------------------------------------------------------


@pytest.mark.parametrize("query,message", [
    ("by=NOPE", "There is no question “NOPE” to break the results down by"),
    ("by=Q2", "There is no question “Q2” to break the results down by"),
    ("f=Q1:NOPE", "There is no answer “Q1:NOPE” to filter on"),
    ("f=garbage", "There is no answer “garbage” to filter on"),
    ("f=" + "x" * 5000, "There is no answer “" + "x" * 40 + "…” to filter on"),
    ("lang_f=xx", "The survey has no language “xx”"),
    ("by=%00%01", "There is no question"),
    ("by=Q1&by=Q3&f=&lang_f=", ""),
])
def test_bad_parameters_are_explained_and_left_out(client, town, survey, people, make_user, query, message):
    client.login_as(make_user(roles=[(town, "official")]))
    response = client.get(manage_url(survey) + "/results?" + query)
    assert response.status_code == 200
    assert message in response.text
    assert f"{len(people)} people answered" in response.text


PARAMETER = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from(
    ["Q1", "Q1:Q1_1", "AY_BIRTH", "ar", "lang:ar", "Q1:", ":Q1_1", "Q1:Q1_1:Q1_2", "\x00", "' OR 1=1 --"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(by=PARAMETER, filters=st.lists(PARAMETER, max_size=3), language=PARAMETER)
def test_any_parameters_give_a_page(client, town, survey, official, by, filters, language):
    client.login_as(official)
    respond(survey, {"Q1": {"option": "Q1_1"}})
    response = client.get(manage_url(survey) + "/results", query_string={"by": by, "f": filters, "lang_f": language})
    assert response.status_code == 200


def test_only_one_filter_for_officials(app, client, town, survey, people, make_user):
    client.login_as(make_user(roles=[(town, "official")]))
    response = client.get(manage_url(survey) + "/results?f=AY_AGE:AY_AGE_2&lang_f=nl")
    assert "Only one filter can be applied at a time" in response.text
    page = page_for(app, survey, unsuppressed=False, f="AY_AGE:AY_AGE_2", lang_f="nl")
    assert [f.key for f in page.filters] == ["AY_AGE:AY_AGE_2"]
    assert page.respondents.count == sum(p["AY_AGE"]["option"] == "AY_AGE_2" for p in people)


def close_populations(survey):
    """30 people: 15 chose Q1_1, of whom 13 then chose Q11_1 and 2 Q11_2; 27 are 30–44."""
    for i in range(30):
        answers = {"Q1": {"option": "Q1_1" if i < 15 else "Q1_2"},
                   "AY_AGE": {"option": "AY_AGE_3" if i < 27 else "AY_AGE_4"}}
        if i < 15:
            answers["Q11"] = {"option": "Q11_1" if i < 13 else "Q11_2"}
        respond(survey, answers)


@pytest.mark.parametrize("chosen,message", [
    ("Q11:Q11_2", "Fewer than 5 people gave this answer"),
    ("AY_AGE:AY_AGE_3", "All but fewer than 5 people gave this answer"),
    ("Q1:Q1_1", "Another filter selects nearly the same people"),
    ("Q11:Q11_1", "Another filter selects nearly the same people"),
])
def test_filters_that_would_reveal_a_few_people_are_refused(app, survey, chosen, message):
    close_populations(survey)
    page = page_for(app, survey, unsuppressed=False, f=chosen)
    assert page.filters == [] and page.respondents.count == 30
    assert any(message in str(notice) for notice in page.notices)
    # Researchers are not limited.
    assert [f.key for f in page_for(app, survey, f=chosen).filters] == [chosen]


def test_an_allowed_filter_applies_and_researchers_combine_filters(app, survey):
    close_populations(survey)
    page = page_for(app, survey, unsuppressed=False, f="Q1:Q1_2")
    assert [f.key for f in page.filters] == ["Q1:Q1_2"] and page.respondents.count == 15
    both = page_for(app, survey, f=["Q1:Q1_1", "AY_AGE:AY_AGE_3"], lang_f="nl")
    assert len(both.filters) == 3 and both.respondents.count == 15


def test_language_filter(app, survey):
    for language in ("nl", "nl", "ar"):
        respond(survey, {"Q1": {"option": "Q1_1"}}, language=language)
    assert page_for(app, survey, lang_f="ar").respondents.count == 1


# -- Free texts ------------------------------------------------------------------------------------


def test_free_texts_are_capped_and_need_research_consent(app, survey, monkeypatch):
    monkeypatch.setattr(results, "TEXT_LIMIT", 3)
    for i in range(5):
        respond(survey, {"Q1": {"option": "Q1_other"}, "Q6": {"text": f"antwoord {i}", "lang": "ar"}},
                language="ar")
    respond(survey, {"Q6": {"text": "zonder toestemming", "lang": "nl"}}, scopes=("participation",))
    page = page_for(app, survey)
    q6 = result(page, "Q6")
    assert q6.answered.count == 6
    assert q6.texts.total == 5
    assert [t.text for t in q6.texts.answers] == ["antwoord 4", "antwoord 3", "antwoord 2"]
    assert {t.language for t in q6.texts.answers} == {"ar"}


def test_free_texts_carry_their_language(client, town, survey, make_user):
    respond(survey, {"Q6": {"text": "مرحبا", "lang": "ar"}})
    client.login_as(make_user(roles=[(town, "researcher")]))
    text = client.get(manage_url(survey) + "/results").text
    assert '<li lang="ar" dir="rtl">مرحبا</li>' in text
    assert "The latest" not in text


# -- Charts ---------------------------------------------------------------------------------------

BAR = re.compile(r'<rect class="chart-bar[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"')


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl")])
def test_bars_grow_from_the_inline_start(client, town, survey, people, make_user, lang, direction):
    client.login_as(make_user(roles=[(town, "researcher")]))
    text = client.get(manage_url(survey, lang) + "/results").text
    assert f'direction="{direction}"' in text
    assert 'role="img" aria-labelledby="chart-Q1-1-title chart-Q1-1-desc"' in text
    bars = [(float(x), float(width)) for x, width in BAR.findall(text)]
    assert bars
    for x, width in bars:
        if direction == "ltr":
            assert x == 170
        else:
            assert x + width == pytest.approx(480 - 170)


def test_hidden_counts_draw_no_bar(app, client, town, survey, make_user):
    small_group(survey)
    client.login_as(make_user(roles=[(town, "official")]))
    text = client.get(manage_url(survey) + "/results?by=AY_BIRTH").text
    chart = text[text.index('id="chart-Q1-1-title"'):]
    chart = chart[:chart.index("</svg>")]
    outside = chart[chart.index("Outside the European"):]
    assert outside.split("</text>", 2)[1].strip().startswith('<text class="chart-value"')


# -- Speed ---------------------------------------------------------------------------------------


def many_questions(n):
    return {"sections": [{"title": {"en": "P"}, "condition": None, "questions": [
        {"code": f"M{i}", "type": "single", "text": {"en": f"M{i}"}, "help": {}, "required": False,
         "settings": {}, "condition": None, "dimension": None,
         "options": [{"code": f"M{i}_{j}", "kind": "choice", "label": {"en": str(j)}} for j in range(6)]}
        for i in range(n)]}]}


def test_queries_do_not_grow_with_questions(app, make_municipality, make_survey):
    town = make_municipality()
    statements = []

    def count(*_args):
        statements.append(1)

    found = []
    for n, slug in ((3, "small"), (40, "large")):
        survey = make_survey(town, definition=many_questions(n), slug=slug)
        for i in range(5):
            respond(survey, {f"M{q}": {"option": f"M{q}_{i}"} for q in range(n)})
        survey_id = survey.id
        db.session.expire_all()
        survey = db.session.get(Survey, survey_id)
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = page_for(app, survey, unsuppressed=False, by="M0", f="M1:M1_1")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert len(page.questions) == n
        found.append(len(statements))
    assert found[0] == found[1]


# -- Comparing towns and the research home ---------------------------------------------------------


def test_comparison_shows_only_the_viewers_research_towns(client, make_municipality, make_lab, make_survey,
                                                          make_user):
    template = SurveyTemplate(slug=f"shared-{uuid.uuid4().hex[:6]}", title={"en": "Shared survey"})
    db.session.add(template)
    db.session.flush()
    towns = [make_municipality(name=name) for name in ("Aalst", "Bari", "Cork")]
    for index, town in enumerate(towns):
        survey = make_survey(town, lab=make_lab(town), definition=FULL, template_id=template.id)
        for i in range(index + 2):
            respond(survey, {"Q1": {"option": "Q1_1" if i else "Q1_2"}})
    researcher = make_user(roles=[(towns[0], "researcher"), (towns[1], "researcher"), (towns[2], "official")])
    client.login_as(researcher)

    home = client.get(f"/en/m/{towns[0].slug}/manage/research/").text
    assert f"/compare/{template.id}" in home and "2 towns" in home

    page = client.get(f"/en/m/{towns[0].slug}/manage/research/compare/{template.id}")
    assert page.status_code == 200
    table = page.text[page.text.index('id="table-Q1-1"'):]
    table = table[:table.index("</table>")]
    assert "Aalst" in table and "Bari" in table and "Cork" not in table
    # Aalst: 2 answers (1 × Q1_1), Bari: 3 (2 × Q1_1), side by side; no pooled column.
    row = re.search(r'<th scope="row">Option 1</th>(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r"<td>(\d+)", row) == ["1", "2"]
    # Not a researcher in Cork: no research pages there.
    assert client.get(f"/en/m/{towns[2].slug}/manage/research/").status_code == 403


def test_research_home_lists_surveys_with_links(client, town, survey, people, make_user):
    client.login_as(make_user(roles=[(town, "researcher")]))
    text = client.get(f"/en/m/{town.slug}/manage/research/").text
    assert manage_url(survey) + "/results" in text
    assert f"<td>{len(people)}</td>" in text
    assert f"/en/m/{town.slug}/manage/research/" in client.get(f"/en/m/{town.slug}/manage/").text


def test_links_to_results_from_the_survey_editor(client, town, survey, make_user):
    client.login_as(make_user(roles=[(town, "official")]))
    assert manage_url(survey) + "/results" in client.get(manage_url(survey)).text
    assert manage_url(survey) + "/results" in client.get(f"/en/m/{town.slug}/manage/labs/{survey.lab.slug}").text


# -- The lab's thresholds ------------------------------------------------------------------------


@pytest.mark.parametrize("k,sensitive,saved", [
    ("1", "10", False), ("6", "4", False), ("abc", "10", False), ("", "10", False), ("101", "200", False),
    ("6", "12", True), ("7", "7", True),
])
def test_lab_thresholds_are_validated(client, town, make_lab, make_user, k, sensitive, saved):
    lab = make_lab(town)
    client.login_as(make_user(roles=[(town, "official")]))
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/{lab.slug}", {
        "default_language": "nl", "languages": ["nl"], "title__nl": "Samen",
        "disclosure_k": k, "disclosure_k_sensitive": sensitive})
    db.session.refresh(lab)
    if saved:
        assert response.status_code == 302
        assert (lab.disclosure_k, lab.disclosure_k_sensitive) == (int(k), int(sensitive))
        assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "lab.disclosure_changed",
                                                           AuditLog.object_id == lab.id))
    else:
        assert response.status_code == 200
        assert (lab.disclosure_k, lab.disclosure_k_sensitive) == (5, 10)


def test_lab_thresholds_drive_the_suppression(app, survey):
    small_group(survey)
    survey.lab.disclosure_k, survey.lab.disclosure_k_sensitive = 2, 3
    page = page_for(app, survey, unsuppressed=False, by="AY_BIRTH")
    table = result(page, "Q1").tables[0]
    outside = [g.key for g in table.groups].index("AY_BIRTH_3")
    assert table.bases[outside].count == 3 and result(page, "Q1").k == 3


def test_lab_thresholds_left_out_of_a_post_are_kept(client, town, make_lab, make_user):
    lab = make_lab(town, disclosure_k=6, disclosure_k_sensitive=11)
    client.login_as(make_user(roles=[(town, "official")]))
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/{lab.slug}", {
        "default_language": "nl", "languages": ["nl"], "title__nl": "Samen"})
    assert response.status_code == 302
    db.session.refresh(lab)
    assert (lab.disclosure_k, lab.disclosure_k_sensitive) == (6, 11)


def test_retired_options_and_questions(app, survey):
    respond(survey, {"Q1": {"option": "Q1_3"}})
    question = survey.question("Q1")
    question.option("Q1_3").is_hidden = True
    question.option("Q1_2").is_hidden = True
    survey.question("Q7").is_hidden = True
    db.session.flush()
    page = page_for(app, survey)
    # A retired option stays while someone chose it; a retired question is not shown.
    assert list(counts(result(page, "Q1").tables[0])) == ["Q1_1", "Q1_3", "Q1_other", "Q1_pnts"]
    assert "Q7" not in [r.question.code for r in page.questions]


# -- The results cache ---------------------------------------------------------------------------

VIEWS = [dict(by="AY_BIRTH"), dict(by="AY_HOMELANG"), dict(f="Q1:Q1_1"), dict()]


def shown(page) -> tuple:
    """Everything a page shows that comes from the counts."""
    return (page.respondents.count,
            [(q.question.code, [[(c.count, c.percent) for c in row] for t in q.tables for row in t.rows],
              q.stats.means if q.stats else None, (q.texts.total, q.texts.answers) if q.texts else None)
             for q in page.questions])


def uncached(app, survey, **args):
    app.extensions[results_cache.EXTENSION] = results_cache.ResultsCache()
    return page_for(app, survey, **args)


def test_cached_results_take_in_new_responses_alone(app, survey, people):
    before = page_for(app, survey)
    for view in VIEWS:
        page_for(app, survey, **view)
    respond(survey, {"Q1": {"option": "Q1_1"}, "AY_BIRTH": {"option": "AY_BIRTH_2"},
                     "AY_HOMELANG": {"options": ["AY_HOMELANG_1", "AY_HOMELANG_3"]},
                     "Q6": {"text": "nieuw", "lang": "nl"}})
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        cached = [shown(page_for(app, survey, **view)) for view in VIEWS]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert any("survey_response.id > " in statement for statement in statements)  # only the new one counted
    assert cached[-1][0] == before.respondents.count + 1
    assert cached == [shown(uncached(app, survey, **view)) for view in VIEWS]


def test_cached_results_count_again_after_a_withdrawal(app, survey, people):
    for view in VIEWS:
        page_for(app, survey, **view)
    gone = db.session.scalar(sa.select(ConsentRecord.response_id).where(ConsentRecord.scope == "research")
                             .order_by(ConsentRecord.id))
    db.session.execute(sa.update(ConsentRecord).where(ConsentRecord.response_id == gone)
                       .values(withdrawn_at=utcnow()))
    cached = [shown(page_for(app, survey, **view)) for view in VIEWS]
    assert cached[-1][0] == len(people) - 1
    assert cached == [shown(uncached(app, survey, **view)) for view in VIEWS]


def test_the_public_page_shows_one_part_at_a_time(client, town, survey, official):
    """On a phone with prepaid data the whole survey at once is too heavy: one page of the
    survey at a time, with links to every part; the breakdown stays when moving on."""
    small_group(survey)
    survey.results_published_at = utcnow()
    db.session.flush()
    public = survey_url(survey) + "/results"
    first = client.get(public + "?by=AY_BIRTH").text
    parts = first.split('class="results-parts"', 1)[1].split("</nav>", 1)[0]
    assert parts.count("<li>") >= 2
    assert 'aria-current="page"' in parts and "part=2" in parts and "by=AY_BIRTH" in parts
    assert 'id="table-AY_BIRTH' in first and 'id="table-Q1' not in first
    second = client.get(public + "?by=AY_BIRTH&part=2").text
    assert 'id="table-Q1' in second and 'id="table-AY_BIRTH-1"' not in second
    assert 'name="part" value="2"' in second, "changing the breakdown keeps the part"
    for wrong in ("0", "-3", "999", "x"):
        assert client.get(f"{public}?part={wrong}").status_code == 200
    client.login_as(official)
    staff = client.get(manage_url(survey) + "/results").text
    assert 'id="table-Q1' in staff and 'id="table-AY_BIRTH' in staff, "staff see everything at once"

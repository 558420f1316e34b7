"""Who may open what: every route × role × municipality, declared in one table.

A route missing from :data:`ALLOWED` fails the build, so a new route cannot
ship without a decision about who may use it.
"""

from __future__ import annotations

import pytest

from cocreate.core.permissions import Permission

ANON, PARTICIPANT, MODERATOR, OFFICIAL, RESEARCHER, ADMIN, SITE = (
    "anonymous", "participant", "moderator", "official", "researcher", "admin", "site_admin")
ROLES = [ANON, PARTICIPANT, MODERATOR, OFFICIAL, RESEARCHER, ADMIN, SITE]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {ANON}
STAFF = {MODERATOR, OFFICIAL, RESEARCHER, ADMIN, SITE}
LAB_MANAGERS = {OFFICIAL, ADMIN, SITE}
AUTHORS = {OFFICIAL, RESEARCHER, ADMIN, SITE}
SESSION_STAFF = {MODERATOR, OFFICIAL, ADMIN, SITE}
FOCUS = "/en/m/{town}/labs/{lab}/sessions/{session}"
PLAN = "/en/m/{town}/labs/{lab}/plans/{plan}"
MANAGE_PLAN = "/en/m/{town}/manage/labs/{lab}/plans/{plan}"
MODERATORS = {MODERATOR, ADMIN, SITE}
MANAGE_FOCUS = "/en/m/{town}/manage/labs/{lab}/sessions/{session}"
SURVEY = "/en/m/{town}/labs/{lab}/surveys/{survey}"
MANAGE_SURVEY = "/en/m/{town}/manage/labs/{lab}/surveys/{survey}"
CODING = "/en/m/{town}/manage/labs/{lab}/coding"

# endpoint: (method, url template, roles allowed in their own municipality, scoped?)
# A scoped route is about one municipality: for "other" the person holds their
# role in another town, so only the site admin gets through.
ALLOWED = {
    "core.root": ("GET", "/", EVERYONE, False),
    "core.home": ("GET", "/en/", EVERYONE, False),
    "core.health": ("GET", "/healthz", EVERYONE, False),
    "core.admin_outbox": ("GET", "/en/admin/outbox", {SITE}, False),
    "accounts.login": ("GET", "/en/login", EVERYONE, False),
    "accounts.logout": ("POST", "/en/logout", SIGNED_IN, False),
    "accounts.register": ("GET", "/en/register", EVERYONE, False),
    "accounts.forgot_password": ("GET", "/en/password/forgot", EVERYONE, False),
    "accounts.reset_password": ("GET", "/en/password/reset/not-a-token", EVERYONE, False),
    "accounts.profile": ("GET", "/en/profile", SIGNED_IN, False),
    "accounts.withdraw_consent": ("POST", "/en/profile/consents/1/withdraw", SIGNED_IN, False),
    "accounts.download_my_data": ("GET", "/en/profile/my-data.json", SIGNED_IN, False),
    "accounts.delete_account": ("POST", "/en/profile/delete", SIGNED_IN, False),
    "accounts.accept_invitation": ("GET", "/en/invitations/not-a-token", EVERYONE, False),
    "accounts.manage_members": ("GET", "/en/m/{town}/manage/members", {ADMIN, SITE}, True),
    "accounts.manage_change_role": (
        "POST", "/en/m/{town}/manage/members/{membership}/role", {ADMIN, SITE}, True),
    "accounts.manage_remove_member": (
        "POST", "/en/m/{town}/manage/members/{membership}/remove", {ADMIN, SITE}, True),
    "accounts.manage_revoke_invitation": (
        "POST", "/en/m/{town}/manage/invitations/{invitation}/revoke", {ADMIN, SITE}, True),
    "municipalities.display_municipality": ("GET", "/en/m/{town}/", EVERYONE, True),
    "municipalities.manage_home": ("GET", "/en/m/{town}/manage/", STAFF, True),
    "municipalities.manage_settings": ("GET", "/en/m/{town}/manage/settings", {ADMIN, SITE}, True),
    "municipalities.manage_outbox": ("GET", "/en/m/{town}/manage/outbox", {ADMIN, SITE}, True),
    "municipalities.admin_municipalities": ("GET", "/en/admin/municipalities", {SITE}, False),
    "labs.display_lab": ("GET", "/en/m/{town}/labs/{lab}/", EVERYONE, True),
    "labs.manage_new_lab": ("GET", "/en/m/{town}/manage/labs/new", LAB_MANAGERS, True),
    "labs.manage_lab": ("GET", "/en/m/{town}/manage/labs/{lab}", LAB_MANAGERS, True),
    "labs.manage_lab_status": ("POST", "/en/m/{town}/manage/labs/{lab}/status", LAB_MANAGERS, True),
    "labs.manage_add_phase": ("POST", "/en/m/{town}/manage/labs/{lab}/phases", LAB_MANAGERS, True),
    "labs.manage_delete_phase": (
        "POST", "/en/m/{town}/manage/labs/{lab}/phases/{phase}/delete", LAB_MANAGERS, True),
    "surveys.display_survey": ("GET", SURVEY + "/", EVERYONE, True),
    "surveys.answer_page": ("GET", SURVEY + "/page/0", EVERYONE, True),
    "surveys.review": ("GET", SURVEY + "/review", EVERYONE, True),
    "surveys.submit": ("POST", SURVEY + "/submit", EVERYONE, True),
    "surveys.thanks": ("GET", SURVEY + "/thanks", EVERYONE, True),
    "surveys.resume": ("GET", SURVEY + "/resume", EVERYONE, True),
    "surveys.resume_link": ("GET", SURVEY + "/resume/{code}", EVERYONE, True),
    "surveys.later": ("GET", SURVEY + "/later", EVERYONE, True),
    "surveys.paper": ("GET", SURVEY + "/print", EVERYONE, True),
    "surveys.poster": ("GET", SURVEY + "/poster", EVERYONE, True),
    "surveys.manage_new_survey": ("GET", "/en/m/{town}/manage/labs/{lab}/surveys/new", AUTHORS, True),
    "surveys.manage_from_template": (
        "POST", "/en/m/{town}/manage/labs/{lab}/surveys/from-template", AUTHORS, True),
    "surveys.manage_survey": ("GET", MANAGE_SURVEY, AUTHORS, True),
    "surveys.manage_survey_status": ("POST", MANAGE_SURVEY + "/status", AUTHORS, True),
    "surveys.manage_add_section": ("POST", MANAGE_SURVEY + "/sections", AUTHORS, True),
    "surveys.manage_edit_section": ("GET", MANAGE_SURVEY + "/sections/{section}", AUTHORS, True),
    "surveys.manage_new_question": ("GET", MANAGE_SURVEY + "/questions/new", AUTHORS, True),
    "surveys.manage_edit_question": (
        "GET", MANAGE_SURVEY + "/questions/{question}", AUTHORS, True),
    "surveys.manage_question_action": (
        "POST", MANAGE_SURVEY + "/questions/{question}/hide", AUTHORS, True),
    "surveys.manage_add_block": ("POST", MANAGE_SURVEY + "/blocks", AUTHORS, True),
    "surveys.manage_save_template": ("POST", MANAGE_SURVEY + "/template", AUTHORS, True),
    "surveys.manage_preview": ("GET", MANAGE_SURVEY + "/preview", AUTHORS, True),
    "surveys.manage_invitations": ("GET", MANAGE_SURVEY + "/invitations", AUTHORS, True),
    "focusgroups.display_session": ("GET", FOCUS + "/", EVERYONE, True),
    "focusgroups.session_ics": ("GET", FOCUS + "/calendar.ics", EVERYONE, True),
    "focusgroups.display_registration": ("GET", "/en/registrations/{registration_token}",
                                         EVERYONE, False),
    "focusgroups.calendar_feed": ("GET", "/calendar/{registration_token}.ics", EVERYONE, False),
    "focusgroups.manage_new_session": (
        "GET", "/en/m/{town}/manage/labs/{lab}/sessions/new", SESSION_STAFF, True),
    "focusgroups.manage_session": ("GET", MANAGE_FOCUS, SESSION_STAFF, True),
    "focusgroups.manage_session_status": ("POST", MANAGE_FOCUS + "/publish", SESSION_STAFF, True),
    "focusgroups.manage_registration": (
        "POST", MANAGE_FOCUS + "/registrations/{registration}/present", SESSION_STAFF, True),
    "focusgroups.manage_roster": ("GET", MANAGE_FOCUS + "/roster", SESSION_STAFF, True),
    "focusgroups.manage_sign_in_sheet": ("GET", MANAGE_FOCUS + "/sign-in-sheet", SESSION_STAFF, True),
    "focusgroups.manage_transcripts": ("GET", MANAGE_FOCUS + "/transcripts", SESSION_STAFF, True),
    "focusgroups.manage_transcript": (
        "GET", MANAGE_FOCUS + "/transcripts/{transcript}", SESSION_STAFF, True),
    "focusgroups.manage_report": ("GET", MANAGE_FOCUS + "/report", SESSION_STAFF, True),
    "plans.display_plan": ("GET", PLAN + "/", EVERYONE, True),
    "plans.add_comment": ("POST", PLAN + "/comments", SIGNED_IN, True),
    "plans.comment_action": ("POST", PLAN + "/comments/{comment}/support", SIGNED_IN, True),
    "plans.compare": ("GET", PLAN + "/compare", EVERYONE, True),
    "plans.you_said_we_did": ("GET", PLAN + "/you-said-we-did", EVERYONE, True),
    "plans.manage_new_plan": ("GET", "/en/m/{town}/manage/labs/{lab}/plans/new", LAB_MANAGERS, True),
    "plans.manage_plan": ("GET", MANAGE_PLAN, LAB_MANAGERS, True),
    "plans.manage_moderation": ("GET", MANAGE_PLAN + "/moderation", MODERATORS, True),
    "plans.manage_responses": ("GET", MANAGE_PLAN + "/responses", LAB_MANAGERS, True),
    # research: results (the world's surveys have published results; {template} is each town's own)
    "research.manage_results": ("GET", MANAGE_SURVEY + "/results", {OFFICIAL, RESEARCHER, ADMIN, SITE}, True),
    "research.manage_publish_results": ("POST", MANAGE_SURVEY + "/results/publish", LAB_MANAGERS, True),
    "research.display_results": ("GET", SURVEY + "/results", EVERYONE, True),
    "research.manage_research_home": ("GET", "/en/m/{town}/manage/research/", {RESEARCHER}, True),
    "research.manage_compare": ("GET", "/en/m/{town}/manage/research/compare/{template}", {RESEARCHER}, True),
    # research: API tokens (a researcher's own, in whichever town they do research)
    "research.manage_api_tokens": ("GET", "/en/profile/api-tokens", {RESEARCHER}, False),
    # research: coding (research only: site admins do not hold Permission.RESEARCH)
    "research.manage_coding": ("GET", CODING, {RESEARCHER}, True),
    "research.manage_codebook": ("GET", CODING + "/codebook", {RESEARCHER}, True),
    "research.manage_codebook_import": ("POST", CODING + "/codebook/import", {RESEARCHER}, True),
    "research.manage_codebook_template": ("POST", CODING + "/codebook/template", {RESEARCHER}, True),
    "research.manage_code_segments": ("GET", CODING + "/codes/{research_code}", {RESEARCHER}, True),
    "research.manage_code_edit": ("GET", CODING + "/codes/{research_code}/edit", {RESEARCHER}, True),
    "research.manage_code_delete": ("GET", CODING + "/codes/{research_code}/delete", {RESEARCHER}, True),
    "research.manage_coding_source": ("GET", CODING + "/sources/transcript-{transcript}", {RESEARCHER}, True),
    "research.manage_coding_add": ("POST", CODING + "/codings", {RESEARCHER}, True),
    "research.manage_coding_delete": ("POST", CODING + "/codings/{coding}/delete", {RESEARCHER}, True),
    "research.manage_memo_add": ("POST", CODING + "/memos", {RESEARCHER}, True),
    "research.manage_memo_delete": ("POST", CODING + "/memos/{memo}/delete", {RESEARCHER}, True),
    "research.manage_coding_agreement": ("GET", CODING + "/agreement", {RESEARCHER}, True),
    # research: exports (research only; the download link is in CHECKED_ELSEWHERE)
    "research.manage_exports": ("GET", "/en/m/{town}/manage/research/exports", {RESEARCHER}, True),
    "research.manage_create_export": ("POST", "/en/m/{town}/manage/research/exports", {RESEARCHER}, True),
}

#: Routes whose access this role matrix cannot express, each with the test that checks it.
#: Listed here so that no route ships without a decision about who may use it.
CHECKED_ELSEWHERE = {
    # research: exports. A download link works only for the researcher who asked for it, in
    # that town, until it expires: every other visitor allowed in by the role gets a 404.
    "research.export_download": "tests/research/test_exports.py::test_the_link_is_personal_and_expires",
    # research: API tokens. Only the token's owner may revoke it: every other researcher
    # gets a 404, so no visitor the matrix makes up can be "allowed".
    "research.revoke_api_token": "tests/research/test_api_tokens.py (revoke, 404, 403, login)",
    # research: API. Bearer tokens, not sessions: without a token the answer is a 401 in
    # JSON, never the login page; a token reaches its owner's research towns only.
    **{f"api.{name}": "tests/research/test_api.py::test_api_access" for name in (
        "display_openapi", "export_me", "export_municipalities", "export_municipality_labs",
        "export_lab", "export_lab_surveys", "export_survey", "export_survey_responses",
        "export_survey_counts", "export_lab_comments", "export_lab_codes", "export_lab_codings")},
}


def test_every_route_declares_a_permission(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not isinstance(getattr(app.view_functions[rule.endpoint], "__permission__", None),
                           Permission)
    ]
    assert undeclared == []


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    declared = set(ALLOWED) | set(CHECKED_ELSEWHERE)
    assert set(ALLOWED) & set(CHECKED_ELSEWHERE) == set()
    assert endpoints - declared == set(), "add the new route to ALLOWED"
    assert declared - endpoints == set(), "remove routes that no longer exist"


@pytest.fixture
def world(app, make_municipality, make_user, make_lab, make_survey, make_session):
    """Two towns with the same kinds of objects; people hold roles in the first."""
    from cocreate.accounts.models import Invitation, Membership
    from cocreate.core.base import utcnow
    from cocreate.extensions import db
    from cocreate.focusgroups.models import Registration, Transcript
    from cocreate.focusgroups.service import token_hash
    from cocreate.labs.models import Phase
    from cocreate.plans.models import Comment, Paragraph, Plan, PlanVersion
    from cocreate.research.models import Code, Coding, Memo
    from cocreate.surveys.models import SurveyTemplate
    from cocreate.surveys.service import start_draft

    towns = {}
    for key in ("own", "other"):
        town = make_municipality()
        lab = make_lab(town)
        phase = Phase(lab=lab, title={"nl": "Fase"}, starts_on=utcnow().date(),
                      ends_on=utcnow().date())
        db.session.add(phase)
        extra_admin = make_user(roles=[(town, "admin")])
        invitation = Invitation(municipality_id=town.id, email="x@example.org", role="official",
                                language="en", token_hash=f"h-{town.slug}",
                                expires_at=utcnow().replace(year=utcnow().year + 1))
        db.session.add(invitation)
        db.session.flush()
        membership = db.session.query(Membership).filter_by(user_id=extra_admin.id).one()
        survey = make_survey(town, lab=lab, results_published_at=utcnow())
        template = SurveyTemplate(slug=f"t-{town.slug}", municipality_id=town.id, title={"en": "T"})
        db.session.add(template)
        with app.test_request_context():
            _draft, code = start_draft(survey, language="en", consent={"participation": True})
        focus = make_session(town, lab=lab)
        registration_token = f"token-{town.slug}"
        registration = Registration(session=focus, guest_name="G", language="en",
                                    guest_email=f"g@{town.slug}.example.org", status="confirmed",
                                    consent_audio=True, token_hash=token_hash(registration_token))
        db.session.add(registration)
        transcript = Transcript(session_id=focus.id, source="notes", language="nl")
        db.session.add(transcript)
        plan = Plan(lab=lab, slug="plan", title={"nl": "Plan"}, official_language="nl")
        version = PlanVersion(plan=plan, number=1, published_at=utcnow())
        version.paragraphs.append(Paragraph(position=0, anchor="p-00000001", text="Tekst"))
        db.session.add(plan)
        db.session.flush()
        comment = Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001",
                          body="Reactie", language="nl")
        db.session.add(comment)
        db.session.flush()
        research_code = Code(lab_id=lab.id, key="k", name="Code")
        db.session.add(research_code)
        db.session.flush()
        coding = Coding(lab_id=lab.id, code_id=research_code.id, coder_id=extra_admin.id,
                        unit_kind="comment", unit_id=comment.id)
        memo = Memo(lab_id=lab.id, author_id=extra_admin.id, text="Memo")
        db.session.add_all([coding, memo])
        db.session.flush()
        towns[key] = dict(town=town.slug, lab=lab.slug, phase=phase.id,
                          membership=membership.id, invitation=invitation.id, obj=town,
                          survey=survey.slug, section=survey.sections[0].id,
                          question=survey.questions[0].id, code=code, session=focus.id,
                          registration=registration.id, registration_token=registration_token,
                          transcript=transcript.id, plan=plan.slug, comment=comment.id,
                          template=template.id, research_code=research_code.id, coding=coding.id,
                          memo=memo.id)
    return towns


#: The role other route-walking tests visit a route as: the first one here the table allows.
VISITORS = (SITE, ADMIN, OFFICIAL, RESEARCHER, MODERATOR, PARTICIPANT, ANON)


def visitor_for(endpoint: str, world: dict, make_user, preference=VISITORS):
    """A person allowed to use ``endpoint`` in the own town (None: anonymous), and its URL."""
    _method, template, allowed, _scoped = ALLOWED[endpoint]
    role = next(r for r in preference if r in allowed)
    return _person(role, world["own"]["obj"], make_user), template.format(**world["own"])


def _person(role, town, make_user):
    if role == ANON:
        return None
    if role == SITE:
        return make_user(site_admin=True)
    return make_user(roles=[(town, role)])


def _outcome(response) -> str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.text
    return "ok"


#: Sent with every POST: enough to pass loading, never enough to change much.
POST_DATA = {"block": "about-you", "target": "nonsense"}

CASES = [(endpoint, scope) for endpoint, spec in sorted(ALLOWED.items())
         for scope in (("own", "other") if spec[3] else ("own",))]
READING = [case for case in CASES if ALLOWED[case[0]][0] == "GET"]
CHANGING = [case for case in CASES if ALLOWED[case[0]][0] != "GET"]


def _expected(role, endpoint, scope) -> str:
    _method, _template, allowed, scoped = ALLOWED[endpoint]
    # Public and signed-in routes are the same in every town; staff rights are per town.
    permitted = role in allowed and (scope == "own" or not scoped or role == SITE or
                                     allowed in (EVERYONE, SIGNED_IN))
    return "ok" if permitted else ("login" if role == ANON else "403")


def _visit(client, person, method, url):
    if person is not None:
        client.login_as(person)
    return client.get(url) if method == "GET" else client.post_form(url, POST_DATA)


@pytest.mark.parametrize("endpoint,scope", READING)
def test_access_matrix_for_reading(app, world, make_user, endpoint, scope):
    """Every role on one world: a GET changes nothing, so the roles cannot disturb each other."""
    method, template, _allowed, _scoped = ALLOWED[endpoint]
    url = template.format(**world[scope])
    outcomes = {role: _outcome(_visit(app.test_client(), _person(role, world["own"]["obj"], make_user),
                                      method, url))
                for role in ROLES}
    assert outcomes == {role: _expected(role, endpoint, scope) for role in ROLES}, (endpoint, scope)


@pytest.mark.parametrize("endpoint,scope", CHANGING)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_for_changes(client, world, make_user, endpoint, role, scope):
    """A fresh world per role: an allowed POST may change what the next role would see."""
    method, template, _allowed, _scoped = ALLOWED[endpoint]
    response = _visit(client, _person(role, world["own"]["obj"], make_user), method,
                      template.format(**world[scope]))
    assert _outcome(response) == _expected(role, endpoint, scope), (endpoint, role, scope,
                                                                    response.status_code)


@pytest.mark.parametrize("endpoint", sorted(e for e, v in ALLOWED.items()
                                            if v[3] and "{" in v[1].replace("{town}", "")))
def test_objects_of_another_municipality_are_404(client, world, make_user, endpoint):
    """The right role in your own town does not reach another town's objects."""
    method, template, allowed, _ = ALLOWED[endpoint]
    role = next(r for r in (ADMIN, OFFICIAL, RESEARCHER, MODERATOR) if r in allowed)
    client.login_as(_person(role, world["own"]["obj"], make_user))
    mixed = {**world["other"], "town": world["own"]["town"]}
    url = template.format(**mixed)
    response = client.get(url) if method == "GET" else client.post_form(url, POST_DATA)
    assert response.status_code == 404, (endpoint, response.status_code)


def test_draft_lab_is_hidden_from_the_public(client, make_municipality, make_lab, make_user):
    town = make_municipality()
    draft = make_lab(town, status="draft")
    url = f"/en/m/{town.slug}/labs/{draft.slug}/"
    assert client.get(url).status_code == 404
    client.login_as(make_user(roles=[(town, "participant")]))
    assert client.get(url).status_code == 404
    client.login_as(make_user(roles=[(town, "official")]))
    response = client.get(url)
    assert response.status_code == 200 and "Preview" in response.text

"""Pages: the bytes a first visit transfers, and SQL statements that do not grow with the data.

**Weight.** Every GET route an anonymous visitor may call (declared
:data:`~cocreate.core.permissions.Permission.PUBLIC`) is fetched from the demo
(``seeds.run_demo()`` in a scratch SQLite file) with its arguments filled from the
demo's objects — every section of the survey, every session, tokens made for the
run — in every interface language, redirects followed. A page weighs its HTML plus
everything it references that a browser fetches on a first visit: stylesheets,
scripts, icons and images, and the fonts and images the stylesheets name. The
app does not compress responses, so these are raw bytes. The heaviest language
and arguments count. Target: 60 KB.

**Statements.** Pages that list things are built once with 10 and once with 1,000
of each thing in the demo lab — labs, surveys, sessions, plans, commenters with
their comments, supports, answers and focus-group groups, registrations, answer
options — and the statements of one view are counted with a
``before_cursor_execute`` listener. The baseline is the count with 10 items;
target ratio 1.0 (no query per item).
"""

from __future__ import annotations

import re
import secrets
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import url_for

from bench.common import metric
from bench.generate import bench_app, signed_in_client, statements
from cocreate.core.permissions import Permission

LIMIT_KB = 60
FEW, MANY = 10, 1_000
MUNICIPALITY, LAB, SURVEY, PLAN = "ninove", "samen-leven-ninove", "samenleven-2026", "integratieplan-2026"
OPTIONS_SURVEY = "many-options"
OFFICIAL, MODERATOR, RESEARCHER = "official@ninove.demo", "moderator@ninove.demo", "researcher@ninove.demo"
#: A hash no password matches: the people made here never sign in with one.
NO_PASSWORD = "!"

_HTML_REFERENCES = re.compile(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', re.I)
_CSS_REFERENCES = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def run(quick: bool, workdir: Path) -> list[dict]:
    demo = workdir / "demo.sqlite"
    _demo(demo)
    counts = {}
    for size in (FEW, MANY):
        path = workdir / f"items-{size}.sqlite"
        shutil.copy(demo, path)
        counts[size] = _statement_counts(path, size)
    records = _weights(demo)
    for page, few in counts[FEW].items():
        many = counts[MANY][page]
        records.append(metric(f"queries_{page}", many, "statements", baseline=few,
                              target=f"as many with {MANY:,} items as with {FEW}", met=many == few,
                              items=MANY))
    return records


def _demo(path: Path) -> None:
    from cocreate.extensions import db
    from seeds import run_demo

    app = bench_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        run_demo()
        db.session.commit()
        db.engine.dispose()


# -- Weight -------------------------------------------------------------------------------------


def _weights(path: Path) -> list[dict]:
    app = bench_app(f"sqlite:///{path}")
    client = app.test_client()
    visits = _public_visits(app, client)
    assets = _Assets(client)
    heaviest: dict[str, dict] = {}
    for endpoint, url in visits:
        response = client.get(url, follow_redirects=True)
        referenced = assets.of_page(response)
        total = len(response.data) + sum(assets.sizes[ref] for ref in referenced)
        if total > heaviest.get(endpoint, {}).get("total", -1):
            heaviest[endpoint] = {"total": total, "url": url, "status": response.status_code,
                                  "html": len(response.data), "assets": sorted(referenced)}
    return [metric(f"page_weight_{endpoint.replace('.', '_')}", found["total"] / 1024, "KB", baseline=None,
                   target=f"≤ {LIMIT_KB} KB (HTML and what it references, uncompressed)",
                   met=found["total"] <= LIMIT_KB * 1024, url=found["url"], status=found["status"],
                   html_kb=round(found["html"] / 1024, 1), assets=found["assets"])
            for endpoint, found in sorted(heaviest.items())]


class _Assets:
    """What pages reference, fetched once each: sizes, and what stylesheets reference."""

    def __init__(self, client):
        self.client = client
        self.sizes: dict[str, int] = {}
        self.inner: dict[str, list[str]] = {}

    def of_page(self, response) -> set[str]:
        """Paths of everything the page makes a browser fetch (none for other than HTML)."""
        if not response.mimetype.startswith("text/html"):
            return set()
        found: set[str] = set()
        pending = [urljoin(response.request.path, ref) for ref in _HTML_REFERENCES.findall(response.text)]
        while pending:
            path = urlsplit(pending.pop()).path
            if path.startswith("/") and path not in found:
                found.add(path)
                pending += self._fetch(path)
        return found

    def _fetch(self, path: str) -> list[str]:
        if path not in self.sizes:
            asset = self.client.get(path)
            self.sizes[path] = len(asset.data)
            self.inner[path] = [urljoin(path, ref) for ref in _CSS_REFERENCES.findall(asset.text)
                                if not ref.startswith("data:")] if asset.mimetype == "text/css" else []
        return self.inner[path]


def _public_visits(app, client) -> list[tuple[str, str]]:
    """(endpoint, URL) of every public GET route, for every language and every value its
    arguments take in the demo."""
    from cocreate.extensions import db

    with app.app_context():
        values = _demo_values(app, client)
        db.session.commit()
    visits = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if "GET" not in rule.methods or getattr(view, "__permission__", None) is not Permission.PUBLIC:
                continue
            choices = [{}]
            for argument in sorted(rule.arguments):
                options = values.get((rule.endpoint, argument), values.get(argument))
                if options is None:
                    raise LookupError(f"no demo value for {argument} of {rule.endpoint}")
                choices = [{**chosen, argument: option} for chosen in choices for option in options]
            visits += [(rule.endpoint, url_for(rule.endpoint, **chosen)) for chosen in choices]
    return visits


def _demo_values(app, client) -> dict:
    """Argument name (or (endpoint, name)) → the values to try, with tokens made for the run."""
    from cocreate.accounts.models import Invitation, PasswordReset, User
    from cocreate.accounts.service import token_hash
    from cocreate.core.base import utcnow
    from cocreate.extensions import db
    from cocreate.focusgroups import service as sessions
    from cocreate.focusgroups.models import FocusSession
    from cocreate.labs.models import Lab
    from cocreate.municipalities.models import Municipality
    from cocreate.research.publishing import set_results_public
    from cocreate.surveys import service as surveys
    from cocreate.surveys.models import Survey

    town = db.session.scalar(sa.select(Municipality).where(Municipality.slug == MUNICIPALITY))
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == town.id, Lab.slug == LAB))
    survey = db.session.scalar(sa.select(Survey).where(Survey.lab_id == lab.id, Survey.slug == SURVEY))
    official = db.session.scalar(sa.select(User).where(User.email == OFFICIAL))
    set_results_public(official, survey, True)
    public_sessions = list(db.session.scalars(sa.select(FocusSession).where(
        FocusSession.lab_id == lab.id, FocusSession.status == "published").order_by(FocusSession.id)))
    upcoming = next(s for s in public_sessions if s.registration_open(utcnow()))
    _registration, registration_token = sessions.register(
        upcoming, guest_name="Visitor", guest_email="visitor@bench.test", language="en", screening_answers={},
        interpretation_language=None, needs_childcare=False, accessibility_needs="", note="",
        consent_audio=False, consent_quotes=False)
    reset_token, invitation_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user=official, token_hash=token_hash(reset_token),
                                 expires_at=utcnow() + timedelta(hours=1)))
    db.session.add(Invitation(municipality_id=town.id, email="invited@bench.test", role="official", language="en",
                              token_hash=token_hash(invitation_token), invited_by=official,
                              expires_at=utcnow() + timedelta(days=1)))
    draft, resume_code = surveys.start_draft(survey, language="en", consent={"participation": True})
    sections = len(survey.sections)
    draft.page = sections - 1  # every page may be visited
    with client.session_transaction() as session:
        session["surveys"] = {str(survey.id): resume_code}
    return {
        "lang_code": list(app.config["LANGUAGES"]), "municipality_slug": [MUNICIPALITY], "lab_slug": [LAB],
        "survey_slug": [SURVEY], "plan_slug": [PLAN], "page": list(range(sections)),
        "session_id": [s.id for s in public_sessions], "code": [resume_code],
        ("accounts.reset_password", "token"): [reset_token],
        ("accounts.accept_invitation", "token"): [invitation_token],
        ("focusgroups.display_registration", "token"): [registration_token],
        ("focusgroups.calendar_feed", "token"): [registration_token],
    }


# -- Statements per page --------------------------------------------------------------------------


def _statement_counts(path: Path, size: int) -> dict[str, int]:
    from cocreate.extensions import db

    app = bench_app(f"sqlite:///{path}")
    with app.app_context():
        ids = _add_items(size)
        db.session.commit()
    anonymous = app.test_client()
    official, moderator, researcher = (signed_in_client(app, email) for email in (OFFICIAL, MODERATOR, RESEARCHER))
    place = dict(lang_code="en", municipality_slug=MUNICIPALITY, lab_slug=LAB)
    pages = {
        "municipality": (anonymous, "municipalities.display_municipality", dict(place, lab_slug=None)),
        "lab": (anonymous, "labs.display_lab", place),
        "lab_manage": (official, "labs.manage_lab", place),
        "plan": (anonymous, "plans.display_plan", dict(place, plan_slug=PLAN)),
        "you_said_we_did": (anonymous, "plans.you_said_we_did", dict(place, plan_slug=PLAN)),
        "plan_moderation": (moderator, "plans.manage_moderation", dict(place, plan_slug=PLAN)),
        "plan_responses": (official, "plans.manage_responses", dict(place, plan_slug=PLAN)),
        "session": (anonymous, "focusgroups.display_session", dict(place, session_id=ids["session"])),
        "session_manage": (official, "focusgroups.manage_session", dict(place, session_id=ids["session"])),
        "session_roster": (official, "focusgroups.manage_roster", dict(place, session_id=ids["session"])),
        "results_public": (anonymous, "research.display_results", dict(place, survey_slug=OPTIONS_SURVEY)),
        "results_researcher": (researcher, "research.manage_results", dict(place, survey_slug=OPTIONS_SURVEY)),
        "research_home": (researcher, "research.manage_research_home", dict(place, lab_slug=None)),
        "coding": (researcher, "research.manage_coding", place),
        "coding_source_comments": (researcher, "research.manage_coding_source",
                                   dict(place, source_key=f"plan-{ids['plan']}")),
    }
    counts = {}
    for page, (client, endpoint, arguments) in pages.items():
        with app.test_request_context():
            url = url_for(endpoint, **{k: v for k, v in arguments.items() if v is not None})
        client.get(url)  # templates compiled, caches filled: count a steady view
        with statements(app) as seen:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[page] = len(seen)
    return counts


def _add_items(n: int) -> dict[str, int]:
    """``n`` of each thing around the demo lab and plan; returns the ids the pages need."""
    from cocreate.accounts.models import ConsentRecord, User
    from cocreate.core.base import utcnow
    from cocreate.extensions import db
    from cocreate.focusgroups import screening
    from cocreate.focusgroups.models import FocusSession, Registration
    from cocreate.labs.models import Lab
    from cocreate.municipalities.models import Municipality
    from cocreate.plans import service as plans
    from cocreate.plans.models import Comment, OfficialResponse, Plan, Support
    from cocreate.research.publishing import set_results_public
    from cocreate.surveys.authoring import add_sections_from
    from cocreate.surveys.models import Answer, Response, Survey

    town = db.session.scalar(sa.select(Municipality).where(Municipality.slug == MUNICIPALITY))
    lab = db.session.scalar(sa.select(Lab).where(Lab.municipality_id == town.id, Lab.slug == LAB))
    plan = db.session.scalar(sa.select(Plan).where(Plan.lab_id == lab.id, Plan.slug == PLAN))
    official = db.session.scalar(sa.select(User).where(User.email == OFFICIAL))
    now = utcnow().replace(microsecond=0)
    title = {"nl": "Titel", "en": "Title", "fr": "Titre", "ar": "عنوان"}

    db.session.add_all(Lab(municipality=town, slug=f"lab-{i}", title=title, description=title,
                           default_language="nl", languages=["nl", "en"], status="published") for i in range(n))
    for i in range(n):
        survey = Survey(lab=lab, slug=f"survey-{i}", title=title, mode="anonymous", status="open",
                        default_language="nl", languages=["nl", "en"])
        db.session.add(survey)
        db.session.flush()
        add_sections_from(survey, {"sections": [{"title": title, "condition": None, "questions": [
            _question("Q1", [f"Q1_{j}" for j in range(3)])]}]})
    db.session.add_all(FocusSession(lab=lab, topic=title, starts_at=now + timedelta(days=30, hours=i),
                                    ends_at=now + timedelta(days=30, hours=i + 1), working_language="nl",
                                    capacity=10, status="published") for i in range(n))
    for i in range(n):
        other = plans.create_plan(official, lab, slug=f"plan-{i}", title=title, official_language="nl")
        db.session.flush()
        plans.publish_version(official, other, text="Eerste alinea.\n\nTweede alinea.", translations={},
                              change_note={})

    # n people: each registered for one big session (their group; the last ones on its waiting
    # list, as capacity stops at 500) and commenting on the plan.
    people = [User(email=f"person{i}@bench.test", display_name=f"Person {i}", preferred_language="nl",
                   password_hash=NO_PASSWORD) for i in range(n)]
    db.session.add_all(people)
    session = FocusSession(lab=lab, topic=title, starts_at=now + timedelta(days=5),
                           ends_at=now + timedelta(days=5, hours=2), working_language="nl", capacity=min(n, 500),
                           status="published", screening=screening.STANDARD,
                           quotas={"question": screening.GROUP_QUESTION, "minimum": {}})
    db.session.add(session)
    db.session.flush()
    anchor = plan.current.paragraphs[1].anchor
    for i, person in enumerate(people):
        group = (screening.NEWCOMER, screening.LONG_TERM)[i % 2]
        registration = Registration(session=session, user_id=person.id, language="nl", group_code=group,
                                    screening_answers={screening.GROUP_QUESTION: {"option": group}},
                                    status="confirmed" if i < session.capacity else "waitlisted",
                                    token_hash=secrets.token_hex(32))
        db.session.add(registration)
        comment = Comment(plan_id=plan.id, version_id=plan.current.id, anchor=anchor, user_id=person.id,
                          body=f"Opmerking {i}", language="nl")
        db.session.add(comment)
        db.session.flush()
        db.session.add_all([
            ConsentRecord(registration_id=registration.id, user_id=person.id, context=f"session:{session.id}",
                          scope="participation", granted=True, text_version=1, language="nl"),
            ConsentRecord(user_id=person.id, context=plans.consent_context(plan), scope="research",
                          granted=True, text_version=1, language="nl"),
            Support(comment_id=comment.id, user_id=people[(i + 1) % n].id),
            OfficialResponse(plan_id=plan.id, comment_id=comment.id, status="adopted",
                             explanation={"nl": "Aangenomen."}, responder_id=official.id)])

    # A survey whose one question has n options, each chosen by one person; results public.
    many = Survey(lab=lab, slug=OPTIONS_SURVEY, title=title, mode="anonymous", status="open",
                  default_language="nl", languages=["nl", "en"])
    db.session.add(many)
    db.session.flush()
    add_sections_from(many, {"sections": [{"title": title, "condition": None, "questions": [
        _question("Q1", [f"Q1_{j}" for j in range(n)])]}]})
    responses = [Response(survey_id=many.id, submission_key=secrets.token_hex(32), language="nl", submitted_at=now,
                          consent_scopes=["participation", "research"]) for _ in range(n)]
    db.session.add_all(responses)
    db.session.flush()
    db.session.execute(sa.insert(Answer), [{"survey_id": many.id, "response_id": response.id, "question_code": "Q1",
                                            "option_code": f"Q1_{j}"} for j, response in enumerate(responses)])
    db.session.execute(sa.insert(ConsentRecord), [
        {"response_id": response.id, "context": f"survey:{many.id}", "scope": scope, "granted": True,
         "text_version": 1, "language": "nl", "recorded_at": now}
        for response in responses for scope in ("participation", "research")])
    set_results_public(official, many, True)
    return {"session": session.id, "plan": plan.id}


def _question(code: str, options: list[str]) -> dict:
    return {"code": code, "type": "single", "text": {"nl": code, "en": code}, "help": {}, "required": False,
            "settings": {}, "condition": None, "dimension": None,
            "options": [{"code": option, "kind": "choice", "label": {"nl": option, "en": option}}
                        for option in options]}

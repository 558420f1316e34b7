"""Plans over HTTP and in the services: versions, comments, moderation, responses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog, OutboxMessage
from cocreate.extensions import db
from cocreate.plans import service
from cocreate.plans.models import ChangeLink, Comment, Flag, OfficialResponse, Plan, Support

TEXT = "# Plan\n\nWonen is duur.\n\nLessen zijn overdag."


@pytest.fixture
def plan(app, make_municipality, make_lab, make_user):
    town = make_municipality()
    lab = make_lab(town)
    official = make_user(roles=[(town, "official")])
    with app.test_request_context():
        plan = service.create_plan(official, lab, slug="plan", title={"nl": "Plan"},
                                   official_language="nl")
        db.session.flush()
        service.publish_version(official, plan, text=TEXT,
                                translations={"ar": "# خطة\n\nالسكن غالٍ.\n\nالدروس نهارًا."},
                                change_note={})
    plan.comments_open_at = utcnow() - timedelta(days=1)
    plan.comments_close_at = utcnow() + timedelta(days=1)
    db.session.flush()
    plan.official = official
    return plan


def url(plan, lang="en", rest="/"):
    return f"/{lang}/m/{plan.lab.municipality.slug}/labs/{plan.lab.slug}/plans/{plan.slug}{rest}"


def anchor(plan, position=1):
    return plan.current.paragraphs[position].anchor


def test_plan_page_shows_paragraphs_translation_notice_and_counts(client, plan):
    page = client.get(url(plan, "ar")).text
    assert "السكن غالٍ." in page and 'dir="rtl"' in page
    assert "Sign in to comment" in client.get(url(plan, "en")).text
    assert client.get(url(plan, "en", "/?v=9")).status_code == 404


def test_comment_in_any_language_with_reply_and_support(client, plan, make_user):
    author = make_user()
    client.login_as(author)
    response = client.post_form(url(plan, "ar", "/comments"), {
        "anchor": anchor(plan), "body": "السكن غالٍ جدًا في Meerbeke", "language": "ar",
        "quote": "Wonen is duur", "anonymous": "y"})
    assert response.status_code == 302
    comment = db.session.scalars(sa.select(Comment)).one()
    assert (comment.language, comment.quote, comment.show_name) == ("ar", "Wonen is duur", False)
    page = client.get(url(plan, "en")).text
    assert 'lang="ar" dir="rtl"' in page and "Anonymous participant" in page
    client.post_form(url(plan, "en", "/comments"), {"anchor": anchor(plan), "body": "Akkoord",
                                                    "parent_id": str(comment.id)})
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == comment.id))
    assert reply is not None
    other = make_user()
    client.login_as(other)
    client.post_form(url(plan, "en", f"/comments/{comment.id}/support"))
    client.post_form(url(plan, "en", f"/comments/{comment.id}/support"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 1


@pytest.mark.parametrize("data", [
    {"body": ""}, {"body": "x" * 2001}, {"anchor": "p-forged"}, {"anchor": ""},
    {"parent_id": "999999"}, {"body": "ok", "parent_id": "abc"},
])
def test_bad_comments_are_refused_and_nothing_is_saved(client, plan, make_user, data):
    client.login_as(make_user())
    form = {"anchor": anchor(plan), "body": "Een reactie", **data}
    response = client.post_form(url(plan, "en", "/comments"), form)
    assert response.status_code == 302
    if data.get("parent_id") == "abc":
        return  # an unreadable parent is ignored: a plain comment
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_comments_outside_the_period_are_refused(client, plan, make_user):
    plan.comments_close_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    client.login_as(make_user())
    client.post_form(url(plan, "en", "/comments"), {"anchor": anchor(plan), "body": "Te laat"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
    assert "Comments are closed" in client.get(url(plan)).text


def test_anonymous_visitors_cannot_comment(client, plan):
    response = client.post_form(url(plan, "en", "/comments"), {"anchor": anchor(plan), "body": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_replies_to_hidden_or_foreign_comments_are_refused(app, plan, make_user, make_lab):
    author = make_user()
    with app.test_request_context():
        first = service.add_comment(author, plan, anchor=anchor(plan), body="Eerste", language="nl")
        db.session.flush()
        service.moderate(plan.official, first, "hide", "persoonsgegevens")
        with pytest.raises(service.PlanError):
            service.add_comment(author, plan, anchor=anchor(plan), body="Antwoord",
                                language="nl", parent_id=first.id)


def test_moderation_flag_hide_restore_block_and_pre_moderation(client, app, plan, make_user):
    town = plan.lab.municipality
    author, reporter = make_user(), make_user()
    with app.test_request_context():
        comment = service.add_comment(author, plan, anchor=anchor(plan), body="Naam en adres",
                                      language="nl")
        db.session.flush()
        service.flag(reporter, comment, "persoonsgegevens")
        with pytest.raises(service.PlanError):
            service.flag(reporter, comment, "nog eens")
    moderator = make_user(roles=[(town, "moderator")])
    client.login_as(moderator)
    queue = client.get(url(plan, "en", "").replace("/labs/", "/manage/labs/") + "/moderation")
    assert queue.status_code == 200 and "Naam en adres" in queue.text
    moderation = url(plan, "en", "").replace("/labs/", "/manage/labs/") + "/moderation"
    assert client.post_form(moderation, {"comment_id": str(comment.id), "action": "hide",
                                         "reason": ""}).status_code == 302
    db.session.refresh(comment)
    assert comment.status == "published"  # a reason is required
    client.post_form(moderation, {"comment_id": str(comment.id), "action": "hide",
                                  "reason": "persoonsgegevens"})
    db.session.refresh(comment)
    assert comment.status == "hidden"
    assert "Hidden by a moderator: persoonsgegevens" in client.get(url(plan)).text
    assert db.session.scalar(sa.select(Flag.resolved_at)) is not None
    client.post_form(moderation, {"comment_id": str(comment.id), "action": "restore"})
    db.session.refresh(comment)
    assert comment.status == "published"
    client.post_form(moderation, {"comment_id": str(comment.id), "action": "block",
                                  "reason": "herhaald"})
    with app.test_request_context(), pytest.raises(service.PlanError):
        service.add_comment(author, plan, anchor=anchor(plan), body="Weer", language="nl")
    plan.pre_moderation = True
    db.session.flush()
    with app.test_request_context():
        pending = service.add_comment(reporter, plan, anchor=anchor(plan), body="Wacht", language="nl")
    assert pending.status == "pending"
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"comment.hide", "comment.restore", "comment.person_blocked"} <= actions


def test_participants_cannot_moderate(client, plan, make_user):
    client.login_as(make_user(roles=[(plan.lab.municipality, "participant")]))
    moderation = url(plan, "en", "").replace("/labs/", "/manage/labs/") + "/moderation"
    assert client.get(moderation).status_code == 403


def test_responses_new_version_links_and_you_said_we_did(client, app, plan, make_user):
    author = make_user(language="nl")
    with app.test_request_context():
        comment = service.add_comment(author, plan, anchor=anchor(plan, 2), body="Ook 's avonds!",
                                      language="nl")
        db.session.flush()
        service.respond(plan.official, plan, comment=comment, status="adopted",
                        explanation={"nl": "We voegen avondlessen toe."})
        with pytest.raises(service.PlanError):
            service.respond(plan.official, plan, comment=comment, status="maybe",
                            explanation={"nl": "x"})
        with pytest.raises(service.PlanError):
            service.respond(plan.official, plan, anchor="p-nope", status="noted",
                            explanation={"nl": "x"})
        version = service.publish_version(
            plan.official, plan, text="# Plan\n\nWonen is duur.\n\nLessen zijn overdag en 's avonds.",
            translations={}, change_note={"nl": "Avondlessen"}, links={2: [comment.id]})
    assert [p.change for p in version.paragraphs] == ["unchanged", "unchanged", "edited"]
    assert version.paragraphs[2].anchor == comment.anchor
    assert db.session.scalar(sa.select(ChangeLink.comment_id)) == comment.id
    subjects = [m.subject for m in db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == author.email))]
    assert len(subjects) == 2
    page = client.get(url(plan, "en", "/you-said-we-did")).text
    assert "We voegen avondlessen toe." in page and "Adopted" in page
    assert "fewer than 10" in page  # one commenter: the group is too small to show
    compare = client.get(url(plan, "en", "/compare")).text
    assert "<ins>" in compare and "avonds" in compare
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialResponse)) == 1


@pytest.mark.parametrize("text,translations,links", [
    ("", {}, {}),
    ("Een\n\nTwee", {"ar": "واحد"}, {}),
    ("Een\n\nTwee", {}, {7: [1]}),
    ("Een\n\nTwee", {}, {0: [999999]}),
])
def test_bad_versions_are_refused(app, plan, text, translations, links):
    with app.test_request_context(), pytest.raises(service.PlanError):
        service.publish_version(plan.official, plan, text=text, translations=translations,
                                change_note={}, links=links)


def test_manage_pages_publish_a_version_over_http(client, plan):
    client.login_as(plan.official)
    manage = url(plan, "en", "").replace("/labs/", "/manage/labs/")
    assert "Wonen is duur." in client.get(manage).text
    response = client.post_form(manage, {"action": "version", "version-text": TEXT + "\n\nNieuw.",
                                         "version-links": "3: nope"})
    assert response.status_code == 400
    response = client.post_form(manage, {"action": "version", "version-text": TEXT + "\n\nNieuw."})
    assert response.status_code == 302
    assert len(db.session.get(Plan, plan.id).versions) == 2
    response = client.post_form(manage, {"action": "period", "period-opens_at": "2030-01-02T10:00",
                                         "period-closes_at": "2030-01-01T10:00"})
    assert response.status_code == 400
    responses = client.get(manage + "/responses")
    assert responses.status_code == 200


def test_new_plan_over_http(client, plan):
    client.login_as(plan.official)
    new = url(plan, "en", "").replace("/labs/", "/manage/labs/").rsplit("/", 1)[0] + "/new"
    assert client.post_form(new, {"slug": "tweede", "official_language": "nl",
                                  "title__nl": "Tweede plan"}).status_code == 302
    assert client.post_form(new, {"slug": "tweede", "official_language": "nl",
                                  "title__nl": "Dubbel"}).status_code == 400
    assert client.post_form(new, {"slug": "derde", "official_language": "nl",
                                  "title__nl": ""}).status_code == 400


def test_filters_by_paragraph_and_status(client, app, plan, make_user):
    author = make_user()
    with app.test_request_context():
        answered = service.add_comment(author, plan, anchor=anchor(plan), body="Beantwoord",
                                       language="nl")
        service.add_comment(author, plan, anchor=anchor(plan, 2), body="Open vraag", language="nl")
        db.session.flush()
        service.respond(plan.official, plan, comment=answered, status="noted",
                        explanation={"nl": "Genoteerd."})
        db.session.flush()
    page = client.get(url(plan, "en", "/?status=unanswered")).text
    assert "Open vraag" in page and "Beantwoord" not in page
    page = client.get(url(plan, "en", f"/?status=noted&p={anchor(plan)}")).text
    assert "Beantwoord" in page and "Open vraag" not in page
    assert client.get(url(plan, "en", "/?status=%00&p=%ff")).status_code == 200


def test_officials_are_told_once_when_comments_close(app, plan, make_user):
    from cocreate.plans.tasks import comment_period_closed

    make_user(roles=[(plan.lab.municipality, "official")], email="ambtenaar@example.org",
              language="nl")
    closes = plan.comments_close_at
    with app.test_request_context():
        assert comment_period_closed(closes - timedelta(hours=1)) == 0
        assert comment_period_closed(closes + timedelta(hours=1)) == 2  # two officials
        assert comment_period_closed(closes + timedelta(hours=2)) == 0
    message = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == "ambtenaar@example.org")).one()
    assert message.language == "nl" and "/responses" in message.body_text


@pytest.mark.parametrize("language,stored", [("ar", "ar"), ("uk", "uk"), ('"><i>x', "en"),
                                             ("zz", "en"), ("", "en")])
def test_comment_language_tag_must_be_a_real_language(client, plan, make_user, language, stored):
    client.login_as(make_user())
    client.post_form(url(plan, "en", "/comments"), {"anchor": anchor(plan), "body": "Tekst",
                                                    "language": language})
    assert db.session.scalars(sa.select(Comment.language)).one() == stored

"""The application shell: languages in the URL, security headers, error pages."""

from __future__ import annotations

import pytest

from cocreate.config import Defaults


def test_root_negotiates_from_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ar/")


def test_root_prefers_the_saved_choice(client):
    client.get("/fr/")
    response = client.get("/", headers={"Accept-Language": "nl"})
    assert response.headers["Location"].endswith("/fr/")


def test_root_uses_the_profile_language_when_signed_in(client, make_user):
    user = make_user(language="nl")
    client.login(user)
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert response.headers["Location"].endswith("/nl/")


@pytest.mark.parametrize("code", ["xx", "zz", "EN", "en-XX", "abcd"])
def test_unknown_language_is_404(client, code):
    assert client.get(f"/{code}/").status_code == 404


RTL = {"ar", "fa", "ps"}


@pytest.mark.parametrize("lang,direction", [(code, "rtl" if code in RTL else "ltr")
                                            for code in Defaults.LANGUAGES])
def test_html_lang_and_dir(client, lang, direction):
    html = client.get(f"/{lang}/").text
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_every_interface_language_is_a_translated_page(client):
    """Each catalog is in use: the sign-in page is not English in any other language."""
    for lang in Defaults.LANGUAGES:
        html = client.get(f"/{lang}/login").text
        assert f'<html lang="{lang}"' in html
        if lang != "en":
            assert "<h1>Sign in</h1>" not in html, lang


def test_switcher_shows_the_towns_languages_first_and_the_rest_one_click_away(
        client, make_municipality):
    town = make_municipality("menutown", languages=["nl", "ti", "uk"])
    html = client.get(f"/en/m/{town.slug}/").text
    first, more = html.split('class="language-more"', 1)
    first = first.split('class="wrap language-switcher"', 1)[1]
    for code, name in (("en", "English"), ("nl", "Nederlands"), ("ti", "ትግርኛ"),
                       ("uk", "Українська")):
        assert f'hreflang="{code}"' in first and name in first, code
    assert 'hreflang="fa"' not in first and 'hreflang="fa"' in more
    assert 'dir="rtl">فارسی</a>' in more and "پښتو" in more
    assert "<summary>" in more.split("</details>", 1)[0]


def test_switcher_offers_the_browsers_language(client):
    html = client.get("/en/", headers={"Accept-Language": "so, en;q=0.5"}).text
    first = html.split('class="language-more"', 1)[0]
    assert 'hreflang="so"' in first and "Soomaali" in first


def test_names_inside_translated_sentences_keep_their_direction(client, make_user):
    person = make_user(email="jan.de.smet@example.org")
    client.login_as(person)
    html = client.get("/ar/profile").text
    assert "<bdi>jan.de.smet@example.org</bdi>" in html


def test_switcher_keeps_the_same_page(client, make_municipality):
    town = make_municipality("switchtown")
    html = client.get(f"/en/m/{town.slug}/").text
    assert 'href="/ar/m/switchtown/"' in html
    assert 'href="/nl/m/switchtown/"' in html
    assert 'lang="ar"' in html and "العربية" in html


def test_security_headers_on_every_response(client):
    for url in ("/en/", "/en/login", "/nope", "/healthz"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_no_inline_script_or_style_in_pages(client):
    html = client.get("/en/register").text
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


@pytest.mark.parametrize("lang,text", [("nl", "Pagina niet gevonden"),
                                       ("fr", "Page introuvable"),
                                       ("ar", "الصفحة غير موجودة")])
def test_error_pages_are_translated(client, lang, text):
    response = client.get(f"/{lang}/m/does-not-exist/")
    assert response.status_code == 404
    assert text in response.text


def test_403_page(client, make_user, make_municipality):
    town = make_municipality()
    client.login(make_user())
    response = client.get(f"/en/m/{town.slug}/manage/")
    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(tmp_path):
    from cocreate import create_app
    from cocreate.extensions import db
    from tests.conftest import BASE_CONFIG

    sqlite_app = create_app({**BASE_CONFIG,
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite"})
    with sqlite_app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unexpected_error_is_a_translated_500_page(app, client):
    original = app.view_functions["core.home"]

    def broken(**kwargs):
        raise RuntimeError("boom")

    broken.__permission__ = original.__permission__
    app.view_functions["core.home"] = broken
    try:
        response = client.get("/fr/")
    finally:
        app.view_functions["core.home"] = original
    assert response.status_code == 500
    assert "boom" not in response.text and 'lang="fr"' in response.text
    assert "Nothing you did caused this" not in response.text  # shown in French


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_database_gone_mid_request_is_a_translated_503_page(app, client, make_municipality, make_user,
                                                              signed_in):
    """The database goes away after the town (and the signed-in person) were loaded. The
    rollback expires them, and the page saying so must not need them again: these were
    bare 500s while PostgreSQL restarted (``make reliability``, postgres_restart)."""
    import sqlalchemy as sa

    from cocreate.extensions import db

    town = make_municipality()
    if signed_in:
        client.login_as(make_user(roles=[(town, "moderator")]))
    gone = {"now": False}

    def server_gone(_conn, _cursor, statement, *_args):
        if gone["now"] and not statement.lstrip().upper().startswith(("SAVEPOINT", "ROLLBACK", "RELEASE")):
            raise sa.exc.OperationalError(statement, {}, Exception("server closed the connection"))
        gone["now"] = gone["now"] or "municipality.slug = " in statement

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", server_gone)
    try:
        response = client.get(f"/fr/m/{town.slug}/")
    finally:
        sa.event.remove(engine, "before_cursor_execute", server_gone)
    assert gone["now"]
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert 'lang="fr"' in response.text and "server closed" not in response.text
    assert "Nothing was lost" not in response.text  # shown in French

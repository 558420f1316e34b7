"""The application shell: languages in the URL, security headers, error pages."""

from __future__ import annotations

import pytest


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


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("nl", "ltr"), ("fr", "ltr"),
                                            ("ar", "rtl")])
def test_html_lang_and_dir(client, lang, direction):
    html = client.get(f"/{lang}/").text
    assert f'<html lang="{lang}" dir="{direction}">' in html


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

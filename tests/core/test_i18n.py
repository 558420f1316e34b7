"""Languages: catalogs complete, the content resolver, local time formatting."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from cocreate.core.i18n import completeness, is_rtl, language_name, local_datetime, localize

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_configured_language_has_a_catalog():
    from cocreate.config import Defaults

    shipped = {path.parts[-3] for path in CATALOGS}
    assert set(Defaults.LANGUAGES) <= shipped


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete_and_not_fuzzy(path):
    catalog = read_po(path.open("rb"))
    template = read_po((ROOT / "translations" / "messages.pot").open("rb"))
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]}")
        if not all(strings) or len(strings) != (catalog.num_plurals if len(ids) > 1 else 1):
            problems.append(f"missing: {ids[0]}")
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    missing_ids = {m.id for m in template if m.id} - {m.id for m in catalog if m.id}
    problems += [f"not in catalog: {mid}" for mid in sorted(map(str, missing_ids))]
    assert problems == []


def test_catalog_template_is_up_to_date(tmp_path):
    """Every UI string in the code is in messages.pot (run `flask translate update`)."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "_l", "--no-location", "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    assert len(fresh) > 100, "the extraction found no strings: check babel.cfg"
    shipped = {m.id for m in read_po((ROOT / "translations/messages.pot").open("rb")) if m.id}
    assert fresh - shipped == set(), "run `flask translate update` and translate the new strings"


def test_localize_prefers_requested_then_default_then_any():
    value = {"nl": "Samen", "fr": "Ensemble"}
    assert localize(value, "fr", "nl").text == "Ensemble"
    fallback = localize(value, "ar", "nl")
    assert (fallback.text, fallback.lang, fallback.is_fallback) == ("Samen", "nl", True)
    assert localize({"fr": "Ensemble", "nl": "  "}, "en", "nl").lang == "fr"
    assert localize({}, "en", "nl").text == ""
    assert localize(None, "en").is_fallback is False


def test_fallback_direction_follows_the_text():
    assert localize({"ar": "مرحبا"}, "en").dir == "rtl"
    assert localize({"nl": "Hallo"}, "ar").dir == "ltr"


def test_completeness():
    assert completeness({"nl": "x", "fr": " "}, ["nl", "fr", "ar"]) == {
        "nl": True, "fr": False, "ar": False}


def test_language_names_in_their_own_script():
    assert language_name("ar") == "العربية"
    assert language_name("nl") == "Nederlands"
    assert language_name("fr") == "Français"
    assert language_name("zz-unknown") == "zz-unknown"
    assert is_rtl("ar") and is_rtl("fa") and not is_rtl("nl")
    from cocreate.config import Defaults

    names = {code: language_name(code) for code in Defaults.LANGUAGES}
    assert names["ti"] == "ትግርኛ" and names["uk"] == "Українська" and names["ps"] == "پښتو"
    assert all(name and name != code for code, name in names.items()), names
    assert {code for code in Defaults.LANGUAGES if is_rtl(code)} == {"ar", "fa", "ps"}


def test_dates_and_numbers_never_fail_in_any_interface_language(app):
    """Babel has data for every shipped language; a language without it falls back to
    the default locale's formats instead of failing."""
    from cocreate.config import Defaults
    from cocreate.core.i18n import format_number, local_date

    moment = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    with app.test_request_context("/en/"):
        for code in [*Defaults.LANGUAGES, "tig"]:
            with force_locale(code):
                assert local_datetime(moment, "Europe/Brussels"), code
                assert local_date(moment.date()), code
                assert format_number(12345.5), code


def test_local_time_in_the_municipality_zone(app):
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Brussels, before DST
    later = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 in Brussels, after DST
    with app.test_request_context("/nl/"):
        with force_locale("nl"):
            assert "01:30" in local_datetime(moment, "Europe/Brussels")
            assert "03:30" in local_datetime(later, "Europe/Brussels")


def test_fallback_content_is_marked_with_its_language(client, make_municipality, make_lab):
    town = make_municipality()
    lab = make_lab(town, title={"nl": "Samen leven"}, description={"nl": "Tekst."})
    html = client.get(f"/ar/m/{town.slug}/labs/{lab.slug}/").text
    assert '<span lang="nl" dir="ltr">Samen leven</span>' in html
    assert 'class="prose" lang="nl" dir="ltr"' in html
    assert 'class="fallback-note"' in html


def test_arabic_page_is_translated(client):
    html = client.get("/ar/login").text
    assert 'dir="rtl"' in html and "تسجيل الدخول" in html


def test_catalogs_compile_without_errors(tmp_path):
    """Babel's own checks (placeholders, plural forms) pass for every catalog."""
    for path in CATALOGS:
        result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile",
                                 "-i", str(path), "-o", str(tmp_path / "out.mo")],
                                cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stderr.lower(), \
            (path, result.stderr)

"""Every page in the right-to-left languages: right to left, translated, never a 500.

The pages come from the access table (:mod:`tests.test_access`), so a new page is covered
without anyone adding it here. Each is opened by a person allowed to see it.
"""

from __future__ import annotations

import pytest

from tests.test_access import (
    ADMIN,
    ALLOWED,
    ANON,
    MODERATOR,
    OFFICIAL,
    PARTICIPANT,
    RESEARCHER,
    SITE,
    visitor_for,
    world,  # noqa: F401  (fixture)
)

RTL_LANGUAGES = ("ar", "fa", "ps")
PAGES = sorted(e for e, spec in ALLOWED.items() if spec[0] == "GET" and spec[1].startswith("/en/"))
PREFERENCE = (RESEARCHER, OFFICIAL, MODERATOR, ADMIN, SITE, PARTICIPANT, ANON)


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_page_is_right_to_left_in_arabic_persian_and_pashto(app, world, make_user,  # noqa: F811
                                                                  endpoint):
    person, english = visitor_for(endpoint, world, make_user, PREFERENCE)
    for lang in RTL_LANGUAGES:
        client = app.test_client()
        if person is not None:
            client.login_as(person)
        url = "/" + lang + english[3:]
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 200 and response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}" dir="rtl">' in html, url
            assert "language-switcher" in html, url

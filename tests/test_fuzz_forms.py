"""Property-based: any form data sent to any changing route never gives a 500.

Every route that takes a POST is in the access table (:mod:`tests.test_access`), so a
new form is fuzzed without anyone adding it here. The field names are those of every
form class in the app plus the ones views read directly, and the survey's question
codes; the values are any text a browser or an attacker can send. Each route is
visited by a person allowed to use it, with a valid CSRF token, so the data reaches
the validation and the write paths.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from cocreate.core.forms import BaseForm
from tests.test_access import ALLOWED, visitor_for, world  # noqa: F401  (fixture)
from tests.test_bad_input import TEXT

ROOT = Path(__file__).resolve().parents[1]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _field_names() -> list[str]:
    import cocreate  # noqa: F401  (every form module is imported by the app's blueprints)

    names = set()
    for form_class in _subclasses(BaseForm):
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if hasattr(unbound, "field_class"):
                names.add(name)
    for path in (ROOT / "cocreate").rglob("*.py"):
        names |= set(re.findall(r'request\.form\.(?:get|getlist)\("([^"]+)"', path.read_text()))
    # Survey answers (Q1 … Q12 of the test survey), "other" texts, matrix rows, rankings.
    names |= {"Q1", "Q2", "Q2__other", "Q3", "Q5", "Q7", "Q9__Q9_1", "Q10__Q10_r1", "Q11",
              "text-nl", "text-en", "title-nl", "title-en", "option-0-nl", "choices-0-code"}
    names.discard("csrf_token")
    return sorted(names)


FIELDS = _field_names()
CHANGING = sorted(e for e, spec in ALLOWED.items() if spec[0] != "GET")
VALUE = TEXT | st.sampled_from(["0", "-1", "1e309", "999999999999999999999", "2026-02-30",
                                "2026-11-23T25:61", "y", "on", "nl", "ar", "zz", "keep",
                                "remove", "Q1_1", "p-00000001"])
FORM = st.dictionaries(st.sampled_from(FIELDS), st.lists(VALUE, min_size=1, max_size=3),
                       max_size=12)


def test_the_fuzzer_knows_the_forms():
    assert {"email", "password", "display_name", "body", "submission_token", "title_nl",
            "capacity"} & set(FIELDS) >= {"email", "password", "display_name", "body"}
    assert len(FIELDS) > 60


@pytest.mark.parametrize("endpoint", CHANGING)
def test_no_form_data_gives_a_500(client, world, make_user, endpoint):  # noqa: F811
    person, url = visitor_for(endpoint, world, make_user)
    if person is not None:
        client.login_as(person)
    token = client.csrf_token()

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(form=FORM)
    def post(form):
        data = [(key, value) for key, values in form.items() for value in values]
        response = client.post(url, data=MultiDict([*data, ("csrf_token", token)]))
        assert response.status_code < 500, (endpoint, form, response.status_code)

    post()

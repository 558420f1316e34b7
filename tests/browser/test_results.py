"""Survey results in a real Chromium: bars grow from the inline start (from the right in
Arabic), the pages are accessible and CSP-clean for officials, researchers and the public,
and publishing makes a protected public page appear.

Elements are found by class and attribute, never by translated words.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SURVEY = "/m/ninove/manage/labs/samen-leven-ninove/surveys/samenleven-2026/results"
PUBLIC = "/m/ninove/labs/samen-leven-ninove/surveys/samenleven-2026/results"
RESEARCHER = "researcher@ninove.demo"

#: Where the bars of the first chart sit relative to their chart: "start" is the edge of
#: the drawing the bars grow from.
BAR_SIDES = """() => {
  const chart = document.querySelector('svg.chart');
  const box = chart.getBoundingClientRect();
  return Array.from(chart.querySelectorAll('rect.chart-bar')).map(bar => {
    const b = bar.getBoundingClientRect();
    return {left: b.left - box.left, right: box.right - b.right};
  });
}"""


def _bars_start_on(watched, side: str) -> None:
    bars = watched.page.evaluate(BAR_SIDES)
    assert bars, "the first chart draws bars"
    starts = {round(bar[side]) for bar in bars}
    ends = {round(bar["left" if side == "right" else "right"]) for bar in bars}
    assert len(starts) == 1, f"bars share their {side} edge: {bars}"
    assert len(ends) > 1, "bar lengths differ"


def test_an_official_sees_protected_results_with_bars_from_the_right_in_arabic(
        new_page, sign_in, check_a11y):
    watched = new_page(viewport={"width": 390, "height": 844})
    sign_in(watched)
    watched.goto(f"/ar{SURVEY}?by=AY_BIRTH")
    page = watched.page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("svg.chart[direction=rtl]").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        "wide tables scroll inside their frame, the page itself does not"
    _bars_start_on(watched, "right")
    check_a11y(watched, "results, official, ar, breakdown")
    watched.goto(f"/en{SURVEY}")
    _bars_start_on(watched, "left")
    check_a11y(watched, "results, official, en")


def test_a_researcher_sees_every_count_and_the_written_answers(new_page, sign_in, check_a11y):
    watched = new_page()
    sign_in(watched, RESEARCHER)
    watched.goto(f"/en{SURVEY}?by=AY_AREA")
    page = watched.page
    assert page.locator("[lang=ar][dir=rtl]").count() > 0, "Arabic answers carry their language"
    check_a11y(watched, "results, researcher, en")
    watched.goto("/en/m/ninove/manage/research/")
    check_a11y(watched, "research home")
    compare = page.locator("a[href*='/manage/research/compare/']").first
    compare.click()
    page.wait_for_load_state()
    assert page.locator("table").count() > 0
    check_a11y(watched, "compare towns")


def test_published_results_are_public_and_protected(new_page, sign_in, check_a11y, live_db):
    watched = new_page()
    sign_in(watched)
    watched.goto(f"/en{SURVEY}")
    page = watched.page
    form = page.locator("form[action$='/results/publish']")
    if form.locator("input[name=action]").get_attribute("value") == "publish":
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    assert live_db("SELECT results_published_at IS NOT NULL FROM survey WHERE slug = ?",
                   "samenleven-2026") == 1
    visitor = new_page(viewport={"width": 360, "height": 740})
    for lang in ("en", "ar"):
        visitor.goto(f"/{lang}{PUBLIC}?by=AY_BIRTH")
        assert visitor.page.locator("svg.chart").count() > 0
        check_a11y(visitor, f"public results, {lang}")

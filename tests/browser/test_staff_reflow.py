"""Staff pages at 320 CSS px (WCAG 1.4.10): nothing scrolls the page sideways and nothing is
clipped; tables scroll inside their own region. And a failed form: the title says "Fejl:" and
the focus is on the error summary (WCAG 3.3.1, 2.4.3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_as

pytestmark = pytest.mark.only_on("sqlite")

SLUG = "sundhedsaftale-2024-2027"
STAFF = f"/staff/consultations/{SLUG}"
PAGES = {
    "secretariat": [
        f"{STAFF}/analysis/",
        f"{STAFF}/analysis/goals/fa-1-goal-1",
        f"{STAFF}/analysis/ranking",
        f"{STAFF}/inputs/",
        f"{STAFF}/inputs/tags",
        f"{STAFF}/exports/",
        "/staff/reference/",
        "/staff/consultations/",
    ],
    "facilitator": ["/sessions/"],
    "moderator": ["/moderation/"],
}

#: Elements that stick out of the viewport, except inside a region that scrolls on its own.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    if (el.closest('.table-wrap, .visually-hidden, .skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1)
      out.push(`${el.tagName}.${el.className}: ${Math.round(box.right - width)}px`);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'hidden')
      out.push(`clipped ${el.tagName}.${el.className}: ${el.scrollWidth - el.clientWidth}px`);
  }
  return out.slice(0, 8);
}"""


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("role", sorted(PAGES))
def test_staff_pages_reflow_at_320_px(phone_page, live_server, role, lang):
    sign_in_as(phone_page, live_server, role)
    phone_page.set_viewport_size({"width": 320, "height": 800})
    paths = list(PAGES[role])
    if role == "facilitator":
        # Each session's page, including the one with the longest Danish compound in its title.
        phone_page.goto("/sessions/")
        paths += sorted(
            {
                a.get_attribute("href")
                for a in phone_page.locator("main a[href^='/sessions/']").all()
            }
        )[:6]
    for path in paths:
        phone_page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320 px"
        assert phone_page.evaluate(STICKING_OUT) == [], path


def test_a_failed_form_takes_the_focus_and_says_so_in_the_title(page, live_server):
    page.goto("/account/login")
    page.get_by_role("button", name="Log ind").click()
    assert page.title().startswith("Fejl: "), page.title()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".error-summary a").first).to_be_focused()


def test_a_citizens_steps_fit_two_rows_and_options_are_44_px_on_a_phone(phone_page, live_server):
    sign_in_as(phone_page, live_server, "respondent")
    phone_page.set_viewport_size({"width": 320, "height": 800})
    phone_page.goto(f"/consultations/{SLUG}/respond/about-you")
    tops = phone_page.evaluate(
        "Array.from(document.querySelectorAll('.tabs--steps li')).map(li => li.offsetTop)"
    )
    # Two to a row: four steps on two rows (an organisation's fifth, its letter, on a third).
    assert len(tops) >= 4 and len(set(tops)) <= (len(tops) + 1) // 2, tops
    heights = phone_page.evaluate(
        """Array.from(document.querySelectorAll('.checkbox label'))
             .map(l => l.getBoundingClientRect().height)"""
    )
    # (When a journey before this one has closed the demo, "Om dig" shows no form any more.)
    if "/about-you" in phone_page.url:
        assert heights and min(heights) >= 44, heights

"""Reading the demo draft as a citizen would: in Danish and English, on a desktop, a phone and
without JavaScript; every page free of axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.helpers import check_axe

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("sqlite")

SLUG = "sundhedsaftale-2024-2027"
OVERVIEW = f"/consultations/{SLUG}/"
GOAL = f"/consultations/{SLUG}/items/fa-1-goal-2"
INITIATIVE = f"/consultations/{SLUG}/items/initiative-good-transition"
PRINT = f"/consultations/{SLUG}/print"
NOT_FOUND = "/no-such-page"
PAGES = [
    "/",
    OVERVIEW,
    GOAL,
    INITIATIVE,
    PRINT,
    "/accessibility",
    "/legal/privacy",
    "/legal/cookies",
    "/privacy/my-data",
    "/account/login",
    "/account/register",
    "/account/forgot-password",
    f"/consultations/{SLUG}/respond/start",
    NOT_FOUND,
]


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _console_errors(page, path: str) -> list[str]:
    # Chromium logs the 404 status of the error page itself; nothing else may be logged.
    if path == NOT_FOUND:
        return [e for e in page.console_errors if "status of 404" not in e]
    return page.console_errors


def test_front_page_lists_the_demo_consultations(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "da"
    expect(page.get_by_role("heading", level=1)).to_have_text("Høringer om sundhedsaftalen")
    open_section = page.locator("section", has=page.locator("#open-heading"))
    expect(open_section.get_by_role("link", name="Sundhedsaftale 2024–2027")).to_be_visible()
    deadline = open_section.locator(".deadline").inner_text()
    assert re.search(r"Frist: \d{1,2}\. \w+ \d{4} kl\. 12\.00", deadline), deadline
    assert re.search(r"\(\d+ dage tilbage\)", deadline), deadline
    closed_section = page.locator("section", has=page.locator("#closed-heading"))
    expect(
        closed_section.get_by_role("link", name="Sundhedsaftale III – psykiatri")
    ).to_be_visible()
    expect(closed_section.locator(".deadline")).to_contain_text(
        "Fristen var 15. oktober 2014 kl. 12.00"
    )
    assert "Sundhedsaftale III" not in open_section.inner_text()
    assert not page.console_errors, page.console_errors


def test_switching_to_english_is_remembered(page):
    page.goto(OVERVIEW)
    assert page.locator("html").get_attribute("lang") == "da"
    expect(page.get_by_role("heading", name="Indhold", level=2)).to_be_visible()
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Health Agreement 2024–2027", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Contents", level=2)).to_be_visible()
    # The next page, without ?lang, stays English: the choice is kept in the session.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consultations on the health agreement"
    )
    page.get_by_role("link", name="Dansk").click()
    assert page.locator("html").get_attribute("lang") == "da"
    page.goto(GOAL)
    assert page.locator("html").get_attribute("lang") == "da"


def test_accept_language_gives_english_on_a_first_visit(english_page):
    english_page.goto("/")
    assert english_page.locator("html").get_attribute("lang") == "en"
    expect(english_page.get_by_role("heading", level=1)).to_have_text(
        "Consultations on the health agreement"
    )
    expect(english_page.locator("#open-heading + ul .deadline")).to_contain_text("days left")


def test_overview_has_the_whole_draft_and_a_working_table_of_contents(page):
    page.goto(OVERVIEW)
    assert page.locator("#visions article").count() == 4
    assert page.locator("#principles > ol > li").count() == 8
    focus_areas = page.locator("#focus-areas > article")
    assert focus_areas.count() == 4
    for i in range(4):
        assert focus_areas.nth(i).locator(".goal-list__item").count() >= 1
    assert page.locator(".goal-list__item").count() == 13
    toc = page.get_by_role("navigation", name="Indhold")
    hrefs = toc.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["#visions", "#principles", "#focus-areas", "#fa-1", "#fa-2", "#fa-3", "#fa-4"]
    for href in hrefs:
        assert page.locator(href).count() == 1, f"the table of contents links to a missing {href}"
    expect(page.locator("#fa-3")).not_to_be_in_viewport()
    toc.locator("a[href='#fa-3']").click()
    assert page.url.endswith("#fa-3")
    expect(page.locator("#fa-3-heading")).to_be_in_viewport()


def test_goal_shows_both_alternative_wordings(page):
    page.goto(GOAL)
    expect(
        page.get_by_role("heading", name="Udkastet giver alternative formuleringer")
    ).to_be_visible()
    expect(page.locator(".alternatives li")).to_have_text(
        [
            re.compile("Alle borgere med flere sygdomme oplever en samlet indsats"),
            re.compile("Alle borgere med flere kroniske sygdomme oplever, at der er styr på"),
        ]
    )
    page.goto(_with_lang(GOAL, "en"))
    expect(page.locator(".alternatives li")).to_have_text(
        [re.compile("receive joined-up care"), re.compile("overall course of care")]
    )


def test_initiative_shows_political_goals_and_funds_for_the_locale(page):
    page.goto(INITIATIVE)
    political_goals = page.locator("main h2:text-is('Politiske mål') + ul > li")
    assert political_goals.count() == 4
    expect(political_goals.nth(1)).to_have_text(
        "At øge antallet af borgere, der udskrives til IV-behandling i hjemmet"
    )
    expect(page.locator(".funds")).to_have_text("2.000.000 kr.")
    page.goto(_with_lang(INITIATIVE, "en"))
    assert page.locator("main h2:text-is('Political goals') + ul > li").count() == 4
    expect(page.locator(".funds")).to_contain_text("2,000,000")


def test_print_view_has_the_whole_draft(page):
    page.goto(PRINT)
    main = page.locator("main")
    headings = main.locator("h2").all_inner_texts()
    assert headings[:2] == ["Visioner", "Principper for samarbejdet"]
    assert [h.split(":")[0] for h in headings[2:]] == [f"Fokusområde {n}" for n in range(1, 5)]
    assert main.locator("> ol > li").count() == 8  # the principles
    assert page.locator(".print-item").count() == 13
    assert page.locator(".print-item .alternatives").count() >= 1
    expect(page.locator(".print-item .funds").first).to_contain_text("kr.")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_accessibility_violations(page, path, lang):
    page.goto(_with_lang(path, lang))
    assert page.locator("html").get_attribute("lang") == lang
    check_axe(page)
    assert not _console_errors(page, path), page.console_errors


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_phone_pages_are_accessible_and_reflow(phone_page, path, lang):
    phone_page.goto(_with_lang(path, lang))
    check_axe(phone_page)
    # The phone, then 320 CSS px, the width WCAG 1.4.10 (reflow) names: no sideways scrolling.
    for width in (390, 320):
        phone_page.set_viewport_size({"width": width, "height": 844})
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px wide"
    assert not _console_errors(phone_page, path), phone_page.console_errors


def test_the_skip_link_moves_keyboard_focus_to_the_content(page):
    page.goto(GOAL)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_reading_works_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/")
    page.get_by_role("link", name="Sundhedsaftale 2024–2027").first.click()
    expect(page.get_by_role("heading", name="Sundhedsaftale 2024–2027", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Indhold").locator("a[href='#fa-1']").click()
    expect(page.locator("#fa-1-heading")).to_be_in_viewport()
    page.locator("a[href$='/items/fa-1-goal-2']").click()
    assert page.locator(".alternatives li").count() == 2
    page.locator("details.background summary").click()
    assert page.locator("details.background").get_attribute("open") is not None
    page.get_by_role("link", name=re.compile("Den gode overgang")).click()
    expect(page.locator(".funds")).to_have_text("2.000.000 kr.")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Health Agreement 2024–2027").click()
    page.get_by_role("link", name="Print the whole draft").click()
    assert page.locator(".print-item").count() == 13


def test_security_headers_reach_the_browser_and_nothing_is_blocked(page):
    for path in ("/", OVERVIEW, GOAL, INITIATIVE, PRINT):
        response = page.goto(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
        assert response.headers["x-content-type-options"] == "nosniff"
    assert not page.console_errors, page.console_errors


def test_csp_refuses_inline_script(page):
    """The browser enforces the policy: an inline <script> is refused and reported."""
    page.goto(GOAL)
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected") is None
    assert any("Content Security Policy" in e for e in page.console_errors)

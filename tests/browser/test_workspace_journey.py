"""The secretariat works through the demo's input in the browser; every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("postgresql")

SLUG = "sundhedsaftale-2024-2027"


def test_the_secretariat_reads_figures_tags_a_selection_and_replies(page, live_server):
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/analysis/")
    expect(page.get_by_role("heading", name="Overblik", level=1)).to_be_visible()
    # The charts load (same-origin SVG) and every page passes axe.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    check_axe(page)
    page.get_by_role("link", name=re.compile("Ingen ældre borgere opholder sig")).click()
    expect(page.get_by_role("heading", name="Hvem inputtet kommer fra")).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Prioritering").click()
    check_axe(page)
    page.get_by_role("link", name="Temaer").click()
    page.get_by_label("Nyt tema").fill("Udskrivelse")
    page.get_by_role("button", name="Tilføj temaet").click()
    assert "Temaet er tilføjet." in page.locator(".flashes").inner_text()
    check_axe(page)
    # Search with a Danish word form, then tag the whole selection at once.
    page.get_by_role("link", name="Alt input").click()
    page.get_by_label("Ord i teksten").fill("udskrivelserne")
    page.get_by_role("button", name="Vis", exact=True).click()
    found = int(re.search(r"(\d+) input fundet", page.locator("main").inner_text())[1])
    assert found > 0
    check_axe(page)
    page.get_by_label("Tema", exact=True).select_option(label="Udskrivelse")
    page.get_by_role("button", name="Sæt temaet på").click()
    # The whole selection at once (journeys before this one on the same demo may have put
    # other themes on some of it; the message counts the inputs this click tagged).
    tagged = int(
        re.search(r"Temaet er sat på ([\d.]+) input", page.locator(".flashes").inner_text())[
            1
        ].replace(".", "")
    )
    assert 0 < tagged <= found
    # One input: write a reply, ready for a colleague.
    page.locator("table.inputs tbody tr a").first.click()
    check_axe(page)
    page.get_by_label("Svar", exact=True).fill("Tak. Udskrivelser indgår i den fælles indsats.")
    page.get_by_label("Taget til efterretning").check()
    page.get_by_label("Klar til, at en kollega godkender det").check()
    page.get_by_role("button", name="Gem svaret").click()
    assert "Svaret er gemt." in page.locator(".flashes").inner_text()
    # The author cannot approve it: no button; a colleague can.
    assert page.get_by_role("button", name="Godkend svaret").count() == 0
    page.get_by_role("link", name="Dubletter og kampagner").click()
    assert "Flere psykiatriske senge" in page.locator("main").inner_text()
    check_axe(page)
    page.get_by_role("link", name="Høringsliste").click()
    check_axe(page)
    assert not page.console_errors, page.console_errors


def test_the_workspace_reads_on_a_phone_in_english(phone_page, live_server):
    page = phone_page
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/analysis/goals/fa-2-goal-4?lang=en")
    expect(page.get_by_role("heading", name="Positions", level=2)).to_be_visible()
    check_axe(page)
    page.goto(f"/staff/consultations/{SLUG}/inputs/?lang=en&stance=oppose")
    check_axe(page)

"""A moderator clears part of the demo queue in the browser, in Danish and English; the public
reads and reports what was published. Every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("postgresql")

SLUG = "sundhedsaftale-2024-2027"


def test_a_moderator_redacts_hides_and_publishes_in_bulk(page, live_server):
    sign_in_as(page, live_server, "moderator")
    page.get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
    check_axe(page)
    waiting = int(
        re.search(r"([\d.]+) input venter", page.locator("main").inner_text())[1].replace(".", "")
    )
    assert waiting > 10
    # Flagged first: open one, keep the flagged parts chosen, remove them and publish.
    page.get_by_label("Personoplysninger").select_option("flagged")
    page.get_by_role("button", name="Filtrér").click()
    page.locator("table.queue tbody tr a").first.click()
    assert page.locator("mark.flag").count() >= 1
    check_axe(page)
    redact = page.locator("section", has=page.get_by_role("heading", name="Fjern dele"))
    redact.get_by_role("button", name="Fjern og offentliggør").click()
    assert "Fjernet og offentliggjort." in page.locator(".flashes").inner_text()
    # The next flagged one opens at once; hide it as spam with a note.
    hide = page.locator("section", has=page.get_by_role("heading", name="Skjul"))
    hide.get_by_label("Spam").check()
    hide.get_by_role("button", name="Skjul").click()
    assert "Skjult." in page.locator(".flashes").inner_text()
    # Clean ones go in bulk, but only once the moderator chooses them: nothing is ticked for them.
    page.goto("/moderation/?flag=clean")
    assert page.locator("input[name=ids]:checked").count() == 0
    on_page = page.locator("input[name=ids]").count()
    assert on_page > 0
    page.get_by_role("link", name=f"Vælg alle {on_page} på denne side").click()
    chosen = page.locator("input[name=ids]:checked").count()
    assert chosen == on_page
    check_axe(page)
    page.get_by_role("button", name="Offentliggør de valgte").click()
    assert f"{chosen} offentliggjort." in page.locator(".flashes").inner_text()
    check_axe(page)
    # The same pages in English, and the audit log.
    page.goto("/moderation/?lang=en")
    expect(page.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Audit log").click()
    assert "Published" in page.locator("table").inner_text()
    check_axe(page)
    page.get_by_label("What").select_option(label="Parts removed, then published")
    page.get_by_role("button", name="Filter").click()
    log = page.locator("table").inner_text()
    assert "Parts removed, then published" in log and "Personal data" in log
    assert "Published:" not in log
    page.goto("/moderation/?lang=da")


def test_the_public_reads_published_input_and_reports_it(phone_page, live_server):
    page = phone_page
    page.goto(f"/consultations/{SLUG}/items/fa-1-goal-1")
    expect(page.get_by_role("heading", name="Hvad andre har sagt")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"offentliggjorte input")).click()
    check_axe(page)
    page.get_by_label("Holdning").select_option("oppose")
    page.get_by_role("button", name="Vis").click()
    assert "stance=oppose" in page.url
    check_axe(page)
    page.locator("article.published").first.get_by_role("link", name="Anmeld").click()
    check_axe(page)
    page.get_by_label("Uden for emnet").check()
    page.get_by_role("button", name="Send anmeldelsen").click()
    assert "En moderator ser på det." in page.locator(".flashes").inner_text()
    assert "stance=oppose" in page.url  # back where the report started
    # An organisation's whole response.
    page.goto(f"/consultations/{SLUG}/items/fa-1-goal-1/input?lang=en")
    organisation = page.locator("article.published .published__who a").first
    organisation.click()
    # The click starts a navigation; wait for the new page rather than reading the old one.
    expect(page.get_by_role("heading", name=re.compile("Response from"))).to_be_visible()
    check_axe(page)
    assert not page.console_errors, page.console_errors

"""A citizen responds to three goals, ranks, submits and edits: every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import PDF
from tests.helpers import check_axe
from tests.helpers import link_in_last_mail_to
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("sqlite")

SLUG = "sundhedsaftale-2024-2027"


def test_a_citizen_responds_ranks_submits_and_edits(phone_page, live_server):
    page = phone_page
    sign_in_as(page, live_server, "respondent")
    page.goto(f"/consultations/{SLUG}/items/fa-1-goal-2")
    page.get_by_role("link", name="Giv dit input til dette mål").click()
    # First: who you answer as.
    expect(page.get_by_role("heading", name="Om dig")).to_be_visible()
    check_axe(page)
    page.get_by_label("Du svarer som").select_option(label="Borger")
    page.get_by_role("combobox", name="Kommune").select_option(label="Hvidovre")
    page.get_by_role("button", name="Gem og fortsæt").click()
    # Back on the goal: it has two wordings to choose between.
    page.goto(f"/consultations/{SLUG}/respond/items/fa-1-goal-2")
    check_axe(page)
    page.get_by_label("Jeg støtter det med ændringer").check()
    page.locator("input[name=preferred_alternative]").nth(1).check()
    page.get_by_label("5 – meget vigtigt").check()
    page.get_by_label("Hvorfor? (valgfrit)").fill(
        "Det samlede forløb er det vigtigste for min mor."
    )
    page.get_by_role("button", name="Gem og fortsæt").click()
    # The next goal follows; answer it and one more.
    for stance in ("Jeg støtter målet", "Jeg er imod målet"):
        page.get_by_label(stance).check()
        page.get_by_role("button", name="Gem og fortsæt").click()
    page.goto(f"/consultations/{SLUG}/respond/ranking")
    check_axe(page)
    selects = page.locator("select[name^=area_]")
    selects.nth(2).select_option("1")
    selects.nth(0).select_option("2")
    page.get_by_role("button", name="Gem prioriteringen").click()
    expect(page.get_by_role("heading", name="Dit høringssvar")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Send mit høringssvar").click()
    expect(page.get_by_role("heading", name="Tak for dit høringssvar")).to_be_visible()
    check_axe(page)
    receipt = page.locator(".status-box").inner_text()
    assert "Kvitteringsnummer" in receipt
    # Edit after sending, then send again.
    page.get_by_role("link", name="Se eller ændr dit høringssvar").click()
    page.get_by_role("link", name="Ændr dit input").first.click()
    page.get_by_label("Jeg er imod målet").check()
    page.get_by_role("button", name="Gem og se oversigten").click()
    assert "Jeg er imod målet" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send det ændrede høringssvar").click()
    expect(page.get_by_role("heading", name="Tak for dit høringssvar")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert not page.console_errors, page.console_errors


def test_an_organisation_responds_in_english_with_only_an_e_mail_and_a_letter(
    english_page, live_server
):
    page = english_page
    address = "hoeringer@patientforening.example"
    page.goto(f"/consultations/{SLUG}/items/fa-2-goal-1")
    page.get_by_role("link", name="Give your input on this goal").click()
    check_axe(page)
    page.get_by_role("textbox", name="E-mail").fill(address)
    page.get_by_role("button", name="Send me the link").click()
    assert address in page.locator("main").inner_text()
    check_axe(page)
    page.goto(link_in_last_mail_to(live_server, address))
    # The link shows a button (an e-mail scanner fetching the link uses nothing up).
    check_axe(page)
    page.get_by_role("button", name="Continue to your response").click()
    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    page.get_by_label("You answer as").select_option(label="Patient association")
    page.get_by_role("button", name="Save and continue").click()
    # The organisation's name is required for organisations: the message sits by the field.
    expect(page.get_by_role("alert")).to_be_visible()
    check_axe(page)
    page.get_by_label("Organisation").fill("Psykiatriforeningen Hovedstaden")
    page.get_by_role("combobox", name="Municipality").select_option(label="Copenhagen")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(f"/consultations/{SLUG}/respond/items/fa-2-goal-1")
    page.get_by_label("I support it with changes").check()
    page.get_by_label("Why? (optional)").fill("Peer workers should be part of every team.")
    page.get_by_label("A better wording (optional)").fill("Everyone gets a peer worker.")
    page.get_by_role("button", name="Save and see the summary").click()
    # Organisations publish with their name unless they choose otherwise.
    assert "with my name or my organisation's name" in page.locator("main").inner_text()
    page.get_by_role("link", name="Attach a letter (PDF)").click()
    check_axe(page)
    page.get_by_label("Letter (PDF)").set_input_files(
        {"name": "not-a-letter.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a"}
    )
    page.get_by_role("button", name="Attach the letter").click()
    assert "The file is not a PDF" in page.get_by_role("alert").inner_text()
    check_axe(page)
    page.get_by_label("Letter (PDF)").set_input_files(
        {"name": "Consultation response.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach the letter").click()
    assert "Consultation response.pdf" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send my response").click()
    expect(page.get_by_role("heading", name="Thank you for your response")).to_be_visible()
    check_axe(page)
    assert not page.console_errors, page.console_errors

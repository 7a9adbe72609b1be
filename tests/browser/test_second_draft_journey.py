"""The second draft: the secretariat takes the demo from closed to a published second draft and
memo, with the trail, approved by three parties; the public reads what changed and why."""

from __future__ import annotations

import pytest

from consult.accounts.services import find_user_by_email
from consult.accounts.services import set_password
from consult.extensions import db
from tests.factories import PASSWORD
from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md). This one closes
# the open demo, so on the SQLite run it comes after the journeys that answer it.
pytestmark = pytest.mark.only_on("sqlite")

SLUG = "sundhedsaftale-2024-2027"
GOAL = "fa-1-goal-1"
NEW_TITLE = "Ingen ældre borgere bliver på hospitalet længere end nødvendigt"
PARTIES = {
    "region": "Region Hovedstaden",
    "kkr": "KKR Hovedstaden",
    "plo": "PLO Hovedstaden",
}


def _approver_page(browser, live_server, code: str):
    """A fresh browser for the demo approver of one party, signed in."""
    email = f"approver-{code}@demo.consult.localhost"
    with live_server.app.app_context():
        set_password(find_user_by_email(email), PASSWORD)
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    page = context.new_page()
    page.goto("/account/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    return context, page


def test_closed_to_a_published_second_draft_with_three_approvals(page, browser, live_server):
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/")
    # Close it, then report: the status box says what each step needs.
    for status, label in (("closed", "Afsluttet"), ("reporting", "Afrapportering")):
        page.get_by_label("Ny status").select_option(status)
        page.get_by_role("button", name="Skift status").click()
        assert label in page.locator(".flash").inner_text()
    assert "Hvor høringen står: Afrapportering" in page.locator("main").inner_text()
    check_axe(page)

    # Version 2 is a working copy: the public still reads version 1.
    page.get_by_role("button", name="Start version 2").click()
    assert "arbejdskopi" in page.locator(".flash").inner_text()
    page.locator(f"#{GOAL}").get_by_role("link", name="Rediger").click()
    page.get_by_label("Titel på dansk").fill(NEW_TITLE)
    page.get_by_role("button", name="Gem").first.click()
    assert "Gemt" in page.locator(".flash").inner_text()

    # Why it changed: a reason and two inputs behind it.
    page.get_by_role("link", name="Hvorfor det er ændret").last.click()
    check_axe(page)
    assert "<del>" in page.locator(".diff").first.inner_html()
    page.get_by_label("Hvorfor det er ændret, på dansk").fill(
        "Mange høringssvar bad om en klarere formulering."
    )
    boxes = page.locator("input[name=inputs]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Gem").click()
    assert "Gemt" in page.locator(".flash").inner_text()

    anonymous = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    anonymous.goto(f"/consultations/{SLUG}/items/{GOAL}")
    assert NEW_TITLE not in anonymous.locator("main").inner_text()

    # Preview and compare.
    page.goto(f"/staff/consultations/{SLUG}/versions/2/preview")
    assert NEW_TITLE in page.locator("main").inner_text()
    check_axe(page)
    page.goto(f"/staff/consultations/{SLUG}/versions/2/changes")
    assert "2 input ligger bag ændringen:" in page.locator("main").inner_text()
    check_axe(page)

    # The demo's three parties, each with its approver; off to approval.
    page.goto(f"/staff/consultations/{SLUG}/parties")
    assert all(name in page.locator("main").inner_text() for name in PARTIES.values())
    check_axe(page)
    page.goto(f"/staff/consultations/{SLUG}/")
    page.get_by_label("Ny status").select_option("approval")
    page.get_by_role("button", name="Skift status").click()
    assert "0 af 3 parter har godkendt." in page.locator("main").inner_text()
    # Publishing now is refused, and says what is missing.
    page.get_by_label("Ny status").select_option("published")
    page.get_by_role("button", name="Skift status").click()
    assert "0 af 3 parter har godkendt." in page.locator(".flash").inner_text()

    for n, code in enumerate(PARTIES, start=1):
        context, approver = _approver_page(browser, live_server, code)
        approver.get_by_role("link", name="Godkendelser").click()
        approver.get_by_role("link", name="Sundhedsaftale 2024–2027").click()
        assert NEW_TITLE in approver.locator("main").inner_text()
        check_axe(approver)
        approver.get_by_label("Godkend", exact=True).check()
        approver.get_by_label("Kommentar (skal udfyldes, når du beder om ændringer)").fill(
            f"Godkendt for {PARTIES[code]}."
        )
        approver.get_by_role("button", name="Send beslutningen").click()
        assert "er registreret" in approver.locator(".flash").inner_text()
        assert f"{n} af 3 parter har godkendt." in approver.locator("main").inner_text()
        context.close()

    # Every party has approved: publish in one step.
    page.goto(f"/staff/consultations/{SLUG}/versions/2/changes")
    assert "3 af 3 parter har godkendt." in page.locator("main").inner_text()
    page.get_by_role("button", name="Offentliggør 2. udkast").click()
    assert "2. udkast er offentliggjort." in page.locator(".flash").inner_text()
    assert "Høringsnotat og ny version offentliggjort" in page.locator("main").inner_text()

    # The public reads version 2, what changed and why, and the input behind it.
    anonymous.goto(f"/consultations/{SLUG}/items/{GOAL}")
    text = anonymous.locator("main").inner_text()
    assert NEW_TITLE in text and "Hvad er ændret, og hvorfor" in text
    assert "Mange høringssvar bad om en klarere formulering." in text
    check_axe(anonymous)
    anonymous.goto(f"/consultations/{SLUG}/versions/2/changes")
    assert "fjernet:" in anonymous.locator(".diff").first.inner_text()
    check_axe(anonymous)
    anonymous.goto(f"/consultations/{SLUG}/versions/")
    check_axe(anonymous)
    assert "1. udkast" in anonymous.locator("main").inner_text()
    assert not page.console_errors, page.console_errors

"""A facilitator runs a session from setup to confirmation; a participant joins from a phone
and confirms from the e-mail link. Every page passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from consult.db import utcnow
from consult.i18n import TIMEZONE
from tests.helpers import PHONE
from tests.helpers import check_axe
from tests.helpers import link_in_last_mail_to
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("postgresql")

SLUG = "sundhedsaftale-2024-2027"
PARTICIPANT = "piu-deltager@example.org"


def test_a_session_from_setup_to_confirmation(page, browser, live_server):
    sign_in_as(page, live_server, "facilitator")
    assert page.get_by_role("heading", name="Møder", level=1).is_visible()  # their work
    check_axe(page)
    page.get_by_role("link", name=re.compile("Nyt møde om Sundhedsaftale 2024")).click()
    check_axe(page)
    page.get_by_label("Titel").fill("Temamøde om udskrivelser")
    when = (utcnow() + timedelta(hours=2)).astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Dato og tidspunkt").fill(when)
    page.get_by_label("Sted").fill("Bispebjerg Hospital")
    # The agenda: a tick for each, and a number only to change the draft's order.
    page.get_by_label("Ingen borgere udskrives til gaden", exact=True).check()
    page.get_by_label("Sammen om ældre og borgere med kronisk sygdom", exact=True).check()
    page.get_by_label("Rækkefølge: Sammen om ældre og borgere med kronisk sygdom").fill("1")
    page.get_by_label("Rækkefølge: Ingen borgere udskrives til gaden").fill("2")
    first_group = page.get_by_role("group", name="Gruppe 1")
    first_group.get_by_label("Gruppe", exact=True).select_option(label="Pårørende")
    first_group.get_by_label("Personer").fill("4")
    second_group = page.get_by_role("group", name="Gruppe 2")
    second_group.get_by_label("Gruppe", exact=True).select_option(label="Patientforening")
    second_group.get_by_label("Organisation (hvis nogen)").fill("Ældre Sagen")
    page.get_by_label("Antal deltagere").fill("7")
    page.get_by_label("Deltagernes e-mailadresser").fill(PARTICIPANT)
    page.get_by_role("button", name="Gem").click()
    assert "Mødet er planlagt." in page.locator(".flashes").inner_text()
    check_axe(page)
    meeting_url = page.url

    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name="Registrér input", level=1)).to_be_visible()
    check_axe(page)
    code = page.locator(".join-code").first.inner_text()
    # Keyboard first: choose the group, write, Ctrl+Enter. With JavaScript the page stays put.
    page.get_by_label("Sagt af").select_option(label="Pårørende")
    page.get_by_label("Jeg støtter det med ændringer").check()
    text = page.get_by_label("Hvad der blev sagt")
    text.fill("Pårørende vil have besked før udskrivelsen.")
    page.evaluate("window.__stayed = true")
    text.press("Control+Enter")
    page.locator("#record .quote").get_by_text("Pårørende vil have besked").wait_for()
    assert page.evaluate("window.__stayed === true")  # recorded without a reload

    # A participant joins from a phone with the code and sends input.
    phone = browser.new_context(base_url=live_server.url, **PHONE).new_page()
    phone.goto("/join")
    check_axe(phone)
    phone.get_by_label("Mødekode").fill(code.lower())
    phone.get_by_role("button", name="Deltag").click()
    assert phone.get_by_role(
        "heading", name="Sammen om ældre og borgere med kronisk sygdom"
    ).is_visible()
    check_axe(phone)
    phone.get_by_label("Dit input").fill("Husk hjemmeplejen om aftenen.")
    phone.get_by_role("button", name="Send til mødelederen").click()
    assert "Mødelederen tager det op" in phone.locator(".flashes").inner_text()

    # It reaches the facilitator's queue (polled) and is taken into the record.
    page.locator("#queue .quote").get_by_text("Husk hjemmeplejen").wait_for(timeout=15000)
    page.locator("#queue").get_by_role("button", name="Tag det med").click()
    page.locator("#record .quote").get_by_text("Husk hjemmeplejen").wait_for()
    check_axe(page)

    # The projector shows it in large type.
    projector = page.context.new_page()
    projector.goto(meeting_url.replace("/sessions/", "/sessions/").rstrip("/") + "/projector")
    assert "Husk hjemmeplejen om aftenen." in projector.locator("main").inner_text()
    check_axe(projector)
    projector.close()

    page.goto(meeting_url)
    page.get_by_role("button", name="Afslut mødet").click()
    assert "Deltagerne bliver bedt om at bekræfte" in page.locator(".flashes").inner_text()

    # The participant confirms one input and objects to the other, from the e-mail link.
    phone.goto(link_in_last_mail_to(live_server, PARTICIPANT, "/sessions/record/"))
    assert phone.get_by_role("heading", name="Hørte vi dig rigtigt?").is_visible()
    check_axe(phone)
    inputs = phone.locator("section.record__item")
    inputs.nth(0).get_by_label("Det er det, der blev sagt").check()
    inputs.nth(1).get_by_label("Jeg gør indsigelse").check()
    inputs.nth(1).get_by_label("Din kommentar eller indsigelse").fill(
        "Det var om natten, ikke om aftenen."
    )
    phone.get_by_role("button", name="Gem mine svar").click()
    assert "Dine svar er gemt" in phone.locator(".flashes").inner_text()
    phone.context.close()

    # The facilitator resolves the objection, confirms, and reads the minutes.
    page.goto(meeting_url)
    page.get_by_role("link", name=re.compile("Husk hjemmeplejen")).first.click()
    check_axe(page)
    page.get_by_label("Hvad der blev sagt (rettet om nødvendigt)").fill(
        "Husk hjemmeplejen om natten."
    )
    page.get_by_label("Hvordan indsigelsen blev afklaret").fill(
        "Rettet efter deltagerens indsigelse."
    )
    page.get_by_role("button", name="Afklar").click()
    page.get_by_role("button", name="Bekræft referatet").click()
    assert "Mødets input er med i høringen" in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="Referat").click()
    minutes = page.locator("main").inner_text()
    assert "Husk hjemmeplejen om natten." in minutes and "Rettet efter deltagerens" in minutes
    assert "Patientforening: Ældre Sagen" in minutes
    check_axe(page)
    assert not page.console_errors, page.console_errors

"""The secretariat writes and opens a draft in the browser; accounts pages pass axe too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from consult.db import utcnow
from consult.i18n import TIMEZONE
from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("sqlite")


def test_secretariat_writes_a_draft_and_opens_it(page, live_server):
    sign_in_as(page, live_server, "secretariat")
    expect(page.get_by_role("heading", name="Høringer", level=1)).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Ny høring").click()
    check_axe(page)
    # Submitting empty keeps the person on the form with an error summary that passes axe.
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_axe(page)
    now = utcnow().astimezone(TIMEZONE)
    page.get_by_label("Titel på dansk").fill("Sundhedsaftale 2028–2031")
    page.get_by_label("Titel på engelsk (valgfri)").fill("Health Agreement 2028–2031")
    page.get_by_label("Webadresse").fill("sundhedsaftale-2028-2031")
    page.get_by_label("Åbner").fill((now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Frist").fill((now + timedelta(days=30)).strftime("%Y-%m-%dT09:00"))
    page.get_by_role("button", name="Gem").click()
    assert "oprettet som kladde" in page.locator(".flash").inner_text()
    check_axe(page)

    page.get_by_role("link", name="Tilføj: Fokusområde").click()
    page.get_by_label("Titel på dansk").fill("Sammen om mental sundhed")
    page.get_by_role("button", name="Gem").click()
    page.get_by_role("link", name="Tilføj et mål").click()
    page.get_by_label("Titel på dansk").fill("Flere unge trives")
    page.get_by_label("Tekst på dansk").fill("Baggrund for målet.")
    page.get_by_role("button", name="Gem").click()
    page.locator("#flere-unge-trives").get_by_role("link", name="Rediger").click()
    check_axe(page)
    page.locator("#new-text_da").fill("Flere unge trives i skolen")
    page.get_by_role("button", name="Tilføj", exact=True).click()
    page.locator("#new-text_da").fill("Færre unge er ensomme")
    page.get_by_role("button", name="Tilføj", exact=True).click()
    assert page.locator(".line-form").count() == 2

    page.get_by_role("link", name="Sundhedsaftale 2028–2031").click()
    page.get_by_label("Ny status").select_option("open")
    page.get_by_role("button", name="Skift status").click()
    assert "Åben" in page.locator(".flash").inner_text()

    page.goto("/consultations/sundhedsaftale-2028-2031/items/flere-unge-trives")
    assert page.locator(".alternatives li").count() == 2
    assert "Åben for input" in page.locator(".deadline").inner_text()


def test_account_pages_pass_axe(page, live_server):
    sign_in_as(page, live_server, "admin")
    for path in (
        "/account/",
        "/account/users",
        "/staff/consultations/sundhedsaftale-2024-2027/",
        "/staff/reference/municipalities/",
        "/staff/reference/municipalities/1/edit",
        "/staff/reference/respondent-types/new",
    ):
        page.goto(path)
        check_axe(page)
        assert not page.console_errors, page.console_errors

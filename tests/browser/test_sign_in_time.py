"""The warning before a staff sign-in runs out, in a real browser with a fast-forwarded clock."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import check_axe
from tests.helpers import sign_in_as

pytestmark = pytest.mark.only_on("sqlite")


def test_staff_are_warned_five_minutes_before_and_can_stay_signed_in(page, live_server):
    page.clock.install()
    sign_in_as(page, live_server, "moderator")
    page.goto("/moderation/")
    page.clock.fast_forward("24:00")
    expect(page.locator(".timeout-warning")).to_have_count(0)
    page.clock.fast_forward("01:30")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_contain_text("Du bliver logget ud om 5 minutter")
    stay = warning.get_by_role("button", name="Forbliv logget ind")
    expect(stay).to_be_focused()
    check_axe(page)
    page.keyboard.press("Enter")
    expect(warning).to_contain_text("Du er stadig logget ind.")
    # The clock starts again: no new warning until 25 minutes after the extension.
    page.clock.fast_forward("20:00")
    expect(stay).to_be_hidden()

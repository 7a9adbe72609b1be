"""The secretariat asks for theme suggestions, decides on them, and names a theme from examples;
every page passes axe (which needs JavaScript), the same steps work with JavaScript off, and
the run's page reads at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("postgresql")

SLUG = "sundhedsaftale-2024-2027"


def run_queued_jobs(live_server) -> int:
    """Run what the pages handed to the (in-memory) job queue, as a worker would."""
    from consult.jobs.queue import job_queue

    huey = job_queue.of(live_server.app).huey
    ran = 0
    with live_server.app.app_context():
        while (task := huey.dequeue()) is not None:
            if task.name == "run_job":
                huey.execute(task)
                ran += 1
    return ran


def flash(page) -> str:
    return page.locator(".flashes").inner_text()


def test_the_secretariat_reviews_suggested_themes(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="da-DK",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/analysis/")
    page.get_by_role("link", name="Temaforslag").click()
    expect(page.get_by_role("heading", name="Temaforslag", level=1)).to_be_visible()
    assert page.locator("script:not([src])").count() == 0
    check_axe(page)

    page.get_by_label("Antal temaer").select_option("4")
    page.get_by_role("button", name="Foreslå temaer").click()
    assert "Motoren læser inputtene" in page.locator("main").inner_text()
    check_axe(page)
    assert run_queued_jobs(live_server) >= 1  # the public report may be queued too
    page.get_by_role("link", name="Genindlæs siden for at se, om det er færdigt").click()
    expect(page.get_by_role("heading", name="Foreslåede temaer", level=1)).to_be_visible()
    sections = page.locator("section.theme")
    assert sections.count() == 4
    assert page.get_by_role("heading", name="Hvem skrev det").count() == 4
    check_axe(page)
    run_url = page.url

    # Accept the first under a name of our own.
    first = sections.nth(0)
    first.get_by_label("Temaets navn").fill("Overgange")
    first.get_by_role("button", name=re.compile("^Godkend som tema")).click()
    assert re.search(r"Godkendt: temaet »Overgange« er sat på \d+ input mere", flash(page))
    # Decided suggestions move below the open ones.
    accepted = page.locator("section.theme", has=page.get_by_role("heading", name="Overgange"))
    assert accepted.get_by_text("Godkendt", exact=True).is_visible()
    assert page.locator("section.theme").last.get_by_role("heading", name="Overgange").count()

    # Merge the next two, split what came of it, reject the last.
    merge = page.locator(
        "form", has=page.get_by_role("button", name="Slå de afkrydsede forslag sammen")
    )
    boxes = merge.get_by_role("checkbox")
    assert boxes.count() == 3
    boxes.nth(0).check()
    boxes.nth(1).check()
    merge.get_by_label("Navn på det samlede tema (valgfrit)").fill("Ventetid og personale")
    merge.get_by_role("button", name="Slå de afkrydsede forslag sammen").click()
    assert "Slået sammen til ét forslag med" in flash(page)
    merged = page.locator(
        "section.theme", has=page.get_by_role("heading", name="Ventetid og personale")
    )
    merged.get_by_label("Opdel i").select_option("2")
    merged.get_by_role("button", name=re.compile("^Opdel")).click()
    assert "Motoren opdeler forslaget." in flash(page)
    assert run_queued_jobs(live_server) >= 1  # the public report may be queued too
    page.goto(run_url)
    expect(page.get_by_text("Opdelt i forslagene herunder")).to_be_visible()
    assert page.get_by_text("Del af et opdelt forslag").count() == 2
    check_axe(page)

    # One suggestion's inputs: tick two as examples of a named theme, find more, tag them.
    part = page.locator("section.theme", has=page.get_by_text("Del af et opdelt forslag")).first
    part.get_by_role("link", name=re.compile(r"^\d+ input")).click()
    assert page.locator("table.inputs tbody tr").count() >= 2
    check_axe(page)
    page.get_by_label("Temaets navn").fill("Ventetider")
    page.locator("table.inputs tbody input[type=checkbox]").nth(0).check()
    page.locator("table.inputs tbody input[type=checkbox]").nth(1).check()
    page.get_by_role("button", name="Find flere som de afkrydsede").click()
    expect(page.get_by_role("heading", name="Navngiv et tema", level=1)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Ord der matchede")).to_be_visible()
    check_axe(page)
    ticks = page.locator("table.inputs tbody input[type=checkbox]")
    ticks.nth(0).check()
    ticks.nth(1).check()
    page.get_by_role(
        "button", name="Sæt temaet »Ventetider« på de afkrydsede input og eksemplerne"
    ).click()
    assert "Temaet »Ventetider« er sat på 4 input mere." in flash(page)
    expect(page.get_by_role("heading", name="Alt input", level=1)).to_be_visible()
    # Reject one of the parts; the run page in English too.
    page.goto(run_url)
    open_part = page.locator(
        "section.theme", has=page.get_by_role("button", name=re.compile("^Afvis"))
    )
    open_part.first.get_by_role("button", name=re.compile("^Afvis")).click()
    assert "Afvist: intet input har fået et tema." in flash(page)
    page.goto(f"{run_url}?lang=en")
    expect(page.get_by_role("heading", name="Suggested themes", level=1)).to_be_visible()
    check_axe(page)
    page.goto(f"{run_url}?lang=da")  # the account keeps the language chosen
    context.close()


def test_the_suggestions_read_on_a_320_pixel_screen(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 320, "height": 700},
        is_mobile=True,
        has_touch=True,
        locale="da-DK",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/themes/")
    page.get_by_role("button", name="Foreslå temaer").click()
    run_queued_jobs(live_server)
    page.reload()
    assert page.locator("section.theme").count() >= 2
    # Nothing wider than the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_axe(page)
    page.goto(f"/staff/consultations/{SLUG}/themes/seed?name=Ventetid")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_axe(page)
    context.close()


def test_asking_and_accepting_work_without_javascript(nojs_page, live_server):
    page = nojs_page
    page.set_default_timeout(20_000)
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/themes/")
    page.get_by_label("Antal temaer").select_option("3")
    page.get_by_role("button", name="Foreslå temaer").click()
    assert run_queued_jobs(live_server) >= 1  # the public report may be queued too
    page.get_by_role("link", name="Genindlæs siden for at se, om det er færdigt").click()
    first = page.locator("section.theme").first
    first.get_by_label("Temaets navn").fill("Uden script")
    first.get_by_role("button", name=re.compile("^Godkend som tema")).click()
    assert re.search(r"Godkendt: temaet »Uden script« er sat på \d+ input mere", flash(page))

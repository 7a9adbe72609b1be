"""The secretariat downloads every file from the browser; the public report passes axe."""

from __future__ import annotations

import re
import zipfile

import pypdf
import pytest
from playwright.sync_api import expect

from tests.helpers import check_axe
from tests.helpers import sign_in_as

# The browser journeys are split between the two databases (docs/testing.md).
pytestmark = pytest.mark.only_on("postgresql")

SLUG = "sundhedsaftale-2024-2027"


def _download(page, link_name: str, tmp_path):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def _run_jobs(app) -> int:
    """Play the worker: run the jobs the live server handed to its (in-memory) queue."""
    from consult.jobs.queue import job_queue

    huey = job_queue.of(app).huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        if task.name == "run_job":
            huey.execute(task)
            ran += 1
    return ran


def _export(page, live_server, tmp_path, file_label: str, *, check=False):
    """Ask for a file on the exports page, see it wait, let a worker make it, download it."""
    page.goto(f"/staff/consultations/{SLUG}/exports/")
    page.get_by_role("radio", name=file_label, exact=True).check()
    page.get_by_role("button", name="Lav filen").click()
    expect(page.get_by_role("heading", name=file_label, level=1)).to_be_visible()
    status = page.locator("#export-status")
    assert "Filen venter på sin tur." in status.inner_text()
    expect(page.get_by_role("progressbar", name="Fremskridt")).to_be_visible()
    if check:
        check_axe(page)
    assert _run_jobs(live_server.app) >= 1  # the export (and any job the visit queued)
    # exports.js fetches the page again and shows the file (without it: a link to refresh).
    link = page.get_by_role("link", name=re.compile(r"^Hent "))
    link.wait_for(timeout=15_000)
    assert "Filen er klar" in status.inner_text()
    if check:
        check_axe(page)
    return _download(page, link.inner_text(), tmp_path)


def test_the_secretariat_downloads_every_format_and_previews_the_report(
    page, live_server, tmp_path
):
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/analysis/")
    page.get_by_role("link", name="Eksport", exact=True).click()
    expect(page.get_by_role("heading", name="Eksport", level=1)).to_be_visible()
    check_axe(page)

    xlsx = _export(page, live_server, tmp_path, "Excel-projektmappe (XLSX)", check=True)
    with zipfile.ZipFile(xlsx) as book:
        assert "xl/charts/chart1.xml" in book.namelist()
    csv = _export(page, live_server, tmp_path, "CSV, én række pr. input")
    head = csv.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("\ufeffinput_id;receipt;goal_key")
    memo = _export(page, live_server, tmp_path, "Høringsnotatet (Word)")
    assert memo.name == f"{SLUG}-hoeringsnotat.docx"
    with zipfile.ZipFile(memo) as document:
        assert "Høringsliste" in document.read("word/document.xml").decode()
    assert _export(page, live_server, tmp_path, "JSON").read_text(encoding="utf-8").startswith("{")
    # The exports page lists them, newest first.
    page.goto(f"/staff/consultations/{SLUG}/exports/")
    recent = page.get_by_role("heading", name="Dine seneste eksporter")
    assert recent.is_visible()
    check_axe(page)

    # The public report: a preview for the secretariat until the memo is published.
    page.get_by_role("link", name="Den offentlige rapport").click()
    expect(page.get_by_role("heading", name="Sundhedsaftale 2024–2027", level=1)).to_be_visible()
    check_axe(page)
    pdf = _download(page, "Hent som PDF", tmp_path)
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "DET HØRTE VI – OG DET GJORDE VI" in text  # the kind line is set in capitals
    assert _download(page, "Hent som Word", tmp_path).suffix == ".docx"
    assert not page.console_errors, page.console_errors


def test_the_report_reads_on_a_phone_in_english(phone_page, live_server):
    page = phone_page
    sign_in_as(page, live_server, "secretariat")
    try:
        page.goto(f"/consultations/{SLUG}/report/?lang=en")
        expect(page.get_by_role("heading", name="Contents")).to_be_visible()
        # Nothing wider than the screen but the tables, which scroll in their own region.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        check_axe(page)
    finally:
        # ?lang= is remembered on the account: give the other journeys their Danish back.
        page.goto("/?lang=da")

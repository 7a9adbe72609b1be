"""The secretariat downloads every file from the browser; the public report passes axe."""

from __future__ import annotations

import zipfile

import pypdf
import pytest

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


def test_the_secretariat_downloads_every_format_and_previews_the_report(
    page, live_server, tmp_path
):
    sign_in_as(page, live_server, "secretariat")
    page.goto(f"/staff/consultations/{SLUG}/analysis/")
    page.get_by_role("link", name="Eksport", exact=True).click()
    assert page.get_by_role("heading", name="Eksport", level=1).is_visible()
    check_axe(page)

    xlsx = _download(page, "Excel-projektmappe (XLSX)", tmp_path)
    with zipfile.ZipFile(xlsx) as book:
        assert "xl/charts/chart1.xml" in book.namelist()
    csv = _download(page, "CSV til dansk Excel (semikolon)", tmp_path)
    head = csv.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("\ufeffinput_id;receipt;goal_key")
    memo = _download(page, "Høringsnotatet (Word)", tmp_path)
    assert memo.name == f"{SLUG}-hoeringsnotat.docx"
    with zipfile.ZipFile(memo) as document:
        assert "Høringsliste" in document.read("word/document.xml").decode()
    assert _download(page, "JSON", tmp_path).read_text(encoding="utf-8").startswith("{")

    # The public report: a preview for the secretariat until the memo is published.
    page.get_by_role("link", name="Den offentlige rapport").click()
    assert page.get_by_role("heading", name="Sundhedsaftale 2024–2027", level=1).is_visible()
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
        assert page.get_by_role("heading", name="Contents").is_visible()
        # Nothing wider than the screen but the tables, which scroll in their own region.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        check_axe(page)
    finally:
        # ?lang= is remembered on the account: give the other journeys their Danish back.
        page.goto("/?lang=da")

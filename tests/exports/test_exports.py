"""Exports: every field, safe cells, valid files, audited downloads, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.browser import BrowseFilter
from consult.analysis.browser import matching_ids
from consult.analysis.models import Disposition
from consult.audit.models import AuditEvent
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in
from tests.helpers import DANGEROUS


@pytest.fixture
def data(client):
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    secretariat = make_user(Role.SECRETARIAT, name="Sekretær")
    moderator = make_user(Role.MODERATOR)
    organisation = make_response(
        c,
        {"fa-1-goal-1": ("support_with_changes", "Vi støtter målet.", "Alle borgere skal …")},
        type_code="patient-association",
        organisation="Danske Patienter",
    )
    citizen = make_response(c, DANGEROUS, name="Karen Jensen")
    tag = analysis.create_tag(c.id, "udskrivelse")
    analysis.tag_inputs(tag, matching_ids(c.id, BrowseFilter()))
    reply = analysis.save_reply(
        c.id,
        secretariat,
        select(Input.id).where(Input.response_id == organisation.id),
        text="Tak, indarbejdet.",
        disposition=Disposition.INCORPORATED,
        reason="",
        ready=True,
    )
    analysis.approve_reply(reply, make_user(Role.SECRETARIAT))
    for contribution in db.session.scalars(select(Contribution)):
        moderation.publish(contribution, moderator)
    db.session.flush()
    sign_in(client, secretariat)
    return client, c, organisation, citizen


@pytest.fixture
def download(run_jobs):
    """Ask for an export on the exports page, let a worker make it, and download it."""

    def fetch(client, c, fmt, **options):
        page = f"/staff/consultations/{c.slug}/exports/"
        form = {"fmt": fmt, "delimiter": "semicolon", "lang": "da", **options}
        form["csrf_token"] = csrf_token(client, page)
        response = client.post(page, data=form)
        assert response.status_code == 302, response.status_code
        status_page = response.headers["Location"]
        assert run_jobs() == 1
        shown = client.get(status_page).get_data(as_text=True)
        assert "/file" in shown, shown[shown.find("<main") :]
        response = client.get(status_page + "/file")
        assert response.status_code == 200, response.status_code
        return response

    return fetch


def test_csv_has_every_field_a_bom_and_no_live_formula(data, download):
    client, c, _organisation, _citizen = data
    body = download(client, c, "csv", delimiter="semicolon").data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert len(rows) == 5
    first = rows[0]
    assert first["organisation"] == "Danske Patienter"
    assert first["stance"] == "Jeg støtter det med ændringer"
    assert first["proposed_wording"] == "Alle borgere skal …"
    assert first["goal"].endswith("› Mål 1.1") and first["goal_key"] == "fa-1-goal-1"
    assert first["reply"] == "Tak, indarbejdet." and first["disposition"] == "Indarbejdet"
    assert first["reply_state"] == "Godkendt" and first["tags"] == "udskrivelse"
    assert first["moderation_state"] == "Offentliggjort" and first["receipt"].startswith("H")
    texts = [r["text"] for r in rows]
    for cell in texts[1:]:
        assert cell[0] not in "=+-@\t", cell  # every formula start is neutralised
        assert not any(c in cell for c in "\x07\x0b\x1b")
    assert '\'=HYPERLINK("http://example.com/x","Klik")' in texts
    comma = download(client, c, "csv", delimiter="comma").data.decode("utf-8")
    assert comma.splitlines()[0].count(",") == len(first) - 1


def test_json_follows_its_schema(data, download):
    client, c, _organisation, _citizen = data
    document = json.loads(download(client, c, "json").data)
    assert document["schema"] == "consult-export/1" and document["public"] is False
    assert document["consultation"]["slug"] == c.slug
    assert {i["kind"] for i in document["items"]} >= {"vision", "focus_area", "goal"}
    goal = next(i for i in document["items"] if i["key"] == "fa-1-goal-1")
    assert [a["letter"] for a in goal["alternatives"]] == ["A", "B"]
    assert len(document["inputs"]) == 5
    assert set(document["columns"]) == set(document["inputs"][0])
    # Codes, not words: programs read the JSON, whatever the language.
    assert {i["stance"] for i in document["inputs"]} <= {
        "support", "support_with_changes", "oppose", "no_position", ""
    }  # fmt: skip
    assert {i["channel"] for i in document["inputs"]} == {"online"}


def test_xlsx_is_formula_safe_and_has_a_summary_chart_and_area_sheets(data, download, tmp_path):
    client, c, _organisation, _citizen = data
    response = download(client, c, "xlsx")
    data_ = response.get_data()
    response.close()
    with zipfile.ZipFile(io.BytesIO(data_)) as book:
        names = book.namelist()
        workbook = book.read("xl/workbook.xml").decode()
        sheets = [book.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert "xl/charts/chart1.xml" in names
    assert "Fokusområde 1" in workbook and "Fokusområde 2" in workbook
    assert not any("<f>" in sheet for sheet in sheets)  # no cell is a formula
    assert all("<pane" in sheet for sheet in sheets)  # frozen header rows
    assert sum("<autoFilter" in sheet for sheet in sheets) == len(sheets)


def test_an_area_too_big_for_one_sheet_goes_on_over_more(data, download, monkeypatch):
    from consult.exports import xlsx

    client, c, _organisation, _citizen = data
    monkeypatch.setattr(xlsx, "SHEET_ROWS_MAX", 2)  # Excel's limit is 1,048,575 rows
    response = download(client, c, "xlsx")
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        workbook = book.read("xl/workbook.xml").decode()
    response.close()
    # Focus area 1 has three inputs: two on its first sheet, one on the next.
    assert 'name="Fokusområde 1"' in workbook and 'name="Fokusområde 1 2"' in workbook
    assert 'name="Fokusområde 2"' in workbook and 'name="Fokusområde 2 2"' not in workbook


def test_every_download_is_in_the_audit_log(data, download):
    client, c, _organisation, _citizen = data
    for fmt in ("csv", "json", "xlsx"):
        download(client, c, fmt).close()
    events = db.session.scalars(
        select(AuditEvent.reason).where(AuditEvent.action == "exports.download")
    ).all()
    assert events == ["csv", "json", "xlsx"]


def test_the_memo_has_the_period_parties_goals_and_replies(data):
    from consult.exports.memo import build_memo
    from consult.invitations.services import add_invitation

    _client, c, _organisation, _citizen = data
    add_invitation(c, "Danske Patienter", "", None)
    add_invitation(c, "Ældre Sagen", "", None)
    memo = build_memo(c, load_tree(current_version(c)), public=False)
    assert memo.kind == "Høringsnotat"
    assert "løb fra" in memo.intro[0]
    assert [(p.name, p.answered) for p in memo.parties] == [
        ("Danske Patienter", True),
        ("Ældre Sagen", False),
    ]
    goal = memo.areas[0].goals[0]
    assert goal.inputs == 2 and goal.chart_png.startswith(b"\x89PNG")
    (replied,) = goal.replies
    assert replied.answer.text == "Tak, indarbejdet."
    assert replied.answer.disposition == "Indarbejdet"
    assert replied.label == "Svar på 1 input"
    # Every input is quoted in the appendix, not in the body.
    quoted = [q for _theme, q in memo.appendix[0].quotes]
    assert "Patientforening: Danske Patienter" in [q.who for q in quoted]
    assert memo.changes == []


def test_the_memo_lists_what_changed_in_the_next_version(data):
    from consult.drafts import editing
    from consult.exports.memo import build_memo

    _client, c, _organisation, _citizen = data
    # The new version is a working copy until published: the memo describes it (issue 14).
    copy = editing.start_new_version(c, current_version(c))
    db.session.flush()
    tree = load_tree(copy)
    tree.by_key["fa-1-goal-1"].revision.title_da = "Mål 1.1, skærpet efter høringen"
    db.session.flush()
    memo = build_memo(c, load_tree(copy), public=False)
    (change,) = memo.changes
    assert change.what == "Ændret" and "skærpet" in change.after and "Mål 1.1" in change.before


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "docx"])
def test_the_cli_writes_every_format(app, data, tmp_path, fmt):
    _client, c, _organisation, _citizen = data
    out = tmp_path / f"export.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["consult", "export", c.slug, "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 500
    if fmt in ("xlsx", "docx"):
        assert zipfile.is_zipfile(out)
    result = app.test_cli_runner().invoke(
        args=["consult", "export", "nope", "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code != 0 and "No consultation" in result.output


def test_the_memo_lists_a_bounded_number_of_inputs_per_goal_and_counts_the_rest(data, monkeypatch):
    from consult.exports import memo as memos
    from consult.exports.docx import render_docx

    _client, c, _organisation, _citizen = data
    monkeypatch.setattr(memos, "INPUTS_PER_GOAL", 1)  # 1,000 in earnest
    memo = memos.build_memo(c, load_tree(current_version(c)), public=False)
    appendix = memo.appendix[0]
    assert appendix.inputs == 2 and len(list(appendix.quotes)) == 1
    assert appendix.not_listed == 1
    out = io.BytesIO()
    render_docx(memo, out)
    with zipfile.ZipFile(out) as document:
        body = document.read("word/document.xml").decode()
    assert "1 input mere" in body or "1 more inputs" in body

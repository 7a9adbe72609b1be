"""Only what may be public is public: markers planted in everything that is not, searched for
in every public output; the public report and its downloads; the staff XLSX in LibreOffice.

A marker is a short word without spaces (PDF lines wrap, and wrapping never splits a word).
Positive controls, planted in what is published, must turn up, so the search cannot pass by
finding nothing at all.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.db import utcnow
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import rows
from consult.exports.report_jobs import build_reports
from consult.exports.tabular import CONTROL
from consult.exports.views import REPORT_FILES
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.reference.models import Municipality
from consult.reference.seed import load_reference_data
from consult.responses import letters
from consult.responses import services as responding
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import Stance
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in
from tests.helpers import DANGEROUS
from tests.helpers import NEEDS_A_SECRET
from tests.helpers import assert_holds
from tests.helpers import found
from tests.helpers import libreoffice_convert
from tests.helpers import public_get_rules
from tests.helpers import read_public
from tests.helpers import readable
from tests.helpers import says

GOAL_1, GOAL_2, GOAL_3 = "fa-1-goal-1", "fa-1-goal-2", "fa-2-goal-1"

# What is published, and must be found (positive controls).
OK_TEXT = "MRKOKTEXT"  # a named citizen's published input
OK_NAME = "MRKOKNAME"  # … and the name they agreed to publish
OK_REPLY = "MRKOKREPLY"  # the approved reply to it
ANON_TEXT = "MRKANONTEXT"  # an anonymous citizen's published input
KEPT_TEXT = "MRKKEPTTEXT"  # what a redaction left of an input
ORG = "MRKOKORG"  # a named organisation
ORG_TEXT = "MRKORGTEXT"  # … its published input
ORG_COMMENT = "MRKORGCOMMENT"  # … and its published general comment
ANON_ORG_TEXT = "MRKUNNAMEDTEXT"  # an anonymous organisation's published input

#: What must never be public, and why (receipt numbers are added by the fixture).
FORBIDDEN = {
    "MRKANONNAME": "the name of a person who chose to be anonymous",
    "mrkanonmail": "an anonymous person's e-mail address",
    "mrkokmail": "a named person's e-mail address (consent covers the name only)",
    "MRKTOWN": "a named person's municipality (consent covers the name only)",
    "MRKPRIVTEXT": "input its sender did not want published",
    "MRKPRIVNAME": "the name on a response not to be published",
    "MRKPENDTEXT": "input no moderator has reviewed",
    "MRKPENDNAME": "a named person whose only input waits for review",
    "MRKHIDTEXT": "input a moderator hid",
    "MRKHIDNAME": "a named person whose only input is hidden",
    "MRKMODNOTE": "a moderator's note",
    "MRKREDTEXT": "a span a moderator removed from a text",
    "MRKREDWORD": "a span a moderator removed from a proposed wording",
    "MRKDRAFTREPLY": "a drafted reply no one has approved",
    "MRKDRAFTREASON": "the reason of a drafted reply",
    "MRKWIPREPLY": "a reply still being written",
    "MRKORGPERSON": "the person who answered for an organisation",
    "mrkorgmail": "an organisation's e-mail address",
    "MRKLETTERNAME": "the file name of a hidden letter",
    "MRKLETTERBODY": "the content of a hidden letter",
    "MRKANONORG": "an organisation that chose to be anonymous",
    "MRKWITHDRAWN": "input of a withdrawn response",
    "MRKDRAFTTEXT": "input of a response never submitted",
    "MRKBEFOREEDIT": "a published text its sender changed afterwards",
    "MRKAFTEREDIT": "the changed text, not yet reviewed",
    "MRKTAG": "the secretariat's tag",
}

LETTER_PDF = b"%PDF-1.4\n% MRKLETTERBODY\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- the world: every kind of thing that is not public, and a little that is ------------------


@dataclass
class World:
    consultation: object
    organisation: Response
    forbidden: dict[str, str]


def contributions(response) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.response_id == response.id)
            .order_by(Contribution.id)
        )
    )


def input_ids(*responses):
    return select(Input.id).where(Input.response_id.in_([r.id for r in responses]))


def publish(moderator, *responses):
    for response in responses:
        for contribution in contributions(response):
            moderation.publish(contribution, moderator)


def redact_phrases(contribution, moderator, **phrases):
    """Remove each field's phrase from the contribution, and publish the rest."""
    texts = moderation.texts_of(contribution)
    spans = {f: moderation.spans_of_phrases(texts[f], [p]) for f, p in phrases.items()}
    moderation.redact(contribution, moderator, spans, HideReason.PERSONAL_DATA, note="MRKMODNOTE")


@pytest.fixture
def world() -> World:
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    moderator = make_user(Role.MODERATOR)
    writer, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    town = Municipality(code="mrktown", name_da="MRKTOWN", name_en="MRKTOWN")
    db.session.add(town)

    named = make_response(
        c,
        {GOAL_1: ("support", f"Et godt mål. {OK_TEXT}", "")},
        name=OK_NAME,
        email="mrkokmail@example.dk",
        consent="named",
    )
    named.respondent.municipality = town
    anonymous = make_response(
        c,
        {GOAL_1: ("oppose", f"Imod. {ANON_TEXT}", "")},
        name="MRKANONNAME",
        email="mrkanonmail@example.dk",
        consent="anonymous",
    )
    make_response(c, {GOAL_1: "MRKPRIVTEXT"}, name="MRKPRIVNAME", consent="private")
    make_response(c, {GOAL_1: "MRKPENDTEXT"}, name="MRKPENDNAME", consent="named")
    hidden = make_response(c, {GOAL_2: "MRKHIDTEXT"}, name="MRKHIDNAME", consent="named")
    redacted = make_response(
        c,
        {
            GOAL_2: (
                "support_with_changes",
                f"Jeg hedder MRKREDTEXT og mener {KEPT_TEXT}.",
                "Skriv MRKREDWORD ind.",
            )
        },
    )
    organisation = make_response(
        c,
        {GOAL_3: f"Foreningen mener {ORG_TEXT}."},
        comment=f"Samlet set {ORG_COMMENT}.",
        type_code="patient-association",
        organisation=ORG,
        name="MRKORGPERSON",
        email="mrkorgmail@example.dk",
        submit=False,
    )
    letters.attach_letter(organisation, io.BytesIO(LETTER_PDF), "MRKLETTERNAME.pdf")
    responding.submit_response(organisation, key="organisation")
    anonymous_org = make_response(
        c,
        {GOAL_3: ANON_ORG_TEXT},
        type_code="patient-association",
        organisation="MRKANONORG",
        consent="anonymous",
    )
    withdrawn = make_response(c, {GOAL_3: "MRKWITHDRAWN"})
    make_response(c, {GOAL_3: "MRKDRAFTTEXT"}, consent="named", submit=False)
    edited = make_response(c, {GOAL_3: "MRKBEFOREEDIT"})

    publish(moderator, named, anonymous, anonymous_org, withdrawn, edited)
    for contribution in contributions(organisation):
        if contribution.kind is ContributionKind.LETTER:
            moderation.hide(contribution, moderator, HideReason.OTHER, note="MRKMODNOTE")
        else:
            moderation.publish(contribution, moderator)
    (contribution,) = contributions(hidden)
    moderation.hide(contribution, moderator, HideReason.OTHER, note="MRKMODNOTE")
    (contribution,) = contributions(redacted)
    redact_phrases(contribution, moderator, text="MRKREDTEXT", wording="MRKREDWORD")
    responding.withdraw_response(withdrawn)
    responding.save_input(
        edited,
        load_tree(current_version(c)).by_key[GOAL_3],
        stance=Stance.SUPPORT,
        importance=None,
        text="MRKAFTEREDIT",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    assert contributions(edited)[0].state is ModerationState.PENDING

    def reply(responses, text, disposition, reason="", ready=True):
        return analysis.save_reply(
            c.id, writer, input_ids(*responses), text=text, disposition=disposition,
            reason=reason, ready=ready,
        )  # fmt: skip

    analysis.approve_reply(reply([named], OK_REPLY, Disposition.INCORPORATED), approver)
    reply([anonymous], "MRKDRAFTREPLY", Disposition.NOT_INCORPORATED, "MRKDRAFTREASON")
    reply([redacted], "MRKWIPREPLY", None, ready=False)
    analysis.tag_inputs(analysis.create_tag(c.id, "MRKTAG"), select(Input.id))

    # The memo is published once the consultation has closed.
    c.status = Status.PUBLISHED
    c.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    receipts = db.session.scalars(
        select(Response.receipt_number).where(Response.receipt_number.is_not(None))
    )
    forbidden = {**FORBIDDEN, **{r: "a receipt number" for r in receipts}}
    return World(c, organisation, forbidden)


def test_nothing_private_is_in_any_public_output(app, world):
    c = world.consultation
    everything = (OK_TEXT, OK_NAME, ANON_TEXT, KEPT_TEXT, ORG, ORG_TEXT, ANON_ORG_TEXT)
    # A positive control holding a forbidden marker would make the test contradict itself.
    assert not [m for m in world.forbidden if any(m.casefold() in p.casefold() for p in everything)]
    outputs = read_public(app, c)

    leaks = [
        f"{o.url}: {marker} ({why})"
        for o in outputs
        for marker, why in world.forbidden.items()
        if says(o, marker)
    ]
    assert leaks == []
    assert all(o.status < 500 for o in outputs), [o.url for o in outputs if o.status >= 500]

    # The search found what is published, so it would have found the rest.
    base = f"/consultations/{c.slug}"
    # (The rankings are figures only; the comments and letters files hold no goal input.)
    others = {("rankings", "csv"), ("comments", "csv"), ("letters", "csv")}
    for kind, fmt in REPORT_FILES - others:
        assert_holds(outputs, f"{base}/report/{kind}.{fmt}?", *everything, OK_REPLY)
    assert found(outputs, f"{base}/report/rankings.csv?")
    assert_holds(outputs, f"{base}/report/comments.csv?", ORG_COMMENT)
    assert_holds(outputs, f"{base}/report/open-data.json?", ORG_COMMENT)
    # The page quotes the input under each approved reply; the rest is a link away.
    assert_holds(outputs, f"{base}/report/?", OK_TEXT, OK_NAME, OK_REPLY)
    assert_holds(outputs, f"/api/v1/consultations/{c.slug}/inputs?lang", *everything, "[fjernet]")
    assert_holds(outputs, f"{base}/items/{GOAL_1}/input?lang", OK_TEXT, OK_NAME, ANON_TEXT)
    assert_holds(outputs, f"{base}/items/{GOAL_1}/input?stance=support&", OK_TEXT)
    assert_holds(outputs, f"{base}/items/{GOAL_1}/input?stance=oppose&", ANON_TEXT)
    assert_holds(outputs, f"{base}/items/{GOAL_2}/input?lang", KEPT_TEXT)
    assert_holds(outputs, f"{base}/items/{GOAL_3}/input?lang", ORG, ORG_TEXT, ANON_ORG_TEXT)
    assert_holds(outputs, f"{base}/items/{GOAL_1}?lang", OK_TEXT)
    assert_holds(outputs, f"{base}/responses/{world.organisation.id}?", ORG_TEXT, ORG_COMMENT)
    # The filters filter.
    for o in found(outputs, f"{base}/items/{GOAL_1}/input?stance=support&"):
        assert not says(o, ANON_TEXT)
    for o in found(outputs, f"{base}/items/{GOAL_1}/input?stance=oppose&"):
        assert not says(o, OK_TEXT)
    # Only the named organisation's response has a public page; its hidden letter does not.
    shown = {o.url.split("?")[0] for o in outputs if "/responses/" in o.url and o.status == 200}
    assert shown == {f"{base}/responses/{world.organisation.id}"}
    # Every API page was read, and together they hold what the one long page holds.
    api = found(outputs, "per_page=2")
    assert len(api) >= 2 * 3 and all(o.status == 200 for o in api)
    for lang in ("da", "en"):
        paged = "".join(o.text for o in api if f"lang={lang}" in o.url)
        assert all(marker.casefold() in paged for marker in everything)


def test_the_endpoints_the_walk_skips_still_exist(app):
    """The marker test reads every public GET endpoint but these: keep the list true."""
    endpoints = {rule.endpoint for rule in public_get_rules(app)}
    assert endpoints >= NEEDS_A_SECRET
    assert {"published.list_inputs", "exports.download_report", "api.list_inputs"} <= endpoints


# --- the public report -------------------------------------------------------------------------


@pytest.fixture
def report(client):
    """A consultation with one published input and its approved reply; the client is anonymous."""
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    response = make_response(c, {GOAL_1: "Et godt mål."}, name="Anna Andersen", consent="named")
    publish(make_user(Role.MODERATOR), response)
    writer, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    reply = analysis.save_reply(
        c.id, writer, input_ids(response), text="Tak.", disposition=Disposition.INCORPORATED,
        reason="", ready=True,
    )  # fmt: skip
    analysis.approve_reply(reply, approver)
    db.session.flush()
    build_reports(c)  # as a worker would: the pages never build it
    return client, c, writer


def get(client, url: str, status: int = 200, **args):
    response = client.get(url, query_string=args)
    assert response.status_code == status, (url, response.status_code)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED, Status.REPORTING])
def test_the_report_is_public_only_once_published(report, status):
    client, c, secretariat = report
    c.status = status
    db.session.flush()
    base = f"/consultations/{c.slug}/report"
    for url in (f"{base}/", f"{base}/report.pdf", f"{base}/report.docx"):
        get(client, url, 404)
    # Open data is the published input, public while the consultation is.
    get(client, f"{base}/open-data.csv")
    get(client, f"{base}/open-data.json")
    sign_in(client, secretariat)
    assert "Det hørte vi" in get(client, f"{base}/").get_data(as_text=True)  # a preview
    get(client, f"{base}/report.pdf")


def test_a_draft_consultation_has_no_public_report_or_data(report):
    client, c, _secretariat = report
    c.status = Status.DRAFT
    db.session.flush()
    for kind, fmt in REPORT_FILES:
        get(client, f"/consultations/{c.slug}/report/{kind}.{fmt}", 404)
    get(client, f"/consultations/{c.slug}/report/", 404)


def test_the_published_report_reads_in_danish_and_in_english(report):
    client, c, _secretariat = report
    c.status = Status.PUBLISHED
    db.session.flush()
    danish = html.unescape(get(client, f"/consultations/{c.slug}/report/").get_data(as_text=True))
    assert '<html lang="da">' in danish
    assert "Det hørte vi – og det gjorde vi" in danish and "Sekretariatets svar" in danish
    assert "Et godt mål." in danish and "Tak." in danish and "Anna Andersen" in danish
    english = get(client, f"/consultations/{c.slug}/report/", lang="en").get_data(as_text=True)
    english = html.unescape(english)
    assert '<html lang="en">' in english
    assert "What we heard, and what we did" in english and "The secretariat's reply" in english
    assert "Det hørte vi" not in english


def test_the_consultation_page_leads_to_the_report_once_published(report):
    client, c, _secretariat = report
    report_link = f'href="/consultations/{c.slug}/report/"'
    assert report_link not in get(client, f"/consultations/{c.slug}/").get_data(as_text=True)
    c.status = Status.PUBLISHED
    db.session.flush()
    page = get(client, f"/consultations/{c.slug}/").get_data(as_text=True)
    assert report_link in page and "Læs rapporten" in page


MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
FILE_START = {"pdf": b"%PDF", "docx": b"PK", "csv": "\ufeff".encode(), "json": b"{"}


def test_each_download_has_its_type_and_name(report):
    client, c, _secretariat = report
    c.status = Status.PUBLISHED
    db.session.flush()
    for kind, fmt in sorted(REPORT_FILES):
        response = get(client, f"/consultations/{c.slug}/report/{kind}.{fmt}")
        assert response.headers["Content-Type"] == MEDIA[fmt], fmt
        disposition, options = parse_options_header(response.headers["Content-Disposition"])
        assert disposition == "attachment" and options == {"filename": f"{c.slug}-{kind}.{fmt}"}
        assert response.data.startswith(FILE_START[fmt]), fmt
    for name in ("report.csv", "report.xlsx", "open-data.pdf", "open-data.xlsx", "memo.docx"):
        get(client, f"/consultations/{c.slug}/report/{name}", 404)


def test_open_data_has_a_bom_and_only_the_public_columns(report):
    client, c, _secretariat = report
    for delimiter, sign in (("semicolon", ";"), ("comma", ",")):
        body = get(client, f"/consultations/{c.slug}/report/open-data.csv", delimiter=delimiter)
        text = body.data.decode("utf-8")
        assert text.startswith("\ufeff")
        (row,) = list(csv.DictReader(io.StringIO(text[1:]), delimiter=sign))
        assert tuple(row) == rows.PUBLIC
        assert row["text"] == "Et godt mål." and row["name_or_organisation"] == "Anna Andersen"
    document = json.loads(get(client, f"/consultations/{c.slug}/report/open-data.json").data)
    assert document["public"] is True and tuple(document["columns"]) == rows.PUBLIC
    (entry,) = document["inputs"]
    assert tuple(entry) == rows.PUBLIC
    assert set(rows.FULL) - set(rows.PUBLIC) >= {"receipt", "name", "municipality", "tags"}


def report_texts(client, c, preparing: bool = False) -> dict[str, str]:
    """The public report page, PDF and DOCX as text, as an anonymous visitor reads them.

    ``preparing``: the files may also answer 503 (no build stored: being prepared).
    """
    base = f"/consultations/{c.slug}/report"
    urls = {"page": f"{base}/", "pdf": f"{base}/report.pdf", "docx": f"{base}/report.docx"}
    texts = {}
    for name, url in urls.items():
        response = client.get(url)
        allowed = (200, 503) if preparing and name != "page" else (200,)
        assert response.status_code in allowed, (url, response.status_code)
        texts[name] = readable(response)
        response.close()
    return texts


@dataclass
class Later:
    """A published report, read once, and the people and things that change after that."""

    consultation: object
    renamed: Response
    reported: Response
    hidden: Response
    reply: object
    writer: object
    moderator: object


@pytest.fixture
def later(client) -> Later:
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=2)
    moderator = make_user(Role.MODERATOR)
    writer, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    renamed = make_response(c, {GOAL_1: "MRKLATERNAMED"}, name="MRKOLDNAME", consent="named")
    reported = make_response(c, {GOAL_1: "MRKLATERREPORTED"})
    hidden = make_response(c, {"fa-1-goal-2": "MRKLATERHIDDEN"})
    publish(moderator, renamed, reported, hidden)
    # Replies put the input on the report page too, not only in its PDF and Word files.
    replies = []
    for text, answered in (("MRKOLDREPLY", [renamed]), ("Tak.", [reported, hidden])):
        replies.append(
            analysis.save_reply(
                c.id,
                writer,
                input_ids(*answered),
                text=text,
                disposition=Disposition.INCORPORATED,
                reason="",
                ready=True,
            )
        )
        analysis.approve_reply(replies[-1], approver)
    c.status = Status.PUBLISHED
    c.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    build_reports(c)  # as a worker would
    for name, text in report_texts(client, c).items():
        for marker in ("MRKOLDNAME", "MRKLATERREPORTED", "MRKLATERHIDDEN", "MRKOLDREPLY"):
            assert marker in text, (name, marker)
    return Later(c, renamed, reported, hidden, replies[0], writer, moderator)


def take_the_name_off(later: Later):
    """The person clears their name ("About you" stays open after the deadline)."""
    later.renamed.respondent.name = ""


def report_three_times(later: Later):
    """Three visitors report an input, which hides it until a moderator looks again."""
    (contribution,) = contributions(later.reported)
    for n in range(moderation.REPORTS_TO_HIDE):
        moderation.report(contribution, HideReason.PERSONAL_DATA, "", f"visitor-{n}")
    assert contribution.state is ModerationState.PENDING


def hide_it(later: Later):
    (contribution,) = contributions(later.hidden)
    moderation.hide(contribution, later.moderator, HideReason.OFFENSIVE)


def reopen_the_reply(later: Later):
    """The secretariat rewrites an approved reply: a draft again until someone approves it."""
    analysis.save_reply(
        later.consultation.id, later.writer, input_ids(later.renamed), text="MRKNEWREPLY",
        disposition=Disposition.INCORPORATED, reason="", ready=True, reply=later.reply,
    )  # fmt: skip


#: One at a time, in this order: each moves nothing but what it changes.
CHANGES = [
    (take_the_name_off, "MRKOLDNAME"),
    (report_three_times, "MRKLATERREPORTED"),
    (hide_it, "MRKLATERHIDDEN"),
    (reopen_the_reply, "MRKOLDREPLY"),
]


def test_the_public_report_follows_each_change_made_after_it_was_read(client, later):
    """Whatever the report keeps between readers, a change to what may be public shows at once:
    taking something back removes the stored builds at the commit, before any rebuild."""
    stale = []
    for change, gone in CHANGES:
        change(later)
        db.session.commit()
        texts = report_texts(client, later.consultation, preparing=True)
        build_reports(later.consultation)  # the worker's rebuild
        rebuilt = report_texts(client, later.consultation)
        stale += [
            f"{change.__name__}: {gone} in the {name}"
            for name, t in (*texts.items(), *rebuilt.items())
            if gone in t
        ]
        assert not any("MRKNEWREPLY" in text for text in texts.values())
    assert stale == []


# --- the staff XLSX in LibreOffice ---------------------------------------------------------------


@pytest.mark.only_on("sqlite")  # LibreOffice: the file, not the SQL
def test_libreoffice_opens_the_xlsx_and_shows_formulas_as_text(client, tmp_path, run_jobs):
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    make_response(c, DANGEROUS)
    sign_in(client, make_user(Role.SECRETARIAT))
    page = f"/staff/consultations/{c.slug}/exports/"
    form = {"fmt": "xlsx", "delimiter": "semicolon", "lang": "da"}
    asked = client.post(page, data={**form, "csrf_token": csrf_token(client, page)})
    assert asked.status_code == 302 and run_jobs() == 1
    response = get(client, asked.headers["Location"] + "/file")
    source = tmp_path / "export.xlsx"
    source.write_bytes(response.get_data())
    out = tmp_path / "out"
    # Every sheet, as UTF-8 CSV with "," and '"' (LibreOffice's CSV filter options, 12th = -1).
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    result = libreoffice_convert(source, csv_filter, out)
    sheets = sorted(out.glob("*.csv"))
    assert len(sheets) >= 3, result.stdout + result.stderr  # the summary and two focus areas
    cells = [
        cell
        for sheet in sheets
        for line in csv.reader(io.StringIO(sheet.read_text(encoding="utf-8")))
        for cell in line
    ]
    for text in DANGEROUS.values():
        shown = CONTROL.sub("", text)
        # The text itself, shown after the apostrophe that keeps it from being a formula.
        assert f"'{shown}" in cells, (shown, [c for c in cells if shown[1:8] in c])
    assert "Klik" not in cells  # what =HYPERLINK(…) would have shown as a formula

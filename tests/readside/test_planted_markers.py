"""Issue 11, point 6: personal data planted through every channel, searched for in every output.

Each channel gets a CPR number of its own (a real date, so the guard knows it for one), some a
phone number, and a marker word that is never moderated: online input and a general comment
(through the respondent's pages), the text of an organisation's letter (read out of its PDF
for staff), a facilitator's capture and a participant's phone (through
the session's pages), and an edit after publication. Then every output is built and read back:
the memo, the public report (page, PDF, DOCX), the exports (CSV, XLSX, JSON, staff and public,
by download and by CLI), the open data, the API (public, and with a staff token), the staff
pages, the minutes, the participants' page, the projector and every e-mail in the outbox.

- A CPR number is in none of them.
- A marker in unmoderated text is in no public output, and not in the memo either.
- A phone number is in no public output and nothing a meeting's participants read.

Positive controls (text that is published, text staff may read) must turn up, so the search
cannot pass by reading nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.api import services as api
from consult.db import utcnow
from consult.demo.responses import letter_pdf
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.jobs import runner
from consult.mail.models import OutboxMessage
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.models import RespondentType
from consult.reference.seed import load_reference_data
from consult.responses import letters
from consult.responses import services as responding
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import Stance
from consult.sessions import services as sessions
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingInput
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in
from tests.helpers import Output
from tests.helpers import api_pages
from tests.helpers import fetch
from tests.helpers import file_text
from tests.helpers import read_public
from tests.helpers import says

#: One CPR number per channel: day, month and year are a real date.
CPR = {
    "online": "010190-2231",
    "comment": "020290-4417",
    "capture": "030390-5523",
    "phone": "040490-6619",
    "edit": "050590-7735",
    # In a text a moderator published as written: the read side freezes it out.
    "published": "060690-8841",
}
#: Phone numbers: one typed by a citizen, one said at the meeting about someone else.
PHONES = ("26 15 48 93", "31 42 53 64")
#: Words in text no moderator has published: never public, never quoted in the memo.
UNMODERATED = {
    "MRKONLINE": "online input awaiting moderation",
    "MRKCOMMENT": "a general comment awaiting moderation",
    "MRKCAPTURE": "a facilitator's capture at a session, awaiting moderation",
    "MRKPHONE": "a participant's phone input, awaiting moderation",
    "MRKBEFORE": "a published text its sender changed afterwards",
    "MRKEDITED": "the changed text, not yet reviewed",
}
#: In the text of an organisation's letter (PDF), read out for staff: the published letter is a
#: public file, but the text read out of it is on no public page, in no API answer, no memo.
LETTER = "MRKLETTER"
SHOWN = "MRKSHOWN"  # published, with an approved reply
FROZEN = "MRKFROZEN"  # published as written, CPR number and all
GOAL_1, GOAL_2, GOAL_3, GOAL_4 = "fa-1-goal-1", "fa-1-goal-2", "fa-2-goal-1", "fa-2-goal-2"


@dataclass
class World:
    consultation: object
    secretariat: object
    facilitator: object
    meeting: Meeting
    token: str
    #: Outputs built while the session ran (the projector, the capture page) or was confirmed.
    session_outputs: list[Output] = field(default_factory=list)


def contributions(response) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.response_id == response.id)
            .order_by(Contribution.id)
        )
    )


def publish(moderator, response) -> None:
    for contribution in contributions(response):
        moderation.publish(contribution, moderator)


def respond_online(app, c) -> None:
    """A signed-in citizen answers a goal, writes a general comment and sends it (the receipt
    e-mail quotes both)."""
    client = app.test_client()
    sign_in(client, make_user(email="borger@example.dk"))
    assert about_me(client, c).status_code == 302
    base = f"/consultations/{c.slug}/respond"
    text = f"Min mor (CPR {CPR['online']}) venter stadig. MRKONLINE"
    response = post_form(
        client, f"{base}/items/{GOAL_1}", {"stance": "oppose", "importance": "4", "text": text}
    )
    assert response.status_code == 302, response.status_code
    comment = f"Ring på {PHONES[0]}, mit CPR er {CPR['comment']}. MRKCOMMENT"
    post_form(client, f"{base}/comment", {"general_comment": comment, "consent": "named"})
    summary = client.get(f"{base}/").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', summary).group(1)
    token = csrf_token(client, f"{base}/")
    assert client.post(f"{base}/submit", data={"key": key, "csrf_token": token}).status_code == 302


def run_session(app, c, world_outputs: list[Output]) -> Meeting:
    """A facilitator records input, a participant's phone sends some, the projector shows it;
    the session ends, the participant confirms, and the record goes to the consultation."""
    tree = load_tree(current_version(c))
    facilitator = make_user(Role.FACILITATOR)
    association = db.session.scalar(
        select(RespondentType.id).where(RespondentType.code == "patient-association")
    )
    spec = sessions.MeetingSpec(
        title="Dialogmøde",
        starts_at=utcnow() + timedelta(hours=1),
        place="Hillerød",
        online_url="",
        locale="da",
        participant_count=5,
        confirm_days=8,
        facilitators=[facilitator],
        agenda=[tree.by_key["fa-1"].item.id],
        groups=[sessions.GroupSpec(association, "Danske Patienter", 5)],
        emails=["deltager@example.dk"],
    )
    meeting = sessions.create_meeting(facilitator, c, spec, tree)
    client = app.test_client()
    sign_in(client, facilitator)
    page = f"/sessions/{meeting.id}"
    assert post_form(client, f"{page}/start", {}, form_url=f"{page}/").status_code == 302
    goal = str(tree.by_key[GOAL_1].item.id)
    said = f"Fru Jensen har CPR {CPR['capture']}, ring til datteren på {PHONES[1]}. MRKCAPTURE"
    capture = {"item": goal, "group": "", "stance": "oppose", "text": said}
    assert post_form(client, f"{page}/inputs", capture, form_url=f"{page}/live").status_code == 302
    phone = app.test_client()
    code = db.session.get(Meeting, meeting.id).join_code
    sent = {"item": goal, "group": "", "stance": "", "text": f"CPR {CPR['phone']}. MRKPHONE"}
    assert post_form(phone, f"/join/{code}", sent).status_code == 302
    proposed = db.session.scalar(select(MeetingInput).where(MeetingInput.from_participant))
    post_form(client, f"{page}/inputs/{proposed.id}/accept", {}, form_url=f"{page}/live")
    world_outputs += [
        fetch(client, f"{page}/projector", "live.projector", "da"),
        fetch(client, f"{page}/live", "live.capture", "da"),
    ]
    post_form(client, f"{page}/end", {}, form_url=f"{page}/")
    link = next(
        m.group(1)
        for body in db.session.scalars(select(OutboxMessage.body_text))
        if (m := re.search(r"https?://[^/\s]+(/sessions/record/\S+)", body))
    )
    participant = app.test_client()
    world_outputs.append(fetch(participant, link, "participate.review_record", "da"))
    answers = {}
    for recorded in sessions.inputs_of(db.session.get(Meeting, meeting.id)):
        answers |= {f"verdict_{recorded.id}": "comment", f"comment_{recorded.id}": "Ja."}
    assert post_form(participant, link, answers).status_code == 302
    world_outputs += [
        fetch(client, f"{page}/minutes", "sessions.minutes", lang) for lang in ("da", "en")
    ] + [fetch(client, f"{page}/", "sessions.show_meeting", "da")]
    assert post_form(client, f"{page}/confirm", {}, form_url=f"{page}/").status_code == 302
    world_outputs += [
        fetch(client, f"{page}/minutes", "sessions.minutes", "da"),
        fetch(participant, link, "participate.review_record", "en"),
    ]
    return db.session.get(Meeting, meeting.id)


@pytest.fixture
def world(app) -> World:
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    moderator = make_user(Role.MODERATOR)
    writer, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)

    # What is published: a citizen's input with an approved reply, and one with a CPR number.
    shown = make_response(c, {GOAL_2: f"Et godt mål. {SHOWN}"}, name="MRKOKNAME", consent="named")
    publish(moderator, shown)
    reply = analysis.save_reply(
        c.id, writer, select(Input.id).where(Input.response_id == shown.id), text="MRKREPLY",
        disposition=Disposition.INCORPORATED, reason="", ready=True,
    )  # fmt: skip
    analysis.approve_reply(reply, approver)
    frozen = make_response(c, {GOAL_4: f"Min far har CPR {CPR['published']}. {FROZEN}"})
    publish(moderator, frozen)

    # An organisation's letter, published: the file is public, its text read out for staff
    # is not.
    organisation = make_response(
        c, {GOAL_1: "Vi støtter målet."}, type_code="patient-association",
        organisation="Danske Patienter", submit=False,
    )  # fmt: skip
    pdf = letter_pdf("Danske Patienter", [f"Vores bemærkninger står i dette brev. {LETTER}"])
    letters.attach_letter(organisation, BytesIO(pdf), "brev.pdf")
    responding.submit_response(organisation, key="letter")
    publish(moderator, organisation)

    # The channels, each leaving text no moderator has looked at.
    respond_online(app, c)
    edited = make_response(c, {GOAL_3: "Før ændringen. MRKBEFORE"}, consent="named")
    publish(moderator, edited)
    responding.save_input(
        edited,
        load_tree(current_version(c)).by_key[GOAL_3],
        stance=Stance.OPPOSE,
        importance=None,
        text=f"Efter ændringen: mit CPR er {CPR['edit']}. MRKEDITED",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    outputs: list[Output] = []
    meeting = run_session(app, c, outputs)

    # The memo and the report are published once the consultation has closed.
    c.status = Status.PUBLISHED
    c.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    _row, token = api.create_token(writer, "markers")
    return World(c, writer, meeting.facilitators[0], meeting, token, outputs)


def staff_outputs(app, world: World, tmp_path) -> list[Output]:
    """Everything the secretariat downloads or reads: exports, the memo, API, pages, CLI files."""
    c = world.consultation
    client = app.test_client()
    sign_in(client, world.secretariat)
    base = f"/staff/consultations/{c.slug}"
    urls = [f"{base}/exports/", f"{base}/inputs/"]
    # The general comments and the letters, a CSV each (the XLSX and JSON hold them too).
    urls += [f"{base}/exports/comments.csv", f"{base}/exports/letters.csv"]
    urls += [f"{base}/inputs/groups", f"{base}/analysis/goals/{GOAL_1}"]
    urls += [
        f"{base}/inputs/{input_id}"
        for input_id in db.session.scalars(
            select(Input.id).join(Response).where(Response.consultation_id == c.id)
        )
    ]
    outputs = [fetch(client, url, "staff", lang) for url in urls for lang in ("da", "en")]
    # Each export is a job: asked for on the exports page, made as a worker makes it, fetched.
    exports = [("csv", "semicolon"), ("csv", "comma"), ("xlsx", ""), ("json", ""), ("docx", "")]
    for fmt, delimiter in exports:
        for lang in ("da", "en"):
            outputs.append(export_output(client, base, fmt, delimiter, lang))
    bearer = {"Authorization": f"Bearer {world.token}"}
    outputs += api_pages(app.test_client(), c.slug, "da", headers=bearer)
    runner = app.test_cli_runner()
    for fmt in ("csv", "xlsx", "json", "docx"):
        for public in (False, True):
            out = tmp_path / f"export-{fmt}-{public}.{fmt}"
            args = ["consult", "export", c.slug, "--format", fmt, "--output", str(out)]
            result = runner.invoke(args=args + (["--public"] if public else []))
            assert result.exit_code == 0, result.output
            text = file_text(out.read_bytes(), fmt).casefold()
            outputs.append(Output("cli", f"cli {fmt} public={public}", 200, text))
    return outputs


def theme_outputs(app, world: World, run_jobs) -> tuple[list[Output], list[Output]]:
    """The theme pages: suggestions, each suggestion's inputs, a seeded theme (staff pages:
    staff text, CPR numbers masked), and apart the quotes on the suggestions' pages, which
    quote moderated text only."""
    from consult.themes import service as themes

    c = world.consultation
    run = themes.request_run(c, world.secretariat, k=2)
    db.session.commit()
    run_jobs()  # and the public report's build, queued by the changes before
    db.session.expire_all()
    assert run.finished_at is not None
    client = app.test_client()
    sign_in(client, world.secretariat)
    base = f"/staff/consultations/{c.slug}/themes"
    ids = list(db.session.scalars(themes.scope_ids(c.id)))
    urls = [f"{base}/runs/{run.id}", f"{base}/", f"{base}/seed?name=Venter&ids={ids[0]}"]
    urls += [f"{base}/suggestions/{s.id}" for s in themes.suggestions_of(run)]
    pages = [fetch(client, url, "themes", lang) for url in urls for lang in ("da", "en")]
    quotes = []
    for lang in ("da", "en"):
        response = client.get(f"{base}/runs/{run.id}?lang={lang}")
        quoted = re.findall(r'<blockquote class="quote">(.*?)</blockquote>', response.text, re.S)
        quotes.append(Output("themes.quotes", f"quotes {lang}", 200, " ".join(quoted).casefold()))
    return quotes, pages


def export_output(client, base: str, fmt: str, delimiter: str, lang: str) -> Output:
    """Ask for an export on the exports page, run its job here, and read the file."""
    form = {"fmt": fmt, "delimiter": delimiter or "semicolon", "lang": lang}
    form["csrf_token"] = csrf_token(client, f"{base}/exports/")
    response = client.post(f"{base}/exports/", data=form)
    assert response.status_code == 302, response.status_code
    status_page = response.headers["Location"]
    runner.run(int(status_page.rstrip("/").rsplit("/", 1)[-1]))
    query = f"?delimiter={delimiter}&lang={lang}" if delimiter == "comma" else f"?lang={lang}"
    output = fetch(client, f"{status_page}/file", "staff")
    return Output("staff", f"{base}/exports/{fmt}{query}", output.status, output.text)


def mail_outputs() -> list[Output]:
    return [
        Output("mail", f"mail to {m.recipient}", 200, f"{m.subject}\n{m.body_text}".casefold())
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def the(outputs: list[Output], url_part: str) -> list[Output]:
    matching = [o for o in outputs if url_part in o.url]
    assert matching and all(o.status == 200 for o in matching), (url_part, matching)
    return matching


def lacking(outputs: list[Output], *markers: str) -> list[str]:
    return [f"{o.url} lacks {m}" for o in outputs for m in markers if not says(o, m)]


def test_planted_personal_data_reaches_no_output_it_must_not(app, world, tmp_path, run_jobs):
    c = world.consultation
    public = read_public(app, c)
    theme_quotes, theme_pages = theme_outputs(app, world, run_jobs)
    staff = staff_outputs(app, world, tmp_path) + theme_quotes + theme_pages
    mail = mail_outputs()
    meeting = world.session_outputs
    read_in_the_room = {"live.projector", "sessions.minutes", "participate.review_record"}
    participants = [o for o in meeting if o.endpoint in read_in_the_room]
    # The open data and the public report written by the CLI are public too.
    public_files = [o for o in staff if o.url.startswith("cli") and "public=True" in o.url]
    everything = public + staff + mail + meeting
    assert all(o.status < 500 for o in everything), [o.url for o in everything if o.status >= 500]

    # No CPR number anywhere, written with or without its hyphen.
    cprs = [form for cpr in CPR.values() for form in (cpr, cpr.replace("-", ""))]
    assert [f"{o.url}: {cpr}" for o in everything for cpr in cprs if says(o, cpr)] == []
    # Nothing unmoderated in public, nor in the memo (it quotes moderated text only).
    memos = [o for o in staff if "/exports/docx" in o.url or o.url == "cli docx public=False"]
    assert len(memos) == 3
    assert [
        f"{o.url}: {marker} ({why})"
        for o in public + public_files + memos
        for marker, why in UNMODERATED.items()
        if says(o, marker)
    ] == []
    # The letter's text: staff read it; in public only the published file itself holds it.
    letter_files = [o for o in public if o.endpoint == "published.download_letter"]
    assert any(o.status == 200 and says(o, LETTER) for o in letter_files)
    assert [
        o.url
        for o in public + public_files + memos + theme_quotes
        if o.endpoint != "published.download_letter" and says(o, LETTER)
    ] == []
    assert any(says(o, LETTER) for o in staff if "/inputs/" in o.url)
    # Suggested themes quote moderated text only (their inputs' pages show staff text).
    assert [
        f"{o.url}: {marker}" for o in theme_quotes for marker in UNMODERATED if says(o, marker)
    ] == []
    assert lacking(theme_quotes, SHOWN, FROZEN) == []
    assert any(says(o, "MRKONLINE") and says(o, "[…]") for o in theme_pages)
    # No phone number in public, or in what the meeting's participants read.
    shown_to_many = public + public_files + participants
    assert [f"{o.url}: {p}" for o in shown_to_many for p in PHONES if says(o, p)] == []

    # The search finds what is there: published text in public, and staff read the rest.
    report = [o for o in public if re.search(r"/report/report\.(pdf|docx)\?", o.url)]
    assert len(report) == 4 and lacking(report, SHOWN, FROZEN, "MRKREPLY") == []
    removed = {"da": "[fjernet]", "en": "[removed]"}  # where the frozen CPR number was
    assert [o.url for o in report if not says(o, removed[o.url[-2:]])] == []
    assert lacking(the(public, "/report/open-data.csv"), SHOWN, FROZEN, "MRKOKNAME") == []
    assert lacking(the(public, f"/api/v1/consultations/{c.slug}/inputs?lang"), SHOWN) == []
    assert lacking(memos, SHOWN, FROZEN, "MRKREPLY") == []
    assert lacking(memos[:1], "afventer moderation: ikke citeret", "afventer stadig") == []
    assert lacking(the(staff, "/exports/?lang=da"), "afventer stadig moderation") == []
    # Staff files hold every input (the memo, moderated text only, is not one of them).
    staff_files = [o for o in staff if re.fullmatch(r"cli (csv|xlsx|json) public=False", o.url)]
    staff_files += the(staff, "/exports/csv") + the(staff, "/exports/xlsx")
    staff_files += the(staff, "/exports/json")
    api_text = "".join(o.text for o in staff if o.endpoint == "api.list_inputs")
    for marker in ("MRKONLINE", "MRKCAPTURE", "MRKPHONE", "MRKEDITED"):
        assert marker.casefold() in api_text
        assert lacking(staff_files, marker) == []
    assert lacking(the(staff, "/exports/csv"), "[…]", PHONES[1]) == []  # staff: CPR masked only
    # The comment and letter records: staff read the comment (CPR masked) and the letter's
    # text, in their CSV files, the workbooks and the JSON; the public files (checked above
    # with every public output) neither an unpublished comment nor a letter's text.
    assert lacking(the(staff, "/exports/comments.csv"), "MRKCOMMENT", "[…]") == []
    assert lacking(the(staff, "/exports/letters.csv"), LETTER) == []
    workbooks_and_json = [o for o in staff_files if "csv" not in o.url]
    assert len(workbooks_and_json) == 6
    assert lacking(workbooks_and_json, "MRKCOMMENT", LETTER) == []
    public_statements = the(public, "/report/comments.csv") + the(public, "/report/letters.csv")
    assert len(public_statements) == 6  # two files; Danish with either separator, English
    assert lacking(the(public, "/report/letters.csv"), "brev.pdf") == []
    # The session's record, personal data masked, for everyone in the room.
    for page in ("/projector", "/minutes", "/sessions/record/"):
        assert lacking(the(meeting, page), "MRKCAPTURE", "MRKPHONE", "[…]") == []
    # The receipt quotes what the citizen wrote, CPR numbers masked.
    (receipt,) = [o for o in mail if "borger@example.dk" in o.url]
    assert lacking([receipt], "MRKONLINE", "MRKCOMMENT", PHONES[0], "[…]") == []

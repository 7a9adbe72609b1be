"""The høringsliste: adding and importing organisations, who answered, reminders, access."""

from __future__ import annotations

import io

import pytest
from flask import url_for
from sqlalchemy import select
from sqlalchemy import update

from consult import jobs
from consult.db import utcnow
from consult.drafts.models import Status
from consult.extensions import db
from consult.invitations import forms
from consult.invitations import importer
from consult.invitations import services
from consult.invitations.models import Invitation
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.jobs.queue import job_queue
from consult.mail.models import OutboxMessage
from consult.reference.seed import load_reference_data
from consult.responses.models import ResponseState
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in
from tests.helpers import type_id


@pytest.fixture
def consultation():
    load_reference_data()
    return make_consultation()


@pytest.fixture
def staff(client, consultation):
    sign_in(client, make_user("secretariat"))
    client.get("/?lang=en")
    return client


def url(consultation, path: str = "") -> str:
    return f"/staff/consultations/{consultation.slug}/invitations/{path}"


def invitations(consultation) -> list[Invitation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.consultation_id == consultation.id)
            .order_by(Invitation.organisation)
        )
    )


def upload(client, consultation, content: bytes, name: str = "liste.csv"):
    token = csrf_token(client, url(consultation, "import"))
    return client.post(
        url(consultation, "import"),
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def invite(consultation, organisation: str, email: str = "", **kw) -> Invitation:
    return services.add_invitation(consultation, organisation, email, **kw)


# --- adding one --------------------------------------------------------------------------------


def test_add_an_organisation(staff, consultation):
    response = post_form(
        staff,
        url(consultation, "new"),
        {
            "organisation": "  Danske   Patienter ",
            "email": "Post@DanskePatienter.dk",
            "respondent_type": str(type_id("patient-association")),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(consultation))
    [invitation] = invitations(consultation)
    assert invitation.organisation == "Danske Patienter"
    assert invitation.email == "post@danskepatienter.dk"
    assert invitation.respondent_type.code == "patient-association"
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "Danske Patienter is added to the list." in html
    assert "post@danskepatienter.dk" in html and "Patient association" in html


def test_e_mail_and_type_are_optional(staff, consultation):
    data = {"organisation": "Ældre Sagen", "email": "", "respondent_type": ""}
    assert post_form(staff, url(consultation, "new"), data).status_code == 302
    [invitation] = invitations(consultation)
    assert (invitation.email, invitation.respondent_type_id) == ("", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"organisation": "", "email": ""}, "Give the organisation’s name."),
        ({"organisation": "X" * 201, "email": ""}, "Use at most 200 characters."),
        ({"organisation": "Lægeforeningen", "email": "post@"}, "Give a valid e-mail address"),
        ({"organisation": "Lægeforeningen", "email": "a b@c.dk"}, "Give a valid e-mail address"),
    ],
)
def test_add_shows_what_is_wrong(staff, consultation, data, message):
    response = post_form(staff, url(consultation, "new"), {"respondent_type": "", **data})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'aria-invalid="true"' in html
    assert invitations(consultation) == []


def test_an_organisation_is_on_the_list_once(staff, consultation):
    invite(consultation, "Danske Regioner")
    data = {"organisation": "danske  regioner", "email": "", "respondent_type": ""}
    response = post_form(staff, url(consultation, "new"), data)
    assert response.status_code == 200
    assert "danske regioner is already on the list." in response.get_data(as_text=True)
    assert len(invitations(consultation)) == 1


# --- importing a CSV file ----------------------------------------------------------------------


def test_import_semicolons_with_a_bom_and_danish_headers(staff, consultation):
    content = (
        "\ufeffOrganisation;E-mail;Type\r\n"
        "Danske Patienter;POST@danskepatienter.dk;patient-association\r\n"
        "Hvidovre Kommune, Sundhed;;Municipality\r\n"
        "Lægeforeningen;post@laeger.dk;\r\n"
        ";;\r\n"
    ).encode()
    response = upload(staff, consultation, content)
    assert response.status_code == 302, response.get_data(as_text=True)
    rows = [
        (i.organisation, i.email, i.respondent_type.code if i.respondent_type else None)
        for i in invitations(consultation)
    ]
    assert rows == [
        ("Danske Patienter", "post@danskepatienter.dk", "patient-association"),
        ("Hvidovre Kommune, Sundhed", "", "municipality"),
        ("Lægeforeningen", "post@laeger.dk", None),
    ]
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "3 organisations are added to the list." in html


def test_import_commas_without_a_bom(staff, consultation):
    content = (
        b"ORGANISATION,email,type\n"
        b'"Region Hovedstaden, Center for Sundhed",sundhed@regionh.dk,region\n'
        b"Gentofte Kommune,post@gentofte.dk,municipality\n"
    )
    assert upload(staff, consultation, content).status_code == 302
    assert [(i.organisation, i.email) for i in invitations(consultation)] == [
        ("Gentofte Kommune", "post@gentofte.dk"),
        ("Region Hovedstaden, Center for Sundhed", "sundhed@regionh.dk"),
    ]


def test_import_a_single_column(ctx, consultation):
    result = importer.import_csv(consultation, "organisation\nDanske Fysioterapeuter\n")
    assert [i.organisation for i in result.added] == ["Danske Fysioterapeuter"]


def test_a_bad_line_imports_nothing_and_every_bad_line_is_reported(staff, consultation):
    content = (
        "organisation;email;type\n"
        "Danske Patienter;post@danskepatienter.dk;patient-association\n"
        "Hjerteforeningen;not-an-address;patient-association\n"
        ";post@x.dk;\n"
        "Kræftens Bekæmpelse;;no-such-type\n"
    ).encode()
    response = upload(staff, consultation, content)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Line 3: “not-an-address” is not a valid e-mail address." in html
    assert "Line 4: The organisation’s name is missing." in html
    assert "Line 5: There is no respondent type with the code “no-such-type”." in html
    assert "Line 2" not in html
    # Beside the field, tied to it.
    assert 'id="file-error"' in html and 'aria-describedby="file-hint file-error"' in html
    assert invitations(consultation) == []


def test_duplicates_are_skipped_and_reported(staff, consultation):
    invite(consultation, "Danske Regioner", "post@regioner.dk")
    content = (
        "organisation;email\n"
        "danske regioner;post@regioner.dk\n"
        "Ældre Sagen;post@aeldresagen.dk\n"
        "ÆLDRE  SAGEN;other@aeldresagen.dk\n"
        "Bedre Psykiatri;\n"
    ).encode()
    response = upload(staff, consultation, content)
    assert response.status_code == 302
    assert [(i.organisation, i.email) for i in invitations(consultation)] == [
        ("Bedre Psykiatri", ""),
        ("Danske Regioner", "post@regioner.dk"),
        ("Ældre Sagen", "post@aeldresagen.dk"),
    ]
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "2 organisations are added to the list." in html
    assert "2 lines were skipped" in html
    assert "danske regioner (line 2)" in html and "ÆLDRE SAGEN (line 4)" in html


def test_import_reports_skips_with_their_reason(ctx, consultation):
    invite(consultation, "Danske Regioner")
    result = importer.import_csv(consultation, "organisation\nDanske Regioner\nSind\nSIND\n")
    assert [i.organisation for i in result.added] == ["Sind"]
    assert [(s.line, s.code, s.first_line) for s in result.skipped] == [
        (2, "invited", None),
        (4, "repeated", 3),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name;email\nSind;\n", "Line 1: The first line must name the columns"),
        (b"organisation;email\nS\xf8ren Kierkegaard Selskabet;\n", "Line 2: The file is not saved"),
        (b"\xef\xbb\xbf", "Line 1: The file is empty."),
        (b'organisation;email\nSind;\n"Uafsluttet;x\n', "Line 3: The file cannot be read"),
    ],
)
def test_an_unreadable_file_says_why(staff, consultation, content, message):
    response = upload(staff, consultation, content)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert invitations(consultation) == []


def test_a_file_is_required(staff, consultation):
    token = csrf_token(staff, url(consultation, "import"))
    response = staff.post(
        url(consultation, "import"), data={"csrf_token": token}, content_type="multipart/form-data"
    )
    assert "Choose the file you want to import." in response.get_data(as_text=True)


def test_a_file_over_2_mb_is_refused(staff, consultation, monkeypatch):
    # A small limit: the test client would spool a real 2 MB file to an unclosed temp file.
    monkeypatch.setattr(forms, "CSV_MAX_BYTES", 100)
    response = upload(staff, consultation, b"organisation\n" + b"x" * 100)
    assert response.status_code == 200
    assert "The file is larger than 2 MB." in response.get_data(as_text=True)
    assert invitations(consultation) == []


def test_a_huge_upload_gets_the_form_back_with_a_message(app, staff, consultation):
    token = csrf_token(staff, url(consultation, "import"))
    boundary = "consult-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f"--{boundary}\r\nContent-Disposition: form-data; "
            'name="file"; filename="liste.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = staff.post(
        url(consultation, "import"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is larger than 2 MB." in html and 'id="file"' in html


# --- who answered ------------------------------------------------------------------------------


def answered(consultation) -> dict[str, bool]:
    rows = db.session.execute(services.answered_query(consultation.id)).all()
    return {invitation.organisation: at is not None for invitation, at in rows}


def test_answered_by_e_mail_case_insensitive(ctx, consultation):
    invite(consultation, "Danske Patienter", "post@danskepatienter.dk")
    invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    response = make_response(
        consultation,
        {"fa-1-goal-1": "Godt mål."},
        type_code="patient-association",
        organisation="DP",
        email="POST@DanskePatienter.dk",
    )
    assert answered(consultation) == {"Danske Patienter": True, "Hjerteforeningen": False}
    [(invitation, at)] = db.session.execute(
        services.answered_query(consultation.id, answered=True)
    ).all()
    assert invitation.organisation == "Danske Patienter"
    assert at == response.submitted_at


def test_answered_by_organisation_name_case_insensitive_and_trimmed(ctx, consultation):
    invite(consultation, "Ældre Sagen", "post@aeldresagen.dk")
    invite(consultation, "Danske Regioner")
    make_response(
        consultation,
        {"fa-1-goal-1": "Tekst."},
        type_code="interest-organisation",
        organisation="  ÆLDRE SAGEN ",
        email="someone@else.dk",
    )
    assert answered(consultation) == {"Ældre Sagen": True, "Danske Regioner": False}


def test_only_submitted_responses_to_the_same_consultation_count(ctx, consultation):
    other = make_consultation()
    invite(consultation, "Draft Org", "draft@example.dk")
    invite(consultation, "Withdrawn Org")
    invite(consultation, "Elsewhere Org", "elsewhere@example.dk")
    invite(consultation, "Answered Org")
    make_response(
        consultation,
        {"fa-1-goal-1": "Kladde."},
        type_code="patient-association",
        organisation="Draft Org",
        email="draft@example.dk",
        submit=False,
    )
    withdrawn = make_response(
        consultation,
        {"fa-1-goal-1": "Trukket."},
        type_code="patient-association",
        organisation="withdrawn org",
    )
    withdrawn.state = ResponseState.WITHDRAWN
    make_response(
        other,
        {"fa-1-goal-1": "Andet sted."},
        type_code="patient-association",
        organisation="Elsewhere Org",
        email="elsewhere@example.dk",
    )
    make_response(
        consultation,
        {"fa-1-goal-1": "Svar."},
        type_code="patient-association",
        organisation="answered org",
    )
    db.session.flush()
    assert answered(consultation) == {
        "Draft Org": False,
        "Withdrawn Org": False,
        "Elsewhere Org": False,
        "Answered Org": True,
    }
    assert services.counts(consultation.id) == services.Counts(invited=4, answered=1)


def test_a_respondent_without_an_organisation_answers_no_nameless_invitation(ctx, consultation):
    invite(consultation, "Sind")
    make_response(consultation, {"fa-1-goal-1": "Borger."}, email="borger@example.dk")
    assert answered(consultation) == {"Sind": False}


# --- the list ----------------------------------------------------------------------------------


def test_the_list_counts_and_filters(staff, consultation):
    invite(consultation, "Danske Patienter", "post@danskepatienter.dk")
    invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    invite(consultation, "Sind")
    make_response(
        consultation,
        {"fa-1-goal-1": "Godt."},
        type_code="patient-association",
        organisation="Danske Patienter",
        email="post@danskepatienter.dk",
    )
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "<dt>Invited</dt><dd>3</dd>" in html
    assert "<dt>Answered</dt><dd>1</dd>" in html
    assert "<dt>Not yet answered</dt><dd>2</dd>" in html
    assert all(name in html for name in ("Danske Patienter", "Hjerteforeningen", "Sind"))
    assert '<th scope="col">' in html and "<caption" in html

    html = staff.get(url(consultation) + "?show=answered").get_data(as_text=True)
    assert "Danske Patienter" in html
    assert "Hjerteforeningen" not in html and "Sind" not in html
    assert "Yes, " in html

    html = staff.get(url(consultation) + "?show=not-yet").get_data(as_text=True)
    assert "Danske Patienter" not in html
    assert "Hjerteforeningen" in html and "Sind" in html

    html = staff.get(url(consultation) + "?show=nonsense").get_data(as_text=True)
    assert "Danske Patienter" in html and "Sind" in html


def test_the_list_has_pages_of_50(staff, consultation):
    importer.import_csv(
        consultation, "organisation\n" + "".join(f"Forening {n:03d}\n" for n in range(55))
    )
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "Forening 049" in html and "Forening 050" not in html
    assert 'rel="next"' in html
    html = staff.get(url(consultation) + "?page=2").get_data(as_text=True)
    assert "Forening 050" in html and "Forening 054" in html and "Forening 049" not in html


def test_the_staff_consultation_page_links_to_the_list(staff, consultation):
    html = staff.get(f"/staff/consultations/{consultation.slug}/").get_data(as_text=True)
    assert f'href="{url(consultation)}"' in html


def test_remove_an_organisation(staff, consultation):
    invitation = invite(consultation, "Sind")
    keep = invite(consultation, "Bedre Psykiatri")
    other = invite(make_consultation(), "Sind")
    response = post_form(
        staff, url(consultation, f"{invitation.id}/remove?show=not-yet"), {}, url(consultation)
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(consultation) + "?show=not-yet")
    assert [i.id for i in invitations(consultation)] == [keep.id]
    # Another consultation's invitation is not found under this one.
    response = post_form(staff, url(consultation, f"{other.id}/remove"), {}, url(consultation))
    assert response.status_code == 404


def test_an_unknown_consultation_is_404(staff):
    for path in ("", "new", "import"):
        assert (
            staff.get(f"/staff/consultations/no-such-thing/invitations/{path}").status_code == 404
        )


# --- reminders ---------------------------------------------------------------------------------


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)))


def test_reminders_go_only_to_those_not_answered_with_an_e_mail(ctx, consultation):
    answered_one = invite(consultation, "Danske Patienter", "post@danskepatienter.dk")
    nameless = invite(consultation, "Sind")
    first = invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    second = invite(consultation, "Ældre Sagen", "post@aeldresagen.dk")
    make_response(
        consultation,
        {"fa-1-goal-1": "Godt."},
        type_code="patient-association",
        organisation="Danske Patienter",
        email="post@danskepatienter.dk",
    )
    before = {m.id for m in outbox()}
    sent = services.send_reminders(consultation, [answered_one, nameless, first, second])
    assert sent == 2
    messages = [m for m in outbox() if m.id not in before]
    assert [m.recipient for m in messages] == ["info@hjerteforeningen.dk", "post@aeldresagen.dk"]
    message = messages[0]
    # Danish, whatever the request's language: the Danish title and a Danish deadline.
    assert consultation.title_da in message.subject
    assert consultation.title_da in message.body_text and "Hjerteforeningen" in message.body_text
    assert " kl. " in message.body_text
    link = url_for("drafts.show_consultation", slug=consultation.slug, _external=True)
    assert link in message.body_text
    assert (first.reminder_count, second.reminder_count) == (1, 1)
    assert first.reminded_at is not None and answered_one.reminded_at is None
    assert nameless.reminded_at is None

    assert services.send_reminders(consultation, [first]) == 1
    assert first.reminder_count == 2


def test_send_reminders_from_the_list(staff, consultation, run_jobs):
    invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    invite(consultation, "Sind")
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "Send a reminder to 1 organisation" in html
    response = post_form(staff, url(consultation, "remind"), {}, url(consultation))
    assert response.status_code == 302
    # A worker queues the mail: until then the list says so, and offers no second button.
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "Reminders are being sent to the organisations that have not answered." in html
    assert "Refresh the page to see whether it is done" in html
    assert "Send a reminder to" not in html
    assert outbox() == []
    assert run_jobs() == 1
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "The last reminder went to 1 organisation." in html
    assert "(1 reminder)" in html
    assert [m.recipient for m in outbox()] == ["info@hjerteforeningen.dk"]
    message = outbox()[0]
    # The link is the one the secretariat's browser used, whatever the worker's own address.
    assert f"/consultations/{consultation.slug}" in message.body_text
    # A second click within the hour sends nothing twice.
    post_form(staff, url(consultation, "remind"), {}, url(consultation))
    assert run_jobs() == 1
    assert [m.recipient for m in outbox()] == ["info@hjerteforeningen.dk"]


def test_the_reminder_job_sends_once_when_it_runs_twice(staff, consultation, run_jobs):
    invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    post_form(staff, url(consultation, "remind"), {}, url(consultation))
    job = jobs.latest("invitations.send_reminders", f"consultation:{consultation.id}")
    assert job.requested_by_id is not None
    job_queue.of(staff.application).dispatch(job.id)  # as if the queue handed it over twice
    assert run_jobs() == 2
    # Its worker died after the mail was queued: the job runs again and queues nothing more.
    db.session.execute(
        update(Job).where(Job.id == job.id).values(state=JobState.QUEUED, not_before=utcnow())
    )
    db.session.commit()
    job_queue.of(staff.application).dispatch(job.id)
    assert run_jobs() == 1
    assert [m.recipient for m in outbox()] == ["info@hjerteforeningen.dk"]


def test_no_reminders_unless_open(staff):
    closed = make_consultation(status=Status.CLOSED)
    invite(closed, "Hjerteforeningen", "info@hjerteforeningen.dk")
    html = staff.get(url(closed)).get_data(as_text=True)
    assert "Reminders can be sent only while the consultation is open for input." in html
    post_form(staff, url(closed, "remind"), {}, url(closed))
    assert outbox() == []


# --- who may ----------------------------------------------------------------------------------

PAGES = [
    ("get", ""),
    ("get", "new"),
    ("get", "import"),
    ("post", "remind"),
    ("post", "invite"),
    ("post", "1/remove"),
]


@pytest.mark.parametrize("role", ["respondent", "moderator", "facilitator"])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_others_get_403(client, consultation, no_csrf, role, method, path):
    sign_in(client, make_user(role))
    assert getattr(client, method)(url(consultation, path)).status_code == 403


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, consultation, no_csrf, method, path):
    response = getattr(client, method)(url(consultation, path))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_an_admin_may(client, consultation):
    sign_in(client, make_user("admin"))
    assert client.get(url(consultation)).status_code == 200


# --- the first invitation ----------------------------------------------------------------------


def test_the_invitation_goes_once_to_each_organisation_with_an_address(
    staff, consultation, run_jobs
):
    invite(consultation, "Hjerteforeningen", "info@hjerteforeningen.dk")
    invite(consultation, "Sind")
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "Send the invitation to 1 organisation" in html
    before = {m.id for m in outbox()}
    assert post_form(staff, url(consultation, "invite"), {}, url(consultation)).status_code == 302
    run_jobs()
    messages = [m for m in outbox() if m.id not in before]
    assert [m.recipient for m in messages] == ["info@hjerteforeningen.dk"]
    assert "Invitation til at afgive høringssvar" in messages[0].subject
    assert "Hjerteforeningen er inviteret" in messages[0].body_text or (
        "Hjerteforeningen" in messages[0].body_text
    )
    html = staff.get(url(consultation)).get_data(as_text=True)
    assert "The invitation went to 1 organisation." in html
    assert "Every organisation with an e-mail address has been invited." in html
    # Run twice (a retried job): nobody is invited twice.
    assert services.send_invitations(consultation, "https://example.dk/") == 0


def test_the_demo_list_has_example_addresses():
    from consult.demo.workspace import demo_address

    assert demo_address("Ældre Sagen") == "aeldre-sagen@example.dk"
    assert demo_address("Lungeforeningen – Region Hovedstaden").endswith("@example.dk")

"""Issue 15, point 1: a person downloads their data and erases it; an admin does both on request.

Before the deadline erasing deletes; after it, a submitted response stays, anonymised, and the
page says so before the person confirms. The audit log keeps the action, not the data.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import LoginSession
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.audit.models import AuditEvent
from consult.db import utcnow
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.reference.seed import load_reference_data
from consult.responses.identity import SESSION_KEY
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import RespondentSession
from consult.responses.models import Response
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in

GOAL = "fa-1-goal-1"
TEXT = "Mere tid til den enkelte patient, MRKRIGHTS."


@pytest.fixture
def consultation():
    load_reference_data()
    return make_consultation(closes_in=timedelta(days=3))


def citizen_with_response(consultation, *, email="borger@example.dk", name="Karen Jensen"):
    """A confirmed account whose respondent sent a named response with one input."""
    user = make_user(email=email, name=name)
    response = make_response(
        consultation, {GOAL: TEXT}, comment="Generelt godt.", email=email, name=name,
        consent="named",
    )  # fmt: skip
    response.respondent.user_id = user.id
    db.session.flush()
    return user, response


def close(consultation) -> None:
    """The deadline passes."""
    consultation.closes_at = utcnow() - timedelta(hours=1)
    consultation.status = Status.CLOSED
    db.session.flush()


def erase(client, url: str):
    return client.post(url, data={"understood": "y", "csrf_token": csrf_token(client, url)})


def test_a_signed_in_respondent_downloads_their_data_as_json_and_reads_it(client, consultation):
    user, _ = citizen_with_response(consultation)
    sign_in(client, user)
    download = client.get("/privacy/my-data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    data = json.loads(download.get_data(as_text=True))
    assert data["account"]["email"] == "borger@example.dk"
    assert data["respondent"]["name"] == "Karen Jensen"
    [response] = data["responses"]
    assert response["inputs"][0]["text"] == TEXT
    assert response["general_comment"] == "Generelt godt."
    assert response["receipt_number"]
    page = client.get("/privacy/my-data").get_data(as_text=True)
    assert "MRKRIGHTS" in page and "borger@example.dk" in page
    assert "Hent som JSON" in page  # Danish by default


def test_a_one_off_respondent_on_their_device_reads_their_data(client, consultation):
    response = make_response(consultation, {GOAL: TEXT}, email="engang@example.dk")
    token = "device-token-for-the-test"
    db.session.add(
        RespondentSession(
            respondent_id=response.respondent_id,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
    )
    db.session.flush()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    data = json.loads(client.get("/privacy/my-data.json").get_data(as_text=True))
    assert data["respondent"]["email"] == "engang@example.dk"
    assert "account" not in data
    assert data["responses"][0]["inputs"][0]["text"] == TEXT


def test_nobody_known_gets_no_data(client):
    assert client.get("/privacy/my-data.json").status_code == 404
    page = client.get("/privacy/my-data").get_data(as_text=True)
    assert "Log ind, eller åbn linket" in page and "Hent som JSON" not in page


def test_erasing_before_the_deadline_deletes_everything(client, consultation):
    user, response = citizen_with_response(consultation)
    user_id, response_id, respondent_id = user.id, response.id, response.respondent_id
    assert response.comment_text == "Generelt godt."  # the comment is an input: it goes too
    db.session.add(OutboxMessage(recipient=user.email, subject="Kvittering", body_text="Tak"))
    sign_in(client, user)
    page = client.get("/privacy/erase").get_data(as_text=True)
    assert "slettes" in page and "uden navn" not in page
    answer = erase(client, "/privacy/erase")
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.get(Response, response_id) is None
    assert db.session.get(Respondent, respondent_id) is None
    assert not db.session.scalar(
        select(func.count(Input.id)).where(Input.response_id == response_id)
    )
    assert not db.session.scalar(
        select(func.count(Contribution.id)).where(Contribution.response_id == response_id)
    )
    assert not db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == "borger@example.dk")
    )
    assert not db.session.scalar(
        select(func.count(LoginSession.id)).where(LoginSession.user_id == user_id)
    )
    # Signed out: the account page asks to sign in.
    assert client.get("/account/").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert (event.subject_type, event.subject_id) == ("user", user_id)
    details = json.loads(event.details)
    assert details["deleted_responses"] == 1 and details["by"] == "self"
    assert "borger" not in event.details + event.note + event.reason


def test_erasing_after_the_deadline_anonymises_what_was_published(client, consultation):
    moderator = make_user(Role.MODERATOR)
    user, response = citizen_with_response(consultation)
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ):
        moderation.publish(contribution, moderator)
    moderation_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "moderation.publish")
    ).first()
    moderation_event.note = "Karen Jensen ringede"
    close(consultation)
    response_id, respondent_id = response.id, response.respondent_id
    sign_in(client, user)

    page = client.get("/privacy/erase").get_data(as_text=True)
    # Said before the person confirms: the sent response stays, without a name.
    assert "uden navn" in page and consultation.title_da in page

    assert erase(client, "/privacy/erase").status_code == 302
    db.session.expire_all()
    kept = db.session.get(Response, response_id)
    assert kept is not None and kept.consent is Consent.ANONYMOUS
    respondent = db.session.get(Respondent, respondent_id)
    assert (respondent.email, respondent.name, respondent.user_id) == (None, "", None)
    assert db.session.scalar(select(User).where(User.email == "borger@example.dk")) is None
    published = db.session.scalars(
        select(Contribution).where(Contribution.response_id == response_id)
    ).all()
    assert published and all(c.state is ModerationState.PUBLISHED for c in published)
    assert kept.comment_text == "Generelt godt."  # the general comment stays, without a name
    assert moderation_event.note == ""
    # The public page of the goal still shows the text, with no name.
    public = client.get(f"/consultations/{consultation.slug}/items/{GOAL}/input")
    html = public.get_data(as_text=True)
    assert "MRKRIGHTS" in html and "Karen" not in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert json.loads(event.details)["anonymised_responses"] == 1
    assert "borger" not in event.details and "Karen" not in event.details


def test_erasing_needs_the_box_ticked(client, consultation):
    user, response = citizen_with_response(consultation)
    sign_in(client, user)
    url = "/privacy/erase"
    answer = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert answer.status_code == 200
    assert db.session.get(User, user.id) is not None


def test_an_admin_finds_a_person_downloads_and_erases_their_data(client, consultation):
    admin = make_user(Role.ADMIN)
    response = make_response(consultation, {GOAL: TEXT}, email="anmoder@example.dk")
    respondent_id = response.respondent_id
    sign_in(client, admin)
    url = "/privacy/requests"
    found = client.post(
        url, data={"email": "ANMODER@example.dk", "csrf_token": csrf_token(client, url)}
    )
    assert found.status_code == 302
    person = found.headers["Location"]
    assert re.search(rf"/privacy/requests/respondent/{respondent_id}$", person)
    assert "anmoder" not in person  # the address never sits in a URL
    assert "MRKRIGHTS" in client.get(person).get_data(as_text=True)
    data = json.loads(client.get(f"{person}.json").get_data(as_text=True))
    assert data["respondent"]["email"] == "anmoder@example.dk"
    assert erase(client, f"{person}/erase").status_code == 302
    db.session.expire_all()
    assert db.session.get(Respondent, respondent_id) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)
    ).all()
    assert {"privacy.export", "privacy.erase"} <= set(actions)
    missing = client.post(
        url, data={"email": "ingen@example.dk", "csrf_token": csrf_token(client, url)}
    )
    assert "Ingen med denne adresse" in missing.get_data(as_text=True)


def test_only_an_admin_handles_requests(client, consultation):
    sign_in(client, make_user(Role.SECRETARIAT))
    assert client.get("/privacy/requests").status_code == 403


def test_erasing_goes_through_the_orm_so_kept_indexes_follow(client, consultation):
    """The SQLite search index is kept by ORM events on Input: no trace of the text stays."""
    from sqlalchemy import text

    from tests.conftest import BACKEND

    user, response = citizen_with_response(consultation)
    input_ids = db.session.scalars(select(Input.id).where(Input.response_id == response.id)).all()
    assert input_ids
    if BACKEND == "sqlite":  # indexed before
        indexed = db.session.execute(text("SELECT rowid FROM inputs_fts")).scalars().all()
        assert set(input_ids) <= set(indexed)
    sign_in(client, user)
    assert erase(client, "/privacy/erase").status_code == 302
    if BACKEND == "sqlite":
        left = db.session.execute(text("SELECT rowid FROM inputs_fts")).scalars().all()
        assert not set(left) & set(input_ids)
    from consult.analysis.search import matches

    assert not db.session.scalars(select(Input.id).where(matches("MRKRIGHTS"))).all()
    assert not db.session.scalars(select(Input.id).where(matches("Generelt godt"))).all()


def test_an_admin_handles_a_request_from_someone_who_only_took_part_in_a_session(
    client, consultation
):
    from consult.sessions import services as sessions
    from consult.sessions.models import Participant
    from tests.helpers import type_id

    tree = load_tree(current_version(consultation))
    facilitator = make_user(Role.FACILITATOR)
    spec = sessions.MeetingSpec(
        title="Dialogmøde i Hillerød", starts_at=utcnow() + timedelta(hours=1), place="Hillerød",
        online_url="", locale="da", participant_count=5, confirm_days=8,
        facilitators=[facilitator], agenda=[tree.by_key["fa-1"].item.id],
        groups=[sessions.GroupSpec(type_id("patient-representative"), "", 5)],
        emails=["kun.deltager@example.dk", "anden@example.dk"],
    )  # fmt: skip
    sessions.create_meeting(facilitator, consultation, spec, tree)
    sign_in(client, make_user(Role.ADMIN))
    url = "/privacy/requests"
    token = csrf_token(client, url)
    found = client.post(url, data={"email": "kun.deltager@example.dk", "csrf_token": token})
    assert found.status_code == 302 and "/privacy/requests/participant/" in found.location
    data = json.loads(client.get(f"{found.location}.json").get_data(as_text=True))
    assert data["sessions_joined"][0]["meeting"] == "Dialogmøde i Hillerød"
    assert erase(client, f"{found.location}/erase").status_code == 302
    emails = db.session.scalars(select(Participant.email)).all()
    assert "kun.deltager@example.dk" not in emails and "anden@example.dk" in emails
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert event.subject_type == "participant" and "kun.deltager" not in event.details


def _public_counts(consultation_id: int) -> dict:
    from consult.readside import upkeep

    db.session.flush()
    counts = upkeep.COUNTS
    rows = db.session.execute(
        select(counts.c.item_id, counts.c.stance, counts.c.respondent_type_id, counts.c.n).where(
            counts.c.consultation_id == consultation_id, counts.c.n != 0
        )
    )
    return {(item, stance, type_id): n for item, stance, type_id, n in rows}


@pytest.mark.parametrize("after_deadline", [False, True], ids=["deleted", "anonymised"])
def test_the_kept_public_counts_follow_an_erasure(client, consultation, after_deadline):
    """The public pages count published input from kept rows (readside.upkeep); an erasure
    through the ORM moves them as a rebuild from scratch would."""
    from consult.readside import upkeep

    moderator = make_user(Role.MODERATOR)
    user, response = citizen_with_response(consultation)
    other = make_response(consultation, {GOAL: "Et andet svar"}, email="anden@example.dk")
    for r in (response, other):
        for contribution in db.session.scalars(
            select(Contribution).where(Contribution.response_id == r.id)
        ):
            moderation.publish(contribution, moderator)
    before = sum(_public_counts(consultation.id).values())
    assert before == 2
    if after_deadline:
        close(consultation)
    sign_in(client, user)
    assert erase(client, "/privacy/erase").status_code == 302
    db.session.expire_all()
    live = _public_counts(consultation.id)
    assert sum(live.values()) == (2 if after_deadline else 1)
    upkeep.recount(consultation.id)
    assert _public_counts(consultation.id) == live

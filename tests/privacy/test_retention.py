"""Issue 15, point 2: ``flask consult purge`` keeps data only for the configured periods.

Each rule gets a row just past its period and one just inside it: the dry run lists the old
ones and changes nothing; the purge removes exactly those; a second purge finds nothing.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.accounts.models import LoginSession
from consult.accounts.models import ParkedPost
from consult.accounts.timeout import PARKED_POST_HOURS
from consult.audit.models import AuditEvent
from consult.db import utcnow
from consult.drafts.models import Status
from consult.extensions import db
from consult.jobs import registry
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.mail.models import OutboxMessage
from consult.privacy.models import MemoPublication
from consult.privacy.retention import MONTH
from consult.privacy.retention import purge
from consult.reference.seed import load_reference_data
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import RespondentLink
from consult.responses.models import RespondentSession
from consult.responses.models import Response
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def world(app):
    """Rows on both sides of every retention period."""
    cfg = app.config
    now = utcnow()

    def days(name: str, extra: int) -> timedelta:
        return timedelta(days=cfg[f"RETENTION_{name}_DAYS"] + extra)

    load_reference_data()
    rows = {}
    # Outbox: a sent message past its period, one inside it, and one still waiting.
    for key, age, sent in (("old_mail", 1, True), ("young_mail", -1, True), ("queued", 1, False)):
        rows[key] = OutboxMessage(
            recipient="a@example.dk", subject="Emne", body_text=f"Tekst {key}",
            created_at=now - days("OUTBOX", age), sent_at=now if sent else None,
        )  # fmt: skip
    user = make_user()
    rows["old_login"] = LoginSession(
        user=user, token_hash=_hash("old"), created_at=now - days("LOGIN_SESSION", 2),
        ended_at=now - days("LOGIN_SESSION", 1),
    )  # fmt: skip
    rows["young_login"] = LoginSession(
        user=user, token_hash=_hash("young"), ended_at=now - days("LOGIN_SESSION", -1)
    )
    rows["live_login"] = LoginSession(user=user, token_hash=_hash("live"))
    rows["old_parked"] = ParkedPost(
        user_id=user.id, token_hash=_hash("p1"), path="/staff/", fields="[]",
        created_at=now - timedelta(hours=PARKED_POST_HOURS, minutes=1),
    )  # fmt: skip
    rows["young_parked"] = ParkedPost(
        user_id=user.id, token_hash=_hash("p2"), path="/staff/", fields="[]"
    )
    # Jobs: finished long ago, finished lately, and one still running.
    rows["old_job"] = Job(kind="mail.send", state=JobState.DONE, finished_at=now - days("JOB", 1))
    rows["young_job"] = Job(
        kind="mail.send", state=JobState.FAILED, finished_at=now - days("JOB", -1)
    )
    rows["running_job"] = Job(
        kind="mail.send", state=JobState.RUNNING, created_at=now - days("JOB", 9)
    )
    rows["old_audit"] = AuditEvent(
        action="moderation.hide", subject_type="contribution", subject_id=1,
        note="Ringede fra 26154893", details='{"x": 1}', reason="personal_data",
        at=now - days("AUDIT_PERSONAL", 1),
    )  # fmt: skip
    rows["young_audit"] = AuditEvent(
        action="moderation.hide", subject_type="contribution", subject_id=2,
        note="Ny note", at=now - days("AUDIT_PERSONAL", -1),
    )  # fmt: skip
    db.session.add_all(rows.values())
    db.session.flush()

    # A published consultation (memo out long ago) and an open one.
    done = make_consultation()
    answered = make_response(done, {"fa-1-goal-1": "Gammelt svar"}, email="gammel@example.dk")
    org = make_response(
        done, {"fa-1-goal-1": "Organisationens svar"}, type_code="patient-association",
        organisation="Foreningen", email="forening@example.dk",
    )  # fmt: skip
    org_letter = Letter(
        response_id=org.id, filename="brev.pdf", size_bytes=10, sha256="0" * 64,
        storage_name="retention-test-letter",
    )  # fmt: skip
    db.session.add(org_letter)
    both = make_response(done, {"fa-1-goal-1": "Begge"}, email="begge@example.dk")
    done.status = Status.PUBLISHED
    db.session.flush()
    publication = db.session.get(MemoPublication, done.id)
    assert publication is not None, "publishing starts the clock"
    months = max(cfg["RETENTION_RESPONDENT_EMAIL_MONTHS"], cfg["RETENTION_LETTER_MONTHS"])
    publication.published_at = now - MONTH * months - timedelta(days=1)
    still_open = make_consultation()
    current = make_response(still_open, {"fa-1-goal-1": "Nyt svar"}, email="ny@example.dk")

    # Respond links and devices, old and young; a respondent who never answered.
    idle = Respondent(email="aldrig@example.dk", created_at=now - days("RESPONDENT_LINK", 1))
    db.session.add(idle)
    db.session.flush()
    rows["old_link"] = RespondentLink(
        respondent_id=idle.id, consultation_id=still_open.id, token_hash=_hash("l1"),
        created_at=now - days("RESPONDENT_LINK", 1),
    )  # fmt: skip
    rows["young_link"] = RespondentLink(
        respondent_id=current.respondent_id, consultation_id=still_open.id,
        token_hash=_hash("l2"), created_at=now - days("RESPONDENT_LINK", -1),
    )  # fmt: skip
    rows["old_device"] = RespondentSession(
        respondent_id=current.respondent_id, token_hash=_hash("d1"),
        created_at=now - days("RESPONDENT_LINK", 2), ended_at=now - days("RESPONDENT_LINK", 1),
    )  # fmt: skip
    rows["live_device"] = RespondentSession(
        respondent_id=current.respondent_id, token_hash=_hash("d2")
    )
    db.session.add_all([rows[k] for k in ("old_link", "young_link", "old_device", "live_device")])
    db.session.flush()
    rows.update(
        answered=answered, org=org, letter=org_letter, current=current, both=both, idle=idle
    )
    return rows


def present(obj) -> bool:
    """Whether the row is still there (the object may be expired or deleted)."""
    from sqlalchemy import inspect

    return db.session.get(type(obj), inspect(obj).identity) is not None


def test_the_dry_run_lists_what_would_go_and_changes_nothing(app, world):
    result = app.test_cli_runner().invoke(args=["consult", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = {line.split("(")[-1].rstrip(")"): line for line in result.output.splitlines()}
    expected = {
        "outbox": 1, "login_sessions": 1, "respondent_links": 2, "idle_respondents": 1,
        "jobs": 1, "audit_notes": 1, "respondent_emails": 3, "letters": 1, "parked_posts": 1,
    }  # fmt: skip
    for rule, count in expected.items():
        assert lines[rule].startswith(f"Would remove {count:>7}"), lines[rule]
    db.session.expire_all()
    assert world["old_mail"].body_text == "Tekst old_mail"
    assert present(world["old_login"]) and present(world["old_job"]) and present(world["letter"])
    assert world["answered"].respondent.email == "gammel@example.dk"


def test_the_purge_removes_exactly_what_is_past_its_period(app, world):
    outcomes, files = purge()
    db.session.expire_all()
    assert files == ["retention-test-letter"]
    assert world["old_mail"].body_text == "" and world["old_mail"].recipient == "a@example.dk"
    assert world["young_mail"].body_text and world["queued"].body_text
    assert not present(world["old_login"])
    assert present(world["young_login"]) and present(world["live_login"])
    assert not present(world["old_parked"]) and present(world["young_parked"])
    assert not present(world["old_job"])
    assert present(world["young_job"]) and present(world["running_job"])
    old_audit = world["old_audit"]
    assert (old_audit.note, old_audit.details) == ("", "{}")
    assert old_audit.action == "moderation.hide" and old_audit.reason == "personal_data"
    assert world["young_audit"].note == "Ny note"
    assert not present(world["old_link"]) and not present(world["old_device"])
    assert present(world["young_link"]) and present(world["live_device"])
    assert not present(world["idle"])
    # Addresses: gone where every consultation answered has had its memo out long enough.
    assert world["answered"].respondent.email is None
    assert world["org"].respondent.email is None
    assert world["both"].respondent.email is None
    assert world["current"].respondent.email == "ny@example.dk"
    assert present(world["answered"])  # the response itself stays
    assert not present(world["letter"])
    assert db.session.get(Response, world["org"].id) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.purge"))
    assert event is not None and '"letters": 1' in event.details
    again, _ = purge()
    assert all(o.count == 0 for o in again), again


def test_an_address_stays_while_one_of_its_consultations_is_not_yet_past(app, world):
    both = world["both"].respondent
    make_response_for = world["current"].consultation
    # The same respondent answers the open consultation as well.
    from consult.responses import services

    response = services.response_for(make_response_for, both)
    db.session.flush()
    assert response.respondent_id == both.id
    purge()
    db.session.expire_all()
    assert both.email == "begge@example.dk"


def test_purge_is_a_scheduled_job_of_every_worker():
    registry.load()
    spec = registry.spec("privacy.purge")
    assert spec.schedule is not None
    assert "consult.privacy.jobs" in registry.JOB_MODULES


def test_the_scheduled_job_runs_the_purge(app, world):
    from consult.jobs import runner

    runner.run_scheduled("privacy.purge")
    db.session.expire_all()
    assert not present(world["old_job"])

"""Reminders as a job: the list's button enqueues it, a worker queues the mail."""

from __future__ import annotations

from datetime import datetime

from consult.db import write_lock
from consult.drafts.models import Consultation
from consult.drafts.models import Phase
from consult.extensions import db
from consult.invitations.services import send_invitations
from consult.invitations.services import send_reminders
from consult.invitations.services import to_remind
from consult.jobs import job


@job("invitations.send_reminders")
def send_reminders_job(job, consultation_id: int, link: str, reminded_before: str) -> dict:
    """Remind every organisation on the list that has not answered, in Danish.

    Safe to run twice: an organisation reminded after ``reminded_before`` (ISO time) is left
    out, and the first run reminded them all after it.
    """
    with write_lock():
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is None or consultation.phase() is not Phase.OPEN:
            return {"sent": 0}
        invitations = to_remind(consultation_id, datetime.fromisoformat(reminded_before))
        sent = send_reminders(consultation, invitations, link=link)
        db.session.commit()
    return {"sent": sent}


@job("invitations.send_invitations")
def send_invitations_job(job, consultation_id: int, link: str) -> dict:
    """Send the first invitation to every organisation on the list not invited yet (in Danish).

    Safe to run twice: an organisation invited once is not invited again.
    """
    with write_lock():
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is None or consultation.phase() is not Phase.OPEN:
            return {"sent": 0}
        sent = send_invitations(consultation, link)
        db.session.commit()
    return {"sent": sent}

"""Sending mail as a job: every worker drains the outbox each minute, and soon after mail is
queued (``queue_mail`` kicks it). Claims keep two workers from sending one message twice."""

from __future__ import annotations

from consult.jobs import crontab
from consult.jobs import job
from consult.mail.services import deliver_pending

#: Messages per round; the job goes on until a round finds fewer.
BATCH = 500


@job("mail.send", schedule=crontab(minute="*"))
def send_mail(job) -> dict:
    """Deliver the outbox's due messages."""
    sent = failed = 0
    while True:
        report = deliver_pending(limit=BATCH)
        sent, failed = sent + report.sent, failed + report.failed
        if report.sent + report.failed < BATCH:
            return {"sent": sent, "failed": failed}

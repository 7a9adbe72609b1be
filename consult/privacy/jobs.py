"""The daily purge as a scheduled job: every worker runs it at 03:17 (the worker's clock).

Safe side by side: each rule removes what is old enough, whatever another run removed.
"""

from __future__ import annotations

from consult.db import write_lock
from consult.extensions import db
from consult.jobs import crontab
from consult.jobs import job
from consult.privacy.retention import purge


@job("privacy.purge", schedule=crontab(minute="17", hour="3"))
def purge_job(job) -> dict:
    """Remove what the retention periods no longer allow."""
    from consult.responses.letters import remove_files

    db.session.commit()
    with write_lock():
        outcomes, files = purge()
        db.session.commit()
    remove_files(*files)
    return {o.rule: o.count for o in outcomes}

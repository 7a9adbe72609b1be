"""The secretariat's exports as jobs: the exports page (and ``flask consult export --queue``)
enqueues one, a worker builds the file and stores it under ``exports/<job id>.<format>``
(``consult.storage``), and the page links to it. A scheduled job removes files older than
``EXPORTS_KEEP_HOURS`` (24 by default).

Safe to run twice: a run writes the whole file to a temporary file of the worker and only
then stores it under its fixed key (``storage.save`` replaces it whole), so a run killed
half-way leaves nothing, and a second run leaves the same one file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from consult import jobs
from consult import storage
from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.services import current_version
from consult.drafts.services import editable_version
from consult.drafts.services import load_tree
from consult.exports import files
from consult.exports import rows
from consult.extensions import db

KIND = "exports.build"
PURGE = "exports.purge"
#: Hours a finished export is kept for its download.
KEEP_HOURS = 24
DELIMITERS = {"semicolon": ";", "comma": ","}


def keep_hours() -> int:
    return int(current_app.config.get("EXPORTS_KEEP_HOURS", KEEP_HOURS))


def topic(consultation_id: int, user_id: int | None, fmt: str, lang: str, delimiter: str) -> str:
    """One person's export of one consultation with these options: a second click while it
    is under way finds the first (``enqueue(once=True)``)."""
    return f"export:{consultation_id}:{user_id or 0}:{fmt}:{lang}:{delimiter}"


def key(job_id: int, fmt: str) -> str:
    """Where the finished file is stored."""
    return f"exports/{job_id}.{fmt}"


def download_name(consultation: Consultation, fmt: str) -> str:
    suffix = "hoeringsnotat" if fmt == "docx" else "input"
    return f"{consultation.slug}-{suffix}.{fmt}"


def recent(consultation_id: int, user_id: int, limit: int = 10) -> list[jobs.Job]:
    """The person's exports of this consultation made within the keeping time, newest first."""
    since = utcnow() - timedelta(hours=keep_hours())
    return list(
        db.session.scalars(
            select(jobs.Job)
            .where(
                jobs.Job.kind == KIND,
                jobs.Job.requested_by_id == user_id,
                jobs.Job.topic.startswith(f"export:{consultation_id}:", autoescape=True),
                jobs.Job.created_at >= since,
            )
            .order_by(jobs.Job.id.desc())
            .limit(limit)
        )
    )


def is_expired(job: jobs.Job) -> bool:
    """Whether a finished export is past its keeping time (its file is or will be removed)."""
    return job.finished_at is not None and job.finished_at < utcnow() - timedelta(
        hours=keep_hours()
    )


def build(
    on_progress: Callable[[int, int | None], None],
    consultation_id: int,
    fmt: str,
    *,
    lang: str,
    delimiter: str,
    public: bool,
    out,
) -> int:
    """Write the export to the binary file ``out``, calling ``on_progress(done, total)`` as rows
    are written; return the number of rows (inputs)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise LookupError(f"no consultation {consultation_id}")
    # Staff files show the document being written and approved (the working copy, if any);
    # public ones what is published.
    version = current_version(consultation) if public else editable_version(consultation)
    tree = load_tree(version)
    total = rows.count(consultation_id, public=public)
    on_progress(0, total)
    with rows.counting(lambda done: on_progress(min(done, total), total)):
        with force_locale(lang):
            files.write_to(
                out, fmt, consultation, tree, public=public, lang=lang, delimiter=delimiter
            )
    on_progress(total, total)
    return total


@jobs.job(KIND)
def build_export(
    job, consultation_id: int, fmt: str, lang: str = "da", delimiter: str = ";", public=False
) -> dict:
    """Build one export and store it under ``exports/<job id>.<fmt>``."""
    if fmt not in files.FORMATS:
        raise ValueError(f"no export format {fmt!r}")
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return {"missing": True}
    name = download_name(consultation, fmt)
    # The worker's own temporary file, never the web server's disk; stored once it is whole.
    with tempfile.TemporaryFile(prefix="consult-export-") as out:
        count = build(
            lambda done, total: jobs.progress(job, done, total),
            consultation_id,
            fmt,
            lang=lang,
            delimiter=delimiter,
            public=public,
            out=out,
        )
        out.seek(0)
        stored = key(job.id, fmt)
        size = storage.save(stored, out)
    # Reading only: end the transaction (SQLite keeps a read snapshot open otherwise).
    db.session.commit()
    return {"key": stored, "size": size, "rows": count, "name": name, "format": fmt}


@jobs.job(PURGE, schedule=jobs.crontab(minute="*/10"))
def purge_exports(job=None) -> dict:
    """Remove stored exports past their keeping time, and any whose job is gone or failed.

    Every worker runs it; removing a file twice is no error."""
    cutoff = utcnow() - timedelta(hours=keep_hours())
    stored: dict[int, list[str]] = {}
    for name in storage.keys("exports/"):
        stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
        if stem.isdigit():
            stored.setdefault(int(stem), []).append(name)
    if not stored:
        return {"removed": 0}
    keep = set(
        db.session.scalars(
            # Any kind: only the job with that id writes exports/<id>.* (the build, or a job
            # that wraps it, as a test's gated export does).
            select(jobs.Job.id).where(
                jobs.Job.id.in_(list(stored)),
                jobs.Job.state != jobs.JobState.FAILED,
                (jobs.Job.finished_at.is_(None)) | (jobs.Job.finished_at >= cutoff),
            )
        )
    )
    db.session.commit()
    removed = 0
    for job_id, names in stored.items():
        if job_id in keep:
            continue
        for name in names:
            storage.delete(name)
            removed += 1
    return {"removed": removed}

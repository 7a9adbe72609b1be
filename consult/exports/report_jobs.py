"""The public report is built by a job, never in a request.

A build is queued (one pending per consultation: ``once=True``)

- when a consultation reaches a status with a report (closed, reporting, published), and again
  whenever something the report shows changes (moderation, replies, consent, respondents, the
  høringsliste, campaigns): ``_note_changes`` watches every flush for those rows and queues a
  build when the transaction commits;
- by the report page and its downloads when the current build is not stored (a change the
  watch could not see, or a lost job): the page then serves the last build, or says the report
  is being prepared;
- ahead of time by ``flask consult report build``.

The job builds both languages and is safe to run twice: a build whose fingerprint is stored
already does nothing. Should things change while it builds, it builds again before it ends.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult import jobs
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import report_cache
from consult.extensions import db
from consult.invitations.models import Invitation
from consult.moderation.models import Contribution
from consult.reference.models import RespondentType
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response

KIND = "exports.build_report"
LANGS = ("da", "en")
#: Statuses in which the report is read (published) or previewed by the secretariat.
REPORT_STATUSES = (Status.CLOSED, Status.REPORTING, Status.PUBLISHED)
#: Rounds of building in one job when things keep changing under it.
ROUNDS = 3
#: Steps of one build, for the progress: the memo, the PDF and the DOCX, per language.
STEPS = len(report_cache.PARTS) * len(LANGS)


def topic(consultation_id: int) -> str:
    return f"report:{consultation_id}"


def request_build(consultation: Consultation) -> jobs.Job:
    """Queue a build of the consultation's report unless one is pending (caller commits)."""
    return jobs.enqueue(
        KIND, topic=topic(consultation.id), once=True, consultation_id=consultation.id
    )


def build_reports(
    consultation: Consultation, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Build what is not stored yet of the consultation's report; return the builds made."""
    built = 0
    for _round in range(ROUNDS):
        made = 0
        for index, lang in enumerate(LANGS):
            done = index * len(report_cache.PARTS)
            steps = iter(range(done + 1, done + len(report_cache.PARTS) + 1))

            def step(_part: str, steps=steps) -> None:
                if on_progress is not None:
                    on_progress(next(steps), STEPS)

            tree = load_tree(current_version(consultation))
            if report_cache.build(consultation, tree, lang, step):
                made += 1
            elif on_progress is not None and not _round:
                on_progress(done + len(report_cache.PARTS), STEPS)
        built += made
        if not made:
            break
    return built


@jobs.job(KIND)
def build_report_job(job, consultation_id: int) -> dict:
    """Build the public report in both languages, if it is not stored as it is now."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or current_version(consultation) is None:
        return {"built": 0}
    return {
        "built": build_reports(consultation, lambda done, total: jobs.progress(job, done, total))
    }


# --- watching for changes ----------------------------------------------------------------------

#: session.info keys: consultations whose report may have changed, and respondents who changed.
_CHANGED = "consult.reports.changed"
_RESPONDENTS = "consult.reports.respondents"
_RESPONSES = "consult.reports.responses"
#: Rows with a consultation_id whose change the public report may show.
_WATCHED = (Consultation, Contribution, Response, Reply, Invitation, DuplicateGroup)


def _note_changes(session: Session, _flush_context) -> None:
    """After each flush, note which consultations' reports the flushed rows may change."""
    if session is not db.session():
        return
    changed = session.info.setdefault(_CHANGED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Consultation):
            changed.add(obj.id)
        elif isinstance(obj, _WATCHED):
            changed.add(obj.consultation_id)
        elif isinstance(obj, Input):
            session.info.setdefault(_RESPONSES, set()).add(obj.response_id)
        elif isinstance(obj, Respondent):
            session.info.setdefault(_RESPONDENTS, set()).add(obj.id)
        elif isinstance(obj, RespondentType):
            changed.add("all")


def _queue_builds(session: Session) -> None:
    """Before the commit, queue a build for each noted consultation that has a report."""
    if session is not db.session():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit flushes after this hook: note those changes too
    changed = session.info.pop(_CHANGED, set())
    responses = session.info.pop(_RESPONSES, set())
    respondents = session.info.pop(_RESPONDENTS, set())
    if not (changed or responses or respondents):
        return
    query = select(Consultation).where(Consultation.status.in_(REPORT_STATUSES))
    if "all" not in changed:
        ids = {i for i in changed if i is not None}
        if responses:
            ids |= set(
                session.scalars(select(Response.consultation_id).where(Response.id.in_(responses)))
            )
        if respondents:
            ids |= set(
                session.scalars(
                    select(Response.consultation_id).where(Response.respondent_id.in_(respondents))
                )
            )
        if not ids:
            return
        query = query.where(Consultation.id.in_(ids))
    with session.no_autoflush:
        consultations = session.scalars(query).all()
    for consultation in consultations:
        request_build(consultation)
    # The jobs' own flush notes nothing watched; drop what it noted all the same.
    session.info.pop(_CHANGED, None)


def _forget(session: Session, *_args) -> None:
    for name in (_CHANGED, _RESPONSES, _RESPONDENTS):
        session.info.pop(name, None)


event.listen(Session, "after_flush", _note_changes)
event.listen(Session, "before_commit", _queue_builds)
event.listen(Session, "after_rollback", _forget)

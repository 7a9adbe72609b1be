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

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult import jobs
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import report_cache
from consult.extensions import db
from consult.invitations.models import Invitation
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
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

#: session.info key: what the flushes so far may have changed (see _Notes).
_NOTES = "consult.reports.notes"
#: Rows with a consultation_id whose change the public report may show.
_WATCHED = (Consultation, Version, Contribution, Response, Reply, Invitation, DuplicateGroup)


class _Notes:
    """Consultations whose report may have changed; ``withdrawn``: something public was taken
    back (hidden, redacted, a reply reopened, a name or consent changed)."""

    def __init__(self):
        self.changed: set[int] = set()
        self.withdrawn: set[int] = set()
        self.every = False
        #: Response ids and respondent ids -> whether something was withdrawn.
        self.responses: dict[int, bool] = {}
        self.respondents: dict[int, bool] = {}
        #: (model, id) -> its state when the transaction began (a change may take many flushes).
        self.original: dict[tuple[str, int], object] = {}


def _old_value(session: Session, obj, attribute: str):
    """The value ``obj`` had in ``attribute`` before this flush."""
    history = inspect(obj).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    if not history.has_changes():
        return getattr(obj, attribute)
    # Set on an expired object: the old value is still the stored one (before the flush).
    model = type(obj)
    with session.no_autoflush:
        return session.scalar(select(getattr(model, attribute)).where(model.id == obj.id))


def _was(session: Session, obj, attribute: str, value) -> bool:
    """Whether ``obj`` had ``value`` in ``attribute`` when this transaction began."""
    original = session.info[_NOTES].original
    key = (type(obj).__name__, obj.id)
    if key not in original:  # the first flush that changes it in this transaction
        original[key] = _old_value(session, obj, attribute)
    return original[key] == value


def _withdraws(session: Session, obj, deleted: bool) -> bool:
    """Whether this change may take back something the last build made public."""
    if isinstance(obj, Contribution):
        return deleted or _was(session, obj, "state", ModerationState.PUBLISHED)
    if isinstance(obj, Reply):
        return deleted or _was(session, obj, "state", ReplyState.APPROVED)
    if isinstance(obj, Response):
        return deleted or inspect(obj).attrs["consent"].history.has_changes()
    if isinstance(obj, Respondent):
        state = inspect(obj).attrs
        return deleted or any(state[a].history.has_changes() for a in ("name", "organisation"))
    return False


def _is_the_app_session(session: Session) -> bool:
    """Only the app's own session: not a test's racing connections or a script's session."""
    return has_app_context() and db.session.registry.has() and session is db.session()


def _note_withdrawals(session: Session, _flush_context, _instances) -> None:
    """Before each flush (old values still readable), note what takes back public things."""
    if not _is_the_app_session(session):
        return
    notes = session.info.setdefault(_NOTES, _Notes())
    rows = [(obj, False) for obj in session.dirty] + [(obj, True) for obj in session.deleted]
    for obj, deleted in rows:
        if isinstance(obj, Response):
            taken = _withdraws(session, obj, deleted)
            notes.responses[obj.id] = notes.responses.get(obj.id, False) or taken
        elif isinstance(obj, Respondent):
            taken = _withdraws(session, obj, deleted)
            notes.respondents[obj.id] = notes.respondents.get(obj.id, False) or taken
        elif isinstance(obj, Contribution | Reply) and _withdraws(session, obj, deleted):
            notes.withdrawn.add(obj.consultation_id)


def _note_changes(session: Session, _flush_context) -> None:
    """After each flush (ids known), note which consultations' reports it may change."""
    if not _is_the_app_session(session):
        return
    notes = session.info.setdefault(_NOTES, _Notes())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Consultation):
            notes.changed.add(obj.id)
        elif isinstance(obj, _WATCHED):
            notes.changed.add(obj.consultation_id)
        elif isinstance(obj, Input):
            notes.responses.setdefault(obj.response_id, False)
        elif isinstance(obj, RespondentType):
            notes.every = True


def _consultations_of(session: Session, column, ids: dict[int, bool]) -> tuple[set, set]:
    """The consultations of these responses or respondents: all, and those withdrawn from."""
    if not ids:
        return set(), set()
    found = session.execute(
        select(column, Response.consultation_id).where(column.in_(list(ids)))
    ).all()
    return {c for _i, c in found}, {c for i, c in found if ids[i]}


def _queue_builds(session: Session) -> None:
    """Before the commit, queue a build for each noted consultation that has a report, and
    remove its stored builds when something public was taken back: readers are then told
    the report is being prepared rather than shown what is no longer public."""
    if not _is_the_app_session(session):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit flushes after this hook: note those changes too
    notes: _Notes | None = session.info.pop(_NOTES, None)
    if notes is None:
        return
    with session.no_autoflush:
        changed, withdrawn = set(notes.changed), set(notes.withdrawn)
        for column, ids in (
            (Response.id, notes.responses),
            (Response.respondent_id, notes.respondents),
        ):
            more, taken_back = _consultations_of(session, column, ids)
            changed |= more
            withdrawn |= taken_back
        query = select(Consultation).where(Consultation.status.in_(REPORT_STATUSES))
        if not notes.every:
            ids = {i for i in changed | withdrawn if i is not None}
            if not ids:
                return
            query = query.where(Consultation.id.in_(ids))
        consultations = session.scalars(query).all()
    for consultation in consultations:
        if consultation.id in withdrawn:
            report_cache.remove_builds(consultation.id)
        request_build(consultation)
    # The jobs' own flush noted nothing watched: drop it.
    session.info.pop(_NOTES, None)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_NOTES, None)


event.listen(Session, "before_flush", _note_withdrawals)
event.listen(Session, "after_flush", _note_changes)
event.listen(Session, "before_commit", _queue_builds)
event.listen(Session, "after_rollback", _forget)

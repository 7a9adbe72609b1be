"""Write and read the audit log."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.audit.models import AuditEvent
from consult.extensions import db


def record(
    actor,
    action: str,
    subject_type: str,
    subject_id: int,
    *,
    consultation_id: int | None = None,
    reason: str = "",
    note: str = "",
    **details,
) -> AuditEvent:
    """Add an event to the audit log (flushed with the change it describes)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        consultation_id=consultation_id,
        reason=reason,
        note=note,
        details=json.dumps(details, default=str, sort_keys=True),
    )
    db.session.add(event)
    return event


def events_query(*, consultation_id: int | None = None, action: str | None = None):
    """Return a select of events, newest first, with their actors."""
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if consultation_id is not None:
        query = query.where(AuditEvent.consultation_id == consultation_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def events_for(subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Return one record's events, oldest first."""
    return db.session.scalars(
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()

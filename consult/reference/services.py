"""Reading and changing reference data. Services flush, never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from consult.extensions import db
from consult.i18n import localized
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality


def entries(model, *, active_only: bool = False) -> list:
    stmt = select(model).order_by(model.position, model.name_da)
    if model is Municipality:
        stmt = stmt.options(selectinload(Municipality.clusters), selectinload(Municipality.region))
    if active_only:
        stmt = stmt.where(model.is_active.is_(True))
    return list(db.session.scalars(stmt))


def code_taken(model, code: str, entry=None) -> bool:
    other = db.session.scalar(select(model).where(model.code == code))
    return other is not None and other is not entry


def save_entry(entry, fields: dict, cluster_ids: list[int] | None = None) -> None:
    """Copy ``fields`` onto ``entry``; set a municipality's clusters from their ids."""
    for name, value in fields.items():
        setattr(entry, name, value)
    if cluster_ids is not None:
        entry.clusters = list(
            db.session.scalars(select(HealthCluster).where(HealthCluster.id.in_(cluster_ids)))
        )
    db.session.add(entry)
    db.session.flush()


def choices(model) -> list[SelectChoice]:
    """The entries of ``model`` as form choices, named in the reader's language."""
    return [SelectChoice(e.id, localized(e, "name")[0]) for e in entries(model)]

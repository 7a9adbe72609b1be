"""Regions, municipalities, health clusters (many-to-many) and respondent types."""

from __future__ import annotations

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.extensions import db

#: A municipality may sit in more than one cluster (København: Byen and Syd).
municipality_clusters = Table(
    "municipality_clusters",
    db.metadata,
    Column(
        "municipality_id", ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("cluster_id", ForeignKey("health_clusters.id", ondelete="CASCADE"), primary_key=True),
)


class ReferenceMixin:
    """A stable code, Danish and English names, an order and an active flag.

    Rows are retired (``is_active`` false), never deleted: answers keep pointing at them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable, readable id used by imports and exports (e.g. "kobenhavn").
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_da: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Region(ReferenceMixin, db.Model):
    __tablename__ = "regions"

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="region")


class HealthCluster(ReferenceMixin, db.Model):
    """A sundhedsklynge around an acute hospital (later a sundhedsråd)."""

    __tablename__ = "health_clusters"

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=municipality_clusters, back_populates="clusters"
    )


class Municipality(ReferenceMixin, db.Model):
    __tablename__ = "municipalities"

    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    region: Mapped[Region | None] = relationship(back_populates="municipalities")
    clusters: Mapped[list[HealthCluster]] = relationship(
        secondary=municipality_clusters,
        back_populates="municipalities",
        order_by="HealthCluster.position",
    )


class RespondentType(ReferenceMixin, db.Model):
    """Who is answering: a citizen, a patient association, a professional …"""

    __tablename__ = "respondent_types"

    #: Answers on behalf of an organisation: the organisation's name is required.
    is_organisation: Mapped[bool] = mapped_column(default=False)
    #: Asks which sector the person works in (municipality, region/hospital, general practice).
    asks_sector: Mapped[bool] = mapped_column(default=False)


#: The reference tables, by the name used in URLs.
KINDS: dict[str, type[ReferenceMixin]] = {
    "regions": Region,
    "clusters": HealthCluster,
    "municipalities": Municipality,
    "respondent-types": RespondentType,
}

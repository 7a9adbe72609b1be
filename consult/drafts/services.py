"""Reading drafts: the public list, a version's whole item tree in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload

from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import Phase
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db


@dataclass
class Node:
    """An item with its text in one version, and its children."""

    item: Item
    revision: ItemRevision
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def kind(self) -> ItemKind:
        return self.item.kind

    @property
    def key(self) -> str:
        return self.item.key


@dataclass
class Tree:
    version: Version
    roots: list[Node]
    by_key: dict[str, Node]

    def of_kind(self, kind: ItemKind) -> list[Node]:
        return [n for n in self.roots if n.kind is kind]

    @property
    def visions(self) -> list[Node]:
        return self.of_kind(ItemKind.VISION)

    @property
    def principles(self) -> list[Node]:
        return self.of_kind(ItemKind.PRINCIPLE)

    @property
    def focus_areas(self) -> list[Node]:
        return self.of_kind(ItemKind.FOCUS_AREA)

    def commentable(self) -> list[Node]:
        """Goals and initiatives in reading order."""
        return [c for fa in self.focus_areas for c in fa.children if c.kind.takes_input]

    def node(self, item_id: int | None) -> Node | None:
        """Return the node of an item by its id, or None."""
        return next((n for n in self.by_key.values() if n.item.id == item_id), None)


def get_consultation(slug: str) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def current_version(consultation: Consultation) -> Version | None:
    """Return the newest published version: what the public reads and respondents answer."""
    return db.session.scalar(
        select(Version)
        .where(Version.consultation_id == consultation.id, Version.published_at.is_not(None))
        .order_by(Version.number.desc())
        .limit(1)
    )


def working_copy(consultation: Consultation) -> Version | None:
    """Return the version being written and not yet published, if there is one."""
    return db.session.scalar(
        select(Version)
        .where(Version.consultation_id == consultation.id, Version.published_at.is_(None))
        .order_by(Version.number.desc())
        .limit(1)
    )


def editable_version(consultation: Consultation) -> Version | None:
    """Return what staff edit: the working copy, else the newest published version."""
    return working_copy(consultation) or current_version(consultation)


def published_versions(consultation: Consultation) -> list[Version]:
    """Return the published versions, oldest first: every one stays readable."""
    return list(
        db.session.scalars(
            select(Version)
            .where(Version.consultation_id == consultation.id, Version.published_at.is_not(None))
            .order_by(Version.number)
        )
    )


def version_before(version: Version) -> Version | None:
    """Return the newest published version older than ``version``, or None."""
    return db.session.scalar(
        select(Version)
        .where(
            Version.consultation_id == version.consultation_id,
            Version.number < version.number,
            Version.published_at.is_not(None),
        )
        .order_by(Version.number.desc())
        .limit(1)
    )


def get_version(consultation: Consultation, number: int) -> Version | None:
    return db.session.scalar(
        select(Version).where(Version.consultation_id == consultation.id, Version.number == number)
    )


def load_tree(version: Version) -> Tree:
    """Load every item of ``version`` with its text, alternatives and political goals.

    In the version's own order (``ItemRevision.position``). Three queries whatever the size of
    the draft.
    """
    revisions = db.session.scalars(
        select(ItemRevision)
        .join(ItemRevision.item)
        .options(
            contains_eager(ItemRevision.item),
            selectinload(ItemRevision.alternatives),
            selectinload(ItemRevision.political_goals),
        )
        .where(ItemRevision.version_id == version.id)
        .order_by(ItemRevision.position, Item.id)
    ).all()
    nodes = {r.item_id: Node(item=r.item, revision=r) for r in revisions}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.item.parent_id) if node.item.parent_id else None
        if parent is not None:
            node.parent = parent
            parent.children.append(node)
        else:
            roots.append(node)
    return Tree(version=version, roots=roots, by_key={n.key: n for n in nodes.values()})


@dataclass
class ConsultationListing:
    open: list[Consultation]
    upcoming: list[Consultation]
    closed: list[Consultation]
    drafts: list[Consultation]


def list_consultations(include_drafts: bool, now: datetime | None = None) -> ConsultationListing:
    """Return consultations grouped as the public sees them; drafts only when asked."""
    now = now or utcnow()
    stmt = select(Consultation).order_by(Consultation.closes_at.desc())
    if not include_drafts:
        stmt = stmt.where(Consultation.status != Status.DRAFT)
    listing = ConsultationListing([], [], [], [])
    for c in db.session.scalars(stmt):
        phase = c.phase(now)
        target = {
            Phase.HIDDEN: listing.drafts,
            Phase.UPCOMING: listing.upcoming,
            Phase.OPEN: listing.open,
            Phase.CLOSED: listing.closed,
        }[phase]
        target.append(c)
    # Soonest deadline first among open and upcoming ones.
    listing.open.reverse()
    listing.upcoming.reverse()
    return listing


def count_items(version: Version) -> dict[ItemKind, int]:
    rows = db.session.execute(
        select(Item.kind, func.count())
        .join(ItemRevision, ItemRevision.item_id == Item.id)
        .where(ItemRevision.version_id == version.id)
        .group_by(Item.kind)
    )
    return {kind: n for kind, n in rows}

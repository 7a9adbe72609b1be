"""The decision trail: which inputs and themes are behind each change of a version, and why.

The secretariat writes one ItemChange per item it changed in the working copy: the reason, and
the inputs behind it (linked one by one, or through their tags). ``trail()`` is what the memo,
the public report, the JSON export and the public version pages read: plain data, counted in
SQL. With ``public=True`` it counts and lists only what the public may read (published input of
submitted responses, by the rules of ``consult.readside.public``); otherwise every submitted
input.
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from flask import g
from sqlalchemy import Integer
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.orm import contains_eager

from consult.analysis.models import Disposition
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.audit.services import record
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemChange
from consult.drafts.models import ItemRevision
from consult.drafts.models import Version
from consult.drafts.models import item_change_inputs
from consult.drafts.models import item_change_tags
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.readside import public as published
from consult.reference.models import RespondentType
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sanitize import clean_text


@dataclass
class Voices:
    """How many inputs of one respondent group are behind a change."""

    group_da: str
    group_en: str
    count: int


@dataclass
class TrailEntry:
    """One changed item of a version: what changed, why, and the voices behind it."""

    item_id: int
    key: str
    title_da: str
    title_en: str
    reason_da: str
    reason_en: str
    #: Distinct inputs behind it (public: published ones only).
    voices: int
    by_group: list[Voices] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: Public: the published contributions behind it (ids), for links to them.
    contribution_ids: list[int] = field(default_factory=list)
    #: Staff: the input ids behind it.
    input_ids: list[int] = field(default_factory=list)


@dataclass
class Trail:
    consultation_id: int
    version_id: int
    version_number: int
    entries: list[TrailEntry]

    def for_item(self, item_id: int) -> TrailEntry | None:
        return next((e for e in self.entries if e.item_id == item_id), None)

    def as_dict(self) -> dict:
        """The trail as JSON values (the JSON export)."""
        return asdict(self)


# --- writing ----------------------------------------------------------------------------------


class TrailError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def get_change(version: Version, item: Item) -> ItemChange | None:
    return db.session.scalar(
        select(ItemChange).where(ItemChange.version_id == version.id, ItemChange.item_id == item.id)
    )


def save_change(
    actor,
    consultation: Consultation,
    version: Version,
    item: Item,
    *,
    reason_da: str,
    reason_en: str,
    input_ids: list[int],
    tag_ids: list[int],
) -> ItemChange | None:
    """Store why ``item`` changed in the working copy ``version``, and what is behind it.

    Only inputs given on an earlier version of this consultation and the consultation's tags
    can be linked. An empty reason with nothing linked removes the entry.
    """
    if not version.is_working_copy:
        raise TrailError("published")
    inputs = list(
        db.session.scalars(
            select(Input)
            .join(ItemRevision, ItemRevision.id == Input.revision_id)
            .join(Version, Version.id == ItemRevision.version_id)
            .where(
                Input.id.in_(input_ids),
                Version.consultation_id == consultation.id,
                Version.number < version.number,
            )
        )
    )
    tags = list(
        db.session.scalars(
            select(Tag).where(Tag.id.in_(tag_ids), Tag.consultation_id == consultation.id)
        )
    )
    reason_da = clean_text(reason_da or "")
    reason_en = clean_text(reason_en or "")
    change = get_change(version, item)
    if not (reason_da or reason_en or inputs or tags):
        if change is not None:
            db.session.delete(change)
            record(actor, "drafts.trail_remove", "item", item.id, consultation_id=consultation.id)
            db.session.flush()
        return None
    if reason_en and not reason_da:
        raise TrailError("reason_da")
    if change is None:
        change = ItemChange(version=version, item=item)
        db.session.add(change)
    change.reason_da, change.reason_en = reason_da, reason_en
    change.inputs, change.tags = inputs, tags
    change.written_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(
        actor,
        "drafts.trail",
        "item",
        item.id,
        consultation_id=consultation.id,
        version=version.number,
        inputs=[i.id for i in inputs],
        tags=[t.id for t in tags],
    )
    return change


# --- reading ----------------------------------------------------------------------------------


def _behind(change_ids):
    """A select of (change_id, input_id): inputs linked directly or through a linked tag."""
    direct = select(item_change_inputs.c.change_id, item_change_inputs.c.input_id).where(
        item_change_inputs.c.change_id.in_(change_ids)
    )
    tagged = (
        select(item_change_tags.c.change_id, input_tags.c.input_id)
        .join(input_tags, input_tags.c.tag_id == item_change_tags.c.tag_id)
        .where(item_change_tags.c.change_id.in_(change_ids))
    )
    return union(direct, tagged).subquery()


def _visible_inputs(behind, *, public: bool):
    """Rows (change_id, input_id, respondent_type_id, contribution_id) the audience may count."""
    if public:
        return (
            select(
                behind.c.change_id,
                behind.c.input_id,
                Respondent.respondent_type_id,
                Contribution.id.label("contribution_id"),
            )
            .join(Contribution, Contribution.input_id == behind.c.input_id)
            .join(Input, Input.id == Contribution.input_id)
            .join(Response, Response.id == Contribution.response_id)
            .join(Respondent, Respondent.id == Response.respondent_id)
            .where(Contribution.kind == ContributionKind.INPUT, *published.visible())
        )
    return (
        select(
            behind.c.change_id,
            behind.c.input_id,
            Respondent.respondent_type_id,
            cast(null(), Integer).label("contribution_id"),
        )
        .join(Input, Input.id == behind.c.input_id)
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Response.state == ResponseState.SUBMITTED)
    )


def trail(consultation: Consultation, version: Version, *, public: bool = True) -> Trail:
    """Return what changed in ``version`` and why, with the voices behind each change.

    :param public: count and list only what the public may read (the public pages and report);
        False for the secretariat and the høringsnotat (every submitted input).
    :return: a Trail: one entry per item with a change note, in the draft's order.
    """
    changes = db.session.execute(
        select(ItemChange, ItemRevision)
        .join(Item, Item.id == ItemChange.item_id)
        .outerjoin(
            ItemRevision,
            (ItemRevision.item_id == ItemChange.item_id)
            & (ItemRevision.version_id == ItemChange.version_id),
        )
        .where(ItemChange.version_id == version.id, Item.consultation_id == consultation.id)
        # The version's own order; an item removed from it by its last place.
        .order_by(
            Item.parent_id.is_not(None),
            func.coalesce(ItemRevision.position, Item.position),
            Item.id,
        )
    ).all()
    entries: dict[int, TrailEntry] = {}
    for change, revision in changes:
        item = change.item
        entries[change.id] = TrailEntry(
            item_id=item.id,
            key=item.key,
            title_da=revision.title_da if revision else "",
            title_en=revision.title_en if revision else "",
            reason_da=change.reason_da,
            reason_en=change.reason_en,
            voices=0,
            tags=[t.name for t in change.tags],
        )
    if entries:
        rows = _visible_inputs(_behind(list(entries)), public=public).subquery()
        counts = db.session.execute(
            select(
                rows.c.change_id,
                rows.c.respondent_type_id,
                func.count(func.distinct(rows.c.input_id)),
            ).group_by(rows.c.change_id, rows.c.respondent_type_id)
        ).all()
        types = {t.id: t for t in db.session.scalars(select(RespondentType))}
        for change_id, type_id, n in sorted(
            counts, key=lambda r: (r[1] is None, types[r[1]].position if r[1] in types else 0)
        ):
            entry = entries[change_id]
            entry.voices += n
            kind = types.get(type_id)
            entry.by_group.append(
                Voices(kind.name_da if kind else "", kind.name_en if kind else "", n)
            )
        for change_id, input_id, contribution_id in db.session.execute(
            select(rows.c.change_id, rows.c.input_id, rows.c.contribution_id)
            .distinct()
            .order_by(rows.c.input_id)
        ):
            entry = entries[change_id]
            if public:
                entry.contribution_ids.append(contribution_id)
            else:
                entry.input_ids.append(input_id)
    return Trail(consultation.id, version.id, version.number, list(entries.values()))


def changes_led_by(consultation_id: int) -> dict[int, list[tuple[int, str]]]:
    """Return, by input id, the (version number, item key) of each published change it is behind.

    For the public pages of published input ("this input led to a change"): one query per
    request, kept on ``flask.g``.
    """
    cache = g.setdefault("_changes_led_by", {})
    if consultation_id in cache:
        return cache[consultation_id]
    change_ids = (
        select(ItemChange.id)
        .join(Version, Version.id == ItemChange.version_id)
        .where(Version.consultation_id == consultation_id, Version.published_at.is_not(None))
    )
    behind = _behind(change_ids)
    found: dict[int, list[tuple[int, str]]] = {}
    for input_id, number, key in db.session.execute(
        select(behind.c.input_id, Version.number, Item.key)
        .join(ItemChange, ItemChange.id == behind.c.change_id)
        .join(Version, Version.id == ItemChange.version_id)
        .join(Item, Item.id == ItemChange.item_id)
        .order_by(Version.number, Item.position)
    ):
        found.setdefault(input_id, []).append((number, key))
    cache[consultation_id] = found
    return found


def changes_for_reply(reply) -> list[ItemChange]:
    """Return the changes a reply's inputs are behind (a reply marked incorporated or partly
    incorporated points to these)."""
    input_ids = select(Input.id).where(Input.reply_id == reply.id)
    tagged = select(input_tags.c.tag_id).where(input_tags.c.input_id.in_(input_ids))
    return list(
        db.session.scalars(
            select(ItemChange)
            .where(
                or_(
                    ItemChange.id.in_(
                        select(item_change_inputs.c.change_id).where(
                            item_change_inputs.c.input_id.in_(input_ids)
                        )
                    ),
                    ItemChange.id.in_(
                        select(item_change_tags.c.change_id).where(
                            item_change_tags.c.tag_id.in_(tagged)
                        )
                    ),
                )
            )
            .order_by(ItemChange.id)
        )
    )


#: Replies with these dispositions should point to the change they led to.
LEADS_TO_CHANGE = (Disposition.INCORPORATED, Disposition.PARTLY)


def public_contributions(contribution_ids: list[int]) -> list[Contribution]:
    """Return the published inputs behind a change, by the rules of ``readside.public``."""
    if not contribution_ids:
        return []
    return list(
        db.session.scalars(
            select(Contribution)
            .join(Contribution.input)
            .join(Contribution.response)
            .join(Response.respondent)
            .options(
                contains_eager(Contribution.input).joinedload(Input.revision),
                contains_eager(Contribution.response)
                .contains_eager(Response.respondent)
                .joinedload(Respondent.respondent_type),
                contains_eager(Contribution.response).joinedload(Response.meeting),
            )
            .where(
                Contribution.id.in_(contribution_ids),
                Contribution.kind == ContributionKind.INPUT,
                *published.visible(),
            )
            .order_by(Contribution.id)
        )
    )

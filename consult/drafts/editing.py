"""Services for the staff who write drafts: what they change, and what their pages read.

The changing services take objects, clean every text they store, flush, and never commit.
A rule they enforce raises EditError with a code; the view turns it into a translated message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload

from consult.db import utcnow
from consult.drafts import services
from consult.drafts.models import STATUS_TRANSITIONS
from consult.drafts.models import Alternative
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import PoliticalGoal
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.sanitize import clean_text

#: The lines an item revision may carry, by the name used in URLs.
LINE_MODELS = {"alternatives": Alternative, "political-goals": PoliticalGoal}
LINE_KINDS = {"alternatives": ItemKind.GOAL, "political-goals": ItemKind.INITIATIVE}

#: Top-level items stay grouped in this order: visions, then principles, then focus areas.
TOP_LEVEL_ORDER = (ItemKind.VISION, ItemKind.PRINCIPLE, ItemKind.FOCUS_AREA)

_SINGLE_LINE = {"title_da", "title_en"}
#: Fields that are not text; every other field is cleaned text, and None stores as "".
_NOT_TEXT = {"funds_dkk", "opens_at", "closes_at", "max_ranked_focus_areas", "max_ranked_goals"}


class EditError(ValueError):
    """A change the rules do not allow; ``code`` says which, for a translated message."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


def _clean(fields: dict) -> dict:
    return {
        name: value if name in _NOT_TEXT else clean_text(value, multiline=name not in _SINGLE_LINE)
        for name, value in fields.items()
    }


def slugify(text: str, max_length: int = 60) -> str:
    """Make a key from a title: "Ældre borgere" -> "aeldre-borgere"."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_length].strip("-")
    return text or "item"


def keys_in_use(consultation: Consultation) -> set[str]:
    """Every item key of the consultation, in any version."""
    return set(db.session.scalars(select(Item.key).where(Item.consultation_id == consultation.id)))


def unique_key(consultation: Consultation, base: str) -> str:
    """Return ``base``, or ``base-2``, ``base-3`` … if another item of the consultation has it."""
    taken = keys_in_use(consultation)
    key, n = base, 2
    while key in taken or len(key) < 3:
        key = f"{base}-{n}"
        n += 1
    return key


# --- consultations and versions ------------------------------------------------------------------


def _ensure_slug_free(slug: str, consultation: Consultation | None = None) -> None:
    other = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if other is not None and other is not consultation:
        raise EditError("slug_taken")


def create_consultation(**fields) -> Consultation:
    """Create a consultation in draft, with its first version ("1. udkast")."""
    _ensure_slug_free(fields["slug"])
    consultation = Consultation(status=Status.DRAFT, **_clean(fields))
    db.session.add(consultation)
    db.session.add(
        # The first version is published with the consultation: its status hides it until open.
        Version(
            consultation=consultation,
            number=1,
            label_da="1. udkast",
            label_en="First draft",
            published_at=utcnow(),
        )
    )
    db.session.flush()
    return consultation


def update_consultation(consultation: Consultation, **fields) -> None:
    """Change a consultation's texts and dates (the status changes through change_status)."""
    if "slug" in fields:
        _ensure_slug_free(fields["slug"], consultation)
    for name, value in _clean(fields).items():
        setattr(consultation, name, value)
    db.session.flush()


def check_status(consultation: Consultation, new: Status) -> None:
    """Refuse a status change that STATUS_TRANSITIONS does not allow; staying put is allowed."""
    if new is not consultation.status and new not in STATUS_TRANSITIONS[consultation.status]:
        raise EditError("transition", old=consultation.status, new=new)


def change_status(consultation: Consultation, new: Status) -> None:
    """Move the consultation to ``new`` along STATUS_TRANSITIONS."""
    check_status(consultation, new)
    if new is consultation.status:
        return
    consultation.status = new
    db.session.flush()


_REVISION_TEXT = (
    "title_da",
    "title_en",
    "body_da",
    "body_en",
    "funds_dkk",
    "funds_note_da",
    "funds_note_en",
)


def start_new_version(consultation: Consultation, current: Version) -> Version:
    """Copy every revision of ``current`` into a new working copy; the old one stays as it was.

    The public keeps reading ``current`` until the working copy is published. Only one working
    copy at a time.
    """
    if current.is_working_copy or any(v.is_working_copy for v in consultation.versions):
        raise EditError("working_copy_exists")
    number = current.number + 1
    version = Version(
        consultation=consultation,
        number=number,
        label_da=f"{number}. udkast",
        label_en=f"Draft {number}",
        published_at=None,
    )
    db.session.add(version)
    revisions = db.session.scalars(
        select(ItemRevision)
        .options(
            selectinload(ItemRevision.alternatives), selectinload(ItemRevision.political_goals)
        )
        .where(ItemRevision.version_id == current.id)
    ).all()
    for old in revisions:
        new = ItemRevision(
            item_id=old.item_id,
            version=version,
            position=old.position,
            **{c: getattr(old, c) for c in _REVISION_TEXT},
        )
        new.alternatives = [
            Alternative(position=a.position, text_da=a.text_da, text_en=a.text_en)
            for a in old.alternatives
        ]
        new.political_goals = [
            PoliticalGoal(position=g.position, text_da=g.text_da, text_en=g.text_en)
            for g in old.political_goals
        ]
        db.session.add(new)
    db.session.flush()
    return version


# --- input given on a version's text -----------------------------------------------------------


def input_counts(version: Version) -> dict[int, int]:
    """Return how many inputs each revision of ``version`` has, by revision id (one query)."""
    rows = db.session.execute(
        select(Input.revision_id, func.count())
        .join(ItemRevision, ItemRevision.id == Input.revision_id)
        .where(ItemRevision.version_id == version.id)
        .group_by(Input.revision_id)
    )
    return {revision_id: n for revision_id, n in rows}


def has_input(revision: ItemRevision) -> bool:
    return bool(
        db.session.scalar(select(Input.id).where(Input.revision_id == revision.id).limit(1))
    )


def ensure_text_editable(revision: ItemRevision) -> None:
    """Refuse to change words someone has already answered: input points at the exact text."""
    if has_input(revision):
        raise EditError("has_input")


# --- items -------------------------------------------------------------------------------------


def ensure_order_writable(consultation: Consultation, version: Version) -> None:
    """Refuse to change which items a published version has, or their order.

    Only the working copy is written; while there is none, the current version is edited in
    place (a consultation in draft has only its first version, published with it and hidden by
    its status). An older version, or the current one beside a working copy, never changes.
    """
    if version.is_working_copy:
        return
    if (
        services.working_copy(consultation) is not None
        or services.current_version(consultation) is not version
    ):
        raise EditError("published_version")


def _siblings(
    consultation: Consultation, version: Version, parent_id: int | None
) -> list[ItemRevision]:
    """The revisions in ``version`` of the items under ``parent_id``, in the version's order."""
    return list(
        db.session.scalars(
            select(ItemRevision)
            .join(ItemRevision.item)
            .options(contains_eager(ItemRevision.item))
            .where(
                Item.consultation_id == consultation.id,
                ItemRevision.version_id == version.id,
                Item.parent_id.is_(None) if parent_id is None else Item.parent_id == parent_id,
            )
            .order_by(ItemRevision.position, Item.id)
        )
    )


def _renumber(rows: list) -> None:
    for position, each in enumerate(rows):
        each.position = position


def _place(version: Version, revisions: list[ItemRevision]) -> None:
    """Number ``revisions`` in this order within ``version``.

    ``Item.position`` is the order of the newest published version: it follows here only when
    that version is the one edited in place (no working copy); a working copy's order reaches
    it when the copy is published (``workflow``).
    """
    _renumber(revisions)
    if not version.is_working_copy:
        for revision in revisions:
            revision.item.position = revision.position


def add_item(
    consultation: Consultation,
    version: Version,
    *,
    kind: ItemKind,
    parent: Item | None,
    key: str | None,
    **text,
) -> ItemRevision:
    """Add an item at the end of its siblings, with its text in ``version``.

    Visions, principles and focus areas stand at the top level; goals and initiatives belong to
    a focus area (the importer's rules). The key is made from the Danish title unless given.
    """
    if kind.is_top_level and parent is not None:
        raise EditError("top_level")
    if not kind.is_top_level and (parent is None or parent.kind is not ItemKind.FOCUS_AREA):
        raise EditError("needs_focus_area")
    if key:
        if key in keys_in_use(consultation):
            raise EditError("key_taken")
    else:
        key = unique_key(consultation, slugify(clean_text(text["title_da"], multiline=False)))
    if kind is not ItemKind.INITIATIVE:
        text = {name: value for name, value in text.items() if not name.startswith("funds")}
    ensure_order_writable(consultation, version)
    siblings = _siblings(consultation, version, parent.id if parent else None)
    item = Item(consultation=consultation, kind=kind, key=key, parent=parent)
    revision = ItemRevision(item=item, version=version, **_clean(text))
    if kind.is_top_level:
        rank = TOP_LEVEL_ORDER.index(kind)
        before = [s for s in siblings if TOP_LEVEL_ORDER.index(s.item.kind) <= rank]
        after = [s for s in siblings if TOP_LEVEL_ORDER.index(s.item.kind) > rank]
        _place(version, [*before, revision, *after])
    else:
        _place(version, [*siblings, revision])
    # Until a version with it is published, the item's own position only mirrors its place here.
    item.position = revision.position
    db.session.add_all([item, revision])
    db.session.flush()
    return revision


def update_revision(revision: ItemRevision, **text) -> None:
    """Change an item's words in one version; funds only on initiatives."""
    ensure_text_editable(revision)
    if revision.item.kind is not ItemKind.INITIATIVE:
        text = {name: value for name, value in text.items() if not name.startswith("funds")}
    for name, value in _clean(text).items():
        setattr(revision, name, value)
    db.session.flush()


def move_item(consultation: Consultation, version: Version, item: Item, step: int) -> bool:
    """Move ``item`` one place up (-1) or down (+1) among its siblings in ``version``.

    Top-level items move only within their own kind; the item keeps its parent. Only this
    version's order changes. Return whether anything moved.
    """
    ensure_order_writable(consultation, version)
    siblings = _siblings(consultation, version, item.parent_id)
    i = next(n for n, revision in enumerate(siblings) if revision.item_id == item.id)
    j = i + step
    if not 0 <= j < len(siblings):
        return False
    if item.kind.is_top_level and siblings[j].item.kind is not item.kind:
        return False
    siblings[i], siblings[j] = siblings[j], siblings[i]
    _place(version, siblings)
    db.session.flush()
    return True


@dataclass
class Removal:
    """What taking an item out of a version touches."""

    #: The item and its descendants that have a revision in the version, parents first.
    items: list[Item] = field(default_factory=list)
    revisions: list[ItemRevision] = field(default_factory=list)
    #: Items with no revision in any other version: their rows go too.
    orphans: list[Item] = field(default_factory=list)
    #: Inputs and rankings that would lose what they point at; removal is refused while any.
    inputs: int = 0


def plan_removal(consultation: Consultation, version: Version, item: Item) -> Removal:
    """Work out what removing ``item`` from ``version`` would delete (a few queries)."""
    plan = Removal()
    level = [item]
    while level:
        plan.items.extend(level)
        level = list(
            db.session.scalars(
                select(Item)
                .join(ItemRevision, ItemRevision.item_id == Item.id)
                .where(
                    Item.parent_id.in_([i.id for i in level]),
                    ItemRevision.version_id == version.id,
                )
            )
        )
    ids = [i.id for i in plan.items]
    plan.revisions = list(
        db.session.scalars(
            select(ItemRevision).where(
                ItemRevision.item_id.in_(ids), ItemRevision.version_id == version.id
            )
        )
    )
    elsewhere = set(
        db.session.scalars(
            select(ItemRevision.item_id).where(
                ItemRevision.item_id.in_(ids), ItemRevision.version_id != version.id
            )
        )
    )
    plan.orphans = [i for i in plan.items if i.id not in elsewhere]
    orphan_ids = [i.id for i in plan.orphans]
    revision_ids = [r.id for r in plan.revisions]
    plan.inputs = (
        db.session.scalar(
            select(func.count())
            .select_from(Input)
            .where(or_(Input.revision_id.in_(revision_ids), Input.item_id.in_(orphan_ids)))
        )
        + db.session.scalar(
            select(func.count())
            .select_from(FocusAreaRank)
            .where(FocusAreaRank.item_id.in_(orphan_ids))
        )
        + db.session.scalar(
            select(func.count())
            .select_from(GoalRank)
            .where(or_(GoalRank.item_id.in_(orphan_ids), GoalRank.focus_area_id.in_(orphan_ids)))
        )
    )
    return plan


def remove_item(consultation: Consultation, version: Version, item: Item) -> Removal:
    """Take ``item`` and its children out of ``version``; delete Item rows no version uses.

    Refused while anyone's input or ranking points at what would go: start a new version
    and remove it there, so the input keeps its text.
    """
    ensure_order_writable(consultation, version)
    plan = plan_removal(consultation, version, item)
    if plan.inputs:
        raise EditError("has_input")
    parent_id = item.parent_id
    for revision in plan.revisions:
        db.session.delete(revision)
    db.session.flush()
    # Children before parents: the tree's foreign key points up.
    for orphan in reversed(plan.orphans):
        db.session.delete(orphan)
        db.session.flush()
    _place(version, _siblings(consultation, version, parent_id))
    db.session.flush()
    return plan


# --- alternatives and political goals ------------------------------------------------------------


def lines_of(revision: ItemRevision, line_kind: str) -> list:
    return revision.alternatives if line_kind == "alternatives" else revision.political_goals


def add_line(revision: ItemRevision, line_kind: str, text_da: str, text_en: str):
    """Add an alternative (goals) or a political goal (initiatives) at the end."""
    ensure_text_editable(revision)
    lines = lines_of(revision, line_kind)
    line = LINE_MODELS[line_kind](
        position=len(lines), text_da=clean_text(text_da), text_en=clean_text(text_en)
    )
    lines.append(line)
    db.session.flush()
    return line


def update_line(revision: ItemRevision, line, text_da: str, text_en: str) -> None:
    ensure_text_editable(revision)
    line.text_da, line.text_en = clean_text(text_da), clean_text(text_en)
    db.session.flush()


def _lines(revision: ItemRevision, line) -> list:
    return revision.alternatives if isinstance(line, Alternative) else revision.political_goals


def move_line(revision: ItemRevision, line, step: int) -> bool:
    """Move a line one place up (-1) or down (+1); an alternative's letter follows its place."""
    ensure_text_editable(revision)
    lines = list(_lines(revision, line))
    i = lines.index(line)
    j = i + step
    if not 0 <= j < len(lines):
        return False
    lines[i], lines[j] = lines[j], lines[i]
    _renumber(lines)
    db.session.flush()
    return True


def delete_line(revision: ItemRevision, line) -> None:
    ensure_text_editable(revision)
    lines = _lines(revision, line)
    lines.remove(line)
    db.session.delete(line)
    _renumber(lines)
    db.session.flush()

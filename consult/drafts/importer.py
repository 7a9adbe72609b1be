"""Read a draft from YAML (format: docs/draft-format.md) and store it, all or nothing.

Validation runs on the YAML node tree, so every message names the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import func
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.models import Alternative
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import PoliticalGoal
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db
from consult.i18n import TIMEZONE
from consult.sanitize import clean_text

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
TITLE_MAX = 300


class DraftFormatError(ValueError):
    """A problem in a draft file, located by line and field."""

    def __init__(self, line: int | None, path: str, message: str):
        self.line, self.path, self.message = line, path, message
        where = f"line {line}, " if line else ""
        super().__init__(f"{where}field '{path}': {message}")


class ParentChangeError(DraftFormatError):
    """A goal or initiative the file puts under another focus area than it has.

    An item keeps its parent for life (the published versions share it); the pages translate
    the message from ``kind``, ``key`` and the two focus areas' keys.
    """

    def __init__(self, line: int | None, kind: ItemKind, key: str, old: str, new: str):
        self.kind, self.key, self.old, self.new = kind, key, old, new
        super().__init__(
            line,
            f"items.{key}",
            f"{kind.value} {key} cannot move from focus area {old} to {new}; "
            "give it a new key instead",
        )


@dataclass
class Node:
    """A YAML value with the line it starts on (1-based)."""

    value: Any
    line: int
    path: str


@dataclass
class ParsedItem:
    kind: ItemKind
    key: str
    title: dict[str, str]
    body: dict[str, str]
    alternatives: list[dict[str, str]] = field(default_factory=list)
    political_goals: list[dict[str, str]] = field(default_factory=list)
    funds_dkk: int | None = None
    funds_note: dict[str, str] = field(default_factory=lambda: {"da": "", "en": ""})
    children: list[ParsedItem] = field(default_factory=list)
    #: The line of its key in the file.
    line: int | None = None


@dataclass
class ParsedDraft:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    status: Status
    opens_at: datetime
    closes_at: datetime
    version_number: int
    version_label: dict[str, str]
    version_note: dict[str, str]
    items: list[ParsedItem]
    max_ranked_focus_areas: int = 3
    max_ranked_goals: int = 2


# --- reading nodes ----------------------------------------------------------------------------


def _mapping(node: yaml.Node, path: str, required: set[str], optional: set[str]) -> dict[str, Node]:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise DraftFormatError(line, path, "expected a mapping of keys to values")
    out: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        child = f"{path}.{key}" if path else str(key)
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise DraftFormatError(
                key_node.start_mark.line + 1, child, f"unknown key (allowed: {allowed})"
            )
        if key in out:
            raise DraftFormatError(key_node.start_mark.line + 1, child, "given twice")
        out[key] = Node(value_node, value_node.start_mark.line + 1, child)
    for key in sorted(required - out.keys()):
        raise DraftFormatError(line, f"{path}.{key}" if path else key, "is required")
    return out


def _sequence(node: Node) -> list[Node]:
    if not isinstance(node.value, yaml.SequenceNode):
        raise DraftFormatError(node.line, node.path, "expected a list")
    return [
        Node(n, n.start_mark.line + 1, f"{node.path}[{i + 1}]")
        for i, n in enumerate(node.value.value)
    ]


def _scalar(node: Node) -> str:
    if not isinstance(node.value, yaml.ScalarNode):
        raise DraftFormatError(node.line, node.path, "expected a single value")
    return str(node.value.value)


def _text(node: Node, *, multiline: bool, max_length: int | None = None) -> dict[str, str]:
    fields = _mapping(node.value, node.path, {"da"}, {"en"})
    out = {}
    for lang in ("da", "en"):
        if lang not in fields:
            out[lang] = ""
            continue
        value = clean_text(_scalar(fields[lang]), multiline=multiline)
        if lang == "da" and not value:
            raise DraftFormatError(fields[lang].line, fields[lang].path, "Danish text is required")
        if max_length and len(value) > max_length:
            raise DraftFormatError(
                fields[lang].line, fields[lang].path, f"longer than {max_length} characters"
            )
        out[lang] = value
    return out


def _key(node: Node) -> str:
    value = _scalar(node)
    if not KEY_RE.match(value):
        raise DraftFormatError(
            node.line, node.path, "use 3–80 lower-case letters, digits and hyphens (a-z, 0-9, -)"
        )
    return value


def _datetime(node: Node) -> datetime:
    raw = _scalar(node)
    try:
        local = datetime.strptime(raw, DATETIME_FORMAT)
    except ValueError:
        raise DraftFormatError(node.line, node.path, 'expected "YYYY-MM-DD HH:MM"') from None
    return local.replace(tzinfo=TIMEZONE)


def _enum(node: Node, enum_cls):
    raw = _scalar(node)
    try:
        return enum_cls(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise DraftFormatError(node.line, node.path, f"'{raw}' is not one of: {allowed}") from None


def _int(node: Node, *, minimum: int) -> int:
    raw = _scalar(node)
    if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
        raise DraftFormatError(node.line, node.path, f"expected a whole number from {minimum}")
    return int(raw)


def _item(node: Node, keys: set[str], *, top_level: bool) -> ParsedItem:
    fields = _mapping(
        node.value,
        node.path,
        {"kind", "key", "title"},
        {"body", "children", "alternatives", "political_goals", "funds"},
    )
    kind = _enum(fields["kind"], ItemKind)
    if top_level and not kind.is_top_level:
        raise DraftFormatError(
            fields["kind"].line, fields["kind"].path, f"a {kind.value} must be inside a focus_area"
        )
    if not top_level and kind not in (ItemKind.GOAL, ItemKind.INITIATIVE):
        raise DraftFormatError(
            fields["kind"].line,
            fields["kind"].path,
            f"a {kind.value} cannot be inside a focus_area",
        )
    key = _key(fields["key"])
    if key in keys:
        raise DraftFormatError(fields["key"].line, fields["key"].path, f"key '{key}' is used twice")
    keys.add(key)

    def only_on(name: str, allowed: ItemKind) -> None:
        if name in fields and kind is not allowed:
            raise DraftFormatError(
                fields[name].line, fields[name].path, f"only a {allowed.value} can have {name}"
            )

    only_on("children", ItemKind.FOCUS_AREA)
    only_on("alternatives", ItemKind.GOAL)
    only_on("political_goals", ItemKind.INITIATIVE)
    only_on("funds", ItemKind.INITIATIVE)

    item = ParsedItem(
        kind=kind,
        key=key,
        line=fields["key"].line,
        title=_text(fields["title"], multiline=False, max_length=TITLE_MAX),
        body=_text(fields["body"], multiline=True) if "body" in fields else {"da": "", "en": ""},
    )
    if "alternatives" in fields:
        alternatives = _sequence(fields["alternatives"])
        if len(alternatives) < 2:
            raise DraftFormatError(
                fields["alternatives"].line, fields["alternatives"].path, "give at least two"
            )
        item.alternatives = [_text(a, multiline=True) for a in alternatives]
    if "political_goals" in fields:
        item.political_goals = [
            _text(g, multiline=True) for g in _sequence(fields["political_goals"])
        ]
    if "funds" in fields:
        funds = _mapping(fields["funds"].value, fields["funds"].path, {"amount_dkk"}, {"note"})
        item.funds_dkk = _int(funds["amount_dkk"], minimum=0)
        if "note" in funds:
            item.funds_note = _text(funds["note"], multiline=True)
    if "children" in fields:
        item.children = [_item(c, keys, top_level=False) for c in _sequence(fields["children"])]
    return item


def parse_draft(source: str) -> ParsedDraft:
    """Parse and validate a draft; raise DraftFormatError naming the line and field."""
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DraftFormatError(
            mark.line + 1 if mark else None, "(file)", f"not valid YAML: {exc.problem}"
        ) from None
    if root is None:
        raise DraftFormatError(1, "(file)", "the file is empty")
    top = _mapping(root, "", {"consultation", "version", "items"}, set())
    c = _mapping(
        top["consultation"].value,
        "consultation",
        {"slug", "title", "status", "opens_at", "closes_at"},
        {"summary", "ranking"},
    )
    caps = {"max_focus_areas": 3, "max_goals_per_area": 2}
    if "ranking" in c:
        ranking = _mapping(c["ranking"].value, c["ranking"].path, set(), set(caps))
        caps.update({name: _int(node, minimum=1) for name, node in ranking.items()})
    v = _mapping(top["version"].value, "version", {"number", "label"}, {"note"})
    opens_at, closes_at = _datetime(c["opens_at"]), _datetime(c["closes_at"])
    if closes_at <= opens_at:
        raise DraftFormatError(c["closes_at"].line, c["closes_at"].path, "must be after opens_at")
    keys: set[str] = set()
    items = [_item(n, keys, top_level=True) for n in _sequence(top["items"])]
    if not items:
        raise DraftFormatError(top["items"].line, "items", "the draft has no items")
    empty = {"da": "", "en": ""}
    return ParsedDraft(
        slug=_key(c["slug"]),
        title=_text(c["title"], multiline=False, max_length=TITLE_MAX),
        summary=_text(c["summary"], multiline=True) if "summary" in c else empty,
        status=_enum(c["status"], Status),
        opens_at=opens_at,
        closes_at=closes_at,
        version_number=_int(v["number"], minimum=1),
        version_label=_text(v["label"], multiline=False, max_length=200),
        version_note=_text(v["note"], multiline=True) if "note" in v else empty,
        items=items,
        max_ranked_focus_areas=caps["max_focus_areas"],
        max_ranked_goals=caps["max_goals_per_area"],
    )


# --- storing ----------------------------------------------------------------------------------


def store_draft(draft: ParsedDraft) -> Consultation:
    """Store a parsed draft: a new consultation, or a new version of the one with its slug.

    A new consultation's version is published with it (the status decides who sees it); a new
    version of an existing consultation is a working copy, published through the workflow.
    Flushes, never commits. Items are matched by key across versions.
    """
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == draft.slug))
    is_new = consultation is None
    if consultation is None:
        consultation = Consultation(slug=draft.slug)
        db.session.add(consultation)
    else:
        latest = db.session.scalar(
            select(func.max(Version.number)).where(Version.consultation_id == consultation.id)
        )
        if latest is not None and draft.version_number <= latest:
            raise DraftFormatError(
                None,
                "version.number",
                f"'{draft.slug}' already has version {latest}; a new version needs a higher number",
            )
        copy = db.session.scalar(
            select(Version.number).where(
                Version.consultation_id == consultation.id, Version.published_at.is_(None)
            )
        )
        if copy is not None:
            raise DraftFormatError(
                None,
                "version.number",
                f"'{draft.slug}' has a working copy (version {copy}); publish it first",
            )
    consultation.title_da, consultation.title_en = draft.title["da"], draft.title["en"]
    consultation.summary_da, consultation.summary_en = draft.summary["da"], draft.summary["en"]
    consultation.status = draft.status
    consultation.opens_at, consultation.closes_at = draft.opens_at, draft.closes_at
    consultation.max_ranked_focus_areas = draft.max_ranked_focus_areas
    consultation.max_ranked_goals = draft.max_ranked_goals

    version = Version(
        consultation=consultation,
        number=draft.version_number,
        published_at=utcnow() if is_new else None,
    )
    db.session.add(version)
    store_items(consultation, version, draft)
    return consultation


def store_items(consultation: Consultation, version: Version, draft: ParsedDraft) -> None:
    """Store the draft's label, note and items as ``version``'s text (items matched by key).

    The file's order is the version's own (``ItemRevision.position``); an existing item keeps
    its parent and, until this version is published, its ``Item.position``.
    """
    version.label_da, version.label_en = draft.version_label["da"], draft.version_label["en"]
    version.note_da, version.note_en = draft.version_note["da"], draft.version_note["en"]
    existing: dict[str, Item] = {}
    if consultation.id is not None:
        existing = {
            i.key: i
            for i in db.session.scalars(select(Item).where(Item.consultation_id == consultation.id))
        }
    if existing and not version.is_working_copy:
        # Only a new consultation's first version is stored published; never rewrite one.
        raise ValueError("a published version's items are never rewritten")

    def store(parsed: ParsedItem, parent: Item | None, position: int) -> None:
        item = existing.get(parsed.key)
        if item is None:
            item = Item(
                consultation=consultation,
                key=parsed.key,
                kind=parsed.kind,
                parent=parent,
                position=position,
            )
            db.session.add(item)
            existing[parsed.key] = item
        elif item.kind is not parsed.kind:
            raise DraftFormatError(
                parsed.line,
                f"items.{parsed.key}",
                f"was a {item.kind.value}, cannot become {parsed.kind.value}",
            )
        elif item.parent_id != (parent.id if parent is not None else None):
            was = next((i.key for i in existing.values() if i.id == item.parent_id), "")
            raise ParentChangeError(
                parsed.line, item.kind, item.key, was, parent.key if parent is not None else ""
            )
        revision = ItemRevision(
            item=item,
            version=version,
            position=position,
            title_da=parsed.title["da"],
            title_en=parsed.title["en"],
            body_da=parsed.body["da"],
            body_en=parsed.body["en"],
            funds_dkk=parsed.funds_dkk,
            funds_note_da=parsed.funds_note["da"],
            funds_note_en=parsed.funds_note["en"],
        )
        revision.alternatives = [
            Alternative(position=i, text_da=a["da"], text_en=a["en"])
            for i, a in enumerate(parsed.alternatives)
        ]
        revision.political_goals = [
            PoliticalGoal(position=i, text_da=g["da"], text_en=g["en"])
            for i, g in enumerate(parsed.political_goals)
        ]
        db.session.add(revision)
        for i, child in enumerate(parsed.children):
            store(child, item, i)

    for i, parsed in enumerate(draft.items):
        store(parsed, None, i)
    db.session.flush()


def import_working_copy(consultation: Consultation, source: str) -> Version:
    """Load a YAML file's items as the consultation's working copy (the browser's upload).

    The file's ``consultation`` part must name this consultation (its slug); its status and
    dates are not used: the workflow moves the consultation. An existing working copy gets the
    file's text instead of its own (its change notes stay); otherwise a new working copy is
    made with the next number. All or nothing, like the command.
    """
    draft = parse_draft(source)
    if draft.slug != consultation.slug:
        raise DraftFormatError(
            None, "consultation.slug", f"is '{draft.slug}', not '{consultation.slug}'"
        )
    with db.session.begin_nested():
        version = db.session.scalar(
            select(Version).where(
                Version.consultation_id == consultation.id, Version.published_at.is_(None)
            )
        )
        if version is None:
            latest = db.session.scalar(
                select(func.max(Version.number)).where(Version.consultation_id == consultation.id)
            )
            version = Version(
                consultation=consultation, number=(latest or 0) + 1, published_at=None
            )
            db.session.add(version)
        else:
            for old in db.session.scalars(
                select(ItemRevision).where(ItemRevision.version_id == version.id)
            ):
                db.session.delete(old)
            db.session.flush()
        store_items(consultation, version, draft)
    return version


def import_draft(source: str) -> Consultation:
    """Parse, validate and store a draft; nothing is stored if anything is wrong."""
    draft = parse_draft(source)
    with db.session.begin_nested():
        return store_draft(draft)

"""What changed between two versions, item by item, as a word-level diff.

Texts are split into words, spaces and punctuation, compared with difflib, and rendered with
<del> and <ins>; each run also starts with a visually hidden word ("removed:", "added:") so a
screen reader says it, and the stylesheet strikes through and underlines: never colour alone.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from dataclasses import field
from difflib import SequenceMatcher

from flask_babel import gettext as _
from markupsafe import Markup
from markupsafe import escape

from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.services import Node
from consult.drafts.services import Tree
from consult.i18n import current_lang
from consult.i18n import localized

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


def tokens(text: str) -> list[str]:
    """Split ``text`` into words, runs of punctuation and runs of white space."""
    return _TOKEN.findall(text or "")


@dataclass(frozen=True)
class Run:
    """A stretch of the diff: ``op`` is "equal", "delete" or "insert"."""

    op: str
    text: str


def word_runs(old: str, new: str) -> list[Run]:
    """Return the word-level diff of two texts as runs (a replacement: a delete, an insert).

    White space alone between two changes joins them, so a rewritten phrase reads as one
    deletion and one insertion rather than word against word.
    """
    a, b = tokens(old), tokens(new)
    # (removed, added) for a change, (text, None) for an equal stretch.
    parts: list[tuple[str, str | None]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("".join(a[i1:i2]), None))
        else:
            parts.append(("".join(a[i1:i2]), "".join(b[j1:j2])))
    merged: list[tuple[str, str | None]] = []
    i = 0
    while i < len(parts):
        text, added = parts[i]
        if (
            added is None
            and not text.strip()
            and merged
            and merged[-1][1] is not None
            and i + 1 < len(parts)
            and parts[i + 1][1] is not None
        ):
            removed, inserted = merged.pop()
            nxt_removed, nxt_added = parts[i + 1]
            merged.append((removed + text + nxt_removed, inserted + text + nxt_added))
            i += 2
            continue
        if added is not None and merged and merged[-1][1] is not None:
            removed, inserted = merged.pop()
            merged.append((removed + text, inserted + added))
        else:
            merged.append((text, added))
        i += 1
    runs: list[Run] = []
    for text, added in merged:
        if added is None:
            runs.append(Run("equal", text))
            continue
        if text.strip() or (text and not added):
            runs.append(Run("delete", text))
        if added.strip() or (added and not text):
            runs.append(Run("insert", added))
    return runs


def render_runs(runs: list[Run]) -> Markup:
    """Render runs as HTML with <del>/<ins>, each marked in words for screen readers."""
    removed, added = _("removed:"), _("added:")
    out = []
    for run in runs:
        if run.op == "equal":
            out.append(escape(run.text).replace("\n", Markup("<br>")))
            continue
        tag, word = ("del", removed) if run.op == "delete" else ("ins", added)
        out.append(
            Markup(
                '<{0}><span class="visually-hidden">[{1} </span>{2}'
                '<span class="visually-hidden">]</span></{0}>'
            ).format(tag, word, escape(run.text).replace("\n", Markup("<br>")))
        )
    return Markup("").join(out)


def word_diff(old: str, new: str) -> Markup:
    """Return the word-level diff of two texts as HTML."""
    return render_runs(word_runs(old, new))


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class FieldDiff:
    """One part of an item (title, text, funds, alternatives …) compared, in one language."""

    name: str
    old: str
    new: str
    #: The language of the texts: the reader's, or Danish when only the Danish text changed.
    lang: str = "da"

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def html(self) -> Markup:
        return word_diff(self.old, self.new)


@dataclass
class ItemDiff:
    item_id: int
    key: str
    kind: ItemKind
    title: str
    change: ChangeKind
    fields: list[FieldDiff] = field(default_factory=list)
    #: Nesting: 0 for top-level items, 1 for goals and initiatives.
    depth: int = 0
    #: (old place, new place), from 1 among its siblings (top-level items among their own
    #: kind), when the item moved; None when it kept its place among the items of both.
    moved: tuple[int, int] | None = None

    @property
    def changed_fields(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.changed]


FIELDS = ("title", "body", "alternatives", "political_goals", "funds")


def _text(obj, name: str, lang: str) -> str:
    """``obj.<name>_<lang>``, the Danish text where the other language has none."""
    value = getattr(obj, f"{name}_{lang}", "") or ""
    return value if value.strip() or lang == "da" else getattr(obj, f"{name}_da", "") or ""


def _lines(lines, lang: str) -> str:
    return "\n".join(
        f"{getattr(line, 'letter', str(i + 1))}. {_text(line, 'text', lang)}"
        for i, line in enumerate(lines)
    )


def _funds(revision: ItemRevision, lang: str) -> str:
    if revision.funds_dkk is None and not revision.funds_note_da:
        return ""
    amount = "" if revision.funds_dkk is None else f"{revision.funds_dkk:,} kr.".replace(",", ".")
    return " ".join(p for p in (amount, _text(revision, "funds_note", lang)) if p)


def _parts(revision: ItemRevision | None, lang: str) -> dict[str, str]:
    """The comparable parts of a revision in ``lang``, by field name."""
    if revision is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "title": _text(revision, "title", lang),
        "body": _text(revision, "body", lang),
        "alternatives": _lines(revision.alternatives, lang),
        "political_goals": _lines(revision.political_goals, lang),
        "funds": _funds(revision, lang),
    }


def _fields(old: ItemRevision | None, new: ItemRevision | None) -> list[FieldDiff]:
    """Each part compared in the reader's language; where only the Danish text changed, the
    Danish one, so no change is hidden from a reader of the other language."""
    lang = current_lang()
    shown = (_parts(old, lang), _parts(new, lang))
    danish = (_parts(old, "da"), _parts(new, "da")) if lang != "da" else shown
    out = []
    for name in FIELDS:
        if shown[0][name] == shown[1][name] and danish[0][name] != danish[1][name]:
            out.append(FieldDiff(name, danish[0][name], danish[1][name], "da"))
        else:
            out.append(FieldDiff(name, shown[0][name], shown[1][name], lang))
    return out


def field_labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "body": _("Text"),
        "alternatives": _("Alternatives"),
        "political_goals": _("Political goals"),
        "funds": _("Funds"),
    }


def _ordered(tree: Tree) -> list[tuple[Node, int]]:
    return [(n, d) for root in tree.roots for n, d in [(root, 0), *((c, 1) for c in root.children)]]


def _places(tree: Tree) -> dict[int, tuple[tuple, int]]:
    """Each item's group of siblings and its place in it, from 1, by item id."""
    places: dict[int, tuple[tuple, int]] = {}
    for kind in (ItemKind.VISION, ItemKind.PRINCIPLE, ItemKind.FOCUS_AREA):
        for place, node in enumerate(tree.of_kind(kind), 1):
            places[node.item.id] = (("top", kind), place)
    for root in tree.roots:
        for place, node in enumerate(root.children, 1):
            places[node.item.id] = (("in", root.item.id), place)
    return places


def moves(old: Tree, new: Tree) -> dict[int, tuple[int, int]]:
    """Return the items that changed place among their siblings: (old place, new place).

    Only the order of the siblings in both versions counts, and the fewest items that explain
    it are called moved (the rest keep the longest common order): moving one item up past two
    others moves that one, not the two; an item added or removed moves nobody.
    """
    was, now = _places(old), _places(new)
    groups: dict[tuple, list[int]] = {}
    for item_id, (group, _place) in sorted(now.items(), key=lambda p: p[1][1]):
        if item_id in was and was[item_id][0] == group:
            groups.setdefault(group, []).append(item_id)
    moved: dict[int, tuple[int, int]] = {}
    for ids in groups.values():
        before = sorted(ids, key=lambda i: was[i][1])
        kept = set()
        for block in SequenceMatcher(None, before, ids, autojunk=False).get_matching_blocks():
            kept.update(before[block.a : block.a + block.size])
        for item_id in ids:
            if item_id not in kept:
                moved[item_id] = (was[item_id][1], now[item_id][1])
    return moved


def compare(old: Tree | None, new: Tree) -> list[ItemDiff]:
    """Compare two versions item by item, in the new version's order; removed items last.

    An item that changed place among its siblings counts as changed, with ``moved`` set.
    """
    before = {n.item.id: n for n in old.by_key.values()} if old is not None else {}
    moved = moves(old, new) if old is not None else {}
    diffs = []
    for node, depth in _ordered(new):
        was = before.pop(node.item.id, None)
        fields = _fields(was.revision if was else None, node.revision)
        if was is None:
            change = ChangeKind.ADDED
        elif any(f.changed for f in fields) or node.item.id in moved:
            change = ChangeKind.CHANGED
        else:
            change = ChangeKind.UNCHANGED
        title = localized(node.revision, "title")[0]
        diffs.append(
            ItemDiff(
                node.item.id,
                node.key,
                node.kind,
                title,
                change,
                fields,
                depth,
                moved.get(node.item.id) if was is not None else None,
            )
        )
    for node in before.values():
        fields = [FieldDiff(f.name, f.old, "", f.lang) for f in _fields(node.revision, None)]
        diffs.append(
            ItemDiff(
                node.item.id,
                node.key,
                node.kind,
                localized(node.revision, "title")[0],
                ChangeKind.REMOVED,
                fields,
                0 if node.parent is None else 1,
            )
        )
    return diffs


def changed_item_ids(diffs: list[ItemDiff]) -> set[int]:
    return {d.item_id for d in diffs if d.change is not ChangeKind.UNCHANGED}

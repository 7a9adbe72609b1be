"""Build the høringsnotat (for the secretariat) or the public report from the database.

Both have the same shape (``consult.exports.document.Memo``): the consultation period, the
consulted parties and who answered, per focus area and goal the figures, a chart and the
input with the secretariat's replies, and what changed in the draft. Both quote only
moderated text, published with its redactions, and name people by the one naming rule
(``consult.readside``); input still waiting for a moderator is counted, never quoted. The
public report holds only published input and approved replies.
"""

from __future__ import annotations

from collections import OrderedDict

from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from consult.analysis import figures
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.db import utcnow
from consult.drafts.models import ItemKind
from consult.drafts.models import Version
from consult.drafts.services import Tree
from consult.drafts.services import load_tree
from consult.exports.document import INPUTS_PER_GOAL
from consult.exports.document import Memo
from consult.exports.document import MemoArea
from consult.exports.document import MemoBlock
from consult.exports.document import MemoChange
from consult.exports.document import MemoFigure
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput
from consult.exports.document import MemoParty
from consult.exports.rows import tick
from consult.extensions import db
from consult.i18n import current_lang
from consult.i18n import format_deadline
from consult.i18n import localized
from consult.invitations.services import answered_query
from consult.moderation.models import ModerationState
from consult.readside import labels as words
from consult.readside import quotes
from consult.readside.labels import stance_series
from consult.responses.models import Input


def memo_words() -> dict[str, str]:
    """The document's fixed words, in the active locale (see consult/exports/document.py)."""
    return {
        "contents": _("Contents"),
        "introduction": _("Introduction"),
        "parties": _("Consulted parties"),
        "parties_note": _("The organisations invited to respond, and whether they answered."),
        "answered": _("Answered"),
        "not_answered": _("Did not answer"),
        "no_parties": _("No list of consulted parties was kept."),
        "responses": _("The responses"),
        "inputs_count": _("Inputs in all: {n}"),
        "position": _("Position"),
        "count": _("Number"),
        "share": _("Share"),
        "reply": _("The secretariat's reply"),
        "disposition": _("Outcome"),
        "reason": _("Reason"),
        "no_reply": _("Not answered yet."),
        "answers_inputs": _("The reply answers {n} inputs."),
        "not_shown": _("{n} inputs are not shown: they are not published, or were not to be."),
        "awaiting": _("{n} inputs await moderation: they are counted, but not quoted."),
        "not_listed": _(
            "{n} more inputs on this one are not listed: the document lists at most {max} per "
            "goal or initiative. Every input is in the XLSX, CSV and JSON exports."
        ),
        "no_input": _("No input."),
        "wording": _("Proposed wording"),
        "changes": _("Changes in the draft"),
        "no_changes": _("The draft has not changed since the consultation."),
        "why": _("Why"),
        "voices": _("The input behind it"),
        "approvals": _("Approval by the parties"),
        "before": _("Before:"),
        "after": _("After:"),
        "page": _("Page"),
        "chart_alt": _("Chart: positions by respondent group, as shares."),
    }


def _chart(consultation, goal_figures) -> bytes | None:
    from consult.analysis import charts

    if not goal_figures.inputs:
        return None
    rows = [(_("All"), goal_figures.stances)] + [
        (localized(t, "name")[0] if t else _("Several groups (session)"), s)
        for t, s in goal_figures.by_type
    ]
    return charts.stacked_chart(
        [(label, {k or "": v for k, v in counts.items()}) for label, counts in rows],
        stance_series(),
        title=_("Positions by respondent group"),
        fmt="png",
        value_format=lambda share: f"{round(share * 100)} %",
    )


def _blocks(consultation, item_id: int, public: bool, labels) -> tuple[list[MemoBlock], int, int]:
    """The goal's input, grouped by the reply that answers it; return the blocks, how many
    inputs they list, and how many more there were past ``INPUTS_PER_GOAL``.

    Only moderated text is quoted (``consult.readside.quotes``): the public report holds only
    published input; the secretariat's memo lists the rest too, saying why it is not quoted.
    """
    replies = {
        r.id: r
        for r in db.session.scalars(
            select(Reply).where(
                Reply.id.in_(
                    select(Input.reply_id).where(
                        Input.item_id == item_id, Input.reply_id.is_not(None)
                    )
                )
            )
        )
    }
    grouped: OrderedDict = OrderedDict()
    shown = not_listed = 0
    for quote in quotes.goal_quotes(
        consultation.id,
        item_id,
        public=public,
        en=labels["lang"] == "en",
        removed=labels["removed"],
    ):
        if shown >= INPUTS_PER_GOAL:
            not_listed += 1
            continue
        reply = replies.get(quote.reply_id)
        if reply is not None and public and reply.state is not ReplyState.APPROVED:
            reply = None  # a draft reply is the secretariat's, not the public's
        key = reply.id if reply is not None else ("input", quote.input_id)
        block = grouped.get(key)
        if block is None:
            block = grouped[key] = MemoBlock(
                inputs=[],
                reply=reply.text if reply else None,
                disposition=labels["disposition"].get(reply.disposition.value)
                if reply is not None and reply.disposition
                else None,
                reason=reply.reason if reply else "",
            )
        if quote.is_campaign and block.campaign is None:
            block.campaign = (
                _("Campaign: %(label)s", label=quote.campaign_label)
                if quote.campaign_label
                else _("Campaign")
            )
        block.inputs.append(
            MemoInput(
                text=quote.text,
                wording=quote.wording,
                stance=labels["stance"].get(quote.stance.value, "") if quote.stance else "",
                who=quote.who,
                note="" if quote.is_quoted else labels["not_quoted"][quote.state],
            )
        )
        shown += 1
    return list(grouped.values()), shown, not_listed


def _changes(consultation, tree: Tree) -> list[MemoChange]:
    """What differs between the newest version and the one before it."""
    previous = db.session.scalar(
        select(Version)
        .where(Version.consultation_id == consultation.id, Version.number < tree.version.number)
        .order_by(Version.number.desc())
        .limit(1)
    )
    if previous is None:
        return []
    before = load_tree(previous)
    changes = []
    old = {n.item.id: n for n in before.by_key.values()}
    for node in tree.by_key.values():
        was = old.pop(node.item.id, None)
        title = localized(node.revision, "title")[0]
        if was is None:
            changes.append(MemoChange(title, _("Added"), "", localized(node.revision, "body")[0]))
            continue
        texts = [
            (localized(r, "title")[0], localized(r, "body")[0])
            for r in (was.revision, node.revision)
        ]
        if texts[0] != texts[1]:
            changes.append(
                MemoChange(title, _("Changed"), "\n\n".join(texts[0]), "\n\n".join(texts[1]))
            )
    for gone in old.values():
        changes.append(MemoChange(localized(gone.revision, "title")[0], _("Removed")))
    return changes


def _with_trail(changes: list[MemoChange], consultation, tree: Tree, *, public: bool):
    """Add the decision trail to each change: why, and the voices behind it (the public report
    counts only what the public may read; the memo every submitted input)."""
    from consult.drafts import trail as decisions

    lang = current_lang()
    by_title = {}
    for entry in decisions.trail(consultation, tree.version, public=public).entries:
        title = entry.title_en if lang == "en" and entry.title_en else entry.title_da
        reason = entry.reason_en if lang == "en" and entry.reason_en else entry.reason_da
        groups = ", ".join(
            f"{v.count} {(v.group_en if lang == 'en' and v.group_en else v.group_da).lower()}"
            for v in entry.by_group
        )
        voices = ngettext("%(num)d input", "%(num)d inputs", entry.voices)
        by_title[title] = (reason, f"{voices}: {groups}" if groups else voices)
    for change in changes:
        change.why, change.voices = by_title.get(change.title, ("", ""))
    return changes


def _approvals(consultation, tree: Tree) -> list[str]:
    """Who approved the document, party by party, for the memo's sign-off section."""
    from consult.approvals.services import approval_record

    lang = current_lang()
    lines = []
    for record in approval_record(consultation):
        party = record.party_en if lang == "en" and record.party_en else record.party_da
        lines.append(
            _(
                "%(party)s: approved by %(name)s on %(when)s (version %(version)d)",
                party=party,
                name=record.approver_name or record.approver_email,
                when=format_deadline(record.decided_at),
                version=record.version_number,
            )
        )
    return lines


def build_memo(consultation, tree: Tree, *, public: bool, lang: str = "da") -> Memo:
    """Gather the høringsnotat (``public=False``) or the public report (``public=True``)."""
    with force_locale(lang):
        labels = {
            "lang": lang,
            "stance": words.words(words.STANCE),
            "disposition": words.words(words.DISPOSITION),
            "removed": str(words.REMOVED),
            "not_quoted": {
                ModerationState.PENDING: _("Awaiting moderation: not quoted."),
                ModerationState.HIDDEN: _("Hidden by moderation: not quoted."),
                ModerationState.WITHHELD: _("Not for publication: not quoted."),
            },
        }
        dashboard = figures.dashboard(consultation)
        waiting = quotes.waiting_by_goal(consultation.id)
        intro = [
            _(
                "The consultation on %(title)s ran from %(opens)s to %(closes)s.",
                title=localized(consultation, "title")[0],
                opens=format_deadline(consultation.opens_at),
                closes=format_deadline(consultation.closes_at),
            ),
            ngettext(
                "%(num)d response came in, with %(inputs)s inputs on the goals.",
                "%(num)d responses came in, with %(inputs)s inputs on the goals.",
                dashboard.responses,
                inputs=format_decimal(dashboard.inputs),
            ),
        ]
        if waiting:
            intro.append(
                ngettext(
                    "%(num)d input still awaits moderation: it is counted, but not quoted.",
                    "%(num)d inputs still await moderation: they are counted, but not quoted.",
                    sum(waiting.values()),
                )
            )
        if public:
            intro.append(
                _(
                    "This report shows the input its senders allowed us to publish, after "
                    "review, with the secretariat's approved replies. The figures count all "
                    "input."
                )
            )
        parties = [
            MemoParty(invitation.organisation, answered_at is not None)
            for invitation, answered_at in db.session.execute(answered_query(consultation.id))
        ]
        areas = []
        for area in tree.focus_areas:
            goals = []
            for node in area.children:
                if node.kind not in (ItemKind.GOAL, ItemKind.INITIATIVE):
                    continue
                f = figures.goal(consultation, node.item.id)
                blocks, shown, not_listed = _blocks(consultation, node.item.id, public, labels)
                tick(shown + not_listed)  # a job's progress: inputs gathered so far
                total = sum(f.stances.values())
                goals.append(
                    MemoGoal(
                        key=node.key,
                        title=localized(node.revision, "title")[0],
                        kind=_("Goal") if node.kind is ItemKind.GOAL else _("Initiative"),
                        inputs=f.inputs,
                        figures=[
                            MemoFigure(
                                label,
                                f.stances.get(key or None, 0),
                                (f.stances.get(key or None, 0) / total if total else 0.0),
                            )
                            for key, label in stance_series()
                        ],
                        importance=_(
                            "Importance: %(mean)s on average, median %(median)s (%(n)d answers)",
                            mean=format_decimal(f.importance_mean, "#,##0.0"),
                            median=format_decimal(f.importance_median, "#,##0.#"),
                            n=f.importance_count,
                        )
                        if f.importance_mean is not None
                        else "",
                        chart_png=_chart(consultation, f),
                        blocks=blocks,
                        not_listed=not_listed,
                        not_shown=(f.inputs - shown - not_listed - waiting.get(node.item.id, 0))
                        if public
                        else 0,
                        awaiting=waiting.get(node.item.id, 0),
                    )
                )
            areas.append(MemoArea(localized(area.revision, "title")[0], goals))
        return Memo(
            kind=_("What we heard, and what we did") if public else _("Consultation memo"),
            title=localized(consultation, "title")[0],
            lang=lang,
            intro=intro,
            parties=parties,
            areas=areas,
            changes=_with_trail(_changes(consultation, tree), consultation, tree, public=public),
            words=memo_words(),
            date=format_date(utcnow(), "long"),
            public=public,
            approvals=_approvals(consultation, tree),
        )

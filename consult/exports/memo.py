"""Build the høringsnotat (for the secretariat) or the public report from the database.

Both have the same shape (``consult.exports.document.Memo``), the one a Danish authority's
høringsnotat has: the consultation period and who answered; the parties on the høringsliste,
each summed up in the list's order; per focus area and goal the figures, a chart and the main
points (the themes, with who raised them), each with the secretariat's answer, its outcome
and what changed in the draft; general comments and letters; the changes and the sign-off;
and in the appendix (Bilag) every input, quoted as moderated and grouped by theme.

Both quote only moderated text, published with its redactions, and name people by the one
naming rule (``consult.readside``); input still waiting for a moderator is counted, never
quoted. The public report holds only published input and approved replies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace

from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy import select

from consult.analysis import figures
from consult.analysis.models import Disposition
from consult.analysis.models import ReplyState
from consult.db import utcnow
from consult.drafts.models import ItemKind
from consult.drafts.models import Version
from consult.drafts.services import Tree
from consult.drafts.services import load_tree
from consult.exports import chart_pngs
from consult.exports.chart_pngs import ChartSpec
from consult.exports.document import INPUTS_PER_GOAL
from consult.exports.document import AppendixGoal
from consult.exports.document import Memo
from consult.exports.document import MemoAnswer
from consult.exports.document import MemoArea
from consult.exports.document import MemoChange
from consult.exports.document import MemoComment
from consult.exports.document import MemoFigure
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput
from consult.exports.document import MemoParty
from consult.exports.document import MemoPoint
from consult.exports.document import MemoReply
from consult.exports.rows import tick
from consult.extensions import db
from consult.i18n import current_lang
from consult.i18n import format_deadline
from consult.i18n import localized
from consult.moderation.models import ModerationState
from consult.readside import labels as words
from consult.readside import points as mainpoints
from consult.readside import quotes
from consult.readside.labels import stance_series
from consult.readside.parties import party_answers
from consult.responses.models import Response
from consult.responses.models import Stance

#: A party's general comment is cut after this many words in the body; the appendix has it all.
COMMENT_WORDS = 60
#: Inputs per goal the public report's web page quotes (the PDF and Word files quote all).
PAGE_QUOTES = 10


def memo_words() -> dict[str, str]:
    """The document's fixed words, in the active locale (see consult/exports/document.py)."""
    return {
        "contents": _("Contents"),
        "introduction": _("Introduction"),
        "parties": _("Consulted parties"),
        "parties_note": _(
            "The organisations invited to respond, in the order of the list of consulted "
            "parties: whether they answered, their input on the goals, the start of their "
            "general comment (the rest is in the appendix) and any letter."
        ),
        "answered": _("Answered"),
        "not_answered": _("Did not answer"),
        "no_parties": _("No list of consulted parties was kept."),
        "responses": _("Main points and the secretariat's answers"),
        "position": _("Position"),
        "count": _("Number"),
        "share": _("Share"),
        "main_points": _("Main points"),
        "inputs_count": _("Inputs in all: {n}"),
        "no_theme_reply": _("No answer to this theme yet."),
        "reply": _("The secretariat's reply"),
        "replies": _("Replies to single inputs"),
        "disposition": _("Outcome"),
        "reason": _("Reason"),
        "changed": _("Changed in the draft"),
        "no_reply": _("Not answered yet."),
        "no_input": _("No input."),
        "wording": _("Proposed wording"),
        "general": _("General comments and letters"),
        "letters": _("Letters"),
        "changes": _("Changes in the draft"),
        "no_changes": _("The draft has not changed since the consultation."),
        "why": _("Why"),
        "voices": _("The input behind it"),
        "approvals": _("Approval by the parties"),
        "before": _("Before:"),
        "after": _("After:"),
        "page": _("Page"),
        "chart_alt": _("Chart: positions by respondent group, as shares."),
        "appendix": _("Appendix: every input"),
        "appendix_note": _(
            "Every input on the goals, as moderated, grouped by theme. An input with several "
            "themes stands under the largest of them; input without a theme comes last."
        ),
        "no_theme": _("No theme"),
        "comments_appendix": _("Appendix: general comments"),
        "letters_appendix": _("Appendix: letters"),
        "no_letters": _("No letters were sent."),
        "no_comments": _("No general comments."),
        "comment_more": _("(continued in the appendix)"),
    }


def _chart(goal_figures) -> ChartSpec | None:
    """What the goal's chart shows (drawn later with the others: ``chart_pngs.draw``)."""
    if not goal_figures.inputs:
        return None
    rows = [(_("All"), goal_figures.stances)] + [
        (localized(t, "name")[0] if t else _("Several groups (session)"), s)
        for t, s in goal_figures.by_type
    ]
    return ChartSpec(
        rows=tuple(
            (str(label), tuple((k or "", float(v)) for k, v in counts.items()))
            for label, counts in rows
        ),
        series=tuple((key, str(label)) for key, label in stance_series()),
        title=_("Positions by respondent group"),
    )


def _inputs(n: int) -> str:
    return ngettext("%(num)d input", "%(num)d inputs", n)


def _groups(by_group: dict) -> str:
    """ "7 people, 4 organisations, 1 session group", the largest first."""
    said = {
        mainpoints.Group.PEOPLE: lambda n: ngettext("%(num)d person", "%(num)d people", n),
        mainpoints.Group.ORGANISATIONS: lambda n: ngettext(
            "%(num)d organisation", "%(num)d organisations", n
        ),
        mainpoints.Group.SESSIONS: lambda n: ngettext(
            "%(num)d session group", "%(num)d session groups", n
        ),
    }
    ordered = sorted(by_group.items(), key=lambda kv: (-kv[1], list(said).index(kv[0])))
    return ", ".join(said[group](n) for group, n in ordered if n)


def _stances(stances: dict) -> str:
    """ "9 in support, 3 in support with changes, 2 against", in the stances' order."""
    said = {
        Stance.SUPPORT: lambda n: ngettext("%(num)d in support", "%(num)d in support", n),
        Stance.SUPPORT_WITH_CHANGES: lambda n: ngettext(
            "%(num)d in support with changes", "%(num)d in support with changes", n
        ),
        Stance.OPPOSE: lambda n: ngettext("%(num)d against", "%(num)d against", n),
        Stance.NO_POSITION: lambda n: ngettext(
            "%(num)d without a position", "%(num)d without a position", n
        ),
    }
    said[None] = lambda n: ngettext("%(num)d not given", "%(num)d not given", n)
    return ", ".join(said[s](stances[s]) for s in [*Stance, None] if stances.get(s))


def _first_words(text: str, n: int) -> tuple[str, bool]:
    """Return the first ``n`` words of ``text`` (on one line) and whether anything was cut."""
    wordlist = text.split()
    if len(wordlist) <= n:
        return " ".join(wordlist), False
    return " ".join(wordlist[:n]) + " …", True


class _Answers:
    """The replies of a consultation, turned into the document's answers."""

    def __init__(self, consultation, tree: Tree, *, public: bool):
        from consult.drafts import trail as decisions

        self.public = public
        self.disposition = words.words(words.DISPOSITION)
        self.states = words.words(words.REPLY_STATE)
        lang = current_lang()
        self.changes: dict[int, tuple[str, set[str]]] = {}
        for entry in decisions.trail(consultation, tree.version, public=public).entries:
            reason = entry.reason_en if lang == "en" and entry.reason_en else entry.reason_da
            self.changes[entry.item_id] = (reason, set(entry.tags))

    def answer(self, reply, item_id: int, theme: str | None = None) -> MemoAnswer:
        """The answer in a reply; what changed on the goal when the reply led to it (the
        theme is behind the goal's change, or the reply incorporates it)."""
        change = ""
        if item_id in self.changes:
            reason, tags = self.changes[item_id]
            if (theme is not None and theme in tags) or reply.disposition in (
                Disposition.INCORPORATED,
                Disposition.PARTLY,
            ):
                change = reason or _("The goal's text was changed.")
        return MemoAnswer(
            text=reply.text,
            disposition=self.disposition.get(reply.disposition.value, "")
            if reply.disposition
            else "",
            reason=reply.reason,
            change=change,
            state=""
            if self.public or reply.state is ReplyState.APPROVED
            else self.states.get(reply.state.value, ""),
        )


@dataclass
class GoalQuotes:
    """A goal's inputs for the appendix, read on a streaming cursor each time it is iterated.

    Plain data (ids and words), so the memo pickles; iterating needs the app and database.
    """

    consultation_id: int
    item_id: int
    public: bool
    lang: str
    themes: list[tuple[int, str]]
    limit: int
    labels: dict

    def __iter__(self) -> Iterator[tuple[str, MemoInput]]:
        labels = self.labels
        names = [name for _tag_id, name in self.themes]
        with force_locale(self.lang):
            for quote in quotes.goal_quotes(
                self.consultation_id,
                self.item_id,
                public=self.public,
                en=self.lang == "en",
                removed=labels["removed"],
                themes=[tag_id for tag_id, _name in self.themes],
                limit=self.limit,
            ):
                theme = names[quote.theme] if quote.theme is not None else labels["no_theme"]
                yield (
                    theme,
                    MemoInput(
                        text=quote.text,
                        wording=quote.wording,
                        stance=labels["stance"].get(quote.stance.value, "") if quote.stance else "",
                        who=quote.who,
                        note="" if quote.is_quoted else labels["not_quoted"][quote.state],
                    ),
                )


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
        voices = _inputs(entry.voices)
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


def _parties(consultation, *, public: bool, removed: str) -> list[MemoParty]:
    """The høringsliste in its order, each party summed up."""
    parties = []
    for answer in party_answers(consultation.id, public=public, removed=removed):
        party = MemoParty(answer.organisation, answer.answered)
        if answer.answered:
            party.summary = _inputs(answer.inputs)
            if answer.inputs:
                party.summary += ": " + _stances(answer.stances)
        if answer.comment:
            party.comment, party.comment_cut = _first_words(answer.comment, COMMENT_WORDS)
        if answer.letter:
            party.letter = _("Letter enclosed: %(file)s", file=answer.letter)
        parties.append(party)
    return parties


#: General comments the appendix quotes at most (the rest are counted).
COMMENTS_MAX = 5000


@dataclass
class CommentQuotes:
    """The general comments for the appendix, read on a streaming cursor when iterated."""

    consultation_id: int
    public: bool
    lang: str
    labels: dict

    def __iter__(self) -> Iterator[MemoComment]:
        labels = self.labels
        with force_locale(self.lang):
            for quote in quotes.general_comments(
                self.consultation_id,
                public=self.public,
                en=self.lang == "en",
                removed=labels["removed"],
                limit=COMMENTS_MAX,
            ):
                if quote.is_quoted:
                    if quote.text.strip():
                        yield MemoComment(quote.who, quote.text)
                elif not self.public:
                    yield MemoComment(quote.who, "", labels["not_quoted"][quote.state])


@dataclass
class LetterNames:
    """The letters for the appendix, named by organisation and file, read when iterated."""

    consultation_id: int
    public: bool

    def __iter__(self) -> Iterator[str]:
        for organisation, filename in quotes.letters(self.consultation_id, public=self.public):
            yield f"{organisation}: {filename}" if organisation else filename


def _general(consultation, *, public: bool) -> list[str]:
    """The section on general comments and letters: what there is, in words."""
    quoted, other = quotes.comment_counts(consultation.id, public=public)
    letters = quotes.letter_count(consultation.id, public=public)
    paragraphs = [
        ngettext(
            "%(num)d general comment is quoted in full in the appendix.",
            "%(num)d general comments are quoted in full in the appendix.",
            quoted,
        )
        if quoted
        else _("No general comments.")
    ]
    if other:
        paragraphs.append(
            ngettext(
                "%(num)d general comment is not quoted: it awaits moderation or is not to be "
                "published.",
                "%(num)d general comments are not quoted: they await moderation or are not to "
                "be published.",
                other,
            )
        )
    paragraphs.append(
        ngettext(
            "%(num)d letter was sent; the appendix names each by its organisation and file, "
            "and the consulted parties' letters are noted under each party above.",
            "%(num)d letters were sent; the appendix names each by its organisation and file, "
            "and the consulted parties' letters are noted under each party above.",
            letters,
        )
        if letters
        else _("No letters were sent.")
    )
    return paragraphs


def build_memo(consultation, tree: Tree, *, public: bool, lang: str = "da") -> Memo:
    """Gather the høringsnotat (``public=False``) or the public report (``public=True``)."""
    with force_locale(lang):
        labels = {
            "lang": lang,
            "stance": words.words(words.STANCE),
            "removed": str(words.REMOVED),
            "no_theme": _("No theme"),
            "not_quoted": {
                ModerationState.PENDING: _("Awaiting moderation: not quoted."),
                ModerationState.HIDDEN: _("Hidden by moderation: not quoted."),
                ModerationState.WITHHELD: _("Not for publication: not quoted."),
            },
        }
        # The two totals the introduction gives, as the dashboard counts them (kept counts).
        responses, inputs = db.session.execute(
            select(func.count(Response.id), func.coalesce(func.sum(Response.input_count), 0)).where(
                figures.submitted(consultation.id)
            )
        ).one()
        waiting = quotes.waiting_by_goal(consultation.id)
        themes = mainpoints.themes_by_goal(consultation.id)
        theme_replies = mainpoints.theme_replies(consultation.id, public=public)
        own = mainpoints.own_replies(consultation.id, public=public)
        unanswered = mainpoints.unanswered_by_goal(consultation.id, public=public)
        shown = mainpoints.published_by_goal(consultation.id) if public else None
        answers = _Answers(consultation, tree, public=public)
        parties = _parties(consultation, public=public, removed=labels["removed"])
        answered = sum(1 for p in parties if p.answered)
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
                responses,
                inputs=format_decimal(inputs),
            ),
        ]
        if parties:
            intro.append(
                ngettext(
                    "%(answered)d of the %(num)d organisation on the list of consulted parties "
                    "answered.",
                    "%(answered)d of the %(num)d organisations on the list of consulted parties "
                    "answered.",
                    len(parties),
                    answered=answered,
                )
            )
        intro.append(
            _(
                "For each goal the memo sums up the main points the input raised (its themes, "
                "and who raised them), the secretariat's answer to each, and what changed in "
                "the draft. Every input is quoted in the appendix, grouped by theme."
            )
        )
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
        areas, appendix = [], []
        charted: list[tuple[MemoGoal, ChartSpec]] = []
        for area in tree.focus_areas:
            goals = []
            for node in area.children:
                if node.kind not in (ItemKind.GOAL, ItemKind.INITIATIVE):
                    continue
                item_id = node.item.id
                f = figures.goal(consultation, item_id)
                total = sum(f.stances.values())
                kind = _("Goal") if node.kind is ItemKind.GOAL else _("Initiative")
                title = localized(node.revision, "title")[0]
                goal = MemoGoal(
                    key=node.key,
                    title=title,
                    kind=kind,
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
                    chart_png=None,
                    unanswered=unanswered.get(item_id, 0),
                    awaiting=waiting.get(item_id, 0),
                )
                goal_themes = themes.get(item_id, [])
                if public:
                    # Tags are the secretariat's working words until it answers one: the public
                    # report names a theme only with its approved reply.
                    goal_themes = [
                        t
                        for t in goal_themes
                        if (t.tag_id, item_id) in theme_replies or (t.tag_id, None) in theme_replies
                    ]
                for theme in goal_themes:
                    reply = theme_replies.get((theme.tag_id, item_id)) or theme_replies.get(
                        (theme.tag_id, None)
                    )
                    goal.points.append(
                        MemoPoint(
                            theme=theme.name,
                            count=theme.inputs,
                            voices=f"{_inputs(theme.inputs)}: {_groups(theme.by_group)}",
                            answer=answers.answer(reply, item_id, theme.name) if reply else None,
                        )
                    )
                for mine in own.get(item_id, []):
                    label = ngettext(
                        "Reply to %(num)d input", "Reply to %(num)d inputs", mine.inputs
                    )
                    if mine.is_campaign:
                        label += (
                            " ("
                            + (
                                _("Campaign: %(label)s", label=mine.campaign)
                                if mine.campaign
                                else _("Campaign")
                            )
                            + ")"
                        )
                    goal.replies.append(MemoReply(label, answers.answer(mine.reply, item_id)))
                if f.inputs and not goal_themes:
                    goal.notes.append(
                        _("No answered themes yet: the input on this one is summed up in figures.")
                        if public
                        else _("No themes yet: the input on this one has not been grouped.")
                    )
                elif not f.inputs:
                    goal.notes.append(_("No input."))
                if goal.unanswered:
                    goal.notes.append(
                        ngettext(
                            "Not answered yet: %(num)d input.",
                            "Not answered yet: %(num)d inputs.",
                            goal.unanswered,
                        )
                    )
                if goal.awaiting:
                    goal.notes.append(
                        ngettext(
                            "%(num)d input awaits moderation: it is counted, but not quoted.",
                            "%(num)d inputs await moderation: they are counted, but not quoted.",
                            goal.awaiting,
                        )
                    )
                listed = shown.get(item_id, 0) if public else f.inputs
                if public and f.inputs - listed - goal.awaiting > 0:
                    goal.notes.append(
                        ngettext(
                            "%(num)d input is not quoted: it is not published, or was not to be.",
                            "%(num)d inputs are not quoted: they are not published, or were "
                            "not to be.",
                            f.inputs - listed - goal.awaiting,
                        )
                    )
                goals.append(goal)
                if (spec := _chart(f)) is not None:
                    charted.append((goal, spec))
                in_appendix = GoalQuotes(
                    consultation.id,
                    item_id,
                    public,
                    lang,
                    [(t.tag_id, t.name) for t in goal_themes],
                    INPUTS_PER_GOAL,
                    labels,
                )
                appendix.append(
                    AppendixGoal(
                        area=localized(area.revision, "title")[0],
                        title=title,
                        kind=kind,
                        inputs=listed,
                        key=node.key,
                        not_listed=max(0, listed - INPUTS_PER_GOAL),
                        quotes=in_appendix,
                        sample=list(replace(in_appendix, limit=PAGE_QUOTES)) if public else [],
                    )
                )
                tick(listed)  # a job's progress: inputs gathered so far
            areas.append(MemoArea(localized(area.revision, "title")[0], goals))
        general = _general(consultation, public=public)
        for item in appendix:
            if item.not_listed:
                item.note = ngettext(
                    "%(num)d more input on this one is not listed: the appendix lists at most "
                    "%(max)s per goal or initiative. Every input is in the XLSX, CSV and JSON "
                    "exports.",
                    "%(num)d more inputs on this one are not listed: the appendix lists at most "
                    "%(max)s per goal or initiative. Every input is in the XLSX, CSV and JSON "
                    "exports.",
                    item.not_listed,
                    max=format_decimal(INPUTS_PER_GOAL),
                )
        for (goal, _spec), png in zip(
            charted, chart_pngs.draw([spec for _goal, spec in charted]), strict=True
        ):
            goal.chart_png = png
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
            general=general,
            letters=LetterNames(consultation.id, public),
            appendix=appendix,
            comments=CommentQuotes(consultation.id, public, lang, labels),
        )

"""The høringsnotat and the public report as plain data, ready for any renderer.

``consult.exports.memo`` builds a ``Memo`` from the database (everything for the
secretariat's høringsnotat, or only what may be public for the public report); the DOCX and
PDF renderers lay it out without touching the database, but for the appendix's quotes, which
are read goal by goal on a streaming cursor while the file is written (``AppendixGoal.quotes``).
Every text in it is final: already translated, already moderated and redacted, already chosen
by consent (``consult.readside``).

The body sums up: per goal the main points (the themes, with who raised them), the
secretariat's answer to each and what changed; the parties on the høringsliste one by one.
Every input is quoted only in the appendix (Bilag), grouped by theme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

#: Inputs the appendix quotes per goal or initiative at most. Real consultations have up to a
#: few hundred per goal, and are quoted whole; past this a memo would be a book nobody reads
#: and the PDF (laid out in memory) would need gigabytes (docs/performance.md). The rest are
#: counted, and every input is in the XLSX, CSV and JSON exports.
INPUTS_PER_GOAL = 1000


@dataclass
class MemoInput:
    """One input as the document quotes it."""

    text: str
    wording: str
    #: "Jeg støtter målet" …, or "" when no position was given.
    stance: str
    #: Who sent it, as far as the document may say: "Borger", "Patientforening: Danske Patienter".
    who: str
    #: Why the text is not quoted ("Afventer moderation: ikke citeret."); "" when it is.
    note: str = ""


@dataclass
class MemoAnswer:
    """The secretariat's answer: to a theme, or to inputs (a campaign, a selection, one)."""

    text: str
    #: "Indarbejdet", "Delvist indarbejdet", "Taget til efterretning", "Ikke indarbejdet", "".
    disposition: str = ""
    #: Why (for partly or not incorporated).
    reason: str = ""
    #: What changed in the draft because of it (the decision trail), "" when nothing did.
    change: str = ""
    #: "Utkast" when the secretariat's memo shows a reply not yet approved; "" when final.
    state: str = ""


@dataclass
class MemoPoint:
    """A main point (hovedpunkt) of a goal: a theme, who raised it and the answer."""

    theme: str
    count: int
    #: "12 input: 7 borgere, 4 organisationer, 1 session", largest group first.
    voices: str
    answer: MemoAnswer | None = None


@dataclass
class MemoReply:
    """A reply to inputs rather than to a theme, given once with how many it answers."""

    #: "Svar på 120 input (kampagne: Flere psykiatriske senge)".
    label: str
    answer: MemoAnswer


@dataclass
class MemoFigure:
    """One row of a goal's figures: a position, how many gave it, and the share."""

    label: str
    count: int
    share: float


@dataclass
class MemoGoal:
    title: str
    #: "Mål" or "Indsats".
    kind: str
    inputs: int
    figures: list[MemoFigure]
    #: e.g. "Vigtighed: 4,1 i gennemsnit, median 4 (68 svar)"; "" when none.
    importance: str
    #: A PNG chart of the positions by respondent group (160 mm wide), or None.
    chart_png: bytes | None
    #: The main points, largest first.
    points: list[MemoPoint] = field(default_factory=list)
    #: Replies to inputs (not to a theme), each once.
    replies: list[MemoReply] = field(default_factory=list)
    #: One line in words for what is not summed up: "No themes yet …", "Not answered yet: 12
    #: inputs", "12 inputs await moderation …"; each is shown as a note.
    notes: list[str] = field(default_factory=list)
    #: How many inputs nothing answers yet (neither a reply of their own nor one to a theme).
    unanswered: int = 0
    #: How many inputs on it still wait for a moderator: counted, never quoted.
    awaiting: int = 0
    #: The item's key, for links to it ("fa-1-goal-2").
    key: str = ""


@dataclass
class MemoArea:
    title: str
    goals: list[MemoGoal]


@dataclass
class MemoParty:
    """An organisation on the høringsliste, and what it answered."""

    name: str
    answered: bool
    #: "14 input: 9 støtter, 3 støtter med ændringer, 2 imod"; "" when it did not answer.
    summary: str = ""
    #: The first words of its general comment as moderated ("" when none may be quoted).
    comment: str = ""
    #: Whether the comment goes on in the appendix.
    comment_cut: bool = False
    #: "Høringsbrev vedlagt: svar.pdf"; "" when it sent no letter.
    letter: str = ""


@dataclass
class MemoComment:
    """A general comment, quoted whole in the appendix."""

    who: str
    text: str
    note: str = ""


@dataclass
class MemoChange:
    """A change in the draft from one version to the next."""

    title: str
    #: "Tilføjet", "Ændret", "Fjernet".
    what: str
    before: str = ""
    after: str = ""
    #: The decision trail: why it changed, and the voices behind it in words
    #: ("12 input: 5 borgere, 4 patientforeninger …"), when the secretariat recorded it.
    why: str = ""
    voices: str = ""


@dataclass
class AppendixGoal:
    """A goal in the appendix: its inputs, quoted whole and grouped by theme."""

    #: The focus area it belongs to.
    area: str
    title: str
    kind: str
    #: How many inputs it has in all, and how many the appendix quotes or lists.
    inputs: int
    #: (theme, input) pairs in order, theme by theme ("Uden tema" last); read when rendered.
    quotes: Iterable[tuple[str, MemoInput]] = field(default_factory=list)
    #: Inputs past ``INPUTS_PER_GOAL``: counted, not listed.
    not_listed: int = 0
    #: What the appendix says of them ("12 more inputs … are not listed …"), or "".
    note: str = ""
    key: str = ""
    #: The public report: the first few quotes, read when it is built, for its web page.
    sample: list[tuple[str, MemoInput]] = field(default_factory=list)


@dataclass
class Memo:
    #: e.g. "Høringsnotat" or "Det hørte vi – og det gjorde vi".
    kind: str
    title: str
    #: "da" or "en": the document's language.
    lang: str
    #: Paragraphs that open the document (the consultation period, how many answered …).
    intro: list[str]
    parties: list[MemoParty]
    areas: list[MemoArea]
    changes: list[MemoChange]
    #: Headings and fixed words in the document's language (see memo_words() in memo.py).
    words: dict[str, str]
    #: "23. november 2026" – shown under the title.
    date: str
    #: Whether this is the public report (only published, consented text) or the memo.
    public: bool = False
    #: The sign-off: one line per party ("Region Hovedstaden: godkendt af … den …").
    approvals: list[str] = field(default_factory=list)
    #: The section on general comments and letters: paragraphs in words.
    general: list[str] = field(default_factory=list)
    #: Letters, named by file with their organisation ("Danske Patienter: svar.pdf"), for the
    #: appendix (read when rendered: a large consultation has thousands).
    letters: Iterable[str] = field(default_factory=list)
    #: The appendix (Bilag): every input per goal, grouped by theme, then general comments.
    appendix: list[AppendixGoal] = field(default_factory=list)
    #: The general comments, quoted whole (read when rendered, like the appendix's inputs).
    comments: Iterable[MemoComment] = field(default_factory=list)
    #: What the appendix of comments says of those it does not list, or "".
    comments_note: str = ""

"""The høringsnotat and the public report as plain data, ready for any renderer.

``consult.exports.memo`` builds a ``Memo`` from the database (everything for the
secretariat's høringsnotat, or only what may be public for the public report); the DOCX and
PDF renderers lay it out without touching the database. Every text in it is final: already
translated, already moderated and redacted, already chosen by consent (``consult.readside``).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

#: Inputs a document lists per goal or initiative at most. Real consultations have up to a
#: few hundred per goal; a memo of a million inputs would be a book nobody reads, and the
#: DOCX, built in memory, would need gigabytes (docs/performance.md). The rest are counted.
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
class MemoBlock:
    """Inputs answered together: by one reply, or each on its own when there is none."""

    inputs: list[MemoInput]
    #: The secretariat's reply, or None when there is none (yet).
    reply: str | None = None
    #: "Indarbejdet", "Delvist indarbejdet", "Taget til efterretning", "Ikke indarbejdet".
    disposition: str | None = None
    #: Why (for partly or not incorporated).
    reason: str = ""
    #: "Kampagne: Flere psykiatriske senge" when the block is a campaign.
    campaign: str | None = None


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
    blocks: list[MemoBlock] = field(default_factory=list)
    #: When the document lists only some inputs (the public report), how many it leaves out.
    not_shown: int = 0
    #: How many inputs on it still wait for a moderator: counted, never quoted.
    awaiting: int = 0
    #: The item's key, for links to it ("fa-1-goal-2").
    key: str = ""
    #: Inputs past ``memo.INPUTS_PER_GOAL``: counted, not listed (see docs/performance.md).
    not_listed: int = 0


@dataclass
class MemoArea:
    title: str
    goals: list[MemoGoal]


@dataclass
class MemoParty:
    """An organisation on the høringsliste."""

    name: str
    answered: bool


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
    #: Headings and fixed words in the document's language (see HEADINGS in memo.py).
    words: dict[str, str]
    #: "23. november 2026" – shown under the title.
    date: str
    #: Whether this is the public report (only published, consented text) or the memo.
    public: bool = False
    #: The sign-off: one line per party ("Region Hovedstaden: godkendt af … den …").
    approvals: list[str] = field(default_factory=list)

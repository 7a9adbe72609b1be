"""Fill a database with many synthetic inputs. Run: .venv/bin/python -m bench.generate --inputs N.

Options: ``[--db URL] [--seed 7] [--days 60] [--batch 10000]``. Applies the migrations, loads
the reference data and the demo drafts, then gives the open demo consultation ``N`` inputs:
online responses, letters, a sprinkling of campaigns and confirmed moderated sessions, with
rankings, general comments and moderation as the small demo has them (consult/demo/responses.py,
texts from consult/demo/phrases.yaml). Rows go in with SQLAlchemy Core in batches: ids counted
here, one commit per batch, nothing kept beyond a batch. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from itertools import accumulate
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.engine import make_url

from consult import create_app
from consult.config import TestConfig
from consult.db import utcnow
from consult.demo import OPEN_DEMO
from consult.demo.responses import DEMO_PDF
from consult.demo.responses import OPENER_GROUP
from consult.demo.responses import STANCE_WEIGHTS
from consult.demo.responses import TYPE_WEIGHTS
from consult.demo.responses import phrases
from consult.drafts.models import Consultation
from consult.drafts.models import ItemKind
from consult.drafts.services import current_version
from consult.drafts.services import get_consultation
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.i18n import TIMEZONE
from consult.moderation import pii
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionFlag
from consult.moderation.models import HideReason
from consult.moderation.services import redacted
from consult.readside.staff import stored_mask
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.reference.models import municipality_clusters
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from consult.responses.models import Sector
from consult.responses.models import Stance
from consult.sessions.models import AgendaItem
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingGroup
from consult.sessions.models import MeetingInput

#: Insert order (parents first). Every table whose ids are counted here.
TABLES = [
    m.__table__
    for m in (
        Meeting,
        AgendaItem,
        MeetingGroup,
        Respondent,
        Response,
        Letter,
        Input,
        MeetingInput,
        Contribution,
        ContributionFlag,
        FocusAreaRank,
        GoalRank,
        ResponseEvent,
    )
]
#: Shares of the made-up population, beyond the demo's weights.
#: What consult.responses.pdftext reads of DEMO_PDF: the text of the benchmark's letters.
DEMO_PDF_TEXT = "Hoeringssvar - underskrevet"
CAMPAIGN_SHARE = 0.02  # of responses: one campaign text, anonymous, importance 5
DRAFT_SHARE = 0.03  # of responses: started, never sent (no contributions)
SESSION_SHARE = 0.003  # of inputs: said in a moderated session and confirmed
BACKLOG_SHARE = 0.01  # of older contributions: still waiting for a moderator
#: A moderator reviews a contribution this many hours after it arrived, on average.
REVIEW_HOURS = 10
#: Thousands of inhabitants: respondents come from where people live (others count 40).
POPULATION = {
    "koebenhavn": 650, "frederiksberg": 105, "gentofte": 75, "gladsaxe": 70, "helsingoer": 63,
    "lyngby-taarbaek": 57, "rudersdal": 57, "hvidovre": 54, "hilleroed": 53, "ballerup": 52,
    "hoeje-taastrup": 52, "frederikssund": 46, "egedal": 44, "taarnby": 43, "bornholm": 39,
    "vallensbaek": 17, "dragoer": 14, "hoersholm": 25, "alleroed": 26, "albertslund": 27,
}  # fmt: skip
#: When people write, by hour in Copenhagen: mornings, lunch and the evening after dinner.
HOUR_WEIGHTS = (
    2, 1, 1, 1, 1, 2, 5, 10, 16, 19, 19, 18,  # 00-11
    17, 17, 17, 15, 13, 13, 15, 19, 21, 18, 11, 5,  # 12-23
)  # fmt: skip
MEETING_GROUP_TYPES = ("citizen", "relative", "professional", "patient-association", "municipality")
SECTORS = list(Sector)
IMPORTANCE = ([1, 2, 3, 4, 5], [1, 2, 4, 6, 5])
GOAL = ItemKind.GOAL


def fingerprint(**texts: str) -> str:
    """The moderation fingerprint of an input's or a comment's texts (as sync_response makes it)."""
    joined = "\x1f".join(f"{k}={v}" for k, v in sorted(texts.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


class Clock:
    """Times within the open window: more towards today, fewer at weekends and at night."""

    def __init__(self, rng: random.Random, opens_at: datetime, now: datetime):
        self.rng, self.opens_at, self.now = rng, opens_at, now
        first, last = opens_at.astimezone(TIMEZONE).date(), now.astimezone(TIMEZONE).date()
        self.days = [first + timedelta(days=d) for d in range((last - first).days + 1)]
        weights = [
            (1 + 2 * i / max(len(self.days) - 1, 1)) * (0.55 if d.weekday() >= 5 else 1)
            for i, d in enumerate(self.days)
        ]
        weights[0] *= 2.5  # the launch: a press release and a newsletter
        self.day_cum = list(accumulate(weights))
        self.hour_cum = list(accumulate(HOUR_WEIGHTS))

    def at(self, day: date | None = None) -> datetime:
        for attempt in range(50):
            d = day if day and attempt < 10 else None
            d = d or self.rng.choices(self.days, cum_weights=self.day_cum)[0]
            hour = self.rng.choices(range(24), cum_weights=self.hour_cum)[0]
            local = datetime(d.year, d.month, d.day, hour, tzinfo=TIMEZONE)
            at = (local + timedelta(seconds=self.rng.randrange(3600))).astimezone(UTC)
            if self.opens_at <= at <= self.now - timedelta(minutes=1):
                return at
        return self.now - timedelta(minutes=5)

    def near(self, peak: int, spread_days: float) -> datetime:
        """A time a few days after ``peak`` (a day index): a campaign spreading and fading."""
        index = min(peak + int(self.rng.expovariate(1 / spread_days)), len(self.days) - 1)
        return self.at(self.days[index])


class Rows:
    """The rows of one batch by table, with ids counted on from the database's highest."""

    def __init__(self):
        self.next_id = {
            t.name: (db.session.scalar(select(func.max(t.c.id))) or 0) + 1 for t in TABLES
        }
        self.first_input_id = self.next_id["inputs"]
        self.pending: dict[str, list[dict]] = {t.name: [] for t in TABLES}
        self.made: Counter[str] = Counter()
        #: This batch's responses by id (a response and its inputs never span two batches).
        self.responses: dict[int, dict] = {}

    def add(self, table: str, **row) -> int:
        row_id = row["id"] = self.next_id[table]
        self.next_id[table] += 1
        self.pending[table].append(row)
        if table == "responses":
            self.responses[row_id] = row
        elif table == "inputs" and row["kind"] == "goal" and row["response_id"] in self.responses:
            # Responses.input_count, which the ORM keeps for the app, is kept here by hand.
            self.responses[row["response_id"]]["input_count"] += 1
        return row_id

    def size(self) -> int:
        return sum(1 for r in self.pending["inputs"] if r["kind"] == "goal")

    def flush(self) -> None:
        """Insert the batch, parents first, and commit it."""
        for table in TABLES:
            rows = self.pending[table.name]
            if rows:
                db.session.execute(insert(table), rows)
                if table.name == "inputs":
                    # "inputs" counts input on goals, what was asked for; general comments and
                    # letters (inputs with no goal) are counted as "statements".
                    goals = sum(1 for r in rows if r["kind"] == "goal")
                    self.made["inputs"] += goals
                    self.made["statements"] += len(rows) - goals
                else:
                    self.made[table.name] += len(rows)
                rows.clear()
        self.responses.clear()
        db.session.commit()


class Generator:
    """Make respondents, responses and what hangs off them, one response at a time."""

    def __init__(self, consultation: Consultation, seed: int, rows: Rows, now, moderator):
        self.rows, self.now, self.moderator_id = rows, now, moderator
        # Who says what depends on the seed alone; when, and so what is reviewed, on the clock.
        self.rng, self.timing = random.Random(seed), random.Random(seed + 1)
        self.consultation_id = consultation.id
        self.caps = consultation.max_ranked_focus_areas, consultation.max_ranked_goals
        self.bank = phrases()
        self.clock = Clock(self.timing, consultation.opens_at, now)
        tree = load_tree(current_version(consultation))
        self.commentable = [
            (n.key, n.item.id, n.revision.id, [a.id for a in n.revision.alternatives])
            for n in tree.commentable()
        ]
        self.areas = [
            (fa.item.id, fa.revision.title_da, [c.item.id for c in fa.children if c.kind == GOAL])
            for fa in tree.focus_areas
        ]
        self.by_key = {c[0]: c for c in self.commentable}
        self.area_of = {c.item.id: fa.item.id for fa in tree.focus_areas for c in fa.children}
        self.types = {t.code: t for t in db.session.scalars(select(RespondentType))}
        clusters: dict[int, list[int]] = {}
        for town_id, cluster_id in db.session.execute(select(municipality_clusters)):
            clusters.setdefault(town_id, []).append(cluster_id)
        towns = db.session.scalars(select(Municipality).where(Municipality.is_active)).all()
        self.towns = [(t.id, t.name_da, clusters.get(t.id, [])) for t in towns]
        self.town_cum = list(accumulate(POPULATION.get(t.code, 40) for t in towns))
        self.hide_as = {
            **{t: HideReason.OFF_TOPIC for t in self.bank["off_topic"]},
            **{t: HideReason.OFFENSIVE for t in self.bank["offensive"]},
            **{t: HideReason.SPAM for t in self.bank["spam"]},
        }
        self.campaign_peaks = [
            self.timing.randrange(len(self.clock.days)) for _ in self.bank["campaigns"]
        ]
        self._flags: dict[str, list[pii.Flag]] = {}
        self.letters = LetterFiles()

    # --- texts ---------------------------------------------------------------------------------

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def flags_of(self, fragment: str) -> list[pii.Flag]:
        """The personal-data guard's flags, found once per phrase of the bank (it is slow)."""
        if fragment not in self._flags:
            self._flags[fragment] = pii.find_personal_data(fragment)
        return self._flags[fragment]

    def compose(self, parts: list[str]) -> tuple[str, list[tuple[int, int, str]]]:
        """Join phrases into one text, with the guard's flags moved to where each phrase lands."""
        flags, at = [], 0
        for part in parts:
            flags += [(at + f.start, at + f.end, f.kind.value) for f in self.flags_of(part)]
            at += len(part) + 1
        return " ".join(parts), flags

    def reason(self, key: str, stance: Stance, type_code: str):
        """Why, as the demo's Composer.reason writes it; also its flags and a reason to hide it."""
        rng, bank, item = self.rng, self.bank, self.bank["items"][key]
        parts = []
        if rng.random() < 0.35:
            parts.append(rng.choice(bank["openers"][OPENER_GROUP.get(type_code, "organisation")]))
        parts.append(rng.choice(item[stance.value]))
        if stance is not Stance.NO_POSITION and rng.random() < 0.4:
            parts.append(rng.choice(item[stance.value]))
        roll = rng.random()
        if roll < 0.035:
            parts.append(rng.choice(bank["personal_data"]))
        elif roll < 0.055:
            unwanted = "off_topic" if roll < 0.045 else "offensive" if roll < 0.05 else "spam"
            parts = [rng.choice(bank[unwanted])]
        if rng.random() < 0.2:
            parts.append(rng.choice(bank["closers"]))
        if rng.random() < 0.08:  # a few people write only the position
            return "", [], None
        text, flags = self.compose(list(dict.fromkeys(parts)))
        return text, flags, self.hide_as.get(parts[0])

    # --- moderation ----------------------------------------------------------------------------

    def contribution(self, response_id, kind, queued_at, private, **source) -> None:
        """A contribution as sync_response queues it, then reviewed as a moderator would."""
        text, wording = source.get("text"), source.get("wording")
        flags = source.get("flags", [])
        row = {
            "consultation_id": self.consultation_id, "response_id": response_id, "kind": kind,
            "input_id": source.get("input_id"), "letter_id": source.get("letter_id"),
            "item_id": source.get("item_id"), "state": "pending",
            "fingerprint": source.get("sha256") or fingerprint(text=text, **(
                {} if wording is None else {"wording": wording})),
            "queued_at": queued_at, "reviewed_at": None, "reviewed_by_id": None,
            "public_text": None, "public_wording": None, "is_redacted": False, "reason": None,
            "note": "", "report_count": 0, "is_notified": False,
        }  # fmt: skip
        reviewed = queued_at + timedelta(hours=self.timing.expovariate(1 / REVIEW_HOURS))
        if private:
            row["state"] = "withheld"
        elif reviewed < self.now and self.timing.random() >= BACKLOG_SHARE:
            row.update(reviewed_at=reviewed, reviewed_by_id=self.moderator_id, is_notified=True)
            hide_as = source.get("hide_as")
            if hide_as is not None:
                row.update(state="hidden", reason=hide_as.value)
            elif flags:
                spans = {
                    f: [(s, e) for field, s, e, _ in flags if field == f]
                    for f in ("text", "wording")
                }
                row.update(
                    state="published", is_redacted=True, reason=HideReason.PERSONAL_DATA.value,
                    public_text=redacted(text, spans["text"]),
                    public_wording=None if wording is None else redacted(wording, spans["wording"]),
                )  # fmt: skip
            else:
                row.update(state="published", public_text=text, public_wording=wording)
        contribution_id = self.rows.add("contributions", **row)
        for field, start, end, kind_ in flags:
            self.rows.add(
                "contribution_flags",
                contribution_id=contribution_id, field=field, start=start, end=end, kind=kind_,
            )  # fmt: skip

    # --- responses -----------------------------------------------------------------------------

    def respondent(self, code: str | None, at, **fields) -> int:
        row_id = self.rows.next_id["respondents"]
        town = fields.pop("town", None)
        defaults = {
            "user_id": None, "email": f"respondent-{row_id:07d}@example.org",
            "email_confirmed_at": at, "name": "", "organisation": "", "sector": None,
            "respondent_type_id": self.types[code].id if code else None,
            "municipality_id": town[0] if town else None,
            "cluster_id": self.rng.choice(town[2]) if town and town[2] else None,
            "locale": "da", "created_at": at, "updated_at": at,
        }  # fmt: skip
        return self.rows.add("respondents", **{**defaults, **fields})

    def response(self, respondent_id: int, at, state="submitted", **fields) -> int:
        row_id = self.rows.next_id["responses"]
        submitted = state == "submitted" and fields.get("channel") != "session"
        receipt = f"H{at.year}-{self.consultation_id:03d}-{row_id:06d}"  # as receipt_number()
        defaults = {
            "consultation_id": self.consultation_id, "respondent_id": respondent_id,
            "channel": "online", "state": state, "consent": "anonymous",
            "receipt_number": receipt if submitted else None,
            "submitted_at": at if state == "submitted" else None, "withdrawn_at": None,
            "last_submit_key": f"bench-{row_id}" if submitted else None, "meeting_id": None,
            "input_count": 0,
            "created_at": at - timedelta(minutes=5), "updated_at": at,
        }  # fmt: skip
        self.rows.add("responses", **{**defaults, **fields})
        if submitted:
            self.rows.add(
                "response_events", response_id=row_id, at=at, action="submitted", snapshot="{}"
            )
        return row_id

    def input(self, response_id, node, at, private, submitted=True, **fields) -> int:
        key, item_id, revision_id, _ = node
        stance, text, flags, hide_as = fields.pop("stance"), fields.pop("text"), [], None
        if not isinstance(text, str):
            text, flags, hide_as = text
        wording = fields.pop("proposed_wording", "")
        row = {
            "response_id": response_id, "kind": "goal", "item_id": item_id,
            "revision_id": revision_id, "stance": stance.value, "importance": None, "text": text,
            "proposed_wording": wording,
            "preferred_alternative_id": None, "position": 0, "created_at": at, "updated_at": at,
            # What the ORM stores when the text is set (consult.readside.staff).
            "masked_text": stored_mask(text), "masked_wording": stored_mask(wording),
        }  # fmt: skip
        input_id = self.rows.add("inputs", **{**row, **fields})
        if submitted:
            wording_flags = [
                ("wording", f.start, f.end, f.kind.value) for f in self.flags_of(wording)
            ]
            self.contribution(
                response_id, "input", at, private, input_id=input_id, item_id=item_id,
                text=text, wording=wording, hide_as=hide_as,
                flags=[("text", s, e, k) for s, e, k in flags] + wording_flags,
            )  # fmt: skip
        return input_id

    def statement(self, response_id, kind: str, text: str, at) -> int:
        """A response's general comment or letter as an input (no goal)."""
        row = {
            "response_id": response_id, "kind": kind, "item_id": None, "revision_id": None,
            "stance": None, "importance": None, "text": text, "proposed_wording": "",
            "preferred_alternative_id": None, "position": 0, "created_at": at, "updated_at": at,
            "masked_text": stored_mask(text), "masked_wording": None,
        }  # fmt: skip
        return self.rows.add("inputs", **row)

    def online(self, budget: int) -> int:
        """One respondent's response, online or by letter; return how many inputs it has."""
        rng, bank = self.rng, self.bank
        code = self.weighted(TYPE_WEIGHTS)
        kind = self.types[code]
        is_org = kind.is_organisation
        town = rng.choices(self.towns, cum_weights=self.town_cum)[0]
        organisation = rng.choice(bank["organisations"][code]) if is_org else ""
        if code in ("patient-association", "interest-organisation") and rng.random() < 0.6:
            organisation = f"{organisation}, lokalafdeling {town[1]}"
        named = is_org or rng.random() < 0.15
        private = not is_org and rng.random() < 0.12
        name = f"{rng.choice(bank['first_names'])} {rng.choice(bank['last_names'])}"
        consent = "private" if private else ("named" if named else "anonymous")
        channel = "letter" if is_org and rng.random() < 0.15 else "online"
        state = "draft" if rng.random() < DRAFT_SHARE else "submitted"
        submitted = state == "submitted"
        at = self.clock.at()
        respondent_id = self.respondent(
            code, at - timedelta(minutes=rng.randrange(5, 600)), town=town,
            name=name if named and not is_org else "", organisation=organisation,
            sector=rng.choice(SECTORS).value if kind.asks_sector else None,
            locale="en" if rng.random() < 0.08 else "da",
        )  # fmt: skip
        comment = ""
        if rng.random() < (0.8 if is_org else 0.25):
            comment = rng.choice(bank["general_comments"]["organisation" if is_org else "person"])
        response_id = self.response(respondent_id, at, state, channel=channel, consent=consent)
        # Organisations answer four goals or more, most of them few more (the demo: 4 to all).
        most = len(self.commentable)
        count = int(rng.triangular(4, most + 1, 4)) if is_org else rng.randint(1, 4)
        for node in rng.sample(self.commentable, min(count, budget)):
            stance = self.weighted(STANCE_WEIGHTS)
            wordings = bank["items"][node[0]]["wordings"]
            change = stance is Stance.SUPPORT_WITH_CHANGES and rng.random() < 0.35
            alternatives = node[3] if rng.random() < 0.7 else None
            self.input(
                response_id, node, at, private, submitted, stance=stance,
                importance=rng.choices(*IMPORTANCE)[0] if rng.random() < 0.85 else None,
                text=self.reason(node[0], stance, code),
                proposed_wording=rng.choice(wordings) if change else "",
                preferred_alternative_id=rng.choice(alternatives) if alternatives else None,
            )  # fmt: skip
        if rng.random() < 0.6:
            self.rank(response_id)
        if comment:
            text, flags = self.compose([comment])
            input_id = self.statement(response_id, "comment", text, at)
            if submitted:
                flags = [("text", s, e, k) for s, e, k in flags]
                self.contribution(
                    response_id, "comment", at, private, input_id=input_id, text=text, flags=flags
                )
        if submitted and is_org and rng.random() < 0.3:
            letter_id = self.rows.next_id["letters"]
            self.rows.add(
                "letters", response_id=response_id, filename=f"Høringssvar {organisation}.pdf",
                size_bytes=len(DEMO_PDF), sha256=self.letters.sha256,
                storage_name=self.letters.add(letter_id), created_at=at, updated_at=at,
            )  # fmt: skip
            input_id = self.statement(response_id, "letter", DEMO_PDF_TEXT, at)
            self.contribution(
                response_id, "letter", at, private, input_id=input_id, letter_id=letter_id,
                sha256=self.letters.sha256,
            )  # fmt: skip
        return min(count, budget)

    def rank(self, response_id: int) -> None:
        """Rank 1..cap focus areas and up to the cap of goals in each, as set_ranking stores it."""
        cap_areas, cap_goals = self.caps
        for rank, (area_id, _, goals) in enumerate(
            self.rng.sample(self.areas, self.rng.randint(1, min(cap_areas, len(self.areas)))), 1
        ):
            self.rows.add(
                "focus_area_ranks", response_id=response_id, item_id=area_id, rank=rank,
                max_rank=cap_areas,
            )  # fmt: skip
            take = self.rng.randint(0, min(len(goals), cap_goals))
            for goal_rank, goal_id in enumerate(self.rng.sample(goals, take), 1):
                self.rows.add(
                    "goal_ranks", response_id=response_id, focus_area_id=area_id, item_id=goal_id,
                    rank=goal_rank, max_rank=cap_goals,
                )  # fmt: skip

    def campaign(self) -> int:
        """An anonymous citizen sends a campaign's text on its goal: one input."""
        index = self.rng.randrange(len(self.bank["campaigns"]))
        campaign = self.bank["campaigns"][index]
        at = self.clock.near(self.campaign_peaks[index], 2.5)
        respondent_id = self.respondent("citizen", at - timedelta(minutes=3))
        response_id = self.response(respondent_id, at)
        text, flags = self.compose([self.rng.choice(campaign["texts"])])
        self.input(
            response_id, self.by_key[campaign["item"]], at, False, importance=5,
            stance=Stance(campaign["stance"]), text=(text, flags, None),
        )  # fmt: skip
        return 1

    def meeting(self, budget: int) -> int:
        """A theme meeting on one focus area, held and confirmed: its groups' session inputs."""
        rng = self.rng
        area_id, title, _ = rng.choice(self.areas)
        agenda = [n for n in self.commentable if self.area_of[n[1]] == area_id]
        starts = max(min(self.clock.at(), self.now - timedelta(hours=6)), self.clock.opens_at)
        starts = starts.replace(minute=0, second=0, microsecond=0)
        ended = starts + timedelta(hours=2, minutes=30)
        confirmed = min(
            ended + timedelta(days=8), self.now - timedelta(minutes=self.timing.randrange(30, 300))
        )
        confirmed = max(confirmed, ended)
        meeting_id = self.rows.next_id["meetings"]
        kinds = rng.choices(MEETING_GROUP_TYPES, k=rng.randint(3, 6))
        groups = [None] + [(code, rng.randint(2, 9)) for code in kinds]
        town = rng.choices(self.towns, cum_weights=self.town_cum)[0]
        self.rows.add(
            "meetings", consultation_id=self.consultation_id, title=f"Temamøde: {title}"[:200],
            starts_at=starts, place=f"Sundhedshuset, {town[1]}", online_url="", locale="da",
            state="confirmed", participant_count=sum(g[1] for g in groups[1:]) + rng.randint(0, 4),
            join_code=f"B{meeting_id:07d}", current_item_id=None, confirm_days=8,
            started_at=starts, ended_at=ended, confirm_by=ended + timedelta(days=8),
            confirmed_at=confirmed, created_by_id=None, created_at=starts - timedelta(days=14),
            updated_at=confirmed,
        )  # fmt: skip
        for position, node in enumerate(agenda):
            self.rows.add(
                "meeting_agenda", meeting_id=meeting_id, item_id=node[1], position=position
            )
        speakers = []
        for position, group in enumerate(groups):
            group_id = code = None
            organisation = ""
            if group is not None:
                code, count = group
                if self.types[code].is_organisation:
                    organisation = rng.choice(self.bank["organisations"][code])
                group_id = self.rows.add(
                    "meeting_groups", meeting_id=meeting_id, respondent_type_id=self.types[code].id,
                    organisation=organisation, participant_count=count, position=position - 1,
                )  # fmt: skip
            speakers.append([group_id, code, organisation, None])
        made = 0
        for node in agenda:
            for speaker in speakers:
                group_id, code, organisation, response_id = speaker
                for position in range(rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]):
                    if made >= budget:
                        return made
                    if response_id is None:
                        respondent_id = self.respondent(
                            code, confirmed, email=None, email_confirmed_at=None,
                            organisation=organisation,
                        )  # fmt: skip
                        response_id = speaker[3] = self.response(
                            respondent_id, confirmed, channel="session", meeting_id=meeting_id,
                            consent="named" if organisation else "anonymous",
                        )  # fmt: skip
                    stance = self.weighted(STANCE_WEIGHTS)
                    text = self.reason(node[0], stance, code or "citizen")
                    input_id = self.input(
                        response_id, node, confirmed, False, stance=stance, text=text,
                        position=position,
                    )  # fmt: skip
                    self.rows.add(
                        "meeting_inputs", meeting_id=meeting_id, item_id=node[1],
                        revision_id=node[2], group_id=group_id, stance=stance.value, text=text[0],
                        proposed_wording="", state="accepted",
                        from_participant=rng.random() < 0.2, merged_into_id=None, resolution="",
                        resolved_at=None, input_id=input_id, created_at=ended, updated_at=ended,
                    )  # fmt: skip
                    made += 1
        return made


class LetterFiles:
    """Every letter's file, through the configured storage (FILE_STORAGE).

    On the local backend a hard link to one PDF in its letters/ folder (real files, little
    disk); on the others (database, S3) a stored copy per letter, as uploads would make.
    """

    def __init__(self):
        from consult import storage

        backend = storage.backend()
        self.sha256 = hashlib.sha256(DEMO_PDF).hexdigest()
        self.dir = None
        if isinstance(backend, storage.LocalBackend):
            self.dir = backend.root / "letters"
            self.dir.mkdir(parents=True, exist_ok=True)
            self.master = self.dir / ".bench-letter.pdf"
            self.master.write_bytes(DEMO_PDF)

    def add(self, letter_id: int) -> str:
        from consult import storage
        from consult.responses.letters import key_of

        name = f"bench-{letter_id:08d}.pdf"
        if self.dir is None:
            storage.save(key_of(name), io.BytesIO(DEMO_PDF))  # stored with the batch's commit
            return name
        target = self.dir / name
        if not target.exists():
            try:
                os.link(self.master, target)
            except OSError:
                target.write_bytes(DEMO_PDF)
        return name


def prepare(days: int | None = 60, now: datetime | None = None) -> Consultation:
    """Load the reference data and the demo drafts; open the demo ``days`` ago (None: as is)."""
    from consult.demo import load_demo_drafts
    from consult.demo import load_demo_reference_data

    load_demo_reference_data()
    load_demo_drafts()
    consultation = get_consultation(OPEN_DEMO)
    if days is not None:
        local = (now or utcnow()).astimezone(TIMEZONE).date() - timedelta(days=days)
        consultation.opens_at = datetime(local.year, local.month, local.day, 9, tzinfo=TIMEZONE)
    db.session.commit()
    return consultation


def generate(
    inputs: int,
    *,
    seed: int = 7,
    batch_size: int = 10_000,
    moderator_id: int | None = None,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Counter[str], range]:
    """Give the open demo ``inputs`` more inputs on goals; return rows made per table (general
    comments and letters as "statements") and the ids of every input made.

    Call ``prepare`` first. Commits once per batch of about ``batch_size`` inputs.
    """
    consultation = get_consultation(OPEN_DEMO)
    rows = Rows()
    maker = Generator(consultation, seed, rows, now or utcnow(), moderator_id)
    session_inputs = max(round(inputs * SESSION_SHARE), min(inputs // 10, 10))
    made = 0
    while made < inputs:
        budget = inputs - made
        if session_inputs > 0:
            step = maker.meeting(min(session_inputs, budget))
            session_inputs -= step
        elif maker.rng.random() < CAMPAIGN_SHARE:
            step = maker.campaign()
        else:
            step = maker.online(budget)
        made += step
        if rows.size() >= batch_size:
            rows.flush()
            if progress:
                progress(made)
    rows.flush()
    _advance_sequences(rows.made)
    return rows.made, range(rows.first_input_id, rows.next_id["inputs"])


def _advance_sequences(made: Counter[str]) -> None:
    """PostgreSQL: ids were given here, so move each id sequence past the highest one."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in {t.name for t in TABLES} & set(made):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our names
                f"(SELECT max(id) FROM {table}))"
            )
        )
    db.session.commit()


def build_search_index(connection, input_ids: range, chunk: int = 20_000) -> int:
    """SQLite: put the new inputs in the FTS index, a chunk of ids at a time (memory stays flat)."""
    from consult.analysis.search import create_index
    from consult.analysis.search import rebuild

    if connection.dialect.name != "sqlite":
        return 0
    create_index(connection)
    done = 0
    for start in range(input_ids.start, input_ids.stop, chunk):
        done += rebuild(connection, range(start, min(start + chunk, input_ids.stop)))
    return done


def _ensure_database(url: str) -> None:
    """PostgreSQL: create the database when it is not there yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        known = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not known:
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
            print(f"created database {parsed.database}")
    admin.dispose()


def _size_mib() -> float:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(sa.text("SELECT pg_database_size(current_database())")) / 2**20
    path = Path(db.engine.url.database or "")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=60, help="open the demo this many days ago")
    parser.add_argument("--batch", type=int, default=10_000, help="inputs per commit")
    parser.add_argument(
        "--storage", default="local", help="FILE_STORAGE for the letters: local, database, s3://…"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = args.db or f"sqlite:///{scratch / 'bench.db'}"
    print(f"database: {make_url(url).render_as_string()}\nfiles:    {args.storage}")
    _ensure_database(url)
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "FILE_STORAGE": args.storage,
        "FILE_DIR": str(scratch / "files"),
    }
    app = create_app(type("Bench", (TestConfig,), settings))
    phases: dict[str, float] = {}
    with app.app_context():
        from flask_migrate import upgrade

        from consult.accounts.models import Role
        from consult.accounts.services import find_user_by_email
        from consult.demo import reset_demo_users

        start = time.perf_counter()
        upgrade()
        prepare(args.days)
        logins = reset_demo_users()
        moderator = next(u for u in logins if u.role is Role.MODERATOR)
        moderator_id = find_user_by_email(moderator.email).id
        db.session.commit()
        phases["migrate + demo drafts + users"] = time.perf_counter() - start

        start, step, shown = time.perf_counter(), max(args.inputs // 10, 1), 0

        def progress(made: int) -> None:
            nonlocal shown
            if made // step != shown:  # a line per tenth
                shown = made // step
                rate = made / (time.perf_counter() - start)
                print(f"{made:>11,} inputs {rate:>8,.0f}/s  peak RSS {_peak_rss_mib():,.0f} MiB")

        made, input_ids = generate(
            args.inputs, seed=args.seed, batch_size=args.batch, moderator_id=moderator_id,
            progress=progress,
        )  # fmt: skip
        phases["generate"] = generated = time.perf_counter() - start
        start = time.perf_counter()
        if build_search_index(db.session.connection(), input_ids):
            phases["FTS index (SQLite)"] = time.perf_counter() - start
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            start = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
            phases["ANALYZE (PostgreSQL)"] = time.perf_counter() - start
        _summary(made, phases, generated)
        print("logins:", *(f"{u.role.value} {u.email} {u.password}" for u in logins), sep="\n  ")
        db.session.remove()
        db.engine.dispose()


def _summary(made: Counter[str], phases: dict[str, float], generated: float) -> None:
    print(f"\n{'table':<22}{'made':>12}{'in table':>12}")
    for table in TABLES:
        total = db.session.scalar(select(func.count()).select_from(table))
        print(f"{table.name:<22}{made[table.name]:>12,}{total:>12,}")
    responses = db.session.scalar(select(func.count()).select_from(Response))
    inputs = db.session.scalar(select(func.count()).select_from(Input))
    print(f"inputs per response: {inputs / max(responses, 1):.2f}; database {_size_mib():,.0f} MiB")
    for label, seconds in phases.items():
        print(f"{label:<32}{seconds:>9.1f} s")
    rows = sum(made.values())
    print(
        f"generate: {rows:,} rows, {rows / generated:,.0f} rows/s, "
        f"{made['inputs'] / generated:,.0f} inputs/s; peak RSS {_peak_rss_mib():,.0f} MiB"
    )


if __name__ == "__main__":
    main()

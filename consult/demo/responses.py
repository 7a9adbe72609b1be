"""Synthetic but realistic responses to the demo consultation, composed from a phrase bank.

Deterministic (a seeded random generator), idempotent (nothing happens when the consultation
already has responses), and made through the same services a respondent's browser uses, so
flags, history and moderation states are what the real pages would produce. The demo
moderator then reviews all but the last 12 hours, leaving a realistic queue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from sqlalchemy import select
from sqlalchemy import update

from consult.db import utcnow
from consult.drafts.models import ItemKind
from consult.drafts.services import Tree
from consult.drafts.services import current_version
from consult.drafts.services import get_consultation
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.responses import letters
from consult.responses import services as responses
from consult.responses.models import Channel
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from consult.responses.models import Sector
from consult.responses.models import Stance

PHRASES = Path(__file__).parent / "phrases.yaml"

#: Who answers, and how often (weights), as in a regional consultation.
TYPE_WEIGHTS = {
    "citizen": 40,
    "relative": 14,
    "patient-representative": 6,
    "professional": 16,
    "researcher": 2,
    "politician": 2,
    "patient-association": 8,
    "interest-organisation": 5,
    "municipality": 4,
    "health-cluster": 2,
    "region": 1,
}
STANCE_WEIGHTS = {
    Stance.SUPPORT: 40,
    Stance.SUPPORT_WITH_CHANGES: 34,
    Stance.OPPOSE: 16,
    Stance.NO_POSITION: 10,
}
OPENER_GROUP = {
    "citizen": "citizen",
    "relative": "relative",
    "patient-representative": "patient-representative",
    "professional": "professional",
    "researcher": "professional",
    "politician": "citizen",
}
#: A one-page PDF, valid enough for any reader and with no text to read: the benchmark's letters.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 14 Tf 72 770 Td (Hoeringssvar - underskrevet) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def letter_pdf(organisation: str, paragraphs: list[str]) -> bytes:
    """A demo organisation's signed letter: a real PDF with text staff can search."""
    buffer = BytesIO()
    styles = getSampleStyleSheet()
    title = f"Høringssvar fra {organisation}"
    # invariant: no creation date or random id, so the same demo makes the same files.
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=organisation, invariant=True
    )
    story = [Paragraph(escape(title), styles["Title"])]
    for paragraph in [*paragraphs, "Med venlig hilsen", organisation]:
        story += [Paragraph(escape(paragraph), styles["BodyText"]), Spacer(1, 8)]
    document.build(story)
    return buffer.getvalue()


@cache
def phrases() -> dict:
    return yaml.safe_load(PHRASES.read_text(encoding="utf-8"))


@dataclass
class Profile:
    type_code: str
    organisation: str
    name: str
    municipality: Municipality | None
    consent: Consent
    locale: str
    channel: Channel


class Composer:
    """Pick respondents and compose their texts from the phrase bank."""

    def __init__(self, rng: random.Random, types: dict[str, RespondentType], towns: list):
        self.rng, self.types, self.towns = rng, types, towns
        self.bank = phrases()

    def choice(self, seq):
        return self.rng.choice(seq)

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def profile(self) -> Profile:
        code = self.weighted(TYPE_WEIGHTS)
        is_org = self.types[code].is_organisation
        organisation = self.choice(self.bank["organisations"][code]) if is_org else ""
        named = is_org or self.rng.random() < 0.15
        private = not is_org and self.rng.random() < 0.12
        name = (
            ""
            if is_org or not named
            else f"{self.choice(self.bank['first_names'])} {self.choice(self.bank['last_names'])}"
        )
        return Profile(
            type_code=code,
            organisation=organisation,
            name=name,
            municipality=self.choice(self.towns),
            consent=Consent.PRIVATE if private else (Consent.NAMED if named else Consent.ANONYMOUS),
            locale="en" if self.rng.random() < 0.08 else "da",
            channel=Channel.LETTER if is_org and self.rng.random() < 0.15 else Channel.ONLINE,
        )

    def reason(self, key: str, stance: Stance, type_code: str) -> str:
        item = self.bank["items"][key]
        parts = []
        group = OPENER_GROUP.get(type_code, "organisation")
        if self.rng.random() < 0.35:
            parts.append(self.choice(self.bank["openers"][group]))
        parts.append(self.choice(item[stance.value]))
        if stance is not Stance.NO_POSITION and self.rng.random() < 0.4:
            parts.append(self.choice(item[stance.value]))
        roll = self.rng.random()
        if roll < 0.035:
            parts.append(self.choice(self.bank["personal_data"]))
        elif roll < 0.045:
            parts = [self.choice(self.bank["off_topic"])]
        elif roll < 0.05:
            parts = [self.choice(self.bank["offensive"])]
        elif roll < 0.055:
            parts = [self.choice(self.bank["spam"])]
        if self.rng.random() < 0.2:
            parts.append(self.choice(self.bank["closers"]))
        # A few people write only the position.
        return "" if self.rng.random() < 0.08 else " ".join(dict.fromkeys(parts))


def _respondent(composer: Composer, profile: Profile, n: int) -> Respondent:
    respondent_type = composer.types[profile.type_code]
    clusters = profile.municipality.clusters if profile.municipality else []
    respondent = Respondent(
        email=f"demo-respondent-{n:05d}@example.org",
        email_confirmed_at=utcnow(),
        name=profile.name,
        organisation=profile.organisation,
        respondent_type=respondent_type,
        sector=composer.choice(list(Sector)) if respondent_type.asks_sector else None,
        municipality=profile.municipality,
        cluster=composer.choice(clusters) if clusters else None,
        locale=profile.locale,
    )
    db.session.add(respondent)
    db.session.flush()
    return respondent


def _answer(composer: Composer, response: Response, tree: Tree, profile: Profile) -> None:
    commentable = tree.commentable()
    is_org = composer.types[profile.type_code].is_organisation
    count = composer.rng.randint(4, len(commentable)) if is_org else composer.rng.randint(1, 4)
    for node in composer.rng.sample(commentable, count):
        stance = composer.weighted(STANCE_WEIGHTS)
        item = composer.bank["items"][node.key]
        wording = (
            composer.choice(item["wordings"])
            if stance is Stance.SUPPORT_WITH_CHANGES and composer.rng.random() < 0.35
            else ""
        )
        alternatives = node.revision.alternatives
        responses.save_input(
            response,
            node,
            stance=stance,
            importance=composer.rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 6, 5])[0]
            if composer.rng.random() < 0.85
            else None,
            text=composer.reason(node.key, stance, profile.type_code),
            proposed_wording=wording,
            preferred_alternative_id=composer.choice(alternatives).id
            if alternatives and composer.rng.random() < 0.7
            else None,
        )


def _rank(composer: Composer, response: Response, tree: Tree) -> None:
    consultation = response.consultation
    areas = composer.rng.sample(
        tree.focus_areas, composer.rng.randint(1, consultation.max_ranked_focus_areas)
    )
    goals = {}
    for area in areas:
        choices = [c for c in area.children if c.kind is ItemKind.GOAL]
        take = composer.rng.randint(0, min(len(choices), consultation.max_ranked_goals))
        if take:
            goals[area.item.id] = [g.item.id for g in composer.rng.sample(choices, take)]
    responses.set_ranking(response, tree, [a.item.id for a in areas], goals)


def _campaign_responses(composer: Composer, tree: Tree, consultation, start: int) -> list:
    made = []
    for campaign in composer.bank["campaigns"]:
        node = tree.by_key[campaign["item"]]
        for text in campaign["texts"] * 3:
            profile = composer.profile()
            profile.type_code, profile.organisation, profile.name = "citizen", "", ""
            profile.consent = Consent.ANONYMOUS
            respondent = _respondent(composer, profile, start + len(made))
            response = responses.response_for(consultation, respondent)
            response.consent = profile.consent
            responses.save_input(
                response,
                node,
                stance=Stance(campaign["stance"]),
                importance=5,
                text=text,
                proposed_wording="",
                preferred_alternative_id=None,
            )
            made.append(response)
    return made


def load_demo_responses(
    slug: str, count: int = 260, seed: int = 2024, on_progress=lambda done, total: None
) -> int:
    """Make ``count`` responses (and a campaign or two) on the demo consultation, once.

    Returns how many responses were made; 0 when the consultation already has some.
    ``on_progress(done, total)`` is told after each response.
    """
    consultation = get_consultation(slug)
    if consultation is None or db.session.scalar(
        select(Response.id).where(Response.consultation_id == consultation.id).limit(1)
    ):
        return 0
    tree = load_tree(current_version(consultation))
    types = {t.code: t for t in db.session.scalars(select(RespondentType))}
    towns = db.session.scalars(select(Municipality).where(Municipality.is_active)).all()
    composer = Composer(random.Random(seed), types, list(towns))  # noqa: S311 - demo data
    made = []
    for n in range(count):
        profile = composer.profile()
        respondent = _respondent(composer, profile, n)
        response = responses.response_for(consultation, respondent)
        response.consent, response.channel = profile.consent, profile.channel
        _answer(composer, response, tree, profile)
        if composer.rng.random() < 0.6:
            _rank(composer, response, tree)
        is_org = types[profile.type_code].is_organisation
        if composer.rng.random() < (0.8 if is_org else 0.25):
            group = "organisation" if is_org else "person"
            responses.save_comment(
                response, composer.choice(composer.bank["general_comments"][group]), profile.consent
            )
        if is_org and composer.rng.random() < 0.3:
            # A generator of its own, so the rest of the demo stays what it was before letters
            # had text.
            pick = random.Random(f"{seed}-letter-{n}").choice  # noqa: S311 - demo data
            pdf = letter_pdf(
                profile.organisation,
                [
                    pick(composer.bank["general_comments"]["organisation"]),
                    pick(composer.bank["letters"]),
                ],
            )
            letters.attach_letter(response, BytesIO(pdf), f"Høringssvar {profile.organisation}.pdf")
        made.append(response)
        on_progress(n + 1, count)
    made += _campaign_responses(composer, tree, consultation, count)
    for response in made:
        responses.submit_response(response, key=f"demo-{response.id}")
    _spread_over_time(composer, made, consultation.opens_at)
    return len(made)


def _spread_over_time(composer: Composer, made: list[Response], opens_at: datetime) -> None:
    """Date the responses across the days the consultation has been open, more lately."""
    now = utcnow()
    span = max((now - opens_at).total_seconds() - 3600, 3600)
    for response in made:
        at = now - timedelta(seconds=span * (1 - composer.rng.random() ** 0.7))
        ids = {"response_id": response.id}
        for statement in (
            update(Response).filter_by(id=response.id).values(submitted_at=at, created_at=at),
            update(Input).filter_by(**ids).values(created_at=at, updated_at=at),
            update(ResponseEvent).filter_by(**ids).values(at=at),
            update(Contribution).filter_by(**ids).values(queued_at=at),
        ):
            # Everything is expired below: no need for SQLAlchemy to mirror each update.
            db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()


def moderate_demo(
    slug: str, moderator, keep_pending: timedelta = timedelta(hours=12), keep_flagged: int = 6
) -> int:
    """Review what arrived before ``keep_pending`` ago as a careful moderator would.

    Clean texts are published, flagged ones have the flagged parts removed, and texts from
    the phrase bank's off-topic, offensive and spam lists are hidden. The newest
    ``keep_flagged`` flagged texts are left in the queue whatever their age, so there is
    always personal data for a moderator to find. Returns how many were reviewed.
    """
    consultation = get_consultation(slug)
    bank = phrases()
    hide_as = {
        **{t: HideReason.OFF_TOPIC for t in bank["off_topic"]},
        **{t: HideReason.OFFENSIVE for t in bank["offensive"]},
        **{t: HideReason.SPAM for t in bank["spam"]},
    }
    flagged = moderation.QueueFilter(consultation_id=consultation.id, flag="flagged")
    left_flagged = {
        c.id for c in db.session.scalars(moderation.queue_query(flagged)).all()[-keep_flagged:]
    }
    waiting = [
        c
        for c in db.session.scalars(
            moderation.queue_query(moderation.QueueFilter(consultation_id=consultation.id)).where(
                Contribution.queued_at < utcnow() - keep_pending
            )
        )
        if c.id not in left_flagged
    ]
    for contribution in waiting:
        texts = moderation.texts_of(contribution)
        reason = hide_as.get(texts.get("text", ""))
        if reason is not None:
            moderation.hide(contribution, moderator, reason)
        elif contribution.flags:
            spans: dict[str, list[tuple[int, int]]] = {}
            for flag in contribution.flags:
                spans.setdefault(flag.field, []).append((flag.start, flag.end))
            moderation.redact(contribution, moderator, spans, HideReason.PERSONAL_DATA)
        else:
            moderation.publish(contribution, moderator)
    for contribution in waiting:
        contribution.is_notified = True  # demo respondents get no mail
    return len(waiting)

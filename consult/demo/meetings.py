"""The demo's sessions: a theme meeting held and confirmed, and one planned to try live."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import get_consultation
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.reference.models import RespondentType
from consult.responses.models import Stance
from consult.sessions import confirmation
from consult.sessions import services
from consult.sessions.models import Meeting

#: (goal key, group index or None for the whole group, stance, what was said)
HEARD = [
    (
        "fa-1-goal-1",
        0,
        Stance.SUPPORT,
        "Udskrivelsen skal planlægges fra første dag, også fredag eftermiddag.",
    ),
    (
        "fa-1-goal-1",
        1,
        Stance.SUPPORT_WITH_CHANGES,
        "Kommunen skal vide besked, før borgeren står i døren. Skriv det ind i målet.",
    ),
    (
        "fa-1-goal-2",
        None,
        Stance.SUPPORT,
        "Gruppen var enig: én kontaktperson, der kender hele forløbet.",
    ),
    (
        "fa-1-goal-2",
        0,
        Stance.OPPOSE,
        "Formulering B er for vag – »styr på forløbet« siger ikke, hvem der har ansvaret.",
    ),
    (
        "fa-2-goal-2",
        0,
        Stance.SUPPORT_WITH_CHANGES,
        "Pårørende skal inddrages, også når patienten er over 18.",
    ),
    (
        "fa-2-goal-2",
        1,
        Stance.SUPPORT,
        "Peer-medarbejdere gør en forskel i overgangen mellem psykiatri og kommune.",
    ),
    (
        "fa-2-goal-4",
        None,
        Stance.OPPOSE,
        "Målet lover mere, end der er sengepladser til. Gruppen ønsker en plan for kapaciteten.",
    ),
]


def load_demo_meetings(slug: str, facilitator, secretariat) -> int:
    """Make the demo sessions once; return how many were made."""
    consultation = get_consultation(slug)
    if consultation is None or db.session.scalar(
        select(exists().where(Meeting.consultation_id == consultation.id))
    ):
        return 0
    tree = load_tree(current_version(consultation))
    types = {t.code: t.id for t in db.session.scalars(select(RespondentType))}
    now = utcnow()
    held = services.create_meeting(
        secretariat,
        consultation,
        services.MeetingSpec(
            title="Temamøde med patientinddragelsesudvalget",
            starts_at=now - timedelta(days=12),
            place="Regionsgården, Kongens Vænge 2, Hillerød",
            online_url="",
            locale="da",
            participant_count=16,
            confirm_days=8,
            facilitators=[facilitator],
            agenda=[tree.by_key["fa-1"].item.id, tree.by_key["fa-2"].item.id],
            groups=[
                services.GroupSpec(types["patient-representative"], "", 11),
                services.GroupSpec(types["patient-association"], "Danske Patienter", 3),
            ],
            emails=["piu-medlem@example.org"],
        ),
        tree,
    )
    services.start(held, now=now - timedelta(days=12))
    for key, group, stance, text in HEARD:
        services.record(
            held,
            tree,
            item_id=tree.by_key[key].item.id,
            group_id=held.groups[group].id if group is not None else None,
            stance=stance,
            text=text,
        )
    confirmation.end(held, now=now - timedelta(days=12))
    confirmation.confirm(held, secretariat, now=now - timedelta(days=3))
    services.create_meeting(
        secretariat,
        consultation,
        services.MeetingSpec(
            title="Dialogmøde om psykiatrien i Sundhedsklynge Syd",
            starts_at=now + timedelta(days=3),
            place="Hvidovre Hospital, auditorium 1",
            online_url="",
            locale="da",
            participant_count=20,
            confirm_days=8,
            facilitators=[facilitator],
            agenda=[tree.by_key["fa-2"].item.id, tree.by_key["fa-4-goal-2"].item.id],
            groups=[
                services.GroupSpec(types["relative"], "", 6),
                services.GroupSpec(types["professional"], "", 8),
                services.GroupSpec(types["patient-association"], "Bedre Psykiatri", 2),
            ],
            emails=[],
        ),
        tree,
    )
    return 2

"""The demo secretariat's themes: each goal's inputs sorted into a few themes found in their
text, and approved replies to the larger ones, so the demo's høringsnotat has main points with
answers (and some still open).

Keyword rules, not the theme engine: the demo loads in seconds and gives the same themes on
every machine. The words go through the input browser's Danish search (stems), as a person
in the secretariat would tick a filtered selection and tag it.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.browser import BrowseFilter
from consult.analysis.browser import matching_ids
from consult.analysis.models import Disposition
from consult.analysis.models import Reply
from consult.analysis.models import Tag
from consult.drafts.services import get_consultation
from consult.extensions import db

#: Theme -> (what it covers, the words that find it). The workspace's four come first
#: (consult/demo/workspace.py); these are the rest the demo secretariat found.
THEMES = {
    "ventetid": ("Ventetid på udredning og behandling.", ["ventetid", "venter"]),
    "økonomi og ressourcer": (
        "Penge, ressourcer og hvem der betaler, når opgaver flytter.",
        ["penge", "ressourcer", "økonomi"],
    ),
    "udskrivelse og overgange": (
        "Udskrivelse fra hospital og overgangen til kommune og egen læge.",
        ["udskrivelse", "overgang", "udskrevet"],
    ),
    "ulighed i sundhed": ("Social ulighed i sundhed og sårbare grupper.", ["ulighed"]),
    "forebyggelse": ("Forebyggelse og tidlig opsporing.", ["forebyggelse", "opsporing"]),
    "almen praksis": ("Den praktiserende læges rolle.", ["praktiserende", "almen praksis"]),
    "akutte tilbud": ("Akutteams, akutpladser og hjælp om natten.", ["akut", "akutteam"]),
    "medicin": ("Medicin og medicinafstemning.", ["medicin"]),
}

#: Replies to themes on every goal: (theme, disposition, reply, reason), approved by a second
#: user. The rest of the themes are left unanswered, as they would be midway.
REPLIES = (
    (
        "ventetid",
        Disposition.PARTLY,
        "Parterne deler bekymringen for ventetiden. Aftalen får et fælles mål for ventetid "
        "til udredning, som følges hvert halve år i sundhedssamarbejdsudvalget.",
        "Konkrete ventetidsgarantier fastsættes i lovgivningen, ikke i sundhedsaftalen.",
    ),
    (
        "udskrivelse og overgange",
        Disposition.INCORPORATED,
        "Vi har skrevet ind, at udskrivelsen planlægges sammen med borgeren, de pårørende, "
        "kommunen og egen læge, og at den ikke sker sent om fredagen uden aftale.",
        "",
    ),
    (
        "økonomi og ressourcer",
        Disposition.NOTED,
        "Sundhedsaftalen fordeler ikke penge, men opgaver. Når en opgave flytter, aftaler "
        "parterne finansieringen i de årlige budgetdrøftelser.",
        "",
    ),
    (
        "pårørende",
        Disposition.INCORPORATED,
        "Pårørende nævnes nu udtrykkeligt i målene om overgange og om psykiatrien.",
        "",
    ),
    (
        "ulighed i sundhed",
        Disposition.NOT_INCORPORATED,
        "Parterne er enige i, at ulighed i sundhed skal nedbringes, men vil ikke gøre det til "
        "et selvstændigt mål.",
        "Ulighed er et tværgående princip i aftalen og indgår i opfølgningen på hvert mål.",
    ),
)


def load_demo_themes(slug: str, author, approver) -> int:
    """Tag the demo's inputs with its themes and answer some of them, once; return how many
    themes were made (0 when they were there already)."""
    consultation = get_consultation(slug)
    if consultation is None or db.session.scalar(
        select(exists().where(Reply.consultation_id == consultation.id, Reply.tag_id.is_not(None)))
    ):
        return 0
    made = 0
    for name, (description, words) in THEMES.items():
        tag = db.session.scalar(
            select(Tag).where(Tag.consultation_id == consultation.id, Tag.name == name)
        )
        if tag is None:
            tag = services.create_tag(consultation.id, name, description)
            made += 1
        for word in words:
            services.tag_inputs(tag, matching_ids(consultation.id, BrowseFilter(q=word)))
    for name, disposition, text, reason in REPLIES:
        tag = db.session.scalar(
            select(Tag).where(Tag.consultation_id == consultation.id, Tag.name == name)
        )
        if tag is None:
            continue
        reply = services.save_theme_reply(
            author, tag, None, text=text, disposition=disposition, reason=reason, ready=True
        )
        services.approve_reply(reply, approver)
    return made

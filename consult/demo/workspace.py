"""The demo secretariat's work: the høringsliste, campaigns found and labelled, themes tagged,
some replies."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import exists
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.browser import BrowseFilter
from consult.analysis.browser import matching_ids
from consult.analysis.duplicates import find_duplicates
from consult.analysis.models import Disposition
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Tag
from consult.demo.responses import phrases
from consult.drafts.services import get_consultation
from consult.extensions import db
from consult.invitations.services import add_invitation
from consult.responses.models import Input

#: Themes the demo secretariat found, and the words that find them (Danish word forms).
THEMES = {
    "datadeling": ("Deling af data og it mellem sektorerne.", ["data", "it"]),
    "rekruttering": ("Mangel på personale, rekruttering og fastholdelse.", ["personale"]),
    "pårørende": ("Inddragelse af pårørende.", ["pårørende"]),
    "transport": ("Transport og afstand til tilbud.", ["transport"]),
}
#: Invited beside the phrase bank's organisations; nobody of them answers in the demo.
QUIET_INVITEES = (
    "Danske Fysioterapeuter",
    "Psykiatrifonden",
    "Rådet for Socialt Udsatte",
    "Tandlægeforeningen",
)
CAMPAIGN_LABELS = {
    "psykiatri-senge": "Flere psykiatriske senge",
    "ventetid-boernepsykiatri": "Ventetidsgaranti i børnepsykiatrien",
}


def demo_address(organisation: str) -> str:
    """A made-up address at example.dk for a demo organisation ("Ældre Sagen" ->
    "aeldre-sagen@example.dk"): reminders can be tried without reaching anyone."""
    folded = organisation.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")
    return f"{local or 'organisation'}@example.dk"


def load_demo_workspace(slug: str, author, approver) -> int:
    """Do the demo secretariat's first work once; return how many tags were made."""
    consultation = get_consultation(slug)
    if consultation is None or db.session.scalar(
        select(exists().where(Tag.consultation_id == consultation.id))
    ):
        return 0
    organisations = [name for names in phrases()["organisations"].values() for name in names]
    for organisation in sorted({*organisations, *QUIET_INVITEES}):
        # example.dk addresses, so reminders and invitations can be tried on the demo.
        add_invitation(consultation, organisation, email=demo_address(organisation))
    find_duplicates(consultation.id)
    groups = db.session.scalars(
        select(DuplicateGroup).where(DuplicateGroup.consultation_id == consultation.id)
    ).all()
    for campaign in phrases()["campaigns"]:
        texts = campaign["texts"]
        group = next((g for g in groups if g.sample in texts), None)
        if group is None:
            continue
        group.is_campaign, group.label = True, CAMPAIGN_LABELS.get(campaign["key"], "")
        reply = services.save_reply(
            consultation.id,
            author,
            matching_ids(consultation.id, BrowseFilter(group=group.id)),
            text="Tak for jeres mange ens høringssvar. Kapaciteten indgår i den fælles plan "
            "for psykiatrien, som parterne lægger frem sammen med aftalen.",
            disposition=Disposition.PARTLY,
            reason="Sundhedsaftalen fastsætter ikke antallet af senge; det gør budgetterne.",
            ready=True,
        )
        services.approve_reply(reply, approver)
    for name, (description, words) in THEMES.items():
        tag = services.create_tag(consultation.id, name, description)
        for word in words:
            services.tag_inputs(tag, matching_ids(consultation.id, BrowseFilter(q=word)))
    # A few drafted replies waiting for a colleague to approve them.
    first = db.session.scalars(
        matching_ids(consultation.id, BrowseFilter(stance="oppose", state="new")).limit(3)
    ).all()
    for input_id in first:
        services.save_reply(
            consultation.id,
            author,
            select(Input.id).where(Input.id == input_id),
            text="Tak for input. Vi har drøftet det i styregruppen.",
            disposition=Disposition.NOTED,
            reason="",
            ready=True,
        )
    return len(THEMES)

"""The demo: "Sundhedsaftale 2024–2027" from the seeds, a closed consultation, one user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path

from consult.accounts.models import Role
from consult.accounts.services import create_user
from consult.accounts.services import find_user_by_email
from consult.accounts.services import set_password
from consult.db import utcnow
from consult.drafts.importer import parse_draft
from consult.drafts.importer import store_draft
from consult.drafts.services import get_consultation
from consult.i18n import TIMEZONE
from consult.security import end_all_login_sessions

HERE = Path(__file__).parent
DRAFTS = ("sundhedsaftale-2024-2027.yaml", "psykiatri-sundhedsaftale-iii.yaml")
#: The open demo runs from a week ago to six weeks ahead, whenever it is loaded.
OPEN_DEMO = "sundhedsaftale-2024-2027"
DEMO_DOMAIN = "demo.consult.localhost"


@dataclass
class DemoLogin:
    email: str
    password: str
    role: Role


def _open_window(now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(TIMEZONE).date()
    opens = datetime.combine(today - timedelta(days=7), time(9, 0), TIMEZONE)
    closes = datetime.combine(today + timedelta(days=42), time(12, 0), TIMEZONE)
    return opens, closes


def load_demo_reference_data() -> int:
    """Region Hovedstaden's municipalities, clusters and respondent types."""
    from consult.reference.seed import load_reference_data

    return load_reference_data()


def load_demo_drafts() -> list[str]:
    """Import the demo drafts that are not there yet; return the slugs imported."""
    imported = []
    for name in DRAFTS:
        draft = parse_draft((HERE / name).read_text(encoding="utf-8"))
        if get_consultation(draft.slug) is not None:
            continue
        if draft.slug == OPEN_DEMO:
            draft.opens_at, draft.closes_at = _open_window(utcnow())
        store_draft(draft)
        imported.append(draft.slug)
    return imported


def load_demo_input(count: int = 260, on_progress=lambda done, total: None) -> int:
    """Responses to the open demo, reviewed by the demo moderator up to the last 12 hours.

    Returns how many responses were made (0 when they were there already).
    """
    from consult.demo.meetings import load_demo_meetings
    from consult.demo.responses import load_demo_responses
    from consult.demo.responses import moderate_demo
    from consult.demo.themes import load_demo_themes
    from consult.demo.workspace import load_demo_workspace

    made = load_demo_responses(OPEN_DEMO, count, on_progress=on_progress)
    if made:
        load_demo_meetings(OPEN_DEMO, _demo_user(Role.FACILITATOR), _demo_user(Role.SECRETARIAT))
        moderate_demo(OPEN_DEMO, _demo_user(Role.MODERATOR))
        load_demo_workspace(OPEN_DEMO, _demo_user(Role.SECRETARIAT), _demo_user(Role.ADMIN))
        load_demo_themes(OPEN_DEMO, _demo_user(Role.SECRETARIAT), _demo_user(Role.ADMIN))
    return made


def _demo_user(role: Role):
    return find_user_by_email(f"{role.value}@{DEMO_DOMAIN}")


#: The parties who approve the memo and the final draft in the health cooperation committee
#: (sundhedssamarbejdsudvalget): the region, the municipalities through KKR, general practice
#: through PLO. Each gets one demo approver: approver-<code>@demo.consult.localhost.
DEMO_PARTIES = (
    ("region", "Region Hovedstaden", "Capital Region of Denmark"),
    ("kkr", "KKR Hovedstaden", "KKR Capital Region (the municipalities)"),
    ("plo", "PLO Hovedstaden", "PLO Capital Region (general practice)"),
)


def _demo_login(email: str, role: Role, name: str) -> DemoLogin:
    password = secrets.token_urlsafe(12)
    user = find_user_by_email(email)
    if user is None:
        create_user(email, password, role=role, name=name, confirmed=True)
    else:
        set_password(user, password)
        end_all_login_sessions(user)
    return DemoLogin(email, password, role)


def reset_demo_users() -> list[DemoLogin]:
    """Make one account per role with a fresh random password (never stored in the repo); an
    approver per party, and the parties on the demo consultations."""
    logins = [
        _demo_login(f"{role.value}@{DEMO_DOMAIN}", role, f"Demo {role.value}")
        for role in Role
        if role is not Role.APPROVER
    ]
    for code, name_da, _name_en in DEMO_PARTIES:
        logins.append(
            _demo_login(f"approver-{code}@{DEMO_DOMAIN}", Role.APPROVER, f"Demo {name_da}")
        )
    load_demo_parties()
    return logins


def load_demo_parties() -> int:
    """Give each demo consultation the three parties with their approver, once; return how
    many consultations got them."""
    from consult.approvals import services as approvals

    done = 0
    for name in DRAFTS:
        slug = name.removesuffix(".yaml")
        consultation = get_consultation(slug)
        if consultation is None or approvals.parties(consultation):
            continue
        for code, name_da, name_en in DEMO_PARTIES:
            party = approvals.add_party(None, consultation, name_da, name_en)
            approvals.add_approver(None, consultation, party, f"approver-{code}@{DEMO_DOMAIN}")
        done += 1
    return done

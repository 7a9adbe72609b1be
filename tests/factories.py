"""Plain functions that make test data; each flushes and returns what it made."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.services import create_user
from consult.db import utcnow
from consult.drafts.models import Alternative
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import PoliticalGoal
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(
    role: str | Role = Role.RESPONDENT, *, email: str | None = None, confirmed: bool = True, **kw
):
    n = next(_seq)
    return create_user(
        email or f"user{n}@example.org", PASSWORD, role=Role(role), confirmed=confirmed, **kw
    )


def make_consultation(
    *,
    status: Status = Status.OPEN,
    slug: str | None = None,
    opens_in: timedelta = -timedelta(days=7),
    closes_in: timedelta = timedelta(days=30),
    focus_areas: int = 2,
    goals_per_area: int = 2,
    title_en: str = "Health agreement",
) -> Consultation:
    """Make a consultation with one version: a vision, a principle, focus areas with goals.

    The first goal of each focus area has two alternatives; each area ends with an initiative.
    """
    n = next(_seq)
    now = utcnow()
    consultation = Consultation(
        slug=slug or f"consultation-{n}",
        title_da=f"Sundhedsaftale {n}",
        title_en=f"{title_en} {n}" if title_en else "",
        summary_da="Et udkast til høring.",
        status=status,
        opens_at=now + opens_in,
        closes_at=now + closes_in,
    )
    version = Version(
        consultation=consultation,
        number=1,
        label_da="1. udkast",
        label_en="First draft",
        published_at=now,
    )
    db.session.add_all([consultation, version])

    def add(kind, key, title, parent=None, position=0, **rev):
        item = Item(consultation=consultation, kind=kind, key=key, parent=parent, position=position)
        revision = ItemRevision(
            item=item,
            version=version,
            position=position,
            title_da=title,
            title_en=f"EN {title}",
            **rev,
        )
        db.session.add_all([item, revision])
        return item, revision

    add(ItemKind.VISION, "vision-1", "Vision et", body_da="Borgeren i centrum.")
    add(ItemKind.PRINCIPLE, "principle-1", "Princip et", position=1)
    for a in range(focus_areas):
        area, _ = add(ItemKind.FOCUS_AREA, f"fa-{a + 1}", f"Fokusområde {a + 1}", position=2 + a)
        for g in range(goals_per_area):
            _, revision = add(
                ItemKind.GOAL, f"fa-{a + 1}-goal-{g + 1}", f"Mål {a + 1}.{g + 1}", area, g
            )
            if g == 0:
                revision.alternatives = [
                    Alternative(position=0, text_da="Formulering A", text_en="Wording A"),
                    Alternative(position=1, text_da="Formulering B", text_en="Wording B"),
                ]
        _, revision = add(
            ItemKind.INITIATIVE,
            f"fa-{a + 1}-initiative",
            f"Indsats {a + 1}",
            area,
            goals_per_area,
            funds_dkk=2_000_000,
            funds_note_da="Til projektledelse.",
        )
        revision.political_goals = [PoliticalGoal(position=0, text_da="Flere udskrives trygt")]
    db.session.flush()
    return consultation


def csrf_token(client, url: str) -> str:
    """Return the CSRF token from the form on ``url``."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, user, password: str = PASSWORD):
    """Sign ``user`` in through the real form."""
    token = csrf_token(client, "/account/login")
    response = client.post(
        "/account/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def sign_in(client, user) -> None:
    """Sign ``user`` in without the form: a real server-side login session, set in the cookie."""
    from consult.security import new_login_session

    token = new_login_session(user)
    db.session.flush()
    with client.session_transaction() as session:
        session["sid"] = token
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """Post ``data`` to ``url`` with the CSRF token of the form on ``form_url`` (or ``url``)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def about_me(client, consultation, code: str = "citizen", **extra):
    """Fill in "About you" for a response: respondent type ``code``, living in Hvidovre."""
    from sqlalchemy import select

    from consult.reference.models import Municipality
    from consult.reference.models import RespondentType

    type_id = db.session.scalar(select(RespondentType.id).where(RespondentType.code == code))
    municipality = db.session.scalar(select(Municipality).where(Municipality.code == "hvidovre"))
    data = {
        "respondent_type": str(type_id),
        "municipality": str(municipality.id),
        "cluster": "",
        "name": "",
        "organisation": "",
        **extra,
    }
    return post_form(client, f"/consultations/{consultation.slug}/respond/about-you", data)


def make_response(
    consultation,
    answers: dict[str, str | tuple[str, str, str]] | None = None,
    *,
    comment: str = "",
    consent: str | None = None,
    type_code: str = "citizen",
    organisation: str = "",
    name: str = "",
    email: str | None = None,
    locale: str = "da",
    submit: bool = True,
):
    """Make a respondent's response through the services; submit it unless told not to.

    ``answers`` maps goal keys to a text, or to (stance, text, proposed wording). Reference
    data must be loaded (``load_reference_data``) for the respondent type.
    """
    from sqlalchemy import select

    from consult.drafts.services import current_version
    from consult.drafts.services import load_tree
    from consult.reference.models import RespondentType
    from consult.responses import services
    from consult.responses.models import Consent
    from consult.responses.models import Respondent
    from consult.responses.models import Stance

    respondent_type = db.session.scalar(
        select(RespondentType).where(RespondentType.code == type_code)
    )
    respondent = Respondent(
        email=email or f"respondent{next(_seq)}@example.dk",
        email_confirmed_at=utcnow(),
        name=name,
        organisation=organisation,
        respondent_type=respondent_type,
        locale=locale,
    )
    db.session.add(respondent)
    db.session.flush()
    response = services.response_for(consultation, respondent)
    response.consent = Consent(
        consent or ("named" if respondent_type.is_organisation else "anonymous")
    )
    tree = load_tree(current_version(consultation))
    for key, answer in (answers or {}).items():
        stance, text, wording = answer if isinstance(answer, tuple) else ("support", answer, "")
        services.save_input(
            response,
            tree.by_key[key],
            stance=Stance(stance),
            importance=None,
            text=text,
            proposed_wording=wording,
            preferred_alternative_id=None,
        )
    if comment:
        services.save_comment(response, comment, response.consent)
    if submit:
        services.submit_response(response, key=f"k{next(_seq)}")
    return response


# --- a consultation after its deadline, for versions and sign-off (tests/drafts, tests/approvals)

GOAL = "fa-1-goal-1"


@dataclass
class Reported:
    consultation: Consultation
    working_copy: Version
    #: Published: a citizen (anonymous) and an organisation (named), both on GOAL.
    citizen: object
    organisation: object
    #: Not for publication: a citizen who chose "private", also on GOAL.
    private: object
    secretariat: object
    moderator: object

    def item(self, key: str = GOAL) -> Item:
        return db.session.scalar(
            select(Item).where(Item.consultation_id == self.consultation.id, Item.key == key)
        )

    def revision(self, key: str = GOAL) -> ItemRevision:
        return db.session.scalar(
            select(ItemRevision).where(
                ItemRevision.item_id == self.item(key).id,
                ItemRevision.version_id == self.working_copy.id,
            )
        )

    def inputs(self, *responses, key: str = GOAL) -> list[int]:
        """The ids of the responses' inputs on one goal (GOAL unless told)."""
        from consult.responses.models import Input

        return list(
            db.session.scalars(
                select(Input.id)
                .where(
                    Input.response_id.in_([r.id for r in responses]),
                    Input.item_id == self.item(key).id,
                )
                .order_by(Input.id)
            )
        )


def publish_all(moderator, *responses) -> None:
    """Publish every contribution of the responses, as a moderator would."""
    from consult.moderation import services as moderation
    from consult.moderation.models import Contribution
    from consult.moderation.models import ModerationState

    for response in responses:
        for contribution in db.session.scalars(
            select(Contribution).where(
                Contribution.response_id == response.id,
                Contribution.state == ModerationState.PENDING,
            )
        ):
            moderation.publish(contribution, moderator)


def make_reported() -> Reported:
    """A consultation in reporting with published input on GOAL and a working copy (issue 14)."""
    from consult.drafts import editing
    from consult.reference.seed import load_reference_data

    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    citizen = make_response(c, {GOAL: "Mere om ældre borgere, tak."}, locale="da")
    organisation = make_response(
        c,
        {GOAL: "We support the goal.", "fa-2-goal-1": "Also this one."},
        type_code="patient-association",
        organisation="Hjerteforeningen",
        locale="en",
    )
    private = make_response(c, {GOAL: "Privat input."}, consent="private")
    moderator = make_user(Role.MODERATOR)
    publish_all(moderator, citizen, organisation, private)
    c.status = Status.REPORTING
    db.session.flush()
    copy = editing.start_new_version(c, c.versions[0])
    return Reported(
        consultation=c,
        working_copy=copy,
        citizen=citizen,
        organisation=organisation,
        private=private,
        secretariat=make_user(Role.SECRETARIAT),
        moderator=moderator,
    )

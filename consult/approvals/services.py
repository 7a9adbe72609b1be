"""Sign-off: configure the parties, take their decisions, and know whether they still hold.

What the parties approve is the document: the version being published (the working copy, or
the newest published version when there is none) with its trail, and the replies the memo
quotes. ``fingerprint`` hashes it; a decision holds while the fingerprint is the same, so any
change to the document resets every approval (``reset_stale`` marks them and logs it).
Services flush and never commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.accounts.services import find_user_by_email
from consult.analysis.models import Reply
from consult.approvals.models import Approval
from consult.approvals.models import Decision
from consult.approvals.models import Party
from consult.audit.services import record
from consult.db import utcnow
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemChange
from consult.drafts.models import ItemRevision
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db
from consult.sanitize import clean_text


class ApprovalError(ValueError):
    """A step the rules refuse; ``code`` says which, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- what is approved ----------------------------------------------------------------------


def document_version(consultation: Consultation) -> Version | None:
    """Return the version the parties approve: the working copy, else the newest published."""
    return drafts.editable_version(consultation)


def fingerprint(consultation: Consultation, version: Version) -> str:
    """Return the SHA-256 of the document: the version's text and order, its trail, the replies.

    Four queries. Anything the memo or the published draft would show differently changes it.
    """
    revisions = db.session.scalars(
        select(ItemRevision)
        .join(Item, Item.id == ItemRevision.item_id)
        .options(
            selectinload(ItemRevision.alternatives), selectinload(ItemRevision.political_goals)
        )
        .where(ItemRevision.version_id == version.id)
        .order_by(Item.id)
    ).all()
    changes = db.session.scalars(
        select(ItemChange)
        .options(selectinload(ItemChange.inputs), selectinload(ItemChange.tags))
        .where(ItemChange.version_id == version.id)
        .order_by(ItemChange.item_id)
    ).all()
    replies = db.session.execute(
        select(Reply.id, Reply.text, Reply.disposition, Reply.reason, Reply.state)
        .where(Reply.consultation_id == consultation.id)
        .order_by(Reply.id)
    ).all()
    document = {
        "version": [
            version.id,
            version.label_da,
            version.label_en,
            version.note_da,
            version.note_en,
        ],
        "items": [
            [
                r.item_id,
                r.item.parent_id,
                r.position,
                r.item.kind.value,
                r.title_da,
                r.title_en,
                r.body_da,
                r.body_en,
                r.funds_dkk,
                r.funds_note_da,
                r.funds_note_en,
                [[a.position, a.text_da, a.text_en] for a in r.alternatives],
                [[p.position, p.text_da, p.text_en] for p in r.political_goals],
            ]
            for r in revisions
        ],
        "trail": [
            [
                c.item_id,
                c.reason_da,
                c.reason_en,
                sorted(i.id for i in c.inputs),
                sorted(t.id for t in c.tags),
            ]
            for c in changes
        ],
        "replies": [[i, t, d.value if d else None, why, s.value] for i, t, d, why, s in replies],
    }
    blob = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


# --- where the sign-off stands -------------------------------------------------------------


@dataclass
class PartyState:
    party: Party
    #: The decision that holds for the document as it is now, or None.
    decision: Approval | None
    #: The newest decision, also when a change has reset it (shown as "reset").
    latest: Approval | None

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.decision is Decision.APPROVED

    @property
    def changes_requested(self) -> bool:
        return self.decision is not None and self.decision.decision is Decision.CHANGES_REQUESTED


@dataclass
class SignOff:
    version: Version | None
    fingerprint: str
    parties: list[PartyState]

    @property
    def approved(self) -> int:
        return sum(p.approved for p in self.parties)

    @property
    def total(self) -> int:
        return len(self.parties)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.approved == self.total


def parties(consultation: Consultation) -> list[Party]:
    return list(
        db.session.scalars(
            select(Party)
            .options(selectinload(Party.approvers))
            .where(Party.consultation_id == consultation.id)
            .order_by(Party.position, Party.id)
        )
    )


def _holds(approval: Approval, version: Version | None, print_: str) -> bool:
    return (
        approval.reset_at is None
        and version is not None
        and approval.version_id == version.id
        and approval.fingerprint == print_
    )


def sign_off(consultation: Consultation) -> SignOff:
    """Return each party's decision on the document as it is now."""
    version = document_version(consultation)
    print_ = fingerprint(consultation, version) if version is not None else ""
    states = []
    all_parties = parties(consultation)
    latest: dict[int, Approval] = {}
    if all_parties:
        for approval in db.session.scalars(
            select(Approval)
            .options(selectinload(Approval.user))
            .where(Approval.party_id.in_([p.id for p in all_parties]))
            .order_by(Approval.id)
        ):
            latest[approval.party_id] = approval
    for party in all_parties:
        newest = latest.get(party.id)
        holds = newest if newest is not None and _holds(newest, version, print_) else None
        states.append(PartyState(party, holds, newest))
    return SignOff(version, print_, states)


def approver_parties(user, consultation: Consultation) -> list[Party]:
    """Return the parties of ``consultation`` that ``user`` approves for."""
    return [p for p in parties(consultation) if any(u.id == user.id for u in p.approvers)]


def consultations_to_approve(user) -> list[Consultation]:
    """Return the consultations with a party ``user`` approves for, newest deadline first."""
    return list(
        db.session.scalars(
            select(Consultation)
            .where(
                Consultation.id.in_(
                    select(Party.consultation_id).where(Party.approvers.any(User.id == user.id))
                )
            )
            .order_by(Consultation.closes_at.desc())
        )
    )


# --- deciding --------------------------------------------------------------------------------


def decide(user, consultation: Consultation, party: Party, decision: Decision, comment: str):
    """Record ``user``'s decision for ``party`` on the document as it is now.

    Only in the approval status, only by the party's own approvers; asking for changes needs a
    comment saying which.
    """
    if consultation.status is not Status.APPROVAL:
        raise ApprovalError("not_in_approval")
    if (
        not any(u.id == user.id for u in party.approvers)
        or party.consultation_id != consultation.id
    ):
        raise ApprovalError("not_approver")
    comment = clean_text(comment or "")
    if decision is Decision.CHANGES_REQUESTED and not comment:
        raise ApprovalError("comment_required")
    version = document_version(consultation)
    approval = Approval(
        party=party,
        user_id=user.id,
        version_id=version.id,
        fingerprint=fingerprint(consultation, version),
        decision=decision,
        comment=comment,
        decided_at=utcnow(),
    )
    db.session.add(approval)
    db.session.flush()
    record(
        user,
        f"approvals.{decision.value}",
        "party",
        party.id,
        consultation_id=consultation.id,
        note=comment,
        version=version.number,
        fingerprint=approval.fingerprint,
    )
    return approval


def reset_stale(consultation: Consultation, actor) -> int:
    """Mark every decision the document no longer matches as reset; log it. Return how many.

    Called after each change to the document; a decision that no longer matches never counts
    anyway (``sign_off``), this makes the reset visible and audited.
    """
    party_ids = select(Party.id).where(Party.consultation_id == consultation.id)
    live = db.session.scalars(
        select(Approval).where(Approval.party_id.in_(party_ids), Approval.reset_at.is_(None))
    ).all()
    if not live:
        return 0
    version = document_version(consultation)
    print_ = fingerprint(consultation, version) if version is not None else ""
    # Decisions on an earlier, published version are its record, not stale.
    published = {
        a.version_id for a in live if a.version is not None and not a.version.is_working_copy
    } - {version.id if version is not None else None}
    stale = [a for a in live if a.version_id not in published and not _holds(a, version, print_)]
    now = utcnow()
    for approval in stale:
        approval.reset_at = now
    if stale:
        record(
            actor,
            "approvals.reset",
            "consultation",
            consultation.id,
            consultation_id=consultation.id,
            reason="document_changed",
            approvals=[a.id for a in stale],
        )
        db.session.flush()
    return len(stale)


@dataclass
class ApprovalRecord:
    """Who approved which version, and when: for the memo."""

    party_da: str
    party_en: str
    approver_name: str
    approver_email: str
    version_number: int
    version_label_da: str
    version_label_en: str
    decided_at: datetime
    comment: str
    fingerprint: str


def approval_record(
    consultation: Consultation, version: Version | None = None
) -> list[ApprovalRecord]:
    """Return who approved ``version`` for each party, and when, in the parties' order.

    Without ``version``: the decisions that hold for the document as it is now (once published,
    the published version and memo). For an earlier published version: each party's last
    approval of it.
    """
    if version is None or version.id == getattr(document_version(consultation), "id", None):
        state = sign_off(consultation)
        pairs = [(p.party, p.decision) for p in state.parties if p.approved]
        version = state.version
    else:
        latest: dict[int, Approval] = {}
        for approval in db.session.scalars(
            select(Approval)
            .options(selectinload(Approval.user))
            .join(Party, Party.id == Approval.party_id)
            .where(Party.consultation_id == consultation.id, Approval.version_id == version.id)
            .order_by(Approval.id)
        ):
            latest[approval.party_id] = approval
        pairs = [
            (party, latest[party.id])
            for party in parties(consultation)
            if party.id in latest and latest[party.id].decision is Decision.APPROVED
        ]
    return [
        ApprovalRecord(
            party_da=party.name_da,
            party_en=party.name_en,
            approver_name=a.user.name if a.user else "",
            approver_email=a.user.email if a.user else "",
            version_number=version.number,
            version_label_da=version.label_da,
            version_label_en=version.label_en,
            decided_at=a.decided_at,
            comment=a.comment,
            fingerprint=a.fingerprint,
        )
        for party, a in pairs
    ]


def history(consultation: Consultation) -> list[Approval]:
    """Every decision on the consultation, newest first (reset ones too)."""
    return list(
        db.session.scalars(
            select(Approval)
            .join(Party, Party.id == Approval.party_id)
            .options(selectinload(Approval.user), selectinload(Approval.party))
            .where(Party.consultation_id == consultation.id)
            .order_by(Approval.id.desc())
        )
    )


# --- configuring the parties ------------------------------------------------------------------


def add_party(actor, consultation: Consultation, name_da: str, name_en: str = "") -> Party:
    name_da = clean_text(name_da, multiline=False)
    if not name_da:
        raise ApprovalError("name_required")
    position = len(parties(consultation))
    party = Party(
        consultation_id=consultation.id,
        name_da=name_da,
        name_en=clean_text(name_en or "", multiline=False),
        position=position,
    )
    db.session.add(party)
    db.session.flush()
    record(actor, "approvals.add_party", "party", party.id, consultation_id=consultation.id)
    return party


def remove_party(actor, consultation: Consultation, party: Party) -> None:
    record(
        actor,
        "approvals.remove_party",
        "party",
        party.id,
        consultation_id=consultation.id,
        note=party.name_da,
    )
    db.session.delete(party)
    db.session.flush()


def add_approver(actor, consultation: Consultation, party: Party, email: str) -> User:
    """Make the account with ``email`` an approver for ``party``; it must have the role approver."""
    user = find_user_by_email(email or "")
    if user is None:
        raise ApprovalError("no_account")
    if user.role is not Role.APPROVER:
        raise ApprovalError("not_approver_role")
    if user not in party.approvers:
        party.approvers.append(user)
        db.session.flush()
        record(
            actor,
            "approvals.add_approver",
            "party",
            party.id,
            consultation_id=consultation.id,
            user=user.id,
        )
    return user


def remove_approver(actor, consultation: Consultation, party: Party, user: User) -> None:
    if user in party.approvers:
        party.approvers.remove(user)
        db.session.flush()
        record(
            actor,
            "approvals.remove_approver",
            "party",
            party.id,
            consultation_id=consultation.id,
            user=user.id,
        )

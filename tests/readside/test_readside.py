"""The read side's rules one by one: masking per audience, the one naming rule, the text
frozen at review, the memo's moderated-only quotes, and one home for every label."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports.memo import build_memo
from consult.extensions import db
from consult.moderation import pii
from consult.moderation import services as moderation
from consult.moderation.models import REDACTED
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.readside import masking
from consult.readside import naming
from consult.readside.masking import MASK
from consult.readside.masking import mask_cpr
from consult.readside.masking import mask_personal
from consult.reference.seed import load_reference_data
from consult.responses.models import Consent
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in

CONSULT = Path(__file__).resolve().parents[2] / "consult"
DATA = Path(__file__).resolve().parents[1] / "data" / "personal_data.jsonl"
TEXT = "Min mor har CPR 120356-1234, ring 22 33 44 55 eller skriv til mor@example.dk."


def contribution_of(response) -> Contribution:
    return db.session.scalar(select(Contribution).where(Contribution.response_id == response.id))


# --- masking -------------------------------------------------------------------------------------


def test_staff_read_everything_but_cpr_numbers():
    assert (
        mask_cpr(TEXT)
        == f"Min mor har CPR {MASK}, ring 22 33 44 55 eller skriv til mor@example.dk."
    )
    assert mask_cpr("CPR-nummer 0503421234 og 050342 1234.") == f"CPR-nummer {MASK} og {MASK}."
    # Ten digits that are no date, an amount, a case number: left as they are.
    for text in ("Kontonr. 9570-4567891234", "Budget 1.200.000.000 kr.", "991399-1234", ""):
        assert mask_cpr(text) == text


def test_the_quick_check_never_skips_a_text_the_guard_finds_a_cpr_number_in():
    """Staff exports run the guard only where the quick pattern matches: it must miss nothing
    the guard (or a labelled example of the guard's test set) calls a CPR number."""
    with DATA.open(encoding="utf-8") as f:
        examples = [json.loads(line) for line in f if line.strip()]
    texts = [e["text"] for e in examples]
    labelled = [e["text"] for e in examples if any(s["kind"] == "cpr" for s in e["spans"])]
    assert labelled
    found = [t for t in texts if any(f.kind is pii.Kind.CPR for f in pii.find_personal_data(t))]
    assert [t for t in set(labelled + found) if not masking.could_hold_cpr(t)] == []
    assert [t for t in found if "[…]" not in mask_cpr(t)] == []


def test_participants_and_the_projector_read_no_personal_data():
    masked = mask_personal(TEXT)
    assert masked == f"Min mor har CPR {MASK}, ring {MASK} eller skriv til {MASK}."
    assert mask_personal(None) == "" and mask_personal("Tak for mødet.") == "Tak for mødet."


# --- the one naming rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "is_organisation", "shown"),
    [
        (Consent.NAMED, True, "Danske Patienter"),
        (Consent.NAMED, False, "Anna Andersen"),
        (Consent.ANONYMOUS, True, ""),
        (Consent.ANONYMOUS, False, ""),
        (Consent.PRIVATE, True, ""),
        (Consent.PRIVATE, False, ""),
        ("named", False, "Anna Andersen"),  # the stored code, as a query row gives it
    ],
)
def test_a_name_is_shown_only_by_consent_and_an_organisation_by_its_name(
    consent, is_organisation, shown
):
    assert naming.shown_name(consent, is_organisation, "Danske Patienter", "Anna Andersen") == shown


def test_a_person_who_wrote_an_organisation_is_still_named_as_a_person(ctx):
    """Rows and the memo once differed here: "organisation or name" named the organisation."""
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    response = make_response(
        c, {"fa-1-goal-1": "Tekst"}, name="Anna Andersen", organisation="Min klub", consent="named"
    )
    assert naming.public_name(response) == "Anna Andersen"
    response.consent = Consent.ANONYMOUS
    assert naming.public_name(response) is None


# --- the public text, frozen at review -----------------------------------------------------------


def test_publishing_freezes_a_cpr_number_out_of_the_public_text(client):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    response = make_response(c, {"fa-1-goal-1": ("support", TEXT, "Ring 0503421234")})
    contribution = contribution_of(response)
    moderator = make_user(Role.MODERATOR)
    moderation.publish(contribution, moderator)
    assert contribution.public_text == TEXT.replace("120356-1234", REDACTED)
    assert contribution.public_wording == f"Ring {REDACTED}"
    assert contribution.is_redacted and contribution.reason is HideReason.PERSONAL_DATA
    # The moderator's review of this one input still shows what was written.
    sign_in(client, moderator)
    review = client.get(f"/moderation/contributions/{contribution.id}").get_data(as_text=True)
    assert "120356-1234" in review


def test_a_text_without_a_cpr_number_is_published_as_written(ctx):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    contribution = contribution_of(make_response(c, {"fa-1-goal-1": "Ring 22 33 44 55."}))
    moderation.publish(contribution, make_user(Role.MODERATOR))
    assert contribution.public_text == "Ring 22 33 44 55." and not contribution.is_redacted


# --- the memo quotes moderated text only ---------------------------------------------------------


@pytest.mark.parametrize("public", [False, True])
def test_the_memo_counts_input_awaiting_moderation_and_quotes_none_of_it(ctx, public):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    moderator = make_user(Role.MODERATOR)
    published = make_response(c, {"fa-1-goal-1": "Offentliggjort tekst."})
    moderation.publish(contribution_of(published), moderator)
    hidden = make_response(c, {"fa-1-goal-1": "Skjult tekst."})
    moderation.hide(contribution_of(hidden), moderator, HideReason.OFFENSIVE)
    make_response(c, {"fa-1-goal-1": "Ventende tekst."})
    make_response(c, {"fa-1-goal-1": "Ventende igen."})
    make_response(c, {"fa-1-goal-1": "Privat tekst."}, consent="private")
    memo = build_memo(c, load_tree(current_version(c)), public=public)
    goal = memo.areas[0].goals[0]
    quoted = [i for _theme, i in memo.appendix[0].quotes]
    assert "2 input afventer stadig moderation: de er talt med, men ikke citeret." in memo.intro
    assert goal.inputs == 5 and goal.awaiting == 2
    assert [i.text for i in quoted if i.text] == ["Offentliggjort tekst."]
    if public:
        # Hidden, and not to be published: counted, not listed.
        assert len(quoted) == 1
        assert (
            "2 input er ikke citeret: de er ikke offentliggjort, eller skulle ikke være det."
            in (goal.notes)
        )
    else:
        # The secretariat's memo lists every input, and says why the rest is not quoted.
        assert sorted(i.note for i in quoted if i.note) == [
            "Afventer moderation: ikke citeret.",
            "Afventer moderation: ikke citeret.",
            "Ikke til offentliggørelse: ikke citeret.",
            "Skjult ved moderation: ikke citeret.",
        ]


# --- one home for labels and for reading ----------------------------------------------------------

ENUMS = (
    "Stance|Consent|Sector|Channel|Disposition|ReplyState|ModerationState|HideReason|Kind"
    "|Verdict|MeetingState"
)


def test_labels_for_input_live_in_one_module():
    """A table of words for one of these enums anywhere else is a second copy that will drift."""
    pattern = re.compile(rf"\b(?:{ENUMS})\.[A-Z_]+: _l\(")
    elsewhere = [
        str(path.relative_to(CONSULT))
        for path in CONSULT.rglob("*.py")
        if path.name != "labels.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }


@pytest.mark.parametrize(
    "module",
    [
        "exports/rows.py",
        "exports/memo.py",
        "api/services.py",
        "moderation/public_views.py",
        "drafts/views.py",
        "sessions/views.py",
        "sessions/live_views.py",
        "sessions/participate_views.py",
    ],
)
def test_every_output_reads_input_through_the_read_side(module):
    imported = imports_of(CONSULT / module)
    assert any(m == "consult.readside" or m.startswith("consult.readside.") for m in imported)
    # Labels and rules come from the read side, never from another page's module.
    own_area = module.split("/")[0]
    assert not [m for m in imported if m.endswith("views") and f".{own_area}." not in m]

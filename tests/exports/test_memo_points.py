"""The høringsnotat's main points, answers and parties, read from the database.

Per goal its themes (tags) with who raised them, largest first, each with the secretariat's
answer (a reply to the theme on the goal wins over one on every goal); "not answered yet" as a
count; the høringsliste in its order with what each party answered; every input quoted once in
the appendix under its largest theme, "Uden tema" last. The public report: approved replies
only, and only the themes answered.
"""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports.memo import build_memo
from consult.extensions import db
from consult.invitations.services import add_invitation
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user

GOAL = "fa-1-goal-1"
LONG = " ".join(f"ord{i}" for i in range(80))


def publish_all(consultation, moderator):
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.consultation_id == consultation.id)
    ):
        moderation.publish(contribution, moderator)


def ids(*texts):
    return select(Input.id).where(Input.text.in_(texts))


def test_main_points_answers_parties_and_the_appendix(ctx):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=2)
    writer, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    add_invitation(c, "Ældre Sagen", "", None)
    add_invitation(c, "Danske Patienter", "", None)
    make_response(
        c,
        {GOAL: ("oppose", "Ventetiden er for lang.", ""), "fa-1-goal-2": "Godt."},
        comment=LONG,
        type_code="patient-association",
        organisation="Danske Patienter",
    )
    make_response(c, {GOAL: "Ventetiden og transporten."})
    make_response(c, {GOAL: "Transport er svært."})
    make_response(c, {GOAL: "Intet tema her."})
    publish_all(c, make_user(Role.MODERATOR))
    wait = analysis.create_tag(c.id, "ventetid")
    analysis.tag_inputs(wait, ids("Ventetiden er for lang.", "Ventetiden og transporten."))
    ride = analysis.create_tag(c.id, "transport")
    analysis.tag_inputs(ride, ids("Ventetiden og transporten.", "Transport er svært."))
    analysis.tag_inputs(analysis.create_tag(c.id, "lille"), ids("Transport er svært."))
    goal_id = db.session.scalar(select(Input.item_id).where(Input.text == "Intet tema her."))
    everywhere = analysis.save_theme_reply(
        writer, wait, None, text="Generelt svar.", disposition=Disposition.NOTED, reason="",
        ready=True,
    )  # fmt: skip
    analysis.approve_reply(everywhere, approver)
    analysis.save_theme_reply(
        writer, wait, goal_id, text="Svar på målet.", disposition=Disposition.PARTLY,
        reason="Delvist.", ready=True,
    )  # fmt: skip
    tree = load_tree(current_version(c))

    memo = build_memo(c, tree, public=False, lang="da")
    goal = memo.areas[0].goals[0]
    # Largest first (then by name).
    assert [(p.theme, p.count) for p in goal.points] == [
        ("transport", 2),
        ("ventetid", 2),
        ("lille", 1),
    ]
    points = {p.theme: p for p in goal.points}
    assert points["ventetid"].voices == "2 input: 1 person, 1 organisation"
    assert points["transport"].voices == "2 input: 2 personer"
    # The reply on the goal wins over the one on every goal; a draft says it is one.
    answer = points["ventetid"].answer
    assert (answer.text, answer.disposition, answer.reason) == (
        "Svar på målet.",
        "Delvist indarbejdet",
        "Delvist.",
    )
    assert answer.state  # not approved yet: the secretariat's memo says so
    assert points["transport"].answer is None
    # "Transport er svært." and "Intet tema her." have nothing answering them.
    assert "Endnu ikke besvaret: 2 input." in goal.notes
    # The second goal: input, but no themes yet.
    assert memo.areas[0].goals[1].notes[0].startswith("Endnu ingen temaer")

    # The høringsliste in its order, each party summed up; the comment cut at 60 words.
    assert [(p.name, p.answered) for p in memo.parties] == [
        ("Danske Patienter", True),
        ("Ældre Sagen", False),
    ]
    patients = memo.parties[0]
    assert patients.summary == "2 input: 1 støtter, 1 imod"
    assert patients.comment.split()[:2] == ["ord0", "ord1"] and patients.comment_cut
    assert len(patients.comment.split()) == 61  # 60 words and "…"
    assert "1 generel bemærkning er citeret i sin helhed i bilaget." in memo.general
    assert [c.text for c in memo.comments] == [LONG]

    # Every input once, under its largest theme, "Uden tema" last.
    quoted = list(memo.appendix[0].quotes)
    assert sorted(q.text for _t, q in quoted) == sorted(
        ["Ventetiden er for lang.", "Ventetiden og transporten.", "Transport er svært.",
         "Intet tema her."]
    )  # fmt: skip
    assert [(t, q.text) for t, q in quoted] == [
        ("transport", "Ventetiden og transporten."),
        ("transport", "Transport er svært."),  # not under "lille", the smaller
        ("ventetid", "Ventetiden er for lang."),
        ("Uden tema", "Intet tema her."),
    ]

    # The public report: approved replies only, and only the themes they answer.
    public = build_memo(c, tree, public=True, lang="da")
    goal = public.areas[0].goals[0]
    assert [p.theme for p in goal.points] == ["ventetid"]
    assert goal.points[0].answer.text == "Generelt svar." and not goal.points[0].answer.state
    assert "Endnu ikke besvaret: 2 input." in goal.notes
    assert {t for t, _q in public.appendix[0].quotes} == {"ventetid", "Uden tema"}

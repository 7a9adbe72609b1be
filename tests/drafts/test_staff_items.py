"""The secretariat edits a draft's items, alternatives and political goals in the browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.drafts.models import Alternative
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import PoliticalGoal
from consult.drafts.services import editable_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.responses.models import FocusAreaRank
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_consultation
from tests.factories import make_user


@pytest.fixture
def staff(client):
    login(client, make_user("secretariat"))
    return client


def post(client, url, data, form_url=None):
    """Post ``data`` with the CSRF token of the form on ``form_url`` (default: ``url``)."""
    data = {**data, "csrf_token": csrf_token(client, form_url or url)}
    return client.post(url, data=data)


def item(c, key) -> Item:
    return db.session.scalar(select(Item).where(Item.consultation_id == c.id, Item.key == key))


def revision(it: Item) -> ItemRevision:
    """The item's revision in the version staff edit (the working copy, if any)."""
    db.session.expire_all()
    version = editable_version(db.session.get(Consultation, it.consultation_id))
    return db.session.scalar(
        select(ItemRevision).where(
            ItemRevision.item_id == it.id, ItemRevision.version_id == version.id
        )
    )


def tree(c):
    db.session.expire_all()
    return load_tree(editable_version(db.session.get(Consultation, c.id)))


def order(c, parent_key=None) -> list[str]:
    t = tree(c)
    nodes = t.by_key[parent_key].children if parent_key else t.roots
    return [n.key for n in nodes]


def positions(c, parent_key=None) -> list[int]:
    t = tree(c)
    nodes = t.by_key[parent_key].children if parent_key else t.roots
    return [n.item.position for n in nodes]


def give_input(c, it: Item, *, preferred: Alternative | None = None) -> Input:
    """Someone's input on ``it``'s text in the newest version."""
    respondent = Respondent(email=f"r{it.id}-{c.id}@example.org")
    response = Response(consultation_id=c.id, respondent=respondent)
    db.session.add_all([respondent, response])
    db.session.flush()
    given = Input(
        response_id=response.id,
        item_id=it.id,
        revision_id=revision(it).id,
        stance=Stance.SUPPORT,
        preferred_alternative_id=preferred.id if preferred else None,
    )
    db.session.add(given)
    db.session.flush()
    return given


def urls(c, it=None):
    base = f"/staff/consultations/{c.slug}"
    return {
        "outline": f"{base}/",
        "new": f"{base}/items/new",
        "edit": f"{base}/items/{it.id}/edit" if it else None,
        "move": f"{base}/items/{it.id}/move" if it else None,
        "delete": f"{base}/items/{it.id}/delete" if it else None,
    }


# --- adding --------------------------------------------------------------------------------------


def test_add_a_goal_with_a_key_made_from_its_title(staff):
    c = make_consultation(focus_areas=1, goals_per_area=2)
    area = item(c, "fa-1")
    u = urls(c)
    data = {"kind": "goal", "parent": str(area.id), "title_da": "Ældre får hjælp i eget hjem"}
    response = post(staff, u["new"], {**data, "body_da": "Baggrund."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#aeldre-faar-hjaelp-i-eget-hjem")
    goal = item(c, "aeldre-faar-hjaelp-i-eget-hjem")
    assert goal.parent_id == area.id and goal.kind is ItemKind.GOAL
    assert revision(goal).body_da == "Baggrund."
    assert order(c, "fa-1")[-1] == goal.key
    assert positions(c, "fa-1") == list(range(4))
    # The same title again gets a key of its own.
    post(staff, u["new"], data)
    assert item(c, "aeldre-faar-hjaelp-i-eget-hjem-2") is not None


def test_top_level_items_keep_their_groups(staff):
    c = make_consultation(focus_areas=2)
    u = urls(c)
    post(staff, u["new"], {"kind": "vision", "parent": "", "title_da": "Anden vision"})
    post(staff, u["new"], {"kind": "principle", "parent": "", "title_da": "Andet princip"})
    assert order(c) == ["vision-1", "anden-vision", "principle-1", "andet-princip", "fa-1", "fa-2"]
    assert positions(c) == list(range(6))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "goal", "parent": ""}, "Choose the focus area it belongs to."),
        ({"kind": "initiative", "parent": "999999"}, "Choose the focus area it belongs to."),
        ({"kind": "vision", "parent": "AREA"}, "choose no focus area"),
        ({"kind": "goal", "parent": "AREA", "title_da": ""}, "The Danish title is required."),
        ({"kind": "goal", "parent": "AREA", "key": "Bad Key"}, "lower-case letters"),
        ({"kind": "goal", "parent": "AREA", "key": "fa-1-goal-1"}, "Another item"),
        ({"kind": "goal", "parent": "AREA", "funds_dkk": "100"}, "Only initiatives have funds"),
        (
            {"kind": "initiative", "parent": "AREA", "funds_dkk": "-5"},
            "Give a whole number of kroner",
        ),
        (
            {"kind": "initiative", "parent": "AREA", "funds_dkk": "mange"},
            "Give a whole number of kroner",
        ),
    ],
)
def test_a_refused_item_is_shown_back_with_the_typed_text(staff, data, message):
    c = make_consultation(focus_areas=1)
    area = item(c, "fa-1")
    data = {
        "title_da": "Forældreløst mål",
        "body_da": "En lang baggrund, som ikke må gå tabt.",
        **{k: str(area.id) if v == "AREA" else v for k, v in data.items()},
    }
    before = order(c, "fa-1")
    response = post(staff, urls(c)["new"] + "?lang=en", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "En lang baggrund, som ikke må gå tabt." in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert order(c, "fa-1") == before


def test_a_key_used_only_in_an_older_version_is_still_taken(staff):
    c = make_consultation(focus_areas=1)
    u = urls(c, item(c, "fa-1-goal-2"))
    post(staff, f"/staff/consultations/{c.slug}/versions", {}, u["outline"])
    post(staff, u["delete"], {}, u["outline"])
    assert "fa-1-goal-2" not in order(c, "fa-1")
    html = post(
        staff,
        u["new"] + "?lang=en",
        {"kind": "goal", "parent": str(item(c, "fa-1").id), "title_da": "X", "key": "fa-1-goal-2"},
    ).get_data(as_text=True)
    assert "Another item in this consultation has this key." in html


def test_new_item_form_is_prefilled_from_the_outline_links(staff):
    c = make_consultation(focus_areas=1)
    area = item(c, "fa-1")
    html = staff.get(f"{urls(c)['new']}?kind=initiative&parent={area.id}").get_data(as_text=True)
    assert '<option selected value="initiative">' in html
    assert f'<option selected value="{area.id}">' in html


# --- editing -------------------------------------------------------------------------------------


def test_edit_an_items_text(staff):
    c = make_consultation(focus_areas=1)
    goal = item(c, "fa-1-goal-1")
    u = urls(c, goal)
    assert "Mål 1.1" in staff.get(u["edit"]).get_data(as_text=True)
    response = post(
        staff,
        u["edit"],
        {
            "title_da": "  Ældre får   hjælp hjemme ",
            "title_en": "Older people get help at home",
            "body_da": "Ny tekst.\n\n- punkt <em>et</em>",
            "body_en": "",
        },
    )
    assert response.status_code == 302
    r = revision(goal)
    assert r.title_da == "Ældre får hjælp hjemme"
    assert r.title_en == "Older people get help at home"
    assert r.body_da == "Ny tekst.\n\n- punkt et"
    assert r.funds_dkk is None  # goals carry no funds


def test_an_invalid_edit_keeps_the_typed_text(staff):
    c = make_consultation(focus_areas=1)
    goal = item(c, "fa-1-goal-1")
    html = post(
        staff,
        urls(c, goal)["edit"] + "?lang=en",
        {"title_da": "", "body_da": "Min nye tekst, som ikke må gå tabt."},
    ).get_data(as_text=True)
    assert "The Danish title is required." in html
    assert "Min nye tekst, som ikke må gå tabt." in html
    assert revision(goal).title_da == "Mål 1.1"


def test_funds_on_initiatives(staff):
    c = make_consultation(focus_areas=1)
    initiative = item(c, "fa-1-initiative")
    edit = urls(c, initiative)["edit"]
    html = post(staff, edit + "?lang=en", {"title_da": "Indsats", "funds_dkk": "-5"}).get_data(
        as_text=True
    )
    assert "Give a whole number of kroner" in html and 'value="-5"' in html
    post(
        staff,
        edit,
        {"title_da": "Indsats", "funds_dkk": "2.500.000 kr.", "funds_note_da": "I 2027"},
    )
    r = revision(initiative)
    assert r.funds_dkk == 2_500_000 and r.funds_note_da == "I 2027"
    post(staff, edit, {"title_da": "Indsats", "funds_dkk": ""})
    assert revision(initiative).funds_dkk is None


# --- reordering ----------------------------------------------------------------------------------


def test_move_items_up_and_down_among_their_siblings(staff):
    c = make_consultation(focus_areas=3, goals_per_area=2)
    outline = urls(c)["outline"]
    last_goal = item(c, "fa-1-goal-2")
    assert order(c, "fa-1") == ["fa-1-goal-1", "fa-1-goal-2", "fa-1-initiative"]
    response = post(staff, urls(c, last_goal)["move"], {"direction": "up"}, outline)
    assert response.status_code == 302 and response.headers["Location"].endswith("#fa-1-goal-2")
    assert order(c, "fa-1") == ["fa-1-goal-2", "fa-1-goal-1", "fa-1-initiative"]
    # Already first: nothing moves.
    post(staff, urls(c, last_goal)["move"], {"direction": "up"}, outline)
    assert order(c, "fa-1") == ["fa-1-goal-2", "fa-1-goal-1", "fa-1-initiative"]
    post(staff, urls(c, item(c, "fa-1-goal-1"))["move"], {"direction": "down"}, outline)
    assert order(c, "fa-1") == ["fa-1-goal-2", "fa-1-initiative", "fa-1-goal-1"]
    assert positions(c, "fa-1") == [0, 1, 2]
    # Focus areas move among themselves, never above a principle.
    first_area = item(c, "fa-1")
    post(staff, urls(c, first_area)["move"], {"direction": "up"}, outline)
    post(staff, urls(c, item(c, "fa-3"))["move"], {"direction": "up"}, outline)
    assert order(c) == ["vision-1", "principle-1", "fa-1", "fa-3", "fa-2"]
    assert positions(c) == [0, 1, 2, 3, 4]
    assert (
        post(staff, urls(c, first_area)["move"], {"direction": "sideways"}, outline).status_code
        == 400
    )


def test_the_outline_offers_move_buttons_as_plain_forms(staff):
    c = make_consultation(focus_areas=2)
    html = staff.get(urls(c)["outline"] + "?lang=en").get_data(as_text=True)
    goal = item(c, "fa-1-goal-1")
    assert f'action="/staff/consultations/{c.slug}/items/{goal.id}/move"' in html
    assert 'name="direction" value="down"' in html
    # No inline script or style: the only script is the sign-in timeout warning, from a file.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html) and "style=" not in html


# --- removing ------------------------------------------------------------------------------------


def test_remove_an_item_after_confirming(staff):
    c = make_consultation(focus_areas=1, goals_per_area=3)
    goal = item(c, "fa-1-goal-2")
    goal_id = goal.id
    u = urls(c, goal)
    html = staff.get(u["delete"] + "?lang=en").get_data(as_text=True)
    assert "Remove “EN Mål 1.2” from First draft?" in html
    response = post(staff, u["delete"], {})
    assert response.status_code == 302
    assert order(c, "fa-1") == ["fa-1-goal-1", "fa-1-goal-3", "fa-1-initiative"]
    assert positions(c, "fa-1") == [0, 1, 2]
    # Only version: the item row goes with its revision, alternatives and all.
    assert db.session.get(Item, goal_id) is None


def test_removing_a_focus_area_takes_its_goals(staff):
    c = make_consultation(focus_areas=2, goals_per_area=2)
    area = item(c, "fa-1")
    revision_ids = [revision(item(c, key)).id for key in ("fa-1", "fa-1-goal-1", "fa-1-initiative")]
    u = urls(c, area)
    html = staff.get(u["delete"] + "?lang=en").get_data(as_text=True)
    assert "The 3 goals and initiatives under it go too." in html
    post(staff, u["delete"], {})
    assert order(c) == ["vision-1", "principle-1", "fa-2"]
    assert positions(c) == [0, 1, 2]
    left = select(Item).where(Item.key.like("fa-1%"), Item.consultation_id == c.id)
    assert db.session.scalars(left).all() == []
    gone = select(Alternative).where(Alternative.revision_id.in_(revision_ids))
    assert db.session.scalars(gone).all() == []


# --- input already given -------------------------------------------------------------------------


def test_text_with_input_is_kept_until_a_new_version(staff):
    c = make_consultation(focus_areas=1)
    goal = item(c, "fa-1-goal-1")
    chosen = revision(goal).alternatives[1]
    give_input(c, goal, preferred=chosen)
    u = urls(c, goal)
    html = staff.get(u["edit"] + "?lang=en").get_data(as_text=True)
    assert "People have already given input on this text." in html
    # Changing the words, the alternatives or their order is refused; what was typed stays.
    html = post(staff, u["edit"] + "?lang=en", {"title_da": "Omskrevet mål"}).get_data(as_text=True)
    assert "People have already given input on this text." in html and "Omskrevet mål" in html
    alternatives = f"/staff/consultations/{c.slug}/items/{goal.id}/alternatives"
    html = post(
        staff, alternatives + "?lang=en", {"new-text_da": "Formulering C"}, u["edit"]
    ).get_data(as_text=True)
    assert "People have already given input on this text." in html and "Formulering C" in html
    post(staff, f"{alternatives}/{chosen.id}", {"action": "delete"}, u["edit"])
    post(staff, f"{alternatives}/{chosen.id}", {"action": "up"}, u["edit"])
    r = revision(goal)
    assert r.title_da == "Mål 1.1"
    assert [a.text_da for a in r.alternatives] == ["Formulering A", "Formulering B"]
    # Removing it is refused too, and says why.
    html = staff.get(u["delete"] + "?lang=en").get_data(as_text=True)
    assert "It cannot be removed: 1 input or ranking points at it." in html
    post(staff, u["delete"], {}, u["outline"])
    assert goal.key in order(c, "fa-1")
    # So is removing its focus area.
    post(staff, urls(c, item(c, "fa-1"))["delete"], {}, u["outline"])
    assert "fa-1" in order(c)
    # In a new version the text can change; the input keeps the words it answered.
    post(staff, f"/staff/consultations/{c.slug}/versions", {}, u["outline"])
    assert post(staff, u["edit"], {"title_da": "Omskrevet mål"}).status_code == 302
    db.session.expire_all()
    given = db.session.scalar(select(Input).where(Input.item_id == goal.id))
    assert given.revision.title_da == "Mål 1.1"
    assert given.preferred_alternative_id == chosen.id
    assert revision(goal).title_da == "Omskrevet mål"
    post(staff, u["delete"], {}, u["outline"])
    assert goal.key not in order(c, "fa-1")
    assert db.session.get(Item, goal.id) is not None


def test_a_ranked_focus_area_is_not_deleted(staff):
    c = make_consultation(focus_areas=2)
    area = item(c, "fa-2")
    given = give_input(c, item(c, "fa-1-goal-1"))
    db.session.add(
        FocusAreaRank(response_id=given.response_id, item_id=area.id, rank=1, max_rank=3)
    )
    db.session.flush()
    post(staff, urls(c, area)["delete"], {}, urls(c)["outline"])
    assert "fa-2" in order(c)


# --- alternatives and political goals ------------------------------------------------------------


def test_alternatives_add_edit_move_delete(staff):
    c = make_consultation(focus_areas=1)
    goal = item(c, "fa-1-goal-1")
    edit = urls(c, goal)["edit"]
    base = f"/staff/consultations/{c.slug}/items/{goal.id}/alternatives"
    response = post(staff, base, {"new-text_da": "Formulering C", "new-text_en": "Wording C"}, edit)
    assert response.status_code == 302 and response.headers["Location"].endswith("#lines")

    def texts():
        r = revision(goal)
        return r, [a.text_da for a in r.alternatives]

    r, names = texts()
    assert names == ["Formulering A", "Formulering B", "Formulering C"]
    third = r.alternatives[2]
    assert third.text_en == "Wording C"
    post(staff, f"{base}/{third.id}", {"action": "up"}, edit)
    assert texts()[1] == ["Formulering A", "Formulering C", "Formulering B"]
    post(
        staff,
        f"{base}/{third.id}",
        {
            "action": "save",
            f"line{third.id}-text_da": "Formulering C2",
            f"line{third.id}-text_en": "",
        },
        edit,
    )
    assert texts()[1] == ["Formulering A", "Formulering C2", "Formulering B"]
    post(staff, f"{base}/{third.id}", {"action": "delete"}, edit)
    r, names = texts()
    assert names == ["Formulering A", "Formulering B"]
    assert [a.position for a in r.alternatives] == [0, 1]
    assert [a.letter for a in r.alternatives] == ["A", "B"]


def test_an_empty_line_is_refused_and_the_typed_text_kept(staff):
    c = make_consultation(focus_areas=1)
    goal = item(c, "fa-1-goal-1")
    edit = urls(c, goal)["edit"]
    base = f"/staff/consultations/{c.slug}/items/{goal.id}/alternatives"
    response = post(
        staff, base + "?lang=en", {"new-text_da": "", "new-text_en": "My English wording"}, edit
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The Danish text is required." in html and "My English wording" in html
    assert 'href="#new-text_da"' in html
    first = revision(goal).alternatives[0]
    html = post(
        staff,
        f"{base}/{first.id}?lang=en",
        {"action": "save", f"line{first.id}-text_da": "", f"line{first.id}-text_en": "Kept"},
        edit,
    ).get_data(as_text=True)
    assert "The Danish text is required." in html and "Kept</textarea>" in html
    assert revision(goal).alternatives[0].text_da == "Formulering A"


def test_political_goals_on_initiatives(staff):
    c = make_consultation(focus_areas=1)
    initiative = item(c, "fa-1-initiative")
    edit = urls(c, initiative)["edit"]
    base = f"/staff/consultations/{c.slug}/items/{initiative.id}/political-goals"
    post(staff, base, {"new-text_da": "Færre genindlæggelser"}, edit)
    r = revision(initiative)
    assert [g.text_da for g in r.political_goals] == [
        "Flere udskrives trygt",
        "Færre genindlæggelser",
    ]
    second = r.political_goals[1]
    second_id = second.id
    post(staff, f"{base}/{second.id}", {"action": "up"}, edit)
    assert [g.text_da for g in revision(initiative).political_goals][0] == "Færre genindlæggelser"
    post(staff, f"{base}/{second.id}", {"action": "delete"}, edit)
    assert [g.position for g in revision(initiative).political_goals] == [0]
    assert db.session.scalar(select(PoliticalGoal).where(PoliticalGoal.id == second_id)) is None


def test_lines_belong_to_the_right_kind_and_item(staff):
    c = make_consultation(focus_areas=2)
    goal, other_goal = item(c, "fa-1-goal-1"), item(c, "fa-2-goal-1")
    edit = urls(c, goal)["edit"]
    base = f"/staff/consultations/{c.slug}/items"
    # Political goals belong to initiatives, not goals; and no other kind of line exists.
    assert (
        post(staff, f"{base}/{goal.id}/political-goals", {"new-text_da": "x"}, edit).status_code
        == 404
    )
    assert post(staff, f"{base}/{goal.id}/comments", {"new-text_da": "x"}, edit).status_code == 404
    # A line of another goal is not found under this one.
    other_line = revision(other_goal).alternatives[0]
    response = post(
        staff, f"{base}/{goal.id}/alternatives/{other_line.id}", {"action": "delete"}, edit
    )
    assert response.status_code == 404
    # An item of another consultation is not found under this one.
    elsewhere = make_consultation()
    assert (
        staff.get(f"/staff/consultations/{elsewhere.slug}/items/{goal.id}/edit").status_code == 404
    )

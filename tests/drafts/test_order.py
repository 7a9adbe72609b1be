"""Each version keeps its own order of items: reordering a working copy, in the browser or by a
YAML file, leaves the published versions as the public read them until it is published; a
goal or initiative keeps its focus area for life."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from consult.drafts import editing
from consult.drafts import workflow
from consult.drafts.diff import ChangeKind
from consult.drafts.diff import compare
from consult.drafts.importer import ParentChangeError
from consult.drafts.importer import import_draft
from consult.drafts.models import Item
from consult.drafts.models import ItemRevision
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.drafts.services import working_copy
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in

GOALS_1 = ["Mål 1.1", "Mål 1.2", "Indsats 1"]
#: Followed by "<": the print view numbers them "Fokusområde 1: <title>".
AREAS = ["Fokusområde 1<", "Fokusområde 2<"]


@pytest.fixture
def staff(client):
    sign_in(client, make_user("secretariat"))
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def order(html: str, *titles: str) -> list[str]:
    """The titles in the order they first appear on the page."""
    assert all(t in html for t in titles), [t for t in titles if t not in html]
    return sorted(titles, key=html.index)


def item(c, key: str) -> Item:
    return db.session.scalar(select(Item).where(Item.consultation_id == c.id, Item.key == key))


def keys_in_order(version) -> list[str]:
    tree = load_tree(version)
    return [n.key for root in tree.roots for n in (root, *root.children)]


def move(staff, c, key: str, direction: str):
    outline = f"/staff/consultations/{c.slug}/"
    response = staff.post(
        f"/staff/consultations/{c.slug}/items/{item(c, key).id}/move",
        data={"csrf_token": csrf_token(staff, outline), "direction": direction},
        follow_redirects=True,  # the outline shows (and so clears) the flash naming the item
    )
    assert response.status_code == 200
    db.session.expire_all()


def public_pages(client, c) -> dict[str, str]:
    """The current version's overview, print view and item page, and version 1's page."""
    return {
        "overview": text(client.get(f"/consultations/{c.slug}/")),
        "print": text(client.get(f"/consultations/{c.slug}/print")),
        "item": text(client.get(f"/consultations/{c.slug}/items/fa-1-goal-2")),
        "version 1": text(client.get(f"/consultations/{c.slug}/versions/1/")),
    }


def assert_first_order(pages: dict[str, str]) -> None:
    for name in ("overview", "print", "version 1"):
        assert order(pages[name], *GOALS_1) == GOALS_1, name
        assert order(pages[name], *AREAS) == AREAS, name
    # The item page links to the goal before and after it in reading order.
    assert 'rel="prev" href="/consultations/' in pages["item"]
    prev = pages["item"].split('rel="prev"')[1].split("</a>")[0]
    assert "Mål 1.1" in prev


def publish(c) -> None:
    c.status = Status.APPROVAL
    workflow.publish(c, None, news_link="http://x/")
    db.session.expire_all()


def test_moving_items_in_the_working_copy_leaves_the_public_order_until_it_is_published(
    staff, client
):
    c = make_consultation(status=Status.REPORTING)
    first = c.versions[0]
    before = {i.key: i.position for i in db.session.scalars(select(Item))}
    editing.start_new_version(c, first)
    move(staff, c, "fa-1-goal-2", "up")
    move(staff, c, "fa-2", "up")
    copy = working_copy(c)
    assert keys_in_order(copy)[2:6] == ["fa-2", "fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative"]
    assert keys_in_order(copy)[6:9] == ["fa-1", "fa-1-goal-2", "fa-1-goal-1"]
    # The published version, its items and everything the public reads keep the old order.
    assert keys_in_order(first)[2:5] == ["fa-1", "fa-1-goal-1", "fa-1-goal-2"]
    assert {i.key: i.position for i in db.session.scalars(select(Item))} == before
    assert_first_order(public_pages(client, c))
    # Staff preview the working copy in its own order.
    preview = text(staff.get(f"/staff/consultations/{c.slug}/versions/2/preview"))
    assert order(preview, *AREAS) == AREAS[::-1]
    assert order(preview, "Mål 1.1", "Mål 1.2") == ["Mål 1.2", "Mål 1.1"]

    publish(c)
    assert current_version(c).number == 2
    pages = public_pages(client, c)
    for name in ("overview", "print"):
        assert order(pages[name], *AREAS) == AREAS[::-1], name
        assert order(pages[name], "Mål 1.1", "Mål 1.2") == ["Mål 1.2", "Mål 1.1"], name
    assert "Mål 1.1" in pages["item"].split('rel="next"')[1].split("</a>")[0]
    assert "Indsats 2" in pages["item"].split('rel="prev"')[1].split("</a>")[0]
    # The first version stays readable in its own order.
    assert order(pages["version 1"], *GOALS_1) == GOALS_1
    assert order(pages["version 1"], *AREAS) == AREAS
    # Item.position now holds the published order, for the queries that order by it.
    assert item(c, "fa-2").position < item(c, "fa-1").position
    assert item(c, "fa-1-goal-2").position == 0 and item(c, "fa-1-goal-1").position == 1


def test_publishing_a_draft_consultations_copy_in_the_browser_applies_its_order(staff):
    c = make_consultation(status=Status.DRAFT)
    editing.start_new_version(c, c.versions[0])
    move(staff, c, "fa-1-initiative", "up")
    assert item(c, "fa-1-initiative").position == 2
    url = f"/staff/consultations/{c.slug}/versions/2/changes"
    staff.post(
        f"/staff/consultations/{c.slug}/versions/2/publish",
        data={"csrf_token": csrf_token(staff, url)},
    )
    db.session.expire_all()
    assert current_version(c).number == 2
    assert item(c, "fa-1-initiative").position == 1 and item(c, "fa-1-goal-2").position == 2
    assert keys_in_order(c.versions[0])[3:6] == ["fa-1-goal-1", "fa-1-goal-2", "fa-1-initiative"]


def test_a_draft_edited_in_place_keeps_its_items_order_and_position_together(staff):
    """With no working copy, staff edit the only version (hidden while a draft) in place."""
    c = make_consultation(status=Status.DRAFT)
    move(staff, c, "fa-1-goal-2", "up")
    assert keys_in_order(c.versions[0])[3:5] == ["fa-1-goal-2", "fa-1-goal-1"]
    assert item(c, "fa-1-goal-2").position == 0 and item(c, "fa-1-goal-1").position == 1


def test_a_published_version_beside_a_working_copy_is_never_written(staff):
    c = make_consultation(status=Status.REPORTING)
    first = c.versions[0]
    copy = editing.start_new_version(c, first)
    goal = item(c, "fa-1-goal-2")
    area = item(c, "fa-1")
    for change in (
        lambda v: editing.move_item(c, v, goal, -1),
        lambda v: editing.remove_item(c, v, goal),
        lambda v: editing.add_item(c, v, kind=goal.kind, parent=area, key=None, title_da="Nyt mål"),
    ):
        with pytest.raises(editing.EditError, match="published_version"):
            change(first)
    # Once the copy is published, the first version is an old one: still never written.
    editing.move_item(c, copy, goal, -1)
    publish(c)
    with pytest.raises(editing.EditError, match="published_version"):
        editing.move_item(c, first, goal, -1)
    positions = {
        r.item.key: r.position
        for r in db.session.scalars(select(ItemRevision).where(ItemRevision.version_id == first.id))
    }
    assert positions["fa-1-goal-1"] == 0 and positions["fa-1-goal-2"] == 1


# --- the YAML upload ---------------------------------------------------------------------------


def draft_yaml(c, areas: list[tuple[str, list[str]]]) -> bytes:
    """A file of the consultation's items, with the focus areas and children as given."""
    titles = {key: n.revision.title_da for key, n in load_tree(c.versions[0]).by_key.items()}
    lines = [
        "consultation:",
        f"  slug: {c.slug}",
        '  title: {da: "Sundhedsaftale"}',
        "  status: draft",
        '  opens_at: "2026-11-02 09:00"',
        '  closes_at: "2027-01-29 12:00"',
        "version:",
        "  number: 2",
        '  label: {da: "2. udkast", en: "Draft 2"}',
        "items:",
        "  - kind: vision",
        "    key: vision-1",
        f'    title: {{da: "{titles["vision-1"]}"}}',
        "  - kind: principle",
        "    key: principle-1",
        f'    title: {{da: "{titles["principle-1"]}"}}',
    ]
    for area, children in areas:
        lines += [
            "  - kind: focus_area",
            f"    key: {area}",
            f'    title: {{da: "{titles.get(area, area)}"}}',
            "    children:",
        ]
        for key in children:
            kind = "initiative" if key.endswith("initiative") else "goal"
            lines += [
                f"      - kind: {kind}",
                f"        key: {key}",
                f'        title: {{da: "{titles.get(key, key)}"}}',
            ]
    return ("\n".join(lines) + "\n").encode()


def upload(staff, c, source: bytes, lang: str = "en"):
    url = f"/staff/consultations/{c.slug}/versions/import?lang={lang}"
    return staff.post(
        url,
        data={"csrf_token": csrf_token(staff, url), "file": (io.BytesIO(source), "draft.yaml")},
        content_type="multipart/form-data",
    )


def test_a_yaml_working_copy_in_another_order_leaves_the_public_order(staff, client):
    c = make_consultation(status=Status.REPORTING)
    before = {i.key: i.position for i in db.session.scalars(select(Item))}
    source = draft_yaml(
        c,
        [
            ("fa-2", ["fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative"]),
            ("fa-1", ["fa-1-initiative", "fa-1-goal-2", "fa-1-goal-1"]),
        ],
    )
    assert upload(staff, c, source).status_code == 302
    db.session.expire_all()
    copy = working_copy(c)
    assert keys_in_order(copy)[6:] == ["fa-1", "fa-1-initiative", "fa-1-goal-2", "fa-1-goal-1"]
    assert {i.key: i.position for i in db.session.scalars(select(Item))} == before
    assert_first_order(public_pages(client, c))
    # Uploading again replaces the copy's order; the public still reads the first.
    source = draft_yaml(
        c,
        [
            ("fa-1", ["fa-1-goal-2", "fa-1-goal-1", "fa-1-initiative"]),
            ("fa-2", ["fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative"]),
        ],
    )
    assert upload(staff, c, source).status_code == 302
    db.session.expire_all()
    assert keys_in_order(working_copy(c))[2:6] == [
        "fa-1",
        "fa-1-goal-2",
        "fa-1-goal-1",
        "fa-1-initiative",
    ]
    assert_first_order(public_pages(client, c))

    publish(c)
    pages = public_pages(client, c)
    assert order(pages["overview"], *GOALS_1) == ["Mål 1.2", "Mål 1.1", "Indsats 1"]
    assert order(pages["print"], *GOALS_1) == ["Mål 1.2", "Mål 1.1", "Indsats 1"]
    assert order(pages["version 1"], *GOALS_1) == GOALS_1


def test_moving_a_goal_to_another_focus_area_is_refused_and_names_it(staff, client):
    c = make_consultation(status=Status.REPORTING)
    moved = [
        ("fa-1", ["fa-1-goal-1", "fa-1-initiative"]),
        ("fa-2", ["fa-1-goal-2", "fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative"]),
    ]
    response = upload(staff, c, draft_yaml(c, moved))
    html = text(response)
    assert "The file was not imported" in html
    assert (
        "Goal fa-1-goal-2 cannot move to another focus area (from fa-1 to fa-2); "
        "give it a new key instead." in html
    )
    assert "line 32: " in html
    html = text(upload(staff, c, draft_yaml(c, moved), lang="da"))
    assert "Målet fa-1-goal-2 kan ikke flyttes til et andet fokusområde" in html
    initiative = [
        ("fa-1", ["fa-1-goal-1", "fa-1-goal-2"]),
        ("fa-2", ["fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative", "fa-1-initiative"]),
    ]
    html = text(upload(staff, c, draft_yaml(c, initiative)))
    assert "Initiative fa-1-initiative cannot move to another focus area" in html
    # Nothing was loaded, and the goal is where it was.
    db.session.expire_all()
    assert working_copy(c) is None
    assert item(c, "fa-1-goal-2").parent_id == item(c, "fa-1").id
    assert_first_order(public_pages(client, c))


def test_a_goal_moved_under_a_new_focus_area_is_refused_and_a_new_key_is_not(staff):
    c = make_consultation(status=Status.REPORTING)
    areas = [
        ("fa-1", ["fa-1-goal-1", "fa-1-initiative"]),
        ("fa-2", ["fa-2-goal-1", "fa-2-goal-2", "fa-2-initiative"]),
        ("fa-new", ["fa-1-goal-2"]),
    ]
    source = draft_yaml(c, areas).replace(b'{da: "fa-new"}', '{da: "Nyt område"}'.encode())
    assert "(from fa-1 to fa-new)" in text(upload(staff, c, source))
    renamed = source.replace(b"key: fa-1-goal-2", b"key: fa-new-goal-1")
    assert upload(staff, c, renamed).status_code == 302
    db.session.expire_all()
    assert keys_in_order(working_copy(c))[-2:] == ["fa-new", "fa-new-goal-1"]
    assert item(c, "fa-1-goal-2").parent_id == item(c, "fa-1").id


def test_the_command_refuses_a_move_to_another_focus_area(app):
    c = make_consultation(status=Status.REPORTING)
    source = draft_yaml(
        c,
        [
            ("fa-1", ["fa-1-goal-1", "fa-1-initiative"]),
            ("fa-2", ["fa-2-goal-1", "fa-1-goal-2", "fa-2-goal-2", "fa-2-initiative"]),
        ],
    ).decode()
    with pytest.raises(ParentChangeError) as raised:
        import_draft(source)
    assert raised.value.key == "fa-1-goal-2" and (raised.value.old, raised.value.new) == (
        "fa-1",
        "fa-2",
    )
    assert "goal fa-1-goal-2 cannot move from focus area fa-1 to fa-2" in str(raised.value)
    assert working_copy(c) is None


def test_the_edit_form_cannot_move_an_item_to_another_focus_area(staff):
    c = make_consultation(status=Status.REPORTING)
    editing.start_new_version(c, c.versions[0])
    goal = item(c, "fa-1-goal-2")
    url = f"/staff/consultations/{c.slug}/items/{goal.id}/edit"
    staff.post(
        url,
        data={
            "csrf_token": csrf_token(staff, url),
            "title_da": "Mål 1.2",
            "parent": str(item(c, "fa-2").id),
        },
    )
    db.session.expire_all()
    assert item(c, "fa-1-goal-2").parent_id == item(c, "fa-1").id


# --- what changed ------------------------------------------------------------------------------


def test_the_compare_view_shows_an_item_that_changed_place_as_moved(staff, app):
    c = make_consultation(status=Status.REPORTING)
    first = c.versions[0]
    copy = editing.start_new_version(c, first)
    initiative = item(c, "fa-1-initiative")
    editing.move_item(c, copy, initiative, -1)
    editing.move_item(c, copy, initiative, -1)
    with app.test_request_context("/"):
        diffs = {d.key: d for d in compare(load_tree(first), load_tree(copy))}
    # One item moved past two: that one is the move, not the two it passed.
    assert diffs["fa-1-initiative"].moved == (3, 1)
    assert diffs["fa-1-initiative"].change is ChangeKind.CHANGED
    assert (
        diffs["fa-1-goal-1"].moved is None and diffs["fa-1-goal-1"].change is ChangeKind.UNCHANGED
    )
    html = text(staff.get(f"/staff/consultations/{c.slug}/versions/2/changes?lang=en"))
    section = html.split('id="change-fa-1-initiative"')[1].split("</section>")[0]
    assert "(Moved)" in section and "Moved from place 3 to 1." in section
    assert 'id="change-fa-1-goal-1"' not in html
    html = text(staff.get(f"/staff/consultations/{c.slug}/versions/2/changes?lang=da"))
    assert "Flyttet fra plads 3 til 1." in html


def test_an_added_item_moves_nobody(app):
    c = make_consultation(status=Status.REPORTING)
    first = c.versions[0]
    copy = editing.start_new_version(c, first)
    editing.add_item(
        c, copy, kind=item(c, "fa-1").kind, parent=None, key="fa-0", title_da="Nyt område"
    )
    editing.move_item(c, copy, item(c, "fa-0"), -1)
    with app.test_request_context("/"):
        diffs = compare(load_tree(first), load_tree(copy))
    assert [d.key for d in diffs if d.moved] == []
    assert [d.key for d in diffs if d.change is not ChangeKind.UNCHANGED] == ["fa-0"]

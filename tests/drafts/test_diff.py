"""The word-level diff: words, not characters; <del>/<ins> marked in words, not colour only."""

from __future__ import annotations

from flask_babel import force_locale

from consult.drafts import diff
from consult.drafts import editing
from consult.drafts.services import load_tree
from tests.factories import make_consultation


def test_tokens_keep_words_whole_and_split_punctuation():
    assert diff.tokens("Flere ældre, færre indlæggelser.") == [
        "Flere", " ", "ældre", ",", " ", "færre", " ", "indlæggelser", ".",
    ]  # fmt: skip


def test_a_changed_word_is_a_deletion_then_an_insertion():
    runs = diff.word_runs("Flere ældre trives", "Flere unge trives")
    assert runs == [
        diff.Run("equal", "Flere "),
        diff.Run("delete", "ældre"),
        diff.Run("insert", "unge"),
        diff.Run("equal", " trives"),
    ]


def test_the_html_marks_each_change_in_words_for_screen_readers(app):
    with app.test_request_context("/"), force_locale("en"):
        html = str(diff.word_diff("Flere ældre trives", "Flere unge trives godt"))
    assert '<del><span class="visually-hidden">[removed: </span>ældre' in html
    assert '<ins><span class="visually-hidden">[added: </span>unge' in html
    assert "godt" in html.split("<ins>")[-1]
    with app.test_request_context("/"), force_locale("da"):
        html = str(diff.word_diff("a", "b"))
    assert "[fjernet: " in html and "[tilføjet: " in html


def test_the_diff_escapes_what_it_shows(app):
    with app.test_request_context("/"), force_locale("en"):
        html = str(diff.word_diff("<b>ældre</b>", "<script>unge</script>"))
    assert "<script" not in html and "<b>" not in html
    assert html.startswith("&lt;") and "&gt;" in html


def test_a_rewritten_phrase_reads_as_one_deletion_and_one_insertion():
    runs = diff.word_runs("Mål 1.1 om noget", "Flere ældre trives om noget")
    assert runs == [
        diff.Run("delete", "Mål 1.1"),
        diff.Run("insert", "Flere ældre trives"),
        diff.Run("equal", " om noget"),
    ]


def test_identical_texts_have_no_marks(app):
    with app.test_request_context("/"), force_locale("en"):
        assert "<del>" not in str(diff.word_diff("Samme tekst.", "Samme tekst."))


def test_compare_finds_added_removed_changed_and_unchanged_items(app):
    c = make_consultation(focus_areas=1, goals_per_area=2)
    old = c.versions[0]
    new = editing.start_new_version(c, old)
    tree = load_tree(new)
    editing.update_revision(tree.by_key["fa-1-goal-1"].revision, title_da="Mål om ældre")
    editing.add_item(
        c, new, kind=editing.ItemKind.GOAL, parent=tree.by_key["fa-1"].item, key="nyt-maal",
        title_da="Et nyt mål",
    )  # fmt: skip
    editing.remove_item(c, new, tree.by_key["fa-1-goal-2"].item)
    with app.test_request_context("/"), force_locale("en"):
        diffs = {d.key: d for d in diff.compare(load_tree(old), load_tree(new))}
    assert diffs["fa-1-goal-1"].change is diff.ChangeKind.CHANGED
    assert [f.name for f in diffs["fa-1-goal-1"].changed_fields] == ["title"]
    assert diffs["nyt-maal"].change is diff.ChangeKind.ADDED
    assert diffs["fa-1-goal-2"].change is diff.ChangeKind.REMOVED
    assert diffs["vision-1"].change is diff.ChangeKind.UNCHANGED
    assert diff.changed_item_ids(list(diffs.values())) == {
        diffs[k].item_id for k in ("fa-1-goal-1", "nyt-maal", "fa-1-goal-2")
    }


def test_a_change_to_the_danish_text_alone_shows_in_english_too(app):
    c = make_consultation(focus_areas=1, goals_per_area=1)
    old = c.versions[0]
    new = editing.start_new_version(c, old)
    editing.update_revision(load_tree(new).by_key["fa-1-goal-1"].revision, title_da="Nyt mål")
    with app.test_request_context("/"), force_locale("en"):
        [d] = [d for d in diff.compare(load_tree(old), load_tree(new)) if d.key == "fa-1-goal-1"]
    assert d.change is diff.ChangeKind.CHANGED
    [title] = d.changed_fields
    assert (title.lang, title.old, title.new) == ("da", "Mål 1.1", "Nyt mål")


def test_alternatives_and_funds_are_compared_too(app):
    c = make_consultation(focus_areas=1, goals_per_area=1)
    old = c.versions[0]
    new = editing.start_new_version(c, old)
    tree = load_tree(new)
    goal = tree.by_key["fa-1-goal-1"].revision
    editing.update_line(goal, goal.alternatives[1], "Formulering C", "")
    editing.update_revision(tree.by_key["fa-1-initiative"].revision, funds_dkk=3_000_000)
    with app.test_request_context("/"), force_locale("da"):
        diffs = {d.key: d for d in diff.compare(load_tree(old), load_tree(new))}
    alternatives = diffs["fa-1-goal-1"].changed_fields[0]
    assert alternatives.name == "alternatives"
    html = str(alternatives.html)
    assert "B. Formulering <del>" in html and "[fjernet: </span>B<" in html
    assert "[tilføjet: </span>C<" in html
    funds = diffs["fa-1-initiative"].changed_fields[0]
    assert (funds.name, funds.old[:9], funds.new[:9]) == ("funds", "2.000.000", "3.000.000")

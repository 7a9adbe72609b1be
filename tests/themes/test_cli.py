"""``flask consult themes suggest`` and ``flask consult themes seed``."""

from __future__ import annotations

import json

import pytest

from tests.themes.test_engine import ITEMS


def run(app, *args):
    return app.test_cli_runner().invoke(args=["consult", "themes", *args])


@pytest.fixture
def inputs(tmp_path):
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps([{"id": i, "text": t} for i, t in ITEMS]), encoding="utf-8")
    return path


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_suggest_prints_every_inputs_theme_and_label(app, inputs):
    result = run(app, "suggest", "--input", str(inputs), "--k", "3")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == [id_ for id_, _ in ITEMS]
    by_theme = {}
    for row in rows:
        by_theme.setdefault(row["theme"], set()).add(row["id"][0])
        assert row["label"]
    assert sorted(by_theme) == [1, 2, 3]
    assert sorted(map(sorted, by_theme.values())) == [["p"], ["t"], ["w"]]


def test_suggest_chooses_k_and_gives_input_without_words_no_theme(app, tmp_path):
    data = [{"id": i, "text": t} for i, t in ITEMS] + [{"id": 99, "text": "Ok!"}]
    result = run(app, "suggest", "--input", str(write(tmp_path, "in.json", data)))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[-1] == {"id": 99, "theme": None, "label": ""}
    assert len(rows) == len(data)


def test_seed_prints_every_other_inputs_best_theme_score_and_words(app, inputs, tmp_path):
    seeds = [{"id": "w0", "theme": "Ventetider"}, {"id": "w1", "theme": "Ventetider"}]
    seeds += [{"id": "t0", "theme": "Transport"}, {"id": "p0", "theme": "Psykiatri"}]
    result = run(
        app, "seed", "--input", str(inputs), "--seeds", str(write(tmp_path, "s.json", seeds))
    )
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert set(rows) == {id_ for id_, _ in ITEMS} - {"w0", "w1", "t0", "p0"}
    assert rows["w3"]["theme"] == "Ventetider" and rows["t4"]["theme"] == "Transport"
    assert "hospitalet" in rows["t4"]["words"]
    assert all(0 <= row["score"] <= 1 for row in rows.values())


BAD_INPUTS = [
    ("not json {", "not JSON"),
    ('{"id": 1, "text": "x"}', "expected a JSON list"),
    ("[1, 2]", "item 1 is not an object"),
    ('[{"id": 1}]', 'item 1 needs "text" as text'),
    ('[{"text": "ventetid"}]', 'item 1 needs "id" as a number or text'),
    ('[{"id": true, "text": "ventetid"}]', 'needs "id"'),
    ('[{"id": 1, "text": "a"}, {"id": 1, "text": "b"}]', "own id"),
]


@pytest.mark.parametrize(("content", "says"), BAD_INPUTS)
def test_suggest_refuses_bad_input_with_a_message_and_status_2(app, tmp_path, content, says):
    result = run(app, "suggest", "--input", str(write(tmp_path, "bad.json", content)))
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_suggest_refuses_text_that_is_not_utf8(app, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"id": 1, "text": "pårørende"}]'.encode("latin-1"))
    result = run(app, "suggest", "--input", str(path))
    assert result.exit_code == 2 and "not UTF-8" in result.output


@pytest.mark.parametrize(
    ("seeds", "says"),
    [
        ("nope", "not JSON"),
        ('[{"id": "w0"}]', 'needs "theme" as text'),
        ('[{"id": "w0", "theme": "  "}]', "theme name is empty"),
        ('[{"id": "zz", "theme": "Ventetider"}]', "not inputs"),
        ("[]", "at least one theme"),
    ],
)
def test_seed_refuses_bad_seeds_with_a_message_and_status_2(app, inputs, tmp_path, seeds, says):
    path = write(tmp_path, "seeds.json", seeds)
    result = run(app, "seed", "--input", str(inputs), "--seeds", str(path))
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_missing_files_and_options_are_usage_errors(app, inputs, tmp_path):
    assert run(app, "suggest", "--input", str(tmp_path / "missing.json")).exit_code == 2
    assert run(app, "suggest").exit_code == 2
    assert run(app, "seed", "--input", str(inputs)).exit_code == 2
    assert run(app, "suggest", "--input", str(inputs), "--k", "0").exit_code == 2


@pytest.mark.parametrize("command", [[], ["suggest"], ["seed"]])
def test_every_command_has_help(app, command):
    result = run(app, *command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 5

"""``flask consult themes suggest|seed``: the theme engine on JSON files, no database.

The engine (scikit-learn) is imported inside the commands, so starting the app does not pay
for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

INPUT_HELP = 'A JSON file: a list of inputs, [{"id": 1, "text": "…"}, …] (ids are numbers or text).'


@click.group("themes")
def themes_cli():
    """Suggest themes in Danish input, or sort input into themes you name (offline)."""


@themes_cli.command("suggest")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=INPUT_HELP,
)
@click.option(
    "--k",
    type=click.IntRange(1, 200),
    default=None,
    help="How many themes; chosen from 4 to 14 by the silhouette when not given.",
)
def suggest_command(input_path: Path, k: int | None):
    """Suggest themes: print each input's theme as JSON.

    [{"id", "theme", "label"}]: "theme" numbers the themes from 1, largest first; "label"
    is its characteristic words. Input without usable words (e.g. "Ok") gets theme null.
    """
    from consult.themes.suggest import suggest_themes

    items = _read_inputs(input_path, "--input")
    try:
        suggestions = suggest_themes(items, k)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--input") from None
    rows: list[dict[str, Any]] = []
    for number, theme in enumerate(suggestions.themes, start=1):
        rows.extend({"id": id_, "theme": number, "label": theme.label} for id_ in theme.ids)
    rows.extend({"id": id_, "theme": None, "label": ""} for id_ in suggestions.unassigned)
    order = {id_: i for i, (id_, _) in enumerate(items)}
    rows.sort(key=lambda row: order[row["id"]])
    _print(rows)


@themes_cli.command("seed")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=INPUT_HELP,
)
@click.option(
    "--seeds",
    "seeds_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='A JSON file: examples of named themes, [{"id": 1, "theme": "Ventetider"}, …].',
)
def seed_command(input_path: Path, seeds_path: Path):
    """Sort input into themes you name, from a few examples of each.

    Prints every input that is not an example as JSON, [{"id", "theme", "score", "words"}]:
    "score" is the cosine with the theme (0 to 1), "words" the words it shares with the
    theme's examples and name.
    """
    from consult.themes.seeded import match_themes

    items = _read_inputs(input_path, "--input")
    examples: dict[str, list[Any]] = {}
    for seed in _read_list(seeds_path, "--seeds", {"id": (int, str), "theme": (str,)}):
        if not seed["theme"].strip():
            raise click.BadParameter("a theme name is empty", param_hint="--seeds")
        examples.setdefault(seed["theme"].strip(), []).append(seed["id"])
    try:
        matches = match_themes(items, examples)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--seeds") from None
    _print(
        [{"id": m.id, "theme": m.theme, "score": m.score, "words": list(m.words)} for m in matches]
    )


def _read_inputs(path: Path, option: str) -> list[tuple[Any, str]]:
    rows = _read_list(path, option, {"id": (int, str), "text": (str,)})
    return [(row["id"], row["text"]) for row in rows]


def _read_list(path: Path, option: str, fields: dict[str, tuple[type, ...]]) -> list[dict]:
    """Return the file's list of objects, or stop with a message naming what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path}: not UTF-8 text", param_hint=option) from None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{path}: not JSON ({exc})", param_hint=option) from None
    if not isinstance(data, list):
        raise click.BadParameter(f"{path}: expected a JSON list of objects", param_hint=option)
    for number, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise click.BadParameter(f"{path}: item {number} is not an object", param_hint=option)
        for name, types in fields.items():
            value = row.get(name)
            # bool is an int in Python; an id of true is a mistake, not the number 1.
            if not isinstance(value, types) or isinstance(value, bool):
                kinds = " or ".join("a number" if t is int else "text" for t in types)
                raise click.BadParameter(
                    f'{path}: item {number} needs "{name}" as {kinds}', param_hint=option
                )
    return data


def _print(rows: list[dict[str, Any]]) -> None:
    """Print a JSON list, one input a line."""
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    click.echo(f"[\n{lines}\n]" if rows else "[]")

"""Server-side charts: valid, deterministic, readable output in both formats."""

from __future__ import annotations

import datetime
import io
import re
import threading
import xml.etree.ElementTree as ET

import matplotlib as mpl
import pytest
from PIL import Image

from consult.analysis import charts

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

GROUPS = [
    ("Kommuner", 42.0),
    ("Praktiserende læger", 9.0),
    ("Patient- og pårørendeforeninger", 23.0),
    ("Borgere – privatpersoner", 3.0),
    ("Øvrige «høringsparter»", 1.0),
]
STANCES = [("agree", "Enig"), ("partly", "Delvis enig"), ("disagree", "Uenig")]
STANCE_ROWS = [
    ("Kommuner", {"agree": 3, "disagree": 1}),
    ("Regionen", {"agree": 1, "partly": 1, "disagree": 2}),
]
START = datetime.date(2025, 2, 3)
DAYS = [
    (START + datetime.timedelta(days=offset), {"responses": offset % 4, "inputs": offset % 9})
    for offset in range(21)
]
DAY_SERIES = [("responses", "Høringssvar"), ("inputs", "Input")]


def parse(svg: bytes) -> ET.Element:
    """Parse an SVG, failing the test unless it is well-formed."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == f"{SVG}svg"
    return root


def svg_texts(svg: bytes) -> list[str]:
    """Return the text of every <text> element."""
    return ["".join(element.itertext()) for element in parse(svg).iter(f"{SVG}text")]


def bar_widths(svg: bytes) -> list[float]:
    """Return the drawn width of every bar (matplotlib draws them as polygon collections)."""
    widths = []
    for group in parse(svg).iter(f"{SVG}g"):
        if not group.get("id", "").startswith("PolyCollection"):
            continue
        for path in group.iter(f"{SVG}path"):
            xs = [float(x) for x in re.findall(r"[ML] (-?[\d.]+) ", path.get("d", ""))]
            if xs and max(xs) - min(xs) > 0.01:
                widths.append(max(xs) - min(xs))
    return widths


def every_chart(fmt: str) -> dict[str, bytes]:
    return {
        "bar": charts.bar_chart(GROUPS, title="Input pr. gruppe", value_label="Input", fmt=fmt),
        "stacked": charts.stacked_chart(STANCE_ROWS, STANCES, title="Holdning", fmt=fmt),
        "time": charts.time_chart(DAYS, DAY_SERIES, title="Deltagelse pr. dag", fmt=fmt),
    }


def test_bar_chart_svg_has_title_labels_and_values_as_text():
    svg = charts.bar_chart(GROUPS, title="Input fordelt på æøå-grupper", value_label="Antal")

    texts = svg_texts(svg)
    assert "Input fordelt på æøå-grupper" in texts
    for label, value in GROUPS:
        assert label in texts
        assert charts.danish_number(value) in texts
    assert "Antal" in texts
    title = parse(svg).find(f"{SVG}title")
    assert title is not None and title.text == "Input fordelt på æøå-grupper"


def test_svg_title_escapes_markup():
    title = "Svar & «kommentarer» <2025>"

    svg = charts.stacked_chart(STANCE_ROWS, STANCES, title=title)

    assert parse(svg).findtext(f"{SVG}title") == title
    assert title in svg_texts(svg)


def test_svg_keeps_text_as_text_without_metadata_that_changes():
    svg = charts.bar_chart(GROUPS, title="Input")

    # Glyphs drawn as paths would be <use> references to glyph definitions.
    assert b"<use" not in svg
    assert b"DejaVu Sans" in svg
    assert b"dc:date" not in svg
    assert b"Matplotlib v" not in svg


def test_stacked_chart_labels_segments_with_danish_percentages():
    svg = charts.stacked_chart(STANCE_ROWS, STANCES, title="Holdning til mål 3")

    texts = svg_texts(svg)
    assert {"75 %", "25 %", "50 %"} <= set(texts)
    assert {"Enig", "Delvis enig", "Uenig", "Kommuner", "Regionen"} <= set(texts)


def test_stacked_chart_without_normalise_labels_values():
    svg = charts.stacked_chart(
        [("Kommuner", {"agree": 1200, "disagree": 300})], STANCES, title="Antal", normalise=False
    )

    assert {"1.200", "300"} <= set(svg_texts(svg))


def test_bar_chart_percent_writes_shares_as_percentages():
    svg = charts.bar_chart([("Kommuner", 0.5), ("Regionen", 0.125)], title="Andel", percent=True)

    assert {"50 %", "12 %"} <= set(svg_texts(svg))


def test_value_format_replaces_the_danish_default():
    svg = charts.bar_chart([("Municipalities", 2.5)], title="Mean", value_format="{:.2f}".format)

    assert "2.50" in svg_texts(svg)


def test_time_chart_writes_days_as_day_and_month():
    svg = charts.time_chart(DAYS, DAY_SERIES, title="Deltagelse pr. dag")

    texts = svg_texts(svg)
    assert {"Høringssvar", "Input"} <= set(texts)
    days = {f"{day.day}/{day.month}" for day, _ in DAYS}
    assert len(days & set(texts)) >= 3


def test_time_chart_accepts_a_date_format():
    svg = charts.time_chart(DAYS, DAY_SERIES, title="Per day", date_format=lambda d: d.isoformat())

    assert any(text.startswith("2025-02-") for text in svg_texts(svg))


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_output_is_the_same_bytes_every_time(fmt):
    assert every_chart(fmt) == every_chart(fmt)


def test_png_is_16_cm_wide_at_150_dpi():
    for png in every_chart("png").values():
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as image:
            # Matplotlib rounds the pixel width down.
            assert abs(image.width - 16 / 2.54 * 150) < 1
            assert round(image.info["dpi"][0]) == 150


def test_svg_is_720_wide_and_grows_with_the_rows():
    def height(rows: int) -> float:
        svg = charts.bar_chart([(f"Gruppe {n}", n) for n in range(rows)], title="Rækker")
        view_box = parse(svg).get("viewBox", "").split()
        assert view_box[2] == "720"
        return float(view_box[3])

    assert height(12) > height(3)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_empty_input_draws_the_title_alone(fmt):
    outputs = [
        charts.bar_chart([], title="Tomt", fmt=fmt),
        charts.stacked_chart([], STANCES, title="Tomt", fmt=fmt),
        charts.stacked_chart(STANCE_ROWS, [], title="Tomt", fmt=fmt),
        charts.time_chart([], DAY_SERIES, title="Tomt", fmt=fmt),
    ]

    for output in outputs:
        assert output.startswith(PNG_SIGNATURE if fmt == "png" else b"<?xml")


def test_empty_input_can_say_why():
    svg = charts.bar_chart([], title="Input pr. gruppe", empty_text="Ingen input endnu")

    assert svg_texts(svg) == ["Input pr. gruppe", "Ingen input endnu"]


def test_rows_of_zeros_draw_their_labels_and_no_bars():
    drawn = {
        "bar": charts.bar_chart([("Kommuner", 0)], title="Nul"),
        "share": charts.stacked_chart([("Kommuner", {})], STANCES, title="Nul"),
        "count": charts.stacked_chart([("Kommuner", {})], STANCES, title="Nul", normalise=False),
    }
    for name, svg in drawn.items():
        texts = svg_texts(svg)
        assert "Nul" in texts and "Kommuner" in texts, (name, texts)
        assert not bar_widths(svg), (name, bar_widths(svg))
    over_time = svg_texts(charts.time_chart([(START, {})], DAY_SERIES, title="Nul"))
    assert "Nul" in over_time


def test_dollar_signs_are_text_not_mathtext():
    svg = charts.bar_chart([("$x$ og $y$", 1)], title="Pris i $")

    assert "$x$ og $y$" in svg_texts(svg)


def test_characters_without_a_glyph_are_replaced_without_a_warning():
    # filterwarnings = error turns matplotlib's "Glyph missing" warning into a failure here.
    png = charts.bar_chart([("Fest 🎉", 1)], title="Emoji 🎉", fmt="png")
    svg = charts.bar_chart([("Fest 🎉", 1)], title="Emoji 🎉")

    assert png.startswith(PNG_SIGNATURE)
    assert "Fest \ufffd" in svg_texts(svg)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown chart format"):
        charts.bar_chart(GROUPS, title="Input", fmt="pdf")


def test_global_rcparams_are_left_alone():
    before = dict(mpl.rcParams)

    every_chart("svg")

    assert dict(mpl.rcParams) == before


def test_charts_drawn_in_threads_match_those_drawn_alone():
    expected = every_chart("svg")
    results: list[dict[str, bytes]] = []

    def draw() -> None:
        results.append(every_chart("svg"))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [expected] * 4


def test_palette_has_3_to_1_contrast_on_white_and_readable_segment_labels():
    for colour in charts.PALETTE:
        assert charts.contrast_ratio(colour) >= 3
        ink = max(charts.contrast_ratio(colour), charts.contrast_ratio(colour, charts.INK))
        assert ink >= 4.5
    assert charts.contrast_ratio(charts.MUTED) >= 4.5
    assert charts.contrast_ratio(charts.INK) >= 4.5


@pytest.mark.parametrize(
    ("value", "text"),
    [(3, "3"), (1234, "1.234"), (2.25, "2,2"), (2.5, "2,5"), (1234.5, "1.234,5")],
)
def test_danish_number(value, text):
    assert charts.danish_number(value) == text


def test_danish_percent():
    assert charts.danish_percent(0.75) == "75 %"
    assert charts.danish_percent(1 / 3) == "33 %"

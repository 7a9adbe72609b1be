"""Charts drawn on the server: SVG for the secretariat's pages, PNG for the Word memo.

Only matplotlib's object API (a ``Figure`` and a backend canvas), never ``pyplot``: no global
figure registry, no display, nothing kept between requests. Titles and labels arrive already
translated; numbers go through ``value_format`` (Danish style unless the caller passes Babel's
formatter). The page writes the alt text and shows the same numbers in a table beside the chart.

SVG is 720 units wide (10 in at 72 units per inch), so text sizes are true at its natural size.
PNG is 16 cm wide at 150 dpi, the text width of an A4 page, so Word shows it at true size too.
The layout is worked out here from measured text widths rather than by matplotlib's layout
engines: one drawing pass instead of three keeps a chart well under 100 ms.
"""

from __future__ import annotations

import datetime
import functools
import io
import math
import os
import tempfile
import textwrap
import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ParamSpec
from xml.sax.saxutils import escape

# matplotlib keeps a font cache in the user's home; a service account may have none.
os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "consult-matplotlib"))

import matplotlib as mpl  # noqa: E402 - after MPLCONFIGDIR, which it reads on import
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.font_manager import findfont
from matplotlib.font_manager import get_font
from matplotlib.patches import Patch
from matplotlib.textpath import text_to_path
from matplotlib.ticker import MaxNLocator

ValueFormat = Callable[[float], str]
DateFormat = Callable[[datetime.date], str]
P = ParamSpec("P")

SVG_CONTENT_TYPE = "image/svg+xml"
PNG_CONTENT_TYPE = "image/png"

#: Okabe and Ito's colour-blind-safe set without its three colours lighter than 3:1 on white
#: (orange, sky blue, yellow), plus a darkened orange and a grey. On white: 5.2, 3.9, 3.4,
#: 3.1, 4.9 and 6.4 to 1, so every bar and line passes WCAG 1.4.11.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#9A6700", "#5F5F5F")
INK = "#1A1A1A"
#: Axis lines and ticks: 7:1 on white.
MUTED = "#595959"
#: Grid lines are decoration; the values are written on the bars.
GRID = "#DDDDDD"
#: Lines differ by marker and dash as well as by colour.
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("-", "--", ":", "-.")
#: Segments beyond the palette's six colours repeat them with a hatch.
HATCHES = (None, "//", "xx")
#: Above this many days, markers would merge into a smear.
MAX_MARKED_DAYS = 45

SMALL_SIZE = 10
FONT_SIZE = 11
TITLE_SIZE = 13
SVG_WIDTH_IN = 10.0
PNG_WIDTH_IN = 16 / 2.54
PNG_DPI = 150
TIME_HEIGHT_IN = {"svg": 5.0, "png": 3.6}
PT = 72  # points per inch, and SVG units per inch
#: Figure margin, and the gap between title, legend and plot, in points.
MARGIN = 8
GAP = 10
#: Between a row label and its bar, a tick label and the axis, a value and its bar's end.
PAD = 6
BAR_HEIGHT = 0.62
#: Row labels wider than this share of the figure are wrapped, so the bars keep the rest.
LABEL_SHARE = 0.35
#: Matplotlib's line height in font sizes; a legend row and the space between rows in points.
LINE_HEIGHT = 1.2
LEGEND_ROW = 1.15 * FONT_SIZE
LEGEND_SPACING = 0.5 * FONT_SIZE
#: Legend handle length, gap to its text and space between columns, in font sizes.
LEGEND_HANDLE = 2.4
LEGEND_TEXT_PAD = 0.8
LEGEND_COLUMN_SPACING = 1.6

#: The metadata matplotlib would otherwise stamp with the date and its version.
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
#: zlib's fastest level: a third of the encoding time for a few per cent more bytes.
PNG_OPTIONS = {"compress_level": 1}

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.major.pad": PAD / 2,
    "ytick.major.pad": PAD / 2,
    # Labels are respondents' group names and the like: a "$" is money, not mathtext.
    "text.parse_math": False,
    "svg.fonttype": "none",
    # Fixed ids for clip paths, so the same chart gives the same bytes.
    "svg.hashsalt": "consult-charts",
}

_DANISH_SEPARATORS = str.maketrans({",": ".", ".": ","})
#: rcParams are global to the process; one chart at a time keeps one thread's rc_context
#: from being undone by another's under gunicorn's threads. A chart takes tens of milliseconds.
_lock = threading.Lock()


def _charting(draw: Callable[P, bytes]) -> Callable[P, bytes]:
    """Run a chart function under this module's rcParams, one chart at a time."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with _lock, mpl.rc_context(RC):
            return draw(*args, **kwargs)

    return wrapper


def danish_number(value: float) -> str:
    """Format a number as Danish does: 1.234 and 2,5 (one decimal unless it is whole)."""
    pattern = "{:,.0f}" if float(value).is_integer() else "{:,.1f}"
    return pattern.format(value).translate(_DANISH_SEPARATORS)


def danish_percent(share: float) -> str:
    """Format a share between 0 and 1 as a whole Danish percentage, "75 %"."""
    return f"{danish_number(round(share * 100))} %"


def danish_day(day: datetime.date) -> str:
    """Format a day as day/month, "3/2", the short Danish form."""
    return f"{day.day}/{day.month}"


def contrast_ratio(colour: str, other: str = "#FFFFFF") -> float:
    """Return the WCAG contrast ratio of two ``#RRGGBB`` colours."""
    darker, lighter = sorted((_luminance(colour), _luminance(other)))
    return (lighter + 0.05) / (darker + 0.05)


@_charting
def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    value_label: str = "",
    fmt: str = "svg",
    percent: bool = False,
    value_format: ValueFormat | None = None,
    empty_text: str = "",
) -> bytes:
    """Draw horizontal bars, one per row, in the given order, each labelled with its value.

    ``percent`` means the values are shares between 0 and 1, written "75 %". Values should not
    be negative. ``empty_text`` (already translated) is shown when there are no rows.
    """
    if not rows:
        return _empty_chart(fmt, title, empty_text)
    label_of = _printable_format(value_format or (danish_percent if percent else danish_number))
    values = [float(value) for _, value in rows]
    texts = [label_of(value) for value in values]
    labels = _row_labels(fmt, [label for label, _ in rows])
    frame = _frame(fmt, title, ylabels=labels, caption=bool(value_label))
    fig = _new_figure(frame)
    ax = frame.add_axes(fig)
    # Leave room after each bar for its value, in the units of the data.
    span = max([*values, 1.0 if percent else 0.0]) or 1.0
    for value, text in zip(values, texts, strict=True):
        room = frame.plot_width - PAD - _text_width(text, SMALL_SIZE)
        if value > 0 and room > 0:
            span = max(span, value * frame.plot_width / room)
    ax.set_xlim(0, span)
    _bars(ax, [values], edge=None)
    _label_rows(ax, labels)
    ax.xaxis.set_visible(False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    for position, (value, text) in enumerate(zip(values, texts, strict=True)):
        ax.annotate(
            text,
            (value, position),
            xytext=(PAD, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL_SIZE,
            annotation_clip=False,
        )
    if value_label:
        fig.text(frame.x(frame.left), frame.y(MARGIN), _printable(value_label), va="bottom")
    return _render(fig, fmt, title)


@_charting
def stacked_chart(
    rows: Sequence[tuple[str, dict[str, float]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    fmt: str = "svg",
    normalise: bool = True,
    value_format: ValueFormat | None = None,
    empty_text: str = "",
) -> bytes:
    """Draw one horizontal stacked bar per row, segments in ``series`` order from the left.

    ``series`` is ``[(key, label)]``; a key missing from a row counts as 0. With ``normalise``
    each bar shows the row's shares of 100 % (a row totalling 0 stays empty); without, the
    values stack as they are. A segment is labelled with its share or value where that fits.
    """
    if not rows or not series:
        return _empty_chart(fmt, title, empty_text)
    label_of = _printable_format(value_format or (danish_percent if normalise else danish_number))
    table = [[float(values.get(key, 0)) for key, _ in series] for _, values in rows]
    if normalise:
        table = [[value / sum(row) if sum(row) else 0.0 for value in row] for row in table]
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0] if normalise else _nice_ticks(max(map(sum, table)))
    tick_texts = [label_of(tick) for tick in ticks]
    labels = _row_labels(fmt, [label for label, _ in rows])
    legend = [label for _, label in series]
    frame = _frame(fmt, title, legend=legend, ylabels=labels, xticks=tick_texts)
    fig = _new_figure(frame)
    ax = frame.add_axes(fig)
    ax.set_xlim(0, ticks[-1])
    # White edges separate neighbouring segments, whatever their colours.
    handles = _bars(ax, [list(column) for column in zip(*table, strict=True)], edge="white")
    _label_rows(ax, labels)
    ax.set_xticks(ticks, tick_texts)
    ax.tick_params(axis="x", length=0)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    points_per_unit = frame.plot_width / ticks[-1]
    for position, row in enumerate(table):
        left = 0.0
        for index, value in enumerate(row):
            text = label_of(value)
            if value > 0 and value * points_per_unit >= _text_width(text, SMALL_SIZE) + PAD:
                fill = PALETTE[index % len(PALETTE)]
                # On a hatched segment the label gets a plain patch of the fill behind it.
                behind = {"facecolor": fill, "edgecolor": "none", "pad": 2}
                ax.text(
                    left + value / 2,
                    position,
                    text,
                    ha="center",
                    va="center",
                    color=_ink_on(fill),
                    fontsize=SMALL_SIZE,
                    bbox=behind if index >= len(PALETTE) else None,
                )
            left += value
    frame.add_legend(fig, handles)
    return _render(fig, fmt, title)


@_charting
def time_chart(
    days: Sequence[tuple[datetime.date, dict[str, int]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    fmt: str = "svg",
    value_format: ValueFormat | None = None,
    date_format: DateFormat | None = None,
    empty_text: str = "",
) -> bytes:
    """Draw participation per day, one line per series key, the days written day/month.

    Days between the first and the last that are missing from ``days``, and keys missing from
    a day, count as 0. ``date_format`` can be Babel's ``format_date`` to write month names.
    """
    if not days or not series:
        return _empty_chart(fmt, title, empty_text)
    label_of = _printable_format(value_format or danish_number)
    day_of = date_format or danish_day
    counts = {day.toordinal(): values for day, values in days}
    first, last = min(counts), max(counts)
    ordinals = list(range(first, last + 1))
    lines = [[counts.get(ordinal, {}).get(key, 0) for ordinal in ordinals] for key, _ in series]
    yticks = _nice_ticks(max(max(line) for line in lines))
    ytexts = [label_of(tick) for tick in yticks]
    locator = MaxNLocator(nbins=8, integer=True, min_n_ticks=1)
    xticks = [round(tick) for tick in locator.tick_values(first, last) if first <= tick <= last]
    xtexts = [_printable(day_of(datetime.date.fromordinal(tick))) for tick in xticks]
    legend = [label for _, label in series]
    frame = _frame(
        fmt, title, legend=legend, ylabels=ytexts, xticks=xtexts, height=TIME_HEIGHT_IN[fmt] * PT
    )
    fig = _new_figure(frame)
    ax = frame.add_axes(fig)
    marked = len(ordinals) <= MAX_MARKED_DAYS
    for index, values in enumerate(lines):
        ax.plot(
            ordinals,
            values,
            color=PALETTE[index % len(PALETTE)],
            linestyle=DASHES[index % len(DASHES)],
            marker=MARKERS[index % len(MARKERS)] if marked else None,
            markersize=5,
            linewidth=2,
            clip_on=False,
        )
    ax.set_xlim(first - 0.5, last + 0.5)
    ax.set_ylim(0, yticks[-1])
    ax.set_xticks(xticks, xtexts)
    ax.set_yticks(yticks, ytexts)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    frame.add_legend(fig, list(ax.get_lines()))
    return _render(fig, fmt, title)


# --- layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The figure's size and header texts, and the plot area's margins, in points."""

    fmt: str
    title: str
    legend: list[str]
    legend_columns: int
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def plot_width(self) -> float:
        """Return the width of the plot area in points."""
        return self.width - self.left - self.right

    def x(self, points: float) -> float:
        """Return a distance from the figure's left edge as a fraction of its width."""
        return points / self.width

    def y(self, points: float) -> float:
        """Return a distance from the figure's bottom edge as a fraction of its height."""
        return points / self.height

    def add_axes(self, fig: Figure) -> Axes:
        """Add the plot area inside the margins."""
        height = self.height - self.top - self.bottom
        return fig.add_axes(
            (self.x(self.left), self.y(self.bottom), self.x(self.plot_width), self.y(height))
        )

    def add_legend(self, fig: Figure, handles: list[Artist]) -> None:
        """Put the legend under the title, its entries reading left to right in series order."""
        title_height = (self.title.count("\n") + 1) * TITLE_SIZE * LINE_HEIGHT
        columns = self.legend_columns
        # Matplotlib fills legend columns top to bottom; reorder so rows read left to right.
        order = [i for column in range(columns) for i in range(column, len(handles), columns)]
        fig.legend(
            handles=[handles[i] for i in order],
            labels=[self.legend[i] for i in order],
            loc="upper left",
            bbox_to_anchor=(self.x(MARGIN), 1 - self.y(MARGIN + title_height + GAP)),
            ncols=columns,
            frameon=False,
            borderpad=0,
            borderaxespad=0,
            handlelength=LEGEND_HANDLE,
            handletextpad=LEGEND_TEXT_PAD,
            columnspacing=LEGEND_COLUMN_SPACING,
        )


def _frame(
    fmt: str,
    title: str,
    *,
    legend: Sequence[str] = (),
    ylabels: Sequence[str] = (),
    xticks: Sequence[str] = (),
    caption: bool = False,
    height: float | None = None,
) -> _Frame:
    """Work out the figure from its texts: margins that fit the labels, a height for the rows.

    ``ylabels`` are the texts left of the plot (row labels or y ticks). Without a ``height``
    the chart has one horizontal bar per ``ylabels`` entry, each as tall as its label needs.
    """
    width = _width_in(fmt) * PT
    title = _wrap(_printable(title), width - 2 * MARGIN, TITLE_SIZE, bold=True)
    legend = [_printable(label) for label in legend]
    columns = _legend_columns(legend, width - 2 * MARGIN)
    top = MARGIN + (title.count("\n") + 1) * TITLE_SIZE * LINE_HEIGHT + GAP
    if legend:
        top += math.ceil(len(legend) / columns) * (LEGEND_ROW + LEGEND_SPACING)
        top += GAP - LEGEND_SPACING
    bottom = MARGIN + _lines_height(xticks) + (_lines_height([""]) if caption else 0)
    if height is None:
        lines = max((label.count("\n") + 1 for label in ylabels), default=1)
        pitch = max(32.0, lines * FONT_SIZE * LINE_HEIGHT + 14)
        height = top + max(len(ylabels), 2) * pitch + bottom
    label_width = max((_text_width(label) for label in ylabels), default=0.0)
    left = MARGIN + max(label_width + PAD, _text_width(xticks[0]) / 2 if xticks else 0.0)
    right = MARGIN + (_text_width(xticks[-1]) / 2 if xticks else 0.0)
    return _Frame(fmt, title, legend, columns, width, height, left, right, top, bottom)


def _lines_height(texts: Sequence[str]) -> float:
    """Return the height of a row of tick labels or a caption, with its padding."""
    if not texts:
        return 0.0
    return max(text.count("\n") + 1 for text in texts) * FONT_SIZE * LINE_HEIGHT + PAD


def _legend_columns(labels: Sequence[str], available: float) -> int:
    """Return how many legend entries fit side by side in the available points."""
    extra = (LEGEND_HANDLE + LEGEND_TEXT_PAD + LEGEND_COLUMN_SPACING) * FONT_SIZE
    widths = [extra + _text_width(label) for label in labels]
    for columns in range(len(widths), 1, -1):
        rows = [widths[i : i + columns] for i in range(0, len(widths), columns)]
        needed = sum(max(row[c] for row in rows if c < len(row)) for c in range(columns))
        if needed <= available:
            return columns
    return 1


def _row_labels(fmt: str, labels: Sequence[str]) -> list[str]:
    """Return the row labels made printable and wrapped to their share of the width."""
    width = _width_in(fmt) * PT * LABEL_SHARE
    return [_wrap(_printable(label), width, FONT_SIZE) for label in labels]


def _width_in(fmt: str) -> float:
    """Return the figure width for an output format, refusing unknown formats."""
    if fmt == "svg":
        return SVG_WIDTH_IN
    if fmt == "png":
        return PNG_WIDTH_IN
    raise ValueError(f"unknown chart format {fmt!r}; use 'svg' or 'png'")


def _nice_ticks(top: float) -> list[float]:
    """Return round tick values from 0 up to the first at or above ``top`` (at least 1)."""
    top = top or 1
    locator = MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True)
    ticks = [float(tick) for tick in locator.tick_values(0, top) if tick >= 0]
    end = next((i for i, tick in enumerate(ticks) if tick >= top), len(ticks) - 1)
    return ticks[: end + 1]


# --- drawing ----------------------------------------------------------------------------------


def _new_figure(frame: _Frame) -> Figure:
    """Return a figure of the frame's size with its title in the top left corner."""
    dpi = PT if frame.fmt == "svg" else PNG_DPI
    fig = Figure(figsize=(frame.width / PT, frame.height / PT), dpi=dpi)
    FigureCanvasAgg(fig)
    top_left = (frame.x(MARGIN), 1 - frame.y(MARGIN))
    fig.text(*top_left, frame.title, va="top", fontsize=TITLE_SIZE, fontweight="bold")
    return fig


def _empty_chart(fmt: str, title: str, empty_text: str) -> bytes:
    """Return a chart that is only its title, with ``empty_text`` under it if given."""
    frame = _frame(fmt, title, height=1.0)
    text = _wrap(_printable(empty_text), frame.width - 2 * MARGIN, FONT_SIZE)
    height = frame.top + (_lines_height([text]) if empty_text else 0) + MARGIN
    frame = _frame(fmt, title, height=height)
    fig = _new_figure(frame)
    if empty_text:
        fig.text(frame.x(MARGIN), 1 - frame.y(frame.top), text, va="top")
    return _render(fig, fmt, title)


def _render(fig: Figure, fmt: str, title: str) -> bytes:
    """Return the figure as SVG or PNG bytes, the same bytes for the same chart."""
    buffer = io.BytesIO()
    if fmt == "svg":
        FigureCanvasSVG(fig).print_svg(buffer, metadata=SVG_METADATA)
        return _with_svg_title(buffer.getvalue(), title)
    FigureCanvasAgg(fig).print_png(buffer, metadata=PNG_METADATA, pil_kwargs=PNG_OPTIONS)
    return buffer.getvalue()


def _with_svg_title(svg: bytes, title: str) -> bytes:
    """Add a ``<title>``, which names the SVG when it is inlined or opened on its own."""
    end = svg.index(b">", svg.index(b"<svg")) + 1
    return b"%s\n <title>%s</title>%s" % (svg[:end], escape(title).encode(), svg[end:])


def _bars(ax: Axes, columns: list[list[float]], *, edge: str | None) -> list[Artist]:
    """Draw horizontal bars stacked left to right, one collection per column of widths.

    Return a legend handle per column. Columns after the palette's six colours repeat them
    with a hatch, so no two look alike.
    """
    ax.set_axisbelow(True)
    handles: list[Artist] = []
    lefts = [0.0] * len(columns[0])
    for index, widths in enumerate(columns):
        top, bottom = -BAR_HEIGHT / 2, BAR_HEIGHT / 2
        rectangles = [
            [(x, y + top), (x + width, y + top), (x + width, y + bottom), (x, y + bottom)]
            for y, (x, width) in enumerate(zip(lefts, widths, strict=True))
            if width > 0
        ]
        style = {
            "facecolor": PALETTE[index % len(PALETTE)],
            "edgecolor": edge or "none",
            "linewidth": 1.0 if edge else 0.0,
            "hatch": HATCHES[index // len(PALETTE) % len(HATCHES)],
        }
        ax.add_collection(PolyCollection(rectangles, **style), autolim=False)
        handles.append(Patch(**style))
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    return handles


def _label_rows(ax: Axes, labels: list[str]) -> None:
    """Write each row's label left of its bar, the first row at the top."""
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.yaxis.set_visible(False)
    for position, label in enumerate(labels):
        ax.annotate(
            label,
            (0, position),
            xycoords=("axes fraction", "data"),
            xytext=(-PAD, 0),
            textcoords="offset points",
            ha="right",
            va="center",
        )


def _ink_on(colour: str) -> str:
    """Return white or near-black, whichever reads better on the colour."""
    return "white" if contrast_ratio(colour) >= contrast_ratio(colour, INK) else INK


# --- text -------------------------------------------------------------------------------------


def _printable(text: str) -> str:
    """Replace characters DejaVu Sans has no glyph for, which matplotlib would warn about."""
    glyphs = _glyphs()
    return "".join(
        char if char == "\n" or ord(char) in glyphs else " " if char.isspace() else "\ufffd"
        for char in text
    )


def _printable_format(value_format: ValueFormat) -> ValueFormat:
    """Wrap a number formatter so that its output is printable too."""
    return lambda value: _printable(value_format(value))


@functools.cache
def _glyphs() -> frozenset[int]:
    """Return the code points both DejaVu Sans and DejaVu Sans Bold can draw."""
    fonts = [
        get_font(findfont(FontProperties(family="DejaVu Sans", weight=weight)))
        for weight in ("normal", "bold")
    ]
    return frozenset(fonts[0].get_charmap()) & frozenset(fonts[1].get_charmap())


def _wrap(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """Wrap text at spaces and hyphens to fit ``width`` points where its words allow."""
    if _text_width(text, size, bold=bold) <= width:
        return text
    # Danish text in DejaVu Sans averages about 0.6 em a character; narrow until it fits.
    chars = max(8, int(width / (0.6 * size)))
    while True:
        wrapped = textwrap.fill(text, chars, break_long_words=False)
        lines = wrapped.split("\n")
        if chars <= 8 or all(_text_width(line, size, bold=bold) <= width for line in lines):
            return wrapped
        chars -= 2


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, size: float = FONT_SIZE, *, bold: bool = False) -> float:
    """Return the width in points of text in DejaVu Sans, its widest line if several."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    return max(
        text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
        for line in text.split("\n")
    )


def _luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

"""The memo's charts, drawn in a short-lived child process.

matplotlib costs a process some 45 MiB that it never gives back (its import, fonts and a
pixel buffer per figure). A memo or report is built by a long-running worker, so the charts
are drawn in a child process started for the purpose (``spawn``: nothing of the worker is
copied into it) that ends when they are done: the worker's own peak stays where the rest of
the build keeps it, whatever the size of the consultation (docs/performance.md, "DOCX memo").
``CHARTS_IN_CHILD = False`` draws them in this process (the tests, where a child per memo
would only cost time; one test draws them both ways and compares the bytes).

This module imports nothing of matplotlib; only the child (or the in-process path) does.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class ChartSpec:
    """One stacked-bar chart of shares: plain, picklable data (labels already translated)."""

    rows: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    series: tuple[tuple[str, str], ...]
    title: str


def _draw(spec: ChartSpec) -> bytes:
    from consult.analysis import charts

    png = charts.stacked_chart(
        [(label, dict(values)) for label, values in spec.rows],
        list(spec.series),
        title=spec.title,
        fmt="png",
        value_format=charts.danish_percent,
    )
    # A matplotlib figure is a web of reference cycles holding its pixel buffer (8 MiB at this
    # size); left to the cyclic collector, forty charts pile up to 80 MiB first.
    gc.collect()
    return png


def draw(specs: list[ChartSpec], *, isolated: bool | None = None) -> list[bytes]:
    """Draw every chart, in order; in a child process unless ``CHARTS_IN_CHILD`` is off."""
    if not specs:
        return []
    if isolated is None:
        isolated = bool(current_app.config.get("CHARTS_IN_CHILD", True))
    if not isolated:
        return [_draw(spec) for spec in specs]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return list(pool.map(_draw, specs, chunksize=8))

"""The memo's charts, drawn in a short-lived child process.

matplotlib costs a process some 45 MiB that it never gives back (its import, fonts and a
pixel buffer per figure). A memo or report is built by a long-running worker, so the charts
are drawn in a child process started for the purpose (a fresh interpreter, so nothing of the
worker is copied into it: ``python -m consult.exports.chart_pngs``, the specs pickled on its
stdin and the PNGs on its stdout) that ends when they are done: the worker's own peak stays
where the rest of the build keeps it, whatever the size of the consultation
(docs/performance.md, "DOCX memo").
``CHARTS_IN_CHILD = False`` draws them in this process (the tests, where a child per memo
would only cost time; one test draws them both ways and compares the bytes).

This module imports nothing of matplotlib; only the child (or the in-process path) does.
"""

from __future__ import annotations

import gc
import pickle  # noqa: S403 - between this process and the child it starts, nothing else
import subprocess
import sys
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
    # A plain child process, not multiprocessing: that would leave its resource tracker
    # running beside a long-lived worker for good.
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "consult.exports.chart_pngs"],
        input=pickle.dumps(specs),
        capture_output=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError("drawing the charts failed: " + done.stderr.decode()[-2000:])
    return pickle.loads(done.stdout)  # noqa: S301 - written by the child above


if __name__ == "__main__":
    wanted = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the parent, draw() above
    sys.stdout.buffer.write(pickle.dumps([_draw(spec) for spec in wanted]))

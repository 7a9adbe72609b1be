"""The memo's charts drawn in a child process are the charts drawn here, byte for byte."""

from __future__ import annotations

from consult.exports import chart_pngs
from consult.exports.chart_pngs import ChartSpec


def test_a_child_process_draws_the_same_charts_as_this_one(app):
    specs = [
        ChartSpec(
            rows=(("Alle", (("support", 6.0), ("oppose", 2.0))), ("Borger", (("support", 1.0),))),
            series=(("support", "Jeg støtter målet"), ("oppose", "Jeg er imod målet")),
            title="Holdninger fordelt på respondentgruppe",
        ),
        ChartSpec(rows=(("All", (("", 3.0),)),), series=(("", "No position"),), title="Positions"),
    ]
    here = chart_pngs.draw(specs, isolated=False)
    there = chart_pngs.draw(specs, isolated=True)
    assert [png[:8] for png in there] == [b"\x89PNG\r\n\x1a\n"] * 2
    assert there == here
    assert chart_pngs.draw([], isolated=True) == []

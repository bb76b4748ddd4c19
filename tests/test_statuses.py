"""The status vocabulary is defined once: the stylesheet's colours are generated from it."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.statuses import SCALE, SEVERITY, STATUS_LABELS, stylesheet_partial

STATIC = Path(__file__).resolve().parent.parent / "static"


def short_hex(colour: str) -> str:
    """#ffffff as a compressed stylesheet writes it (#fff)."""
    colour = colour.lower()
    if all(colour[i] == colour[i + 1] for i in (0, 2, 4)):
        return colour[0] + colour[2] + colour[4]
    return colour


def test_the_committed_stylesheet_partial_is_generated_from_the_scale():
    committed = (STATIC / "src" / "_statuses.scss").read_text()
    assert committed == stylesheet_partial(), "run make assets after changing tracker/statuses.py"


def test_the_built_stylesheet_colours_every_chip_and_chart_segment_as_the_scale_says():
    css = (STATIC / "css" / "tracker.css").read_text()
    for status in SCALE:
        chip = re.search(rf"\.app-rag--{status.key}\{{([^}}]*)\}}", css)
        assert chip, f"no chip style for {status.key}"
        assert f"background-color:#{short_hex(status.fill)}" in chip.group(1)
        assert f"color:#{short_hex(status.text)}" in chip.group(1)
        assert f".app-trend__segment--{status.key}{{fill:#{short_hex(status.fill)}}}" in css


def test_the_worst_status_comes_first_and_every_status_has_its_word():
    assert SEVERITY == ("red", "amber_red", "amber", "amber_green", "none", "green")
    assert STATUS_LABELS == {
        "red": "Red",
        "amber_red": "Amber/Red",
        "amber": "Amber",
        "amber_green": "Amber/Green",
        "green": "Green",
        "none": "No update",
        "completed": "Completed",
        "blue": "Blue (complete)",
    }

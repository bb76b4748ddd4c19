"""Geometry for the trend chart: horizontal stacked bars, one per reporting period.

The template draws these as SVG on the server, so the chart needs no JavaScript, prints, and
sits beside a table with the same numbers. Coordinates are in the SVG's own units; the
browser scales the whole drawing to the width available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.dashboard.services import RollupRow
from tracker.statuses import STATUSES

WIDTH = 480
LABEL_HEIGHT = 22  # a line of text above each bar naming its period
BAR_HEIGHT = 30
GAP = 16
MIN_WIDTH_FOR_COUNT = 26  # narrower segments leave their number to the tooltip and table


@dataclass(frozen=True)
class Segment:
    status: str
    count: int
    x: float
    width: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def shows_count(self) -> bool:
        return self.width >= MIN_WIDTH_FOR_COUNT


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    label_y: int
    bar_y: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT // 2


@dataclass(frozen=True)
class StackedBars:
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def stacked_bars(rows: Sequence[RollupRow], statuses: Sequence[str] = STATUSES) -> StackedBars:
    """One bar per row, each the full width, split by each status's share of the row's total."""
    bars = []
    top = 0
    for row in rows:
        label_y = top + LABEL_HEIGHT - 6
        bar_y = top + LABEL_HEIGHT
        segments = []
        x = 0.0
        for status in statuses:
            count = row.counts[status]
            if not count:
                continue
            width = WIDTH * count / row.total
            segments.append(Segment(status, count, round(x, 2), round(width, 2)))
            x += width
        bars.append(Bar(row.name, row.total, label_y, bar_y, segments))
        top = bar_y + BAR_HEIGHT + GAP
    return StackedBars(bars, WIDTH, max(top - GAP, 0))

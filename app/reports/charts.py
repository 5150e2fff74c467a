"""Small bar charts drawn as SVG by the server: geometry from plain values, no JavaScript.

The template (templates/reports/_trend_chart.html) draws what these functions measure, in a
viewBox that scales to the screen: 300 units wide, so on a phone (a card about 310 to 330 px
wide at 360 px) it is drawn at least 1:1 and its 14 px letters stay 14 px or more.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 300, 180
TOP, BOTTOM, LEFT = 22, 24, 4  # room for the scale above and the month letters below
MONTH_LETTERS = "EFMAMJJASOND"  # enero .. diciembre


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands and what it says."""

    x: float
    y: float
    width: float
    height: float
    value: Decimal
    previous: bool  # the same month a year before


@dataclass(frozen=True)
class MonthMark:
    """A month's letter under its pair of bars."""

    x: float
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    """A pair of bars per month: this year's and the year before's."""

    width: int
    height: int
    baseline: float
    bars: list[Bar]
    months: list[MonthMark]
    top_value: Decimal


def paired_bars(points: list[tuple[tuple[int, int], Decimal, Decimal]]) -> Chart:
    """Bars for (month, value, value a year before) triples, scaled to the largest value."""
    top = max([max(now, before) for _month, now, before in points] + [Decimal("0")])
    usable = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bar = slot * 0.38
    bars, months = [], []
    for index, ((year, month), now, before) in enumerate(points):
        left = LEFT + index * slot + slot * 0.1
        for offset, value, previous in ((0, before, True), (bar, now, False)):
            height = float(max(value, 0) / top) * usable if top > 0 else 0
            bars.append(
                Bar(
                    round(left + offset, 1),
                    round(HEIGHT - BOTTOM - height, 1),
                    round(bar, 1),
                    round(height, 1),
                    value,
                    previous,
                )
            )
        months.append(
            MonthMark(round(left + bar, 1), MONTH_LETTERS[month - 1], f"{month:02d}/{year}")
        )
    return Chart(WIDTH, HEIGHT, HEIGHT - BOTTOM, bars, months, top)

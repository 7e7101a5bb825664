"""Server-rendered SVG charts for the team page: plain numbers for the template to draw (no
script, no inline style; presentation attributes only), each with a table behind it."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 640, 220, 56, 16, 20


@dataclass
class ProgressChart:
    width: int = WIDTH
    height: int = HEIGHT
    points: str = ""
    dots: list[dict] = field(default_factory=list)
    target_y: float = 0
    baseline_y: float = 0
    ticks: list[dict] = field(default_factory=list)
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    start_label: str = ""
    end_label: str = ""


def progress_chart(team, readings) -> ProgressChart:
    """The metric over time from the start to the deadline, with the baseline and target lines."""
    end = max([team.deadline, *(r.measured_on for r in readings)])  # readings after the deadline stay visible
    chart = ProgressChart(start_label=team.starts_on.isoformat(), end_label=end.isoformat())
    values = [Decimal(team.baseline), Decimal(team.target_value)] + [Decimal(r.value) for r in readings]
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    span_days = max((end - team.starts_on).days, 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - 2 * PAD_Y

    def x(day: date) -> float:
        offset = min(max((day - team.starts_on).days, 0), span_days)
        return round(PAD_LEFT + plot_w * offset / span_days, 1)

    def y(value) -> float:
        return round(PAD_Y + plot_h * float((high - Decimal(value)) / (high - low)), 1)

    chart.target_y, chart.baseline_y = y(team.target_value), y(team.baseline)
    chart.dots = [{"x": x(r.measured_on), "y": y(r.value), "label": f"{r.measured_on}: {r.value}"} for r in readings]
    chart.points = " ".join(f"{d['x']},{d['y']}" for d in chart.dots)
    chart.ticks = [{"y": y(v), "label": f"{v.normalize():f}"} for v in (low, high)]
    return chart


@dataclass
class GanttRow:
    milestone: object
    x: float
    width: float
    y: float
    label_y: float
    css: str


@dataclass
class Gantt:
    width: int
    height: int
    rows: list[GanttRow]
    today_x: float | None
    label_width: int


def gantt(team, milestones, today: date) -> Gantt:
    """A bar per milestone on the team's span; the colour says its status (and lateness)."""
    label_width, row_h, bar_h = 180, 26, 16
    plot_w = WIDTH - label_width - PAD_RIGHT
    span_days = max((team.deadline - team.starts_on).days + 1, 1)

    def x(day: date) -> float:
        offset = min(max((day - team.starts_on).days, 0), span_days)
        return round(label_width + plot_w * offset / span_days, 1)

    rows = []
    for index, milestone in enumerate(milestones):
        start = x(milestone.starts_on)
        end = x(milestone.due_on) + plot_w / span_days
        status = "late" if milestone.is_overdue else milestone.status
        rows.append(
            GanttRow(
                milestone=milestone,
                x=start,
                width=round(max(end - start, 2), 1),
                y=8 + index * row_h,
                label_y=8 + index * row_h + bar_h - 3,
                css=status,
            )
        )
    today_x = x(today) if team.starts_on <= today <= team.deadline else None
    return Gantt(
        width=WIDTH, height=max(16 + len(rows) * row_h, 40), rows=rows, today_x=today_x, label_width=label_width
    )

"""Server-rendered SVG bar charts (no scripts, no inline styles: presentation attributes only).
The table beside each chart carries the same figures for screen readers and copying."""

from django.template.loader import render_to_string

WIDTH = 560
BAR = 18
GAP = 6
LABEL = 170


def bars(labels: list[str], values: list, *, suffix: str = "", maximum: float | None = None) -> str:
    numbers = [float(value) if isinstance(value, (int, float)) else 0.0 for value in values]
    peak = maximum or max(numbers or [0]) or 1
    space = WIDTH - LABEL - 60
    rows = []
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        y = GAP + i * (BAR + GAP)
        width = round(space * number / peak, 1)
        rows.append(
            {
                "label": str(label)[:24],
                "label_x": LABEL - 6,
                "text_y": y + BAR - 5,
                "x": LABEL,
                "y": y,
                "width": width,
                "height": BAR,
                "value_x": LABEL + width + 4,
                "shown": "–" if value is None else f"{value}{suffix}",
            }
        )
    context = {"width": WIDTH, "height": len(labels) * (BAR + GAP) + GAP, "bars": rows}
    return render_to_string("reports/_bars.svg", context)

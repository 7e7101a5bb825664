"""Server-rendered SVG bar charts (no scripts, no inline styles: presentation attributes only).
The table beside each chart carries the same figures for screen readers and copying."""

from django.utils.html import format_html, format_html_join

WIDTH = 560
BAR = 18
GAP = 6
LABEL = 170


def bars(labels: list[str], values: list, *, suffix: str = "", maximum: float | None = None) -> str:
    numbers = [float(value) if isinstance(value, (int, float)) else 0.0 for value in values]
    peak = maximum or max(numbers or [0]) or 1
    space = WIDTH - LABEL - 60
    height = len(labels) * (BAR + GAP) + GAP
    rows = []
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        y = GAP + i * (BAR + GAP)
        width = round(space * number / peak, 1)
        shown = "–" if value is None else f"{value}{suffix}"
        rows.append(
            (LABEL - 6, y + BAR - 5, str(label)[:24], LABEL, y, width, BAR, LABEL + width + 4, y + BAR - 5, shown)
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#0d6efd"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="w-100" viewBox="0 0 {} {}" role="img" aria-hidden="true" focusable="false">{}</svg>',
        WIDTH,
        height,
        body,
    )

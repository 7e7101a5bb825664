"""What a report page draws of its tables: charts, heatmaps, and the first rows of long tables."""

from core.exports import Table
from reports import charts
from reports.selectors import PAGE_ROWS, heatmap

CHART_ROWS = 25


def figures(table: Table) -> dict:
    """What the template draws for a table: an SVG bar chart, two for SLA, or a heatmap."""
    chart = table.chart or {}
    kind = chart.get("kind")
    if not table.rows:
        return {}
    if kind == "bars":
        shown = table.rows[:CHART_ROWS]
        labels = [" · ".join(str(row[i]) for i in chart.get("label_columns", [0])) for row in shown]
        values = [row[chart["value_column"]] for row in shown]
        return {"svgs": [("", charts.bars(labels, values))], "shown": CHART_ROWS if len(table.rows) > CHART_ROWS else 0}
    if kind == "percent":
        labels = [str(row[0]) for row in table.rows]
        svgs = [
            (table.headers[i], charts.bars(labels, [row[i] for row in table.rows], suffix="%", maximum=100))
            for i in chart["value_columns"]
        ]
        return {"svgs": svgs}
    if kind == "heatmap":
        return {"heatmap": heatmap(table, chart["value_column"])}
    return {}


def sections(tables: list[Table]) -> list:
    """Each table with its figures; long tables show their first rows (the charts and the
    exports have them all), so a page's size does not grow with the organisation."""
    found = []
    for table in tables:
        drawn = figures(table)
        if table.total is None and len(table.rows) > PAGE_ROWS:
            table.total = len(table.rows)
            table.rows = table.rows[:PAGE_ROWS]
        found.append((table, drawn))
    return found

"""The public site's charts as static SVG, drawn with pygal from the numbers in tracker.trends.

Each chart is a self-contained SVG file (no script, no web font, no link to fetch), shown on a page as an image with
a text alternative beside it, so it reads the same offline, in print and to a screen reader. The same numbers give
the same bytes: pygal's random element ID and its dated comment are replaced.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from tracker.model.errors import TrackerError
from tracker.model.textsafety import for_xml
from tracker.questions.trends import StatusCount, Timeliness

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
KIND_COLOURS = {"action": "#3f51b5", "recommendation": "#00897b"}
TIMELINESS = (("on_time", "Answered on time", "#2e7d32"), ("late", "Answered late", "#ef6c00"),
              ("owed_overdue", "Still owed, overdue", "#c62828"), ("owed_not_due", "Still owed, not yet due", "#78909c"))
LINE_COLOURS = ("#c62828", "#3f51b5", "#00897b", "#ef6c00", "#6a1b9a", "#5d4037")


def _pygal() -> Any:
    try:
        import pygal
    except ImportError:
        raise TrackerError("the site's charts need pygal, which is not installed",
                           hint="pip install 'committee-tracker[site]'") from None
    return pygal


def _style(colours: tuple[str, ...]) -> Any:
    from pygal.style import Style

    return Style(background="white", plot_background="white", foreground="#333", foreground_strong="#111",
                 foreground_subtle="#ddd", opacity="1", opacity_hover="1", colors=colours, font_family=FONT,
                 title_font_family=FONT, label_font_family=FONT, major_label_font_family=FONT,
                 value_font_family=FONT, value_label_font_family=FONT, legend_font_family=FONT, value_colors=("#fff",),
                 title_font_size=16, label_font_size=13, major_label_font_size=13, legend_font_size=13,
                 value_font_size=13)


def _svg(chart: Any, name: str) -> str:
    """The chart as SVG text that depends only on its data: no script, no comment, an ID made from its name."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(chart.render(is_unicode=True))  # comments are dropped in parsing
    root.set("id", f"chart-{name}")
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{SVG}}}script":
                parent.remove(child)
    return ET.tostring(root, encoding="unicode") + "\n"


def _base(kind: str, title: str, height: int, colours: tuple[str, ...], **options: Any) -> Any:
    pygal = _pygal()
    chart = getattr(pygal, kind)(js=[], no_prefix=True, width=720, height=height, style=_style(colours),
                                 disable_xml_declaration=True, margin=16, **{"print_values": True, **options})
    chart.title = for_xml(title)
    return chart


def status_chart(name: str, title: str, counts: list[StatusCount]) -> str:
    """Horizontal bars: how many actions and recommendations stand at each status."""
    labels = list(dict.fromkeys(c.label for c in counts))[::-1]  # pygal draws the first label at the bottom
    kinds = list(dict.fromkeys(c.kind for c in counts))
    chart = _base("HorizontalBar", title, 90 + 44 * len(labels) * max(1, len(kinds)),
                  tuple(KIND_COLOURS.get(k, "#607d8b") for k in kinds), show_legend=len(kinds) > 1,
                  legend_at_bottom=True, show_y_guides=False)
    chart.x_labels = [for_xml(label) for label in labels]
    for kind in kinds:
        by_label = {c.label: c.number for c in counts if c.kind == kind}
        chart.add(f"{kind.capitalize()}s", [by_label.get(label) for label in labels])
    return _svg(chart, name)


def timeliness_chart(name: str, title: str, numbers: Timeliness) -> str:
    """Horizontal bars: responses answered on time, late, still owed and overdue, still owed but not yet due."""
    chart = _base("HorizontalBar", title, 90 + 44 * len(TIMELINESS), tuple(c for _, _, c in TIMELINESS),
                  show_legend=False, show_y_guides=False)
    chart.x_labels = [label for _, label, _ in reversed(TIMELINESS)]
    chart.add("Responses", [{"value": getattr(numbers, field), "color": colour} for field, _, colour in reversed(TIMELINESS)])
    return _svg(chart, name)


def overdue_chart(name: str, title: str, days: list[dt.date], series: dict[str, list[int]]) -> str:
    """Lines: how many items were overdue on each day, one line per committee."""
    chart = _base("Line", title, 360, LINE_COLOURS, show_legend=True, legend_at_bottom=True, print_values=False,
                  show_minor_x_labels=False, x_labels_major_every=max(1, len(days) // 8), truncate_label=-1, truncate_legend=-1,
                  dots_size=2, min_scale=1)
    chart.x_labels = [day.strftime("%b %Y") if day.day == 1 else f"{day.day} {day.strftime('%b %Y')}" for day in days]
    for label, values in series.items():
        chart.add(for_xml(label), values)
    return _svg(chart, name)

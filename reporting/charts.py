"""A chart as the pages draw it (``charts.js``) and as its data table reads: the dashboard's
and every other page's (the evidence's backtest)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from leadfunnel.money import money

Unit = Literal["count", "percent", "money", "hours"]
Number = int | float | Decimal | None


@dataclass
class Series:
    label: str
    values: list[Number]
    notes: list[str] = field(default_factory=list)  # written beside each value on the chart
    tone: str = ""  # a colour by meaning (charts.js TONES): "in_time", "late", "goal", ...


@dataclass
class Chart:
    """One chart: categories (``labels``), one or more series, and how to read the values."""

    key: str
    title: str
    labels: list[str]
    series: list[Series]
    unit: Unit = "count"
    kind: Literal["bar", "line"] = "bar"
    horizontal: bool = False
    stacked: bool = False
    currency: str = ""
    rule: tuple[float, str] | None = None  # a reference line: (value, label), e.g. the SLA

    @property
    def empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)

    @property
    def height(self) -> int:
        """Room for every bar and its label: horizontal charts grow with their categories."""
        if not self.horizontal:
            return 300
        per_category = 30 if self.stacked else 18 * len(self.series) + 14
        return max(160, len(self.labels) * per_category + 60)

    def spec(self) -> dict[str, Any]:
        """What ``charts.js`` draws (read from a ``json_script``)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "labels": self.labels,
            "series": [
                {
                    "label": s.label,
                    "values": [float(v) if isinstance(v, Decimal) else v for v in s.values],
                    "notes": s.notes,
                    "tone": s.tone,
                }
                for s in self.series
            ],
            "unit": self.unit,
            "currency": self.currency,
            "horizontal": self.horizontal,
            "stacked": self.stacked,
            "rule": {"value": self.rule[0], "label": self.rule[1]} if self.rule else None,
        }

    def rows(self) -> list[tuple[str, list[str]]]:
        """The data table: one row per category, one formatted cell per series."""
        return [
            (label, [self.format(series.values[i]) for series in self.series])
            for i, label in enumerate(self.labels)
        ]

    def format(self, value: Number) -> str:
        if value is None:
            return "—"
        if self.unit == "percent":
            return percent(float(value))
        if self.unit == "money":
            return money(value, self.currency)
        if self.unit == "hours":
            return _("%(hours)s h") % {"hours": floatformat(value, "-1g")}
        return floatformat(value, "g")


def percent(value: float | None) -> str:
    """A share as the language writes it: "12.5%", « 12,5 % »; "—" for none."""
    if value is None:
        return "—"
    return _("%(value)s%%") % {"value": floatformat(value * 100, -1)}

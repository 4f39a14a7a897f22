"""
Forms of the dashboard pages: the filters every chart shares, and the targets editor.

The filters are read by the API's own query serializer (``ReportQuerySerializer``), so a
chart on the page and the report it downloads as CSV count exactly the same contacts over
exactly the same days; this form only draws the fields and carries the errors.
"""

from contextlib import suppress
from datetime import date
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.forms import DATE_INPUT, sales_reps
from leads.models import Campaign, Channel
from leads.pages import user_name

from .api.serializers import ReportQuerySerializer, twelve_months_to
from .models import Target
from .periods import Period
from .selectors import GroupBy, Mode, Scope
from .selectors.attribution import Attribution
from .selectors.funnel import MODE_HELP

FILTERS = ("start", "end", "campaign", "channel", "owner", "mode")
SOURCES = {GroupBy.CHANNEL: "Channel", GroupBy.CAMPAIGN: "Campaign"}


class DashboardFilterForm(forms.Form):
    """One date range and the same filters for every chart of the dashboard."""

    start = forms.DateField(required=False, widget=DATE_INPUT, label=_("From"))
    end = forms.DateField(required=False, widget=DATE_INPUT, label=_("To"))
    campaign = forms.ModelChoiceField(
        Campaign.objects.order_by("name"), required=False, empty_label=_("Every campaign")
    )
    channel = forms.ChoiceField(
        choices=[("", _("Every channel")), *Channel.choices], required=False
    )
    owner = forms.ModelChoiceField(
        sales_reps(), required=False, empty_label=_("Every rep"), label=_("Sales rep")
    )
    mode = forms.ChoiceField(
        choices=Mode.choices,
        required=False,
        widget=forms.RadioSelect,
        label=_("Count"),
        help_text=_(" ").join(MODE_HELP.values()),
    )
    by = forms.ChoiceField(choices=list(SOURCES.items()), required=False, label=_("Sources by"))
    attribution = forms.ChoiceField(
        choices=Attribution.choices,
        required=False,
        label=_("Attribution"),
        help_text=_("How the sources share each stage's credit (see Definitions)."),
    )

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        # The range the reports default to is shown in the fields (the API's defaults).
        data = data.copy() if data is not None else QueryDict(mutable=True)
        end = data.get("end") or str(timezone.localdate())
        if not data.get("start"):
            with suppress(ValueError):  # a bad end: its own error says so
                data["start"] = str(twelve_months_to(date.fromisoformat(end)))
        data["end"] = end  # an emptied "To" field reads as today, as an absent one
        super().__init__(data, **kwargs)
        owner = cast(forms.ModelChoiceField[Any], self.fields["owner"])
        owner.label_from_instance = user_name  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        """Parse the filters as the reports API does (defaults, start before end)."""
        cleaned = super().clean() or {}
        given = {name: self.data[name] for name in FILTERS[:-1] if self.data.get(name)}
        query = ReportQuerySerializer(data=given)
        if not query.is_valid():
            for name, errors in query.errors.items():
                if name not in self.errors:  # the field's own check said it already
                    self.add_error(name if name in self.fields else None, errors)
            return cleaned
        cleaned["period"] = query.validated_data["period"]
        cleaned["scope"] = query.validated_data["scope"]
        cleaned["mode"] = Mode(cleaned.get("mode") or Mode.COHORT)
        cleaned["by"] = GroupBy(cleaned.get("by") or GroupBy.CHANNEL)
        cleaned["attribution"] = Attribution(cleaned.get("attribution") or Attribution.FIRST)
        return cleaned

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    @property
    def scope(self) -> Scope:
        return self.cleaned_data["scope"]

    @property
    def report_mode(self) -> Mode:
        return self.cleaned_data["mode"]

    @property
    def sources_by(self) -> GroupBy:
        return self.cleaned_data["by"]

    @property
    def credit_model(self) -> Attribution:
        return self.cleaned_data["attribution"]

    def query(self, **extra: str) -> str:
        """The filters as a query string (for the charts' fragments and CSV links)."""
        params = QueryDict(mutable=True)
        params["start"], params["end"] = str(self.period.start), str(self.period.end)
        params["mode"] = self.report_mode.value
        scope = self.scope
        for name, value in (
            ("campaign", scope.campaign),
            ("channel", scope.channel),
            ("owner", scope.owner),
        ):
            if value:
                params[name] = str(value)
        for name, value in extra.items():
            params[name] = value
        return params.urlencode()

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the contacts (the charts then say so)."""
        return any((self.scope.campaign, self.scope.channel, self.scope.owner))


class TargetForm(forms.ModelForm):
    """A monthly goal: any day of the month picked means that month (``Target.clean``)."""

    month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("The month the goal is for."),
    )

    class Meta:
        model = Target
        fields = ["stage", "month", "goal"]
        help_texts = {"goal": _("How many contacts should reach the stage during the month.")}

    def clean_month(self) -> date:
        return self.cleaned_data["month"].replace(day=1)

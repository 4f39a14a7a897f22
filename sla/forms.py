"""
Forms of the SLA pages. They check the shape of a policy; ``sla.services`` keeps the rules
(one active policy per clock, an escalation manager in sales and managers, a clock that ran
cannot change), and the views put its errors back on the form.
"""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from leads.pages import user_name
from leads.stages import Role

from .models import SlaPolicy, StopsOn

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
RULE_FIELDS = ("name", "clock", "hours", "stops_on", "action", "escalate_to", "active")
TOUCH_FIELDS = ("unreachable_attempts", "unreachable_days")
CALENDAR_FIELDS = ("business_hours", "time_zone", "work_days", "start_hour", "end_hour")
POLICY_FIELDS = RULE_FIELDS + TOUCH_FIELDS + CALENDAR_FIELDS


class PolicyForm(forms.Form):
    """A policy's fields with the model's own types and help; working days as checkboxes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(SlaPolicy, fields=POLICY_FIELDS))
        self.fields["work_days"] = forms.TypedMultipleChoiceField(
            choices=WEEKDAYS,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            initial=[0, 1, 2, 3, 4],
            label=_("Working days"),
            help_text=_("Only with business hours: the days the clock runs."),
        )
        self.fields["hours"].help_text = _("How long the clock may run: 48 for two days.")
        managers = get_user_model().objects.filter(is_active=True, groups__name=Role.MANAGERS)
        escalate = cast(forms.ModelChoiceField[Any], self.fields["escalate_to"])
        escalate.queryset = managers.order_by("first_name", "last_name", "username")
        escalate.label_from_instance = user_name  # type: ignore[method-assign,assignment]
        escalate.empty_label = _("Nobody")
        # Forms written before the setting existed leave it out: the clock's usual answer.
        self.fields["stops_on"].required = False
        self.fields["start_hour"].label, self.fields["end_hour"].label = (
            _("Day starts"),
            _("Day ends"),
        )
        self.fields["start_hour"].help_text = _("Hour (0–23) the working day begins.")
        self.fields["end_hour"].help_text = _("Hour (1–24) it ends.")

    def clean_stops_on(self) -> str:
        return self.cleaned_data.get("stops_on") or StopsOn.FIRST_ACTION

    @classmethod
    def for_policy(cls, policy: SlaPolicy, data: Any = None) -> "PolicyForm":
        initial = {name: getattr(policy, name) for name in POLICY_FIELDS}
        initial["escalate_to"] = policy.escalate_to_id
        return cls(data, initial=initial)

    def rule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in RULE_FIELDS + TOUCH_FIELDS]

    def calendar_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CALENDAR_FIELDS]

    def changed_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}

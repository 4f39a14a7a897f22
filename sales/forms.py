"""Forms of the sales pages: the shapes; ``sales.services`` checks the rest (kind and
outcome together, the time, who may log) and the views put its errors back on the form."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActivityKind, Direction, Outcome, SalesActivity, SalesTask

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.ModelForm[SalesActivity]):
    """The quick log: a kind, how it went, a line or two. Empty time: now."""

    kind = forms.ChoiceField(
        choices=ActivityKind.choices, widget=forms.RadioSelect, initial=ActivityKind.CALL
    )
    direction = forms.ChoiceField(
        choices=[("", "—"), *Direction.choices], required=False, initial=Direction.OUTBOUND
    )
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False)
    occurred_at = forms.DateTimeField(
        required=False, widget=MOMENT, label=_("When"), help_text=_("Empty: now.")
    )

    class Meta:
        model = SalesActivity
        fields = [name for name in SalesActivity.EDITABLE_FIELDS if name != "owner"]  # the caller
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}
        labels = {"duration_minutes": "Minutes", "body": "Notes"}

    def entry(self) -> dict[str, Any]:
        """The cleaned fields as the service takes them (empty ones left out)."""
        return {
            name: value for name, value in self.cleaned_data.items() if value not in ("", None)
        }


class TaskForm(forms.ModelForm[SalesTask]):
    due_at = forms.DateTimeField(widget=MOMENT, label=_("Due"))

    class Meta:
        model = SalesTask
        fields = ["title", "kind", "due_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        soon = timezone.localtime() + timedelta(hours=1)
        self.fields["due_at"].initial = soon.replace(minute=0, second=0, microsecond=0)

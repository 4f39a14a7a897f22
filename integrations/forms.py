"""Forms of the import page: the upload, then the columns' mapping and options."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import Campaign

from .mapping import ImportField
from .models import ImportJob, OnDuplicate


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Latin-1, comma or semicolon separated, the first line naming the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file, guessed from its header, plus the options."""

    on_duplicate = forms.ChoiceField(
        label=_("When the e-mail is already known"),
        choices=OnDuplicate.choices,
        initial=OnDuplicate.SKIP,
        widget=forms.RadioSelect,
    )
    campaign = forms.ModelChoiceField(
        Campaign.objects.all(),
        required=False,
        label=_("Campaign of the new contacts"),
        help_text=_("First-touch attribution: contacts already known keep theirs."),
    )

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = list(job.columns)
        for index, column in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column, choices=ImportField.choices, initial=job.mapping.get(column)
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[f"column_{index}"]
            for index, column in enumerate(self.columns)
        }

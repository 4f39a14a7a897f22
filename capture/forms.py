"""The marketer's editor of a form: questions and sites one per line, as people write them."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Form
from .origins import origins_clean
from .questions import CONTACT_FIELDS, questions_clean

QUESTIONS_HELP = (
    _("One per line: a contact field (")
    + ", ".join(CONTACT_FIELDS)
    + _(
        ") or a custom attribute "
        "(lower-case name). End it with * when it is required; add | and a label to word it, "
        "e.g. “company* | Your company”. The e-mail is always asked, first."
    )
)


def questions_text(questions: list[dict[str, Any]]) -> str:
    lines = []
    for q in questions:
        line = q["name"] + ("*" if q["required"] and q["name"] != "email" else "")
        lines.append(f"{line} | {q['label']}" if q.get("label") else line)
    return "\n".join(lines)


def questions_parse(text: str) -> list[dict[str, Any]]:
    questions = []
    for line in text.splitlines():
        name, _bar, label = (part.strip() for part in line.partition("|"))
        if name:
            required = name.endswith("*")
            questions.append(
                {"name": name.rstrip("*").strip(), "required": required, "label": label}
            )
    return questions_clean(questions)


class FormEditor(forms.ModelForm[Form]):
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        initial="email\nfirst_name\nlast_name\ncompany*",
        help_text=QUESTIONS_HELP,
    )
    redirect_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=_("Where the person goes after submitting, if anywhere."),
    )
    origins = forms.CharField(
        label=_("Allowed sites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The sites that may embed the form, one per line (https://www.example.com)."),
    )

    class Meta:
        model = Form
        fields = [
            "name",
            "campaign",
            "consent_text",
            "double_opt_in",
            "thank_you_message",
            "redirect_url",
            "active",
        ]
        widgets = {"consent_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["questions"] = questions_text(self.instance.fields)
            self.initial["origins"] = "\n".join(self.instance.allowed_origins)

    def clean_questions(self) -> list[dict[str, Any]]:
        return questions_parse(self.cleaned_data["questions"])

    def clean_origins(self) -> list[str]:
        return origins_clean(self.cleaned_data["origins"].split())

    def changes(self) -> dict[str, Any]:
        """What ``form_save`` is given."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return fields | {
            "fields": self.cleaned_data["questions"],
            "allowed_origins": self.cleaned_data["origins"],
        }

    def _post_clean(self) -> None:  # the service cleans and saves: nothing to do here
        pass

"""
The companies page: accounts sortable by score, with the stage mix of their contacts and
the marketing-qualified ones marked; marketing and managers set how companies are scored.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from leads.forms import add_service_errors
from leads.jobs import enqueue_on_commit
from leads.pages import Column, paginate, role_required
from leads.roles import Capability, has_role, holders
from leads.stages import Stage

from . import selectors, services
from .filtersets import CompanyFilterSet
from .forms import CompanyScoringForm
from .models import ScoringSettings

EDITORS = holders(Capability.EDIT_SCORING)
COMPANY_COLUMNS = (
    Column(gettext_lazy("Company"), "name"),
    Column(gettext_lazy("Contacts"), "contact_count", descending_first=True, css="num"),
    Column(gettext_lazy("Stage mix")),
    Column(gettext_lazy("Fit"), "fit_score", descending_first=True, css="num hide-sm"),
    Column(
        gettext_lazy("Engagement"), "engagement_score", descending_first=True, css="num hide-sm"
    ),
    Column(gettext_lazy("Score"), "score", descending_first=True, css="num"),
    Column(gettext_lazy("Owner"), css="hide-sm"),
)


def _mix(counts: dict[str, int]) -> list[tuple[str, str, int, float]]:
    """(stage, label, contacts, share in %) in funnel order, for the stage-mix bar."""
    total = sum(counts.values()) or 1
    return [
        (stage, str(label), counts[stage], 100 * counts[stage] / total)
        for stage, label in Stage.choices
        if counts.get(stage)
    ]


@require_http_methods(["GET", "POST"])
@role_required()
def company_list(request: HttpRequest) -> HttpResponse:
    can_edit = has_role(request.user, *EDITORS)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Marketing and managers set how companies are scored."))
    bound = request.POST if request.method == "POST" else None
    form = CompanyScoringForm(bound, instance=ScoringSettings.load())
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(**form.cleaned_data)
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            enqueue_on_commit(
                "scoring.tasks.score_companies", waiting="the beat scores companies anyway"
            )
            messages.success(request, _("Saved: the companies are being scored again."))
            return redirect("scoring:companies")
    filterset = CompanyFilterSet(request.GET, queryset=selectors.company_list())
    page = paginate(request, filterset.qs)
    mix = selectors.company_stage_mix([company.pk for company in page])
    ordering = request.GET.get("ordering", "")
    context = {
        "page": page,
        "rows": [(company, _mix(mix.get(company.pk, {}))) for company in page],
        "columns": [(column, column.sort(ordering)) for column in COMPANY_COLUMNS],
        "filterset": filterset,
        "form": form,
        "can_edit": can_edit,
        "filtered": any(key not in ("page", "ordering") for key in request.GET),
    }
    return render(request, "scoring/companies.html", context, status=400 if form.errors else 200)

"""
The import page: upload a CSV file, confirm how its columns map to contact fields, then
watch the job's progress (a small script polls the job in the API) and get its report.
Writes go through ``integrations.services.imports``, as the API's do.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads.api.permissions import CONTACT_EDITORS
from leads.roles import has_role

from . import selectors
from .errors import StateConflict
from .forms import MappingForm, UploadForm
from .models import ImportJob, OnDuplicate
from .services import imports

LOOK_ALIKES = 50  # the rows of look-alikes an import page lists


def importers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marketers and managers import contacts; anyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_role(request.user, *CONTACT_EDITORS):
            raise PermissionDenied(_("Importing contacts is for marketing and managers."))
        return view(request, *args, **kwargs)

    return wrapper


def _service_errors(form, exc: ValidationError) -> None:
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@importers_only
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_create(
                by=request.user, file=form.cleaned_data["file"], start=False
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return redirect("integrations:import_detail", pk=job.pk)
    jobs = selectors.import_jobs()[:20]
    return render(request, "integrations/import_list.html", {"form": form, "jobs": jobs})


@importers_only
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    form = None
    if job.status == ImportJob.Status.DRAFT:
        form = MappingForm(request.POST or None, job=job)
        if request.method == "POST" and form.is_valid():
            try:
                imports.import_start(
                    job=job,
                    mapping=form.mapping(),
                    on_duplicate=OnDuplicate(form.cleaned_data["on_duplicate"]),
                    campaign=form.cleaned_data["campaign"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            except StateConflict as exc:
                messages.error(request, str(exc))
            else:
                return redirect("integrations:import_detail", pk=job.pk)
    columns = []
    if form is not None:
        sample = selectors.import_sample(job)
        columns = [
            (field, [row[index] for row in sample if index < len(row)])
            for index, field in enumerate(form.column_fields())
        ]
    context = {
        "job": job,
        "form": form,
        "columns": columns,
        "look_alikes": job.look_alikes.select_related("contact", "looks_like")[:LOOK_ALIKES],
    }
    return render(request, "integrations/import_detail.html", context)


@require_POST
@importers_only
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.import_jobs(), pk=pk)
    try:
        imports.import_cancel(job=job)
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The import is cancelled."))
    return redirect("integrations:import_detail", pk=job.pk)

"""The marketers' pages of forms (``capture:`` names): the list, the editor, and a form's
page with its link, its embed snippet and the latest submissions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from leads.api.permissions import CONTACT_EDITORS
from leads.pages import role_required

from .forms import FormEditor
from .models import Form
from .services import form_save

LATEST = 20


@role_required(*CONTACT_EDITORS)
def form_list(request: HttpRequest) -> HttpResponse:
    forms = Form.objects.annotate(submission_count=Count("submissions")).order_by("name", "pk")
    return render(request, "capture/form_list.html", {"forms": forms})


@role_required(*CONTACT_EDITORS)
def form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit a form, through ``form_save``'s checks."""
    form = get_object_or_404(Form, pk=pk) if pk else None
    editor = FormEditor(request.POST or None, instance=form)
    if request.method == "POST" and editor.is_valid():
        try:
            saved = form_save(by=request.user, form=form, **editor.changes())
        except ValidationError as error:
            editor.add_error(None, error)
        else:
            messages.success(request, _("Form “%(name)s” saved.") % {"name": saved.name})
            return redirect("capture:form_detail", pk=saved.pk)
    context = {"editor": editor, "form_obj": form}
    status = 400 if editor.errors else 200
    return render(request, "capture/form_edit.html", context, status=status)


@role_required(*CONTACT_EDITORS)
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(Form.objects.select_related("campaign"), pk=pk)
    page_url = request.build_absolute_uri(reverse("capture:hosted", args=[form.key]))
    context = {
        "form_obj": form,
        "page_url": page_url,
        "script_url": request.build_absolute_uri(static("capture/embed.js")),
        "submissions": form.submissions.select_related("contact")[:LATEST],
        "submission_count": form.submissions.count(),
    }
    return render(request, "capture/form_detail.html", context)

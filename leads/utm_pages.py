"""The page of the UTM campaigns that no campaign claims yet, where a marketer maps each to
a campaign (``leads:`` names, with the other campaign pages)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import touches
from .api.permissions import CONTACT_EDITORS
from .models import Campaign
from .pages import role_required


@role_required(*CONTACT_EDITORS)
def utm_unmapped(request: HttpRequest) -> HttpResponse:
    context = {
        "unmapped": touches.unmapped_utms(),
        "campaigns": Campaign.objects.order_by("name").only("pk", "name"),
    }
    return render(request, "leads/utm_unmapped.html", context)


@require_POST
@role_required(*CONTACT_EDITORS)
def utm_map(request: HttpRequest) -> HttpResponse:
    value = request.POST.get("utm_campaign", "").strip()
    campaign = get_object_or_404(Campaign, pk=request.POST.get("campaign") or 0)
    try:
        mapped = touches.utm_map(campaign=campaign, values=[value], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "“%(value)s” now means %(campaign)s: %(count)d touch credited to it.",
                "“%(value)s” now means %(campaign)s: %(count)d touches credited to it.",
                mapped,
            )
            % {"value": value, "campaign": campaign.name, "count": mapped},
        )
    return redirect("leads:utm_unmapped")

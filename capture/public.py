"""The public side of a form: its hosted page, the submissions it takes (from that page,
from the embed snippet on an allowed site, or as JSON), and the double opt-in link.

No log-in and no CSRF token (the form sits on other sites); a honeypot field and a limit per
client address keep bots out, and the browser's Origin header keeps the form to the sites
its marketer allowed.
"""

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from leadfunnel.clients import client_address
from leadfunnel.limits import WINDOW_SECONDS, spent

from .models import Form
from .questions import HONEYPOT, form_class
from .services import TRACKING, submission_confirm, submission_take

THANKS = _("Thank you: we received your details.")
CHECK_INBOX = _("We sent you an e-mail: follow its link to confirm your address.")


def _origin_allowed(request: HttpRequest, form: Form) -> tuple[str, bool]:
    """The foreign origin a request comes from ("" for the hosted page itself), and whether
    the form may be sent from it."""
    origin = request.headers.get("Origin", "")
    own = f"{request.scheme}://{request.get_host()}"
    if not origin or origin == own:
        return "", True
    return origin, origin in form.allowed_origins


def _with_cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or (
        "application/json" in request.headers.get("Accept", "")
    )


def _posted(request: HttpRequest) -> QueryDict | dict[str, Any] | None:
    """The submission's values: the form-encoded body, or a JSON object (None if not one)."""
    if request.content_type != "application/json":
        return request.POST
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _page(request: HttpRequest, form: Form, web_form: Any, status: int = 200) -> HttpResponse:
    tracking = {name: request.GET.get(name, "")[:2000] for name in TRACKING}
    tracking["referrer"] = tracking["referrer"] or request.headers.get("Referer", "")[:2000]
    tracking["landing_page"] = tracking["landing_page"] or request.build_absolute_uri()[:2000]
    if request.method == "POST":  # re-rendered with its errors: what it was sent with
        tracking = {name: str(request.POST.get(name, "")) for name in TRACKING}
    context = {"form": form, "web_form": web_form, "tracking": tracking, "honeypot": HONEYPOT}
    return render(request, "capture/hosted.html", context, status=status)


def _answered(request: HttpRequest, form: Form, origin: str, as_json: bool) -> HttpResponse:
    """The thank-you (the same for a bot, which must not learn it was caught)."""
    thanks = form.thank_you_message or THANKS
    if form.double_opt_in:
        thanks = f"{thanks} {CHECK_INBOX}"
    if as_json:
        body = {"message": thanks, "redirect": form.redirect_url}
        return _with_cors(JsonResponse(body), origin)
    if form.redirect_url:
        return redirect(form.redirect_url, permanent=False)
    return render(request, "capture/thanks.html", {"form": form, "thanks": thanks})


def _text(value: Any) -> str:
    """A tracking value as stored: text without NUL (which PostgreSQL cannot store)."""
    return str(value or "").replace("\x00", "")


def _messages(web_form: Any) -> dict[str, list[str]]:
    """The form's errors as the API writes them: messages by field name."""
    return {
        "non_field_errors" if name == "__all__" else name: [e["message"] for e in errors]
        for name, errors in web_form.errors.get_json_data().items()
    }


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def hosted(request: HttpRequest, key: str) -> HttpResponse:
    """GET the hosted page; POST a submission; OPTIONS the CORS preflight of a JSON one."""
    form = get_object_or_404(Form, key=key, active=True)
    origin, allowed = _origin_allowed(request, form)
    if request.method == "OPTIONS":
        if not (origin and allowed):
            return HttpResponse(status=403)
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response["Access-Control-Max-Age"] = "3600"
        return _with_cors(response, origin)
    web_form_class = form_class(form.fields, form.consent_text)
    if request.method in ("GET", "HEAD"):
        return _page(request, form, web_form_class())
    as_json = _wants_json(request)
    if not allowed:
        message = {"detail": f"This form may not be sent from {origin}."}
        return JsonResponse(message, status=403)
    address = client_address(request)
    if spent(f"form-submission:ip:{address}", settings.FORM_SUBMISSIONS_PER_HOUR):
        response = render(request, "capture/throttled.html", {"form": form}, status=429)
        if as_json:
            response = JsonResponse({"detail": _("Too many submissions; try later.")}, status=429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return _with_cors(response, origin)
    data = _posted(request)
    if data is None:
        body = {"non_field_errors": [_("Send a JSON object of the form's fields.")]}
        return _with_cors(JsonResponse(body, status=400), origin)
    if data.get(HONEYPOT):  # a bot: it is thanked and nothing is kept
        return _answered(request, form, origin, as_json)
    web_form = web_form_class(data)
    if not web_form.is_valid():
        if as_json:
            return _with_cors(JsonResponse(_messages(web_form), status=400), origin)
        return _page(request, form, web_form, status=400)
    submission_take(
        form=form,
        cleaned=web_form.cleaned_data,
        tracking={name: _text(data.get(name)) for name in TRACKING},
        address=address,
        site=request.build_absolute_uri("/"),
    )
    return _answered(request, form, origin, as_json)


@require_http_methods(["GET", "HEAD"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: the person is a lead from now on."""
    submission = submission_confirm(token=token)
    if submission is None:
        raise Http404(_("This confirmation link is not valid or has expired."))
    thanks = _("Thank you: your e-mail address is confirmed.")
    return render(request, "capture/thanks.html", {"form": submission.form, "thanks": thanks})

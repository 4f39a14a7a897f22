"""A visitor fills in a form in Chromium: on its hosted page (errors, consent, thank-you)
and embedded on another site, sent from there across origins; and a marketer builds one."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from capture.models import Form, Submission
from capture.services import form_save
from leads.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://www.acme.test"
CONSENT = "I agree that Acme may contact me."


@pytest.fixture
def web_form(db):
    return form_save(
        by=None,
        name="Talk to sales",
        fields=["first_name", {"name": "company", "required": True}],
        consent_text=CONSENT,
        thank_you_message="Thanks, we will call you within a day.",
        allowed_origins=[SITE],
    )


def test_a_visitor_corrects_the_form_consents_and_is_thanked(
    page, live_server, web_form, screenshot
):
    page.goto(f"{live_server.url}/f/{web_form.key}/?utm_source=linkedin&utm_campaign=q2")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("First name").fill("Grace")
    page.get_by_role("button", name="Send").click()

    expect(page.locator(".message.error")).to_contain_text("Please correct")
    expect(page.get_by_text("Please give your consent")).to_be_visible()
    assert not Contact.objects.exists()
    page.get_by_label("Company").fill("Navy")
    page.get_by_label(CONSENT).check()
    screenshot(page, "web_form_hosted")
    page.get_by_role("button", name="Send").click()

    expect(page.locator(".message.success")).to_have_text("Thanks, we will call you within a day.")
    contact = Contact.objects.get()
    assert (contact.first_name, contact.company) == ("Grace", "Navy")
    submission = Submission.objects.get()
    assert (submission.utm_source, submission.utm_campaign) == ("linkedin", "q2")


@pytest.fixture
def other_site():
    """Another web site on this machine (another port: another origin), serving the page
    it is given at ``/contact``."""
    pages: dict[str, bytes] = {}

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(pages["html"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(html: str) -> str:
        pages["html"] = html.encode()
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    server.shutdown()


def test_the_snippet_embedded_on_an_allowed_site_sends_across_origins(
    page, live_server, web_form, other_site
):
    snippet = (
        f'<form action="{live_server.url}/f/{web_form.key}/" method="post" data-leadfunnel-form>'
        '<label>Email <input name="email" type="email"></label>'
        '<label>Company <input name="company"></label>'
        f'<label><input type="checkbox" name="consent" value="on"> {CONSENT}</label>'
        '<button type="submit">Send</button></form>'
        f'<script src="{live_server.url}/static/capture/embed.js"></script>'
    )
    site = other_site(f"<!doctype html><html><body>{snippet}</body></html>")
    form_save(by=None, form=web_form, allowed_origins=[site])
    page.goto(f"{site}/contact?utm_source=ads")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".leadfunnel-error").first).to_be_visible()  # company and consent
    assert not Submission.objects.exists()

    page.get_by_label("Company").fill("Analytical Engines")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".leadfunnel-thanks")).to_have_text(
        "Thanks, we will call you within a day."
    )
    assert page.url == f"{site}/contact?utm_source=ads"  # the visitor stayed on the site
    submission = Submission.objects.get()
    assert submission.utm_source == "ads"
    assert submission.landing_page == f"{site}/contact?utm_source=ads"
    assert submission.contact.company == "Analytical Engines"


def test_a_marketer_builds_a_form_and_gets_its_link_and_snippet(log_in, live_server, marketer):
    page = log_in("marketer")
    page.goto(f"{live_server.url}/forms/")
    expect(page.get_by_text("No forms yet")).to_be_visible()
    page.get_by_role("link", name="New form").first.click()
    page.get_by_label("Name").fill("E-book")
    page.get_by_label("Consent text").fill("Send me the e-book.")
    page.get_by_label("Questions").fill("email\nfirst_name\nteam size")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".field.has-error")).to_contain_text("custom attribute")

    page.get_by_label("Questions").fill("email\nfirst_name\ncompany* | Your company")
    page.get_by_label("Allowed sites").fill(SITE)
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".message.success")).to_contain_text("Form “E-book” saved.")
    form = Form.objects.get()
    expect(page.get_by_role("link", name=f"/f/{form.key}/")).to_be_visible()
    expect(page.locator("#snippet")).to_contain_text("data-leadfunnel-form")
    expect(page.get_by_text("No submissions yet")).to_be_visible()
    assert form.fields[2] == {"name": "company", "required": True, "label": "Your company"}

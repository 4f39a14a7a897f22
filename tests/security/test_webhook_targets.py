"""SSRF through webhooks: a webhook may send to public addresses only, checked when it is
saved and again, after resolving its name, when a delivery is sent; the request then goes
to the address checked, never follows a redirect, and its errors do not echo the network."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations import addresses
from integrations.models import Delivery, Event, Webhook
from integrations.services import webhooks
from leads import services as leads
from tests.factories import ContactFactory
from tests.integrations.conftest import Receiver

pytestmark = pytest.mark.django_db

PRIVATE = [
    "http://127.0.0.1:8000/",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/",  # carrier-grade NAT
]


@pytest.mark.parametrize("url", PRIVATE)
def test_a_webhook_to_a_private_or_local_address_is_refused_at_save(api, manager, url):
    body = {"url": url, "events": [Event.CONTACT_CREATED]}
    response = api.as_user(manager).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert response.json()["url"] == [addresses.REFUSED]
    assert not Webhook.objects.exists()


def test_a_public_receiver_is_accepted(api, manager):
    body = {"url": "https://hooks.example.com/leadfunnel", "events": [Event.CONTACT_CREATED]}
    assert api.as_user(manager).post("/api/v1/webhooks/", body, format="json").status_code == 201


def test_an_on_premise_install_may_allow_private_receivers(api, manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    body = {"url": "http://10.0.0.5/hook", "events": [Event.CONTACT_CREATED]}
    assert api.as_user(manager).post("/api/v1/webhooks/", body, format="json").status_code == 201


@pytest.fixture
def resolves_to(monkeypatch):
    """``resolves_to(address)``: every name resolves to ``address`` (a DNS answer)."""

    def point(address: str) -> None:
        def getaddrinfo(host, port, *args, **kwargs):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)

    return point


def deliver(url: str, marketer) -> Delivery:
    Webhook.objects.create(url=url, events=[Event.CONTACT_STAGE_CHANGED])
    leads.contact_mark_mql(contact=ContactFactory(), by=marketer)
    delivery = Delivery.objects.get()
    webhooks.deliveries_send(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    return delivery


def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(marketer, resolves_to):
    """The name looked public when saved; at delivery it resolves to 127.0.0.1, where a
    receiver listens: nothing reaches it, and the attempt says why."""
    receiver = Receiver()
    resolves_to("127.0.0.1")
    delivery = deliver(f"http://rebind.example.com:{receiver.server.server_port}/", marketer)
    receiver.server.shutdown()
    assert receiver.requests == []
    assert delivery.attempts.get().error == addresses.REFUSED


def test_a_delivery_connects_to_the_address_it_checked(marketer, resolves_to, settings):
    """The request goes to the checked address (here the receiver's, on an on-premise
    install), with the receiver's own name in Host: httpx never resolves the name again."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    resolves_to("127.0.0.1")
    port = receiver.server.server_port
    delivery = deliver(f"http://crm.example.com:{port}/hooks", marketer)
    receiver.server.shutdown()
    ((headers, _),) = receiver.requests
    assert headers["Host"] == f"crm.example.com:{port}"
    assert delivery.status == Delivery.Status.DELIVERED


def test_a_redirect_is_not_followed(marketer, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    followed = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def do_GET(self):
            followed.append(self.path)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    delivery = deliver(f"http://127.0.0.1:{server.server_port}/", marketer)
    server.shutdown()
    assert (delivery.attempts.get().error, followed) == ("HTTP 307", [])


def test_a_delivery_error_does_not_tell_a_closed_port_from_a_silent_one(marketer, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    delivery = deliver("http://127.0.0.1:9/", marketer)  # nothing listens: refused
    assert delivery.attempts.get().error == (
        "Could not connect to the receiver (name, network or TLS)."
    )

"""The production settings: ``manage.py check --deploy`` is clean, and the cookies, HSTS and
the other protections it asks for are really sent."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as active
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "SECRET_KEY": "x" * 50 + "-a-long-random-production-key",
    "ALLOWED_HOSTS": "testserver",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
}
# What the production module decides that a request shows.
SECURITY = (
    "DEBUG",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
)


@pytest.fixture(scope="module")
def production():
    """The production settings module, read with the environment it requires."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENV.items():
            patch.setenv(name, value)
        sys.modules.pop("leadfunnel.settings.production", None)
        module = importlib.import_module("leadfunnel.settings.production")
    sys.modules.pop("leadfunnel.settings.production", None)
    return module


def check_deploy(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "leadfunnel.settings.production"}
    env |= {name: value for name, value in overrides.items() if value is not None}
    for name in ["PYTHONPATH", "DJANGO_ALLOW_ASYNC_UNSAFE"]:  # the browser tests' setting
        env.pop(name, None)
    for name in [name for name, value in overrides.items() if value is None]:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_an_e_mail_back_end_that_does_not_send():
    """Without EMAIL_URL, mail (password-reset links) would go to the console log."""
    result = check_deploy(EMAIL_URL=None)
    assert result.returncode != 0
    assert "leadfunnel.E001" in result.stderr


def test_production_answers_json_without_the_browsable_api(production):
    renderers = production.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    assert renderers == ["rest_framework.renderers.JSONRenderer"]


def test_production_refuses_to_start_without_its_secret_and_hosts():
    code = "import leadfunnel.settings.production"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_the_production_values(production):
    assert production.DEBUG is False
    assert ENV["SECRET_KEY"] == production.SECRET_KEY
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD
    assert production.SECURE_SSL_REDIRECT
    assert production.X_FRAME_OPTIONS == "DENY"
    # Defaults of Django kept as they are safe: scripts cannot read the session cookie.
    assert active.SESSION_COOKIE_HTTPONLY
    assert "django.middleware.security.SecurityMiddleware" in production.MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" in production.MIDDLEWARE


@pytest.fixture
def served(production):
    with override_settings(**{name: getattr(production, name) for name in SECURITY}):
        yield Client()


def test_plain_http_is_sent_to_https(served):
    response = served.get("/healthz")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/healthz"


def test_https_answers_carry_hsts_nosniff_and_frame_denial(served):
    response = served.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_secure_and_the_session_unreadable_by_scripts(served, rep):
    https = {"X-Forwarded-Proto": "https"}
    form = served.get("/accounts/login/", headers=https)
    assert form.cookies["csrftoken"]["secure"]
    response = served.post(
        "/accounts/login/",
        {"username": "rep", "password": "correct horse battery"},
        headers=https,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"

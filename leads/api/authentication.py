"""``Authorization: Token <key>`` for other systems, with keys stored as hashes."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from ..api_keys import api_key_check
from ..models import ApiKey
from ..roles import Account


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Account, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the key as: Authorization: Token <key>.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid key.") from None
        found = api_key_check(key)
        if found is None or not found.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked key.")
        return found.user, found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword  # a 401 with WWW-Authenticate, as DRF's token scheme answers


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = ApiKeyAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: `manage.py create_api_token USERNAME` prints a new "
            "key once; keys expire after API_KEY_LIFETIME_DAYS and can be revoked in the admin.",
        }

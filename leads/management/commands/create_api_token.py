from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from leads.api_keys import api_key_create


class Command(BaseCommand):
    help = (
        "Make a new API key for USERNAME and print it. Keys are stored as hashes, so this is "
        "the only time it can be read: keep it. Earlier keys stay valid until revoked."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What or who will use the key.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        _, key = api_key_create(user=user, name=name)
        self.stdout.write(key)

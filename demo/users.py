"""The demo team: one login per role, printed by `make run`."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from leads.stages import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    staff: bool = False


TEAM = (
    DemoUser("marketer", "Maria", "Lopez", Role.MARKETING, staff=True),
    DemoUser("rep", "Sam", "Carter", Role.SALES),
    DemoUser("rep2", "Rita", "Okafor", Role.SALES),
    DemoUser("rep3", "Omar", "Haddad", Role.SALES),
    DemoUser("manager", "Max", "Keller", Role.MANAGERS, staff=True),
)


def ensure_team(password: str) -> dict[str, Any]:
    """Create the demo users once; a second run leaves them (and their passwords) alone."""
    User = get_user_model()
    users: dict[str, Any] = {}
    for member in TEAM:
        user, created = User.objects.get_or_create(
            username=member.username,
            defaults={
                "first_name": member.first_name,
                "last_name": member.last_name,
                "email": f"{member.username}@example.com",
                "is_staff": member.staff,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=member.role))
        users[member.username] = user
    return users

"""factory_boy factories shared by every app's tests."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from leads.models import Campaign, Channel, Contact
from leads.stages import FUNNEL, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    channel = Channel.EBOOK
    spend = Decimal("1000.00")
    currency = "EUR"
    started_on = date(2026, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact at a given stage. Set ``stage`` only for arranging a test's starting point:
    real code moves stages through ``leads.services``."""

    class Meta:
        model = Contact

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.Faker("company")
    created_at = factory.LazyFunction(timezone.now)
    # First seen at creation, or at an earlier first-reached time a test arranges.
    first_seen_at = factory.LazyAttribute(
        lambda o: min(
            [o.created_at]
            + [t for t in (getattr(o, f"{s}_at", None) for s in FUNNEL) if t is not None]
        )
    )

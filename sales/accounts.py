"""
The hand-off of a marketing-qualified account (``scoring.companies_qualified``): sales
gets the account, as a rep gets an MQL. It goes to the company's owner or, when it has
none, to the rep who owns its best-scored contact, who becomes the owner; that rep gets a
call task on the company's best contact, due within a day. An account nobody can take waits
on the companies page, marked MQA, for a manager to give it an owner.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from leads.companies import company_update
from leads.models import Company
from leads.stages import Role

from .models import SalesTask, TaskKind

HAND_OFF_WITHIN = timedelta(days=1)


def accounts_hand_over(*, company_ids: Sequence[int], at: datetime) -> list[SalesTask]:
    """One task per account handed over (a few per scoring round: a loop over companies,
    not contacts)."""
    tasks = []
    for company in Company.objects.filter(pk__in=company_ids).select_related("owner"):
        people = company.contacts.filter(erased_at__isnull=True).order_by("-score", "pk")
        best = people.first()
        owner = company.owner
        if owner is None:
            # The rep of its best contact a rep owns (a manager may own a contact; an
            # account's owner is a rep, as ``company_update`` requires).
            owned = people.filter(owner__groups__name=Role.SALES).select_related("owner")
            first = owned.first()
            if first is not None:
                owner = company_update(company=company, owner=first.owner).owner
        if owner is None or best is None:
            continue
        title = _("Marketing-qualified account: %(company)s (score %(score)s)") % {
            "company": company.name,
            "score": company.score,
        }
        tasks.append(
            SalesTask(
                title=title[:200],
                contact=best,
                owner=owner,
                created_by=owner,
                kind=TaskKind.CALL,
                due_at=at + HAND_OFF_WITHIN,
            )
        )
    return SalesTask.objects.bulk_create(tasks)

"""
Contacts grouped into companies (accounts), set-based.

A contact's company is found by its e-mail's domain; an address at a free-mail provider
(``settings.FREE_MAIL_DOMAINS``) says nothing of the employer, so such a contact joins the
company it gave (by name, case aside), and none when it gave none. An erased contact, or
one merged into another, leaves its company. ``companies_link`` makes the companies that
are missing and moves every contact whose company changed, one range of ids per
transaction; the scoring app scores the companies after it (``scoring.companies``).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Company, Contact
from .records import checked_save
from .roles import Capability, can

CONTACTS = Contact._meta.db_table
COMPANIES = Company._meta.db_table
NAMED = "name:"


def _domain(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"LOWER(SPLIT_PART({column}, '@', 2))"
    return f"LOWER(SUBSTR({column}, INSTR({column}, '@') + 1))"


def company_key_sql(alias: str) -> tuple[str, list[Any]]:
    """SQL for the key of the company of contact ``alias`` (NULL: none), and its params."""
    domain = _domain(f"{alias}.email")
    free = list(settings.FREE_MAIL_DOMAINS)
    named = f"LOWER(TRIM({alias}.company))"
    return (
        f"(CASE WHEN {alias}.erased_at IS NOT NULL OR {alias}.merged_into_id IS NOT NULL "
        "THEN NULL "
        f"WHEN {domain} <> '' AND {domain} NOT IN ({', '.join(['%s'] * len(free))}) "
        f"THEN {domain} "
        f"WHEN TRIM({alias}.company) <> '' THEN '{NAMED}' || {named} END)",
        free,
    )


def _companies_add() -> int:
    """One company per key that has none yet, named after the name its contacts gave (or
    its domain)."""
    key, params = company_key_sql("c")
    statement = f"""
        INSERT INTO {COMPANIES} (key, name, domain, contact_count, fit_score,
                                 engagement_score, score, created_at)
        SELECT k, MIN(name), MIN(domain), 0, 0, 0, 0, %s
        FROM (SELECT {key} AS k,
                     CASE WHEN TRIM(c.company) <> '' THEN TRIM(c.company)
                          ELSE {_domain("c.email")} END AS name,
                     CASE WHEN {key} LIKE '{NAMED}%%' THEN '' ELSE {key} END AS domain
              FROM {CONTACTS} c WHERE c.erased_at IS NULL) AS t
        WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {COMPANIES} o WHERE o.key = t.k)
        GROUP BY k
        ON CONFLICT (key) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [timezone.now(), *params, *params, *params])
        return int(cursor.rowcount)


def _company_of(alias: str) -> tuple[str, list[Any]]:
    """SQL for the id of the company of contact ``alias`` (NULL: none), and its params."""
    key, params = company_key_sql(alias)
    return f"(SELECT o.id FROM {COMPANIES} o WHERE o.key = {key})", params


def _relink(lo: int, hi: int) -> int:
    """Move the contacts of ids ``[lo, hi)`` whose company changed; they are locked first,
    in id order, as every writer of contacts locks them."""
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    found, found_params = _company_of("c")
    company, params = _company_of(CONTACTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id FROM {CONTACTS} c WHERE c.id >= %s AND c.id < %s "
            f"AND c.account_id {differs} {found} ORDER BY c.id{lock}",
            [lo, hi, *found_params],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        cursor.execute(
            f"UPDATE {CONTACTS} SET account_id = {company} WHERE id >= %s AND id <= %s "
            f"AND account_id {differs} {company}",
            [*params, ids[0], ids[-1], *params],
        )
        return int(cursor.rowcount)


def companies_link(*, size: int | None = None) -> int:
    """Group every contact into its company; returns how many contacts moved."""
    size = size or settings.SCORING_CHUNK_SIZE
    with transaction.atomic():
        _companies_add()
    bounds = Contact.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    moved = 0
    for lo in range(bounds["lo"], bounds["hi"] + 1, size):
        with transaction.atomic():
            moved += _relink(lo, lo + size)
    return moved


def company_update(*, company: Company, **fields: Any) -> Company:
    """Rename an account or give it an owner: a rep, who works it (as a contact's owner)."""
    owner = fields.get("owner")
    if owner is not None and not can(owner, Capability.OWN_CONTACTS):
        raise ValidationError({"owner": [_("An account's owner is a sales rep.")]})
    return checked_save(company, **fields)

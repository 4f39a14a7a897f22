"""
Finding the contacts that are one person twice (``leads.matching`` says what is compared).

A pair is suspected for the reasons it has: the same e-mail without case, spaces or plus
tag; the same phone number in E.164; similar names and company (PostgreSQL's trigram
similarity, exact equality on SQLite). Each reason has a weight, and the pair's score is
the chance that at least one of them is right, taking them as independent:
``1 - (1 - w1 * s1) * (1 - w2 * s2) ...`` where ``s`` is 1 for an equal key and the
similarity for names. So one shared phone number scores 0.85, a phone and a similar name
more, and no single weak reason reaches ``DUPLICATES_MIN_SCORE`` alone.

The suggested pairs are stored (``DuplicatePair``) as each contact is created or edited
(``pairs_refresh``, after the commit) and by a full scan in the background (``scan_start``);
a pair that a person dismissed stays dismissed.

Both find names alike the same way, the "sorted neighbourhood" of record linkage: on
PostgreSQL a name is compared with its ``NEIGHBOURS`` closest names in name order and in
reversed-name order, short btree walks, so a typo at the end of a name is caught by the
first order and one at its start by the second (a trigram index search per contact took
30 to 110 ms at 1M: hours for a scan, and over the 50 ms of a page's warning). A refresh
walks both ways from one contact; the scan, going through every contact, only forward.
Equal e-mails and phones are found by index lookups in both.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .jobs import job_run, job_start
from .models import Contact, DuplicatePair, DuplicateScan
from .roles import Capability, User, account, can

EMAIL, PHONE, NAME = "email", "phone", "name"
WEIGHTS = {EMAIL: 0.95, PHONE: 0.85, NAME: 0.7}
# The least trigram similarity of names and company to count as a reason at all.
NAME_SIMILARITY = 0.6
MOST_CANDIDATES = 20
# The full scan: how many names after each one, in each order, it compares; and how many
# contact ids each of its transactions goes through.
NEIGHBOURS = 10
SCAN_RANGE = 5000


@dataclass
class Candidate:
    """A contact suspected to be the same person as another, with how sure and why."""

    contact_id: int
    reasons: dict[str, float] = field(default_factory=dict)  # reason -> similarity (0 to 1)

    @property
    def score(self) -> float:
        unlikely = 1.0
        for reason, similarity in self.reasons.items():
            unlikely *= 1 - WEIGHTS[reason] * similarity
        return round(1 - unlikely, 4)

    def described(self) -> list[dict[str, object]]:
        return [
            {"reason": reason, "similarity": round(similarity, 4)}
            for reason, similarity in sorted(self.reasons.items())
        ]


def candidates_of(contact: Contact, *, among: QuerySet[Contact] | None = None) -> list[Candidate]:
    """The live contacts that look like ``contact``, most likely first, without the pairs a
    person dismissed and below ``DUPLICATES_MIN_SCORE``: index lookups, one per key."""
    others = (among if among is not None else Contact.objects.active()).exclude(pk=contact.pk)
    found: dict[int, Candidate] = {}

    def add(pks: Iterable[tuple[int, float]], reason: str) -> None:
        for pk, similarity in pks:
            found.setdefault(pk, Candidate(pk)).reasons[reason] = similarity

    if contact.email_key and settings.DUPLICATES_IGNORE_PLUS:
        add(_equal(others, "email_key", contact.email_key), EMAIL)
    if contact.phone_key:
        add(_equal(others, "phone_key", contact.phone_key), PHONE)
    if contact.name_key:
        add(_similar_names(others, contact.name_key), NAME)
    dismissed = _dismissed_with(contact.pk)
    kept = [c for c in found.values() if c.contact_id not in dismissed]
    kept = [c for c in kept if c.score >= settings.DUPLICATES_MIN_SCORE]
    return sorted(kept, key=lambda c: (-c.score, c.contact_id))[:MOST_CANDIDATES]


def _equal(others: QuerySet[Contact], key: str, value: str) -> list[tuple[int, float]]:
    rows = others.filter(**{key: value}).values_list("pk", flat=True)[:MOST_CANDIDATES]
    return [(pk, 1.0) for pk in rows]


def _similar_names(others: QuerySet[Contact], name: str) -> list[tuple[int, float]]:
    """Contacts whose names and company are like ``name``, at least ``NAME_SIMILARITY``
    alike, most alike first. On PostgreSQL the candidates are the full scan's: the
    ``NEIGHBOURS`` names on each side of ``name`` in name order and in reversed-name order,
    four short btree walks; elsewhere the equal names."""
    if connection.vendor != "postgresql":
        return _equal(others, "name_key", name)
    from django.contrib.postgres.search import TrigramSimilarity

    named = others.exclude(name_key="").annotate(reversed_key=Reverse("name_key"))
    walks = (
        named.filter(name_key__gte=name).order_by("name_key", "pk"),
        named.filter(name_key__lte=name).order_by("-name_key", "-pk"),
        named.filter(reversed_key__gte=name[::-1]).order_by("reversed_key", "pk"),
        named.filter(reversed_key__lte=name[::-1]).order_by("-reversed_key", "-pk"),
    )
    near = {pk for walk in walks for pk in walk.values_list("pk", flat=True)[:NEIGHBOURS]}
    alike = (
        Contact.objects.filter(pk__in=near)
        .annotate(similarity=TrigramSimilarity("name_key", name))
        .filter(similarity__gte=NAME_SIMILARITY)
        .order_by("-similarity", "pk")
        .values_list("pk", "similarity")[:MOST_CANDIDATES]
    )
    return list(alike)


def _dismissed_with(pk: int) -> set[int]:
    pairs = DuplicatePair.objects.filter(
        Q(first_id=pk) | Q(second_id=pk), dismissed_at__isnull=False
    )
    return {a if a != pk else b for a, b in pairs.values_list("first_id", "second_id")}


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@transaction.atomic
def pairs_refresh(contact_ids: Iterable[int]) -> int:
    """Store the suggested pairs of these contacts as they are now: new pairs added, the
    score and reasons of known ones updated, the ones no longer suspected removed (never a
    dismissed one). Returns how many pairs the contacts have now."""
    ids = set(contact_ids)
    contacts = Contact.objects.active().filter(pk__in=ids)
    wanted: dict[tuple[int, int], Candidate] = {}
    for contact in contacts:
        for candidate in candidates_of(contact):
            wanted[_pair(contact.pk, candidate.contact_id)] = candidate
    open_pairs = DuplicatePair.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids), dismissed_at__isnull=True
    )
    open_pairs.exclude(pk__in=_pks_of(open_pairs, wanted)).delete()
    _upsert(wanted)
    return len(wanted)


def _pks_of(pairs: QuerySet[DuplicatePair], wanted: dict[tuple[int, int], Candidate]) -> list[int]:
    return [
        pk for pk, a, b in pairs.values_list("pk", "first_id", "second_id") if (a, b) in wanted
    ]


def _upsert(found: dict[tuple[int, int], Candidate]) -> None:
    """Write the pairs in one statement (new ones added, known ones rescored). ``found``
    holds no dismissed pair: ``candidates_of`` leaves those out."""
    if not found:
        return
    now = timezone.now()
    DuplicatePair.objects.bulk_create(
        [
            DuplicatePair(
                first_id=a,
                second_id=b,
                score=c.score,
                reasons=c.described(),
                found_at=now,
                checked_at=now,
            )
            for (a, b), c in found.items()
        ],
        update_conflicts=True,
        unique_fields=["first", "second"],
        update_fields=["score", "reasons", "checked_at"],
    )


def scan_start(*, by: User | None, enqueue: bool = True) -> DuplicateScan:
    """Look for the pairs among every live contact in the background, with progress
    (``DuplicateScan``); while a scan runs, that one is returned. Marketing and managers
    ask for it, as they merge."""
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Only marketing and managers look for duplicates."))
    return job_start(
        DuplicateScan,
        task="leads.tasks.duplicates_scan",
        waiting="asking for the scan again runs it",
        by=by,
        over=Contact.objects.active(),
        enqueue=enqueue,
    )


def scan_run(job_id: int) -> DuplicateScan:
    """Store the pairs of each range of contact ids, one range per transaction; at the
    end, remove the open pairs that neither this scan nor a refresh since found. While it
    runs, ``found`` counts the pairs written (one found from both sides counts twice);
    at the end, the open pairs."""

    def pairs_of_range(job: DuplicateScan, lo: int, hi: int) -> int:
        ids = list(
            Contact.objects.active().filter(pk__gte=lo, pk__lt=hi).values_list("pk", flat=True)
        )
        job.found += len(pairs_store(ids))
        return len(ids)

    def forget_unfound(job: DuplicateScan) -> None:
        unfound = DuplicatePair.objects.filter(checked_at__lt=job.started_at)
        unfound.filter(dismissed_at__isnull=True).delete()
        job.found = open_pairs().count()

    return job_run(
        DuplicateScan, job_id, size=SCAN_RANGE, step=pairs_of_range, finish=forget_unfound
    )


def pairs_store(contact_ids: Iterable[int]) -> dict[tuple[int, int], Candidate]:
    """Find and store the pairs of many contacts at once (a scan's range, an import's new
    rows): on PostgreSQL in one statement, by name neighbours; elsewhere by looking up each
    contact's candidates. Dismissed pairs are left as they are; known ones are rescored.
    Returns the pairs stored."""
    ids = list(contact_ids)
    if connection.vendor == "postgresql":
        found = _pairs_near(ids)
    else:
        found = {
            _pair(contact.pk, candidate.contact_id): candidate
            for contact in Contact.objects.active().filter(pk__in=ids)
            for candidate in candidates_of(contact)
        }
    return _store(found)


def _pairs_near(ids: list[int]) -> dict[tuple[int, int], Candidate]:
    """The suspected pairs of the live contacts ``ids`` in one statement: candidates by
    equal keys and by name neighbours, then each pair's keys compared and its names'
    trigram similarity."""
    # Each inner condition repeats "<> ''": the key indexes are partial, and the planner
    # uses one only where the query says so.
    live = "b.erased_at IS NULL AND b.merged_into_id IS NULL"
    equal_emails = (
        f"""SELECT a.id, n.id FROM batch a CROSS JOIN LATERAL (
            SELECT b.id FROM leads_contact b WHERE b.email_key = a.email_key
            AND b.email_key <> '' AND b.id <> a.id AND {live} LIMIT {MOST_CANDIDATES}) n
            WHERE a.email_key <> ''
        UNION"""
        if settings.DUPLICATES_IGNORE_PLUS
        else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH batch AS (
                SELECT id, email_key, phone_key, name_key FROM leads_contact
                WHERE id = ANY(%(ids)s) AND erased_at IS NULL AND merged_into_id IS NULL
            ), near (a, b) AS (
                {equal_emails}
                SELECT a.id, n.id FROM batch a CROSS JOIN LATERAL (
                    SELECT b.id FROM leads_contact b WHERE b.phone_key = a.phone_key
                    AND b.phone_key <> '' AND b.id <> a.id AND {live} LIMIT {MOST_CANDIDATES}) n
                WHERE a.phone_key <> ''
                UNION
                SELECT a.id, n.id FROM batch a CROSS JOIN LATERAL (
                    SELECT b.id FROM leads_contact b WHERE b.name_key <> ''
                    AND (b.name_key, b.id) > (a.name_key, a.id) AND {live}
                    ORDER BY b.name_key, b.id LIMIT {NEIGHBOURS}) n
                WHERE a.name_key <> ''
                UNION
                SELECT a.id, n.id FROM batch a CROSS JOIN LATERAL (
                    SELECT b.id FROM leads_contact b WHERE b.name_key <> ''
                    AND (reverse(b.name_key), b.id) > (reverse(a.name_key), a.id) AND {live}
                    ORDER BY reverse(b.name_key), b.id LIMIT {NEIGHBOURS}) n
                WHERE a.name_key <> ''
            ), pairs AS (
                SELECT DISTINCT least(a, b) AS first, greatest(a, b) AS second FROM near
            )
            SELECT p.first, p.second,
                x.email_key <> '' AND x.email_key = y.email_key,
                x.phone_key <> '' AND x.phone_key = y.phone_key,
                CASE WHEN x.name_key <> '' AND y.name_key <> ''
                    THEN similarity(x.name_key, y.name_key) ELSE 0 END
            FROM pairs p
            JOIN leads_contact x ON x.id = p.first
            JOIN leads_contact y ON y.id = p.second
            """,
            {"ids": ids},
        )
        rows = cursor.fetchall()
    found = {}
    for first, second, same_email, same_phone, names in rows:
        candidate = Candidate(second)
        if same_email and settings.DUPLICATES_IGNORE_PLUS:
            candidate.reasons[EMAIL] = 1.0
        if same_phone:
            candidate.reasons[PHONE] = 1.0
        if names >= NAME_SIMILARITY:
            candidate.reasons[NAME] = float(names)
        if candidate.score >= settings.DUPLICATES_MIN_SCORE:
            found[(first, second)] = candidate
    return found


def _store(found: dict[tuple[int, int], Candidate]) -> dict[tuple[int, int], Candidate]:
    """Write the pairs found, but the dismissed ones; returns the pairs written."""
    firsts = {a for a, _ in found}
    dismissed = set(
        DuplicatePair.objects.filter(first_id__in=firsts, dismissed_at__isnull=False).values_list(
            "first_id", "second_id"
        )
    )
    kept = {pair: c for pair, c in found.items() if pair not in dismissed}
    _upsert(kept)
    return kept


def pairs_dismiss(pair: DuplicatePair, *, by: User | None) -> DuplicatePair:
    """Not the same person: the pair stays, marked, so that no scan suggests it again.
    Marketing and managers decide it, as they merge."""
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Only marketing and managers keep look-alikes apart."))
    if pair.dismissed_at is None:
        DuplicatePair.objects.filter(pk=pair.pk, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now(), dismissed_by=account(by)
        )
        pair.refresh_from_db()
    return pair


def pairs_forget(contact_ids: Iterable[int]) -> None:
    """The open pairs of contacts that are no longer live (merged away, erased)."""
    ids = list(contact_ids)
    DuplicatePair.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids), dismissed_at__isnull=True
    ).delete()


def open_pairs() -> QuerySet[DuplicatePair]:
    """The suggested pairs nobody dismissed, of live contacts, most likely first."""
    live = Contact.objects.active()
    return DuplicatePair.objects.filter(
        dismissed_at__isnull=True,
        first__in=live,
        second__in=live,
    ).order_by(F("score").desc(), "first_id", "second_id")

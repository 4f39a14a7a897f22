"""Background work handed to Celery by the task's name, once the transaction commits.

Services name the task instead of importing it: the task module imports the services it
calls, and an import back would tie the two in a cycle. The row that asks for the work is
written first, so a broker that is down loses nothing: the request still answers, and a
sweep (or asking again) finds the row.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import Contact, ContactRangeJob, JobStatus
from .roles import User, account

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: str, *args: Any, waiting: str) -> None:
    """Send ``task`` (its registered name) with ``args`` after the commit; ``waiting`` says,
    in the warning of a broker that is down, what waits and who picks it up."""
    transaction.on_commit(partial(send, task, *args, waiting=waiting), robust=True)


def send(task: str, *args: Any, waiting: str) -> bool:
    """Send ``task`` now; False (and a warning) when the broker is down."""
    try:
        _registered(task).delay(*args)
    except OperationalError:
        logger.warning("Broker unavailable: %s", waiting)
        return False
    return True


def _registered(name: str) -> Task:
    if name not in current_app.tasks:
        # A web process has not imported the apps' task modules: Celery's autodiscovery
        # does, as a worker does at its start.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


Job = TypeVar("Job", bound=ContactRangeJob)


def job_start(
    jobs: type[Job],
    *,
    task: str,
    waiting: str,
    by: User | None,
    over: QuerySet[Contact] | None = None,
    enqueue: bool = True,
    **fields: Any,
) -> Job:
    """Start a job of this kind over the contacts ``over`` (every one by default), in the
    background. A job of the kind already pending or running is returned (and enqueued
    again: a lost message must not leave it pending forever) instead of starting a second.
    ``enqueue=False`` is for a caller that runs the job itself, like the data generator;
    ``waiting`` says who picks the job up when the broker is down."""
    job = jobs._default_manager.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).first()
    if job is None:
        bounds = (over if over is not None else Contact.objects.all()).aggregate(
            lo=Min("pk"), hi=Max("pk"), n=Count("pk")
        )
        job = jobs._default_manager.create(
            requested_by=account(by),
            total=bounds["n"],
            cursor=bounds["lo"] or 0,
            last_id=bounds["hi"] or 0,
            **fields,
        )
    if enqueue:
        enqueue_on_commit(task, job.pk, waiting=f"{waiting} (job {job.pk})")
    return job


def jobs_stalled(jobs: type[Job], *, now: datetime | None = None) -> list[int]:
    """Pending or running jobs of this kind with no progress for a while: their task was
    lost (a worker killed, an enqueue that failed while the broker was down) and can be run
    again, which resumes after the last committed range."""
    since = (now or timezone.now()) - timedelta(seconds=settings.RECOMPUTE_STALLED_SECONDS)
    return list(
        jobs._default_manager.filter(
            status__in=[JobStatus.PENDING, JobStatus.RUNNING], heartbeat_at__lt=since
        ).values_list("pk", flat=True)
    )


def job_run(
    jobs: type[Job],
    job_id: int,
    *,
    size: int,
    step: Callable[[Job, int, int], int],
    finish: Callable[[Job], None] = lambda job: None,
) -> Job:
    """Do the job's work, ``step(job, lo, hi)`` for one range of contact ids per
    transaction, until it is done; ``step`` returns how many contacts it did and may count
    on the job's own fields. ``finish`` runs in the transaction that marks the job done.

    Each range claims its place on the job row (locked, ``cursor`` advanced in the same
    transaction as the range's work), so the task may run twice, or twice at once, and
    every range is still done once. A range is done whole: doing it again is harmless.
    """
    started = timezone.now()
    jobs._default_manager.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=started, heartbeat_at=started
    )
    try:
        while _next_range(jobs, job_id, size, step, finish):
            pass
    except Exception as error:
        jobs._default_manager.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    return jobs._default_manager.get(pk=job_id)


@transaction.atomic
def _next_range(
    jobs: type[Job],
    job_id: int,
    size: int,
    step: Callable[[Job, int, int], int],
    finish: Callable[[Job], None],
) -> bool:
    job = jobs._default_manager.select_for_update().get(pk=job_id)
    if job.status != JobStatus.RUNNING:
        return False
    if job.cursor > job.last_id:
        finish(job)
        job.status, job.finished_at = JobStatus.DONE, timezone.now()
        job.save()
        return False
    hi = min(job.cursor + size, job.last_id + 1)
    job.done += step(job, job.cursor, hi)
    job.cursor, job.heartbeat_at = hi, timezone.now()
    job.save()
    return True

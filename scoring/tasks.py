"""Background work of scoring: thin wrappers that take ids and call a service."""

from celery import shared_task

from leads.jobs import jobs_stalled

from . import companies, services, shadow
from .models import ShadowJob


@shared_task(name="scoring.tasks.decay_scores")
def decay_scores() -> int:
    """Beat, hourly by default (``SCORING_DECAY_SECONDS``): age stored engagement."""
    return services.scores_decay()


@shared_task(name="scoring.tasks.recompute_scores")
def recompute_scores(job_id: int) -> None:
    """Run (or resume) a recompute job; safe to deliver twice."""
    services.recompute_run(job_id=job_id)


@shared_task(name="scoring.tasks.build_shadow")
def build_shadow(job_id: int) -> None:
    """Run (or resume) the build that starts a shadow run; safe to deliver twice."""
    shadow.build_run(job_id=job_id)


@shared_task(name="scoring.tasks.resume_stalled_recomputes")
def resume_stalled_recomputes() -> None:
    """Beat: queue again the recomputes and shadow builds whose task was lost
    (``leads.jobs.jobs_stalled``)."""
    for job_id in services.recompute_stalled():
        recompute_scores.delay(job_id)
    for job_id in jobs_stalled(ShadowJob):
        build_shadow.delay(job_id)


@shared_task(name="scoring.tasks.score_companies")
def score_companies() -> int:
    """Beat, every ``COMPANY_SCORES_SECONDS``: group contacts into companies and score them."""
    return len(companies.companies_score())

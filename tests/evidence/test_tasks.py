"""The Celery task path: the task takes an analysis id, runs it once (a redelivery after it
finished changes nothing, one after a lost worker finishes it), records a failure in words,
and a real worker on Redis runs what the API queued."""

import pytest
from celery.contrib.testing.worker import start_worker

from evidence import services, tasks
from evidence.errors import NotEnoughHistory
from evidence.models import Analysis, Kind, Status
from leadfunnel.celery import app

PARAMS = {"start": "2026-01-01", "end": "2026-03-31", "target": "sql", "window_days": 90,
          "min_support": 30}  # fmt: skip


def signals_analysis(**fields) -> Analysis:
    return Analysis.objects.create(kind=Kind.SIGNALS, params=PARAMS, steps_total=4, **fields)


@pytest.mark.django_db
def test_the_task_runs_the_analysis_it_is_given_by_id(plain_scoring):
    analysis = signals_analysis()
    tasks.run_analysis.apply(args=[analysis.pk]).get()
    analysis.refresh_from_db()
    assert (analysis.status, analysis.steps_done, analysis.step) == (Status.DONE, 4, "")
    assert analysis.result["population"]["contacts"] == 0


@pytest.mark.django_db
def test_a_second_delivery_after_it_finished_changes_nothing(plain_scoring):
    analysis = signals_analysis()
    tasks.run_analysis.apply(args=[analysis.pk])
    finished = Analysis.objects.get(pk=analysis.pk).finished_at
    tasks.run_analysis.apply(args=[analysis.pk])
    assert Analysis.objects.get(pk=analysis.pk).finished_at == finished


@pytest.mark.django_db
def test_a_delivery_after_a_lost_worker_finishes_the_analysis(plain_scoring):
    analysis = signals_analysis(status=Status.RUNNING, step="Profiles", steps_done=3)
    tasks.run_analysis.apply(args=[analysis.pk])
    assert Analysis.objects.get(pk=analysis.pk).status == Status.DONE


@pytest.mark.django_db
def test_a_history_that_cannot_answer_fails_in_words(plain_scoring, monkeypatch):
    def refuse(*args, **kwargs):
        raise NotEnoughHistory("Nobody reached SQL in the training months.")

    monkeypatch.setitem(services.RUNNERS, Kind.SIGNALS, refuse)
    analysis = signals_analysis()
    services.analysis_run(analysis_id=analysis.pk)
    analysis.refresh_from_db()
    assert (analysis.status, analysis.error) == (
        Status.FAILED,
        "Nobody reached SQL in the training months.",
    )


@pytest.mark.django_db
def test_an_error_fails_the_analysis_without_showing_the_trace(plain_scoring, monkeypatch):
    def crash(*args, **kwargs):
        raise ZeroDivisionError("SELECT secret FROM somewhere")

    monkeypatch.setitem(services.RUNNERS, Kind.SIGNALS, crash)
    analysis = signals_analysis()
    with pytest.raises(ZeroDivisionError):
        services.analysis_run(analysis_id=analysis.pk)
    analysis.refresh_from_db()
    assert analysis.status == Status.FAILED and "SELECT" not in analysis.error


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_backtest_the_api_queued(
    redis_broker, finished, api, marketer, plain_scoring
):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        response = api.as_user(marketer).post(
            "/api/v1/evidence/backtests/", {"start": "2026-01-01"}, format="json"
        )
        assert response.status_code == 202
        assert finished(tasks.run_analysis.name).wait(timeout=60)
    analysis = Analysis.objects.get(pk=response.json()["id"])
    assert analysis.status == Status.DONE
    assert [c["name"] for c in analysis.result["columns"]] == [
        "What really happened",
        "Current rules",
    ]

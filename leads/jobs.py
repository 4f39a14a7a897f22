"""Background work handed to Celery by the task's name, once the transaction commits.

Services name the task instead of importing it: the task module imports the services it
calls, and an import back would tie the two in a cycle. The row that asks for the work is
written first, so a broker that is down loses nothing: the request still answers, and a
sweep (or asking again) finds the row.
"""

import logging
from functools import partial
from typing import Any

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError

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

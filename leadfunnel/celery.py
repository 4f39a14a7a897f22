"""The Celery app. Its configuration is Django's `CELERY_*` settings."""

import logging
import os
import time

from celery import Celery
from celery import Task as BaseTask
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadfunnel.settings.local")

logger = logging.getLogger(__name__)


class BrokerBreaker:
    """Fail publishes at once for a while after one failed: the broker is down.

    A publish to a Redis that refuses connections takes about half a second (the publish
    retry policy), one to a Redis that accepts and never answers about six (the socket
    timeouts), and an event batch that makes a hundred MQLs enqueues a hundred tasks: the
    request would hang for minutes. Every task's work is found again from database state by
    a beat sweep, so while the breaker is open ``.delay()`` raises the broker's own error
    without trying, and callers defer the work as they do for any failed publish.
    """

    def __init__(self, pause: float):
        self.pause = pause
        self._open_until = 0.0

    def check(self) -> None:
        if time.monotonic() < self._open_until:
            raise OperationalError(_("The broker failed a moment ago; not trying again yet."))

    def trip(self, error: Exception) -> None:
        if time.monotonic() >= self._open_until:
            logger.warning("Broker unavailable, publishing paused for %s s: %s", self.pause, error)
        self._open_until = time.monotonic() + self.pause


broker_breaker = BrokerBreaker(pause=10.0)


class Task(BaseTask):
    """Every task of the app: publishing goes through the breaker."""

    def apply_async(self, *args, **kwargs):
        broker_breaker.check()
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError as error:
            broker_breaker.trip(error)
            raise


app = Celery("leadfunnel", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    """The filesystem transport (used without Redis) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)

"""`manage.py sla_sweep`: the same sweep for cron users, e-mails sent inline."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail as outbox
from django.core.management import CommandError, call_command

from sla.models import Breach

from .conftest import MONDAY, make_mql

pytestmark = pytest.mark.django_db


def sweep(*args: str) -> str:
    out = StringIO()
    call_command("sla_sweep", *args, stdout=out)
    return out.getvalue()


def test_the_command_breaches_what_is_due_and_mails_the_digests(mql_policy, rep, manager):
    make_mql(owner=rep)
    printed = sweep("--now", (MONDAY + timedelta(hours=48)).isoformat())
    assert "1 breach(es) recorded" in printed
    assert "E-mails sent: 2" in printed
    assert Breach.objects.count() == 1
    assert len(outbox.outbox) == 2


def test_running_the_command_again_changes_nothing(mql_policy, rep):
    make_mql(owner=rep)
    now = (MONDAY + timedelta(hours=48)).isoformat()
    sweep("--now", now)
    assert "0 breach(es) recorded" in sweep("--now", now)
    assert Breach.objects.count() == 1
    assert len(outbox.outbox) == 1


def test_no_mail_leaves_the_digests_to_a_worker(mql_policy, rep):
    make_mql(owner=rep)
    assert "E-mails" not in sweep("--now", "2026-03-10T00:00Z", "--no-mail")
    assert outbox.outbox == []


@pytest.mark.parametrize("bad", ["yesterday", "2026-03-10T00:00"])
def test_a_bad_or_naive_time_is_refused(db, bad):
    with pytest.raises(CommandError):
        sweep("--now", bad)

"""What the sales app tells the other apps.

- ``activities_logged`` is sent inside the transaction that logged or edited activities,
  once per batch: a receiver's writes commit with them (the SLA stopping the clocks a first
  touch answers, an outbox row per webhook). kwargs: activities, the activities as saved.
- ``task_completed`` is sent inside the transaction that completed a task. kwargs: task.
"""

from django.dispatch import Signal

activities_logged = Signal()
task_completed = Signal()

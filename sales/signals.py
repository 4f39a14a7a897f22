"""What the sales app tells the other apps.

- ``activities_logged`` is sent inside the transaction that logged or edited activities,
  once per batch: a receiver's writes commit with them (the SLA stopping the clocks a first
  touch answers, an outbox row per webhook). kwargs: activities, the activities as saved.
- ``touch_withdrawing`` is sent inside the transaction that deletes an outbound touch or
  changes its kind, direction or time, before it does: a receiver may refuse with a
  ``leads.errors.Conflict`` (the SLA, for a touch that answered a clock). kwargs: activity,
  as it is stored.
- ``task_completed`` is sent inside the transaction that completed a task. kwargs: task.
"""

from django.dispatch import Signal

activities_logged = Signal()
touch_withdrawing = Signal()
task_completed = Signal()

"""
What ``leads`` tells the other apps. ``leads`` imports none of them; they listen here.

- ``transitions_recorded`` is sent *inside* the move's transaction: a receiver's database
  writes commit or roll back with the move (an SLA clock, an outbox row). No slow I/O here.
  One send per move, or per bulk move (a batch of events engaging or promoting hundreds of
  contacts at once): ``moves`` holds each moved contact, at most once, with its transition,
  so receivers work set-based.
- ``move_requested`` is sent inside the move's transaction, on the locked row, once the move
  table has allowed it and before anything is written: a receiver that holds a rule of its
  own about the move (an SLA policy's attempts before "unreachable") refuses it by raising
  a ``leads.errors.Conflict``, which rolls the move back whole.
- ``stage_changed`` is sent *after* the commit: the place to enqueue Celery tasks.
- ``contact_saved`` is sent inside the transaction that created or edited a contact's
  fields (``changed`` names them), so a profile score can follow in the same commit.
- ``contacts_created`` is sent inside the transaction that created contacts in bulk (event
  batches, imports) with their ids, so a profile score can be computed set-based.
- ``contact_erased`` is sent inside the erasure's transaction, so every app removes the
  personal data it holds (event properties, payload logs) in the same commit. It carries
  the e-mail the contact had, already cleared on the contact: the one key to the person
  in data that is not linked to the contact yet (a file waiting to be imported), and
  ``values``, every string that identifies the person, for scrubbing free text and JSON
  (``leads.erasure.scrub_rows``).
- ``contacts_merged`` is sent inside the merge's transaction (``leads.merging``), once the
  other contact points at the survivor: each app moves the other's rows that belong to the
  person (events, activities, tasks) to the survivor and *returns* what it moved, as
  ``{"app.table": [ids]}``, which the merge keeps so that an undo can move them back.
  ``merge_undone`` is sent inside the undo's transaction with the same ``Merge``: each app
  moves back the ids it returned (those still on the survivor), and rescores both.
"""

from django.dispatch import Signal

move_requested = Signal()  # sender=Contact, contact, move, by, reason, at
transitions_recorded = Signal()  # sender=Contact, moves: [(contact, transition), ...]
stage_changed = Signal()  # sender=Contact, contact_id, transition_id, from_stage, to_stage
contact_saved = Signal()  # sender=Contact, contact, created, changed
contacts_created = Signal()  # sender=Contact, contact_ids
contact_erased = Signal()  # sender=Contact, contact, email, values
contacts_merged = Signal()  # sender=Contact, merge, survivor, other -> {"app.table": [ids]}
merge_undone = Signal()  # sender=Contact, merge, survivor, other

"""What the SLA checker tells the other apps."""

from django.dispatch import Signal

# Sent once per batch of breaches, inside the sweep's transaction that recorded them: a
# receiver's database writes commit with the breaches (no slow I/O here; enqueue on
# commit). kwargs: breaches, a list of (breach_id, contact_id) pairs
breaches_recorded = Signal()

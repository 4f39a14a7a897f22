"""What the SLA checker tells the other apps."""

from django.dispatch import Signal

# Sent once per breach, inside the sweep's transaction that recorded it: a receiver's
# database writes commit with the breach (no slow I/O here; enqueue on commit).
# kwargs: breach_id, contact_id
breach_recorded = Signal()

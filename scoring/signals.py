"""What scoring tells the other apps."""

from django.dispatch import Signal

# Sent when a contact's score crosses a threshold upwards, inside the transaction that
# recorded it: a receiver's database writes commit with it (no slow I/O here; enqueue on
# commit). kwargs: contact_id, threshold ("mql" or "hot"), score, occurred_at
threshold_crossed = Signal()

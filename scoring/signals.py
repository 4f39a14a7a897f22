"""What scoring tells the other apps."""

from django.dispatch import Signal

# Sent after commit when a contact's score crosses a threshold upwards.
# kwargs: contact_id, threshold ("mql" or "hot"), score, occurred_at
threshold_crossed = Signal()

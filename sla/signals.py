"""What the SLA checker tells the other apps."""

from django.dispatch import Signal

# Sent after commit, once per breach. kwargs: breach_id, contact_id
breach_recorded = Signal()

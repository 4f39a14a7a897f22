"""What scoring tells the other apps."""

from django.dispatch import Signal

# Sent when scores cross a threshold upwards, once per batch of contacts (an event batch,
# a range of a recompute), inside the transaction that recorded it: a receiver's database
# writes commit with it (no slow I/O here; enqueue on commit).
# kwargs: crossings, a list of scoring.sql.Crossing (contact_id, level "mql" or "hot",
# score, at)
thresholds_crossed = Signal()

# Sent when companies cross the MQA threshold (``scoring.companies``), inside the
# transaction that marked them. kwargs: company_ids (list of leads.Company ids), at.
companies_qualified = Signal()

"""The demo team's written definitions: what each stage means here, and the SLA agreed.

Written once by the demo manager through ``leads.services.definition_revise``, so the
Definitions page and every contact page show what a team that did its homework has written
down.
"""

from django.utils.translation import gettext, gettext_noop

from leads import services
from leads.models import Definition

Term = Definition.Term
TEXTS = {
    Term.LEAD: gettext_noop(
        "Someone who engaged with us at least once: downloaded content, registered for a "
        "webinar, filled a form, asked for a demo or answered an outbound message."
    ),
    Term.MQL: gettext_noop(
        "A lead whose score reached 60: they fit our buyer (B2B, 10+ employees, a marketing "
        "or sales role) and showed real interest. Marketing hands every MQL to sales."
    ),
    Term.SQL: gettext_noop(
        "The rep called the MQL, confirmed the need and the person's role in the decision, "
        "and wants to go further. Only the rep accepts an MQL."
    ),
    Term.QSO: gettext_noop(
        "A qualified opportunity: after a meeting, the need has a budget (amount and "
        "currency) and an expected close date, both written on the contact."
    ),
    Term.CLIENT: gettext_noop(
        "The contract is signed; the signed amount is recorded when winning."
    ),
    Term.RECYCLED: gettext_noop(
        "An MQL sales turned down for now (no interest, unreachable, too early). Marketing "
        "nurtures it; a new engagement brings it back."
    ),
    Term.DISQUALIFIED: gettext_noop(
        "Out for good: student, competitor, duplicate, or no possible fit."
    ),
    Term.LOST: gettext_noop(
        "An SQL or QSO that did not sign: no budget, a competitor, or no decision."
    ),
    Term.SLA: gettext_noop(
        "Marketing delivers the monthly MQL target. Sales accept or reject every MQL within "
        "48 hours of receiving it; an MQL left longer goes to another rep and the manager "
        "is told. An SQL is qualified or closed within two working weeks."
    ),
}


def ensure_definitions(users: dict) -> None:
    """Write the terms that have no definition yet; a manager's later edits stay as they are."""
    written = set(Definition.objects.values_list("term", flat=True))
    for term, text in TEXTS.items():
        if term not in written:
            services.definition_revise(term=term, text=gettext(text), by=users["manager"])

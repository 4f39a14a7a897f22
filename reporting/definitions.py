"""
How the reports count, in words: the one text of each KPI's definition.

The reports' notes, the definitions page ("How the reports count") and the README's
"Reading the reports" all show these very sentences (a test holds the README and the page
to them), so marketing and sales read one definition wherever they look.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: StrOrPromise
    text: StrOrPromise


KPIS = (
    KpiDefinition(
        "rate",
        _("Conversion rate"),
        _(
            "Reached B / reached A, between consecutive stages (lead to MQL, MQL to SQL, SQL to "
            "QSO, QSO to client) and overall (lead to client). A skipped stage counts as passed; "
            "a rate with nothing to divide by is empty, not 0 %."
        ),
    ),
    KpiDefinition(
        "first_seen",
        _("First seen"),
        _(
            "A contact is first seen at the earliest of its creation, its first recorded move and "
            "its first activity event: a contact created by a sync of older events belongs to the "
            "month of those events."
        ),
    ),
    KpiDefinition(
        "cohort",
        _("Cohort"),
        _(
            "Of the contacts first seen in the range, how many have reached each stage by now "
            "(skipping a stage counts as passing it). Rates follow the same people down the "
            "funnel; recent cohorts have had less time to convert."
        ),
    ),
    KpiDefinition(
        "period",
        _("Period"),
        _(
            "How many contacts reached each stage for the first time during the range, whenever "
            "they were first seen. Shows the team's output in the range; a rate compares two "
            "flows and is not the share of one group of people."
        ),
    ),
    KpiDefinition(
        "cost",
        _("Cost per stage"),
        _(
            "A campaign's spend in the range divided by the credit it earned for the stage. With "
            "first touch, the default, a contact counts for the campaign it first came from; "
            "another attribution model shares the contact among the campaigns that touched it."
        ),
    ),
    KpiDefinition(
        "attribution",
        _("Attribution"),
        _(
            "Each stage a contact reached is a credit of 1, shared among its touches (an event, "
            "form or import row naming a campaign) up to the moment it entered the stage. First "
            "touch: all to the first; last touch: all to the last before the entry; linear: equal "
            "shares; U-shaped: 40 % the first, 40 % the one that made it a lead, 20 % shared by "
            "the rest; W-shaped: 30 % the first, 30 % the lead-making one, 30 % the last before "
            "the MQL, 10 % shared by the rest; time decay: a weight halving every 7 days before "
            "the entry. A touch in two places adds both shares; a place nobody holds leaves its "
            "share to the others. Example: touches A, D, B, then the lead, C, then the MQL: the "
            "MQL is A 40 %, B 40 %, C 10 %, D 10 % U-shaped, 25 % each linear, all C last touch."
        ),
    ),
    KpiDefinition(
        "time_in_stage",
        _("Time in stage"),
        _(
            "From the move that brought a contact into the stage to the move that took it out, "
            "for the stays that began in the range and have ended; a skipped stage has no stay, "
            "and an assignment or a claim does not end one."
        ),
    ),
    KpiDefinition(
        "first_action",
        _("First sales action"),
        _(
            "From the hand-off (the contact became an MQL, or was handed to the rep) to the first "
            "move out of MQL made by a user (accept or reject)."
        ),
    ),
    KpiDefinition(
        "speed_to_lead",
        _("Speed to lead"),
        _(
            "From each MQL hand-off to the rep's first touch: an outbound call, e-mail or meeting "
            "logged as happening after the hand-off, or an accept or reject, whichever came "
            "first. In wall-clock minutes, and in working minutes when the MQL policy counts "
            "business hours. A hand-off with no touch yet is in the band “none”; the SQL rate "
            "of a band is the share of its hand-offs that went on to SQL."
        ),
    ),
    KpiDefinition(
        "verdict",
        _("Judging a hand-off"),
        _(
            "Every hand-off is judged against the deadline it was given when it was made, from "
            "the policy of that moment (a later policy edit changes no past verdict): in time if "
            "answered by then, late if after, overdue if unanswered when it is reached, pending "
            "before it; withdrawn, and not judged, if it was taken off the rep unanswered before "
            "it. Share within the SLA = in time / (in time + late + overdue)."
        ),
    ),
    KpiDefinition(
        "per_rep",
        _("Per rep"),
        _(
            "Each rep is judged on the hand-offs made to them, a reassignment being a new "
            "hand-off with its own deadline (a missed one stays with the rep who missed it); the "
            "team total counts each MQL's first hand-off once."
        ),
    ),
    KpiDefinition(
        "recycled",
        _("Recycled"),
        _(
            "An MQL that sales rejected back to marketing. If it engages again with a score at or "
            "above the MQL threshold it becomes an MQL again: a new pass, with a new hand-off and "
            "deadline. The hand-off report counts every pass."
        ),
    ),
)

BY_KEY = {kpi.key: kpi for kpi in KPIS}


def note(key: str) -> str:
    """A definition as a report's note: "Name: text"."""
    return f"{BY_KEY[key].name}: {BY_KEY[key].text}"

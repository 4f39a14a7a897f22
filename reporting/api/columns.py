"""The titles of a report spreadsheet's columns.

In English a column is titled by its key (``counts.mql``, ``rates.lead_to_mql``): the
API's field names, which integrations and formulas read. In another language a person
opens the file, so each word of the key is said in that language, joined by " · "
(« Nombre · MQL », « Taux · Prospect → MQL »). A word without a title stays as it is.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from leads.stages import Stage

from ..selectors.response_time import BAND_LABELS

WORDS: dict[str, StrOrPromise] = (
    {
        "key": _("Key"),
        "label": _("Name"),
        "month": _("Month"),
        "counts": _("Number"),
        "count": _("Number"),
        "rates": _("Rate"),
        "change": _("Change"),
        "cost": _("Cost"),
        "spend": _("Spend"),
        "spend_prorated": _("Spend over the period"),
        "currency": _("Currency"),
        "passed": _("Handed to sales"),
        "accepted": _("Accepted"),
        "rejected": _("Rejected"),
        "waiting": _("Waiting"),
        "acceptance_rate": _("Acceptance rate"),
        "rejection_rate": _("Rejection rate"),
        "stages": _("Stage"),
        "median_hours": _("Median (hours)"),
        "p90_hours": _("90th percentile (hours)"),
        "still_there": _("Still there"),
        "first_action": _("First sales action"),
        "sla": _("SLA"),
        "handed_off": _("Handed to sales"),
        "in_time": _("In time"),
        "late": _("Late"),
        "overdue": _("Overdue"),
        "pending": _("Pending"),
        "withdrawn": _("Withdrawn"),
        "no_deadline": _("No deadline"),
        "share_within_sla": _("Share within the SLA"),
        "verdict": _("Verdict"),
        "touched": _("Touched"),
        "median_minutes": _("Median (minutes)"),
        "p90_minutes": _("90th percentile (minutes)"),
        "working_median_minutes": _("Median (working minutes)"),
        "working_p90_minutes": _("90th percentile (working minutes)"),
        "bands": _("Response time"),
        "sql_rate": _("SQL rate"),
        "id": _("Id"),
        "stage": _("Stage"),
        "goal": _("Goal"),
        "actual": _("Actual"),
        "gap": _("Gap"),
        "progress": _("Progress"),
        "elapsed": _("Share of the month gone by"),
        "expected_to_date": _("Expected to date"),
        "pace": _("Pace"),
        "projected": _("Projected"),
        "on_track": _("On track"),
        "needed_per_day": _("Needed per day"),
    }
    | BAND_LABELS
    | {stage.value: stage.label for stage in Stage}
)


def _word(word: str) -> str:
    """One word of a key: a stage step (``lead_to_mql``) is « Prospect → MQL »."""
    if word in WORDS:
        return str(WORDS[word])
    start, to, end = word.partition("_to_")
    if to and start in WORDS and end in WORDS:
        return f"{WORDS[start]} → {WORDS[end]}"
    return word


def column_title(key: str) -> str:
    """The title of the column ``key`` in the active language."""
    if (translation.get_language() or "en").startswith("en"):
        return key
    return " · ".join(_word(word) for word in key.split("."))

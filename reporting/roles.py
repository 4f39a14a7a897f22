"""Who reads the reports: the dashboard's pages and the reports API answer the same people.

Marketing watches MQL volume and cost by campaign, managers everything; a rep's work is
the queue, and a rep's numbers are their manager's to show.
"""

from leads.roles import Capability, holders

REPORT_READERS = holders(Capability.READ_REPORTS)

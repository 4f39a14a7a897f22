"""Reads of the reporting app: every figure is counted by the database, never by loading
contacts into Python. One module per report."""

from .funnel import Mode, funnel_report
from .handoff import handoff_report
from .response_time import leaderboard, response_time_report
from .scope import GroupBy, Scope
from .targets import targets_report
from .trends import trends_report
from .velocity import velocity_report

__all__ = [
    "GroupBy",
    "Mode",
    "Scope",
    "funnel_report",
    "handoff_report",
    "leaderboard",
    "response_time_report",
    "targets_report",
    "trends_report",
    "velocity_report",
]

"""
The funnel's stages and the moves allowed between them, as data.

Every stage change in the system is one of the ``Move``s below, made by
``leads.services.contact_move``: this table is the only place that says which move is
allowed from which stage and by whom.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Stage(models.TextChoices):
    CONTACT = "contact", _("Contact")
    LEAD = "lead", _("Lead")
    MQL = "mql", _("MQL")
    SQL = "sql", _("SQL")
    QSO = "qso", _("QSO")
    CLIENT = "client", _("Client")
    RECYCLED = "recycled", _("Recycled")
    DISQUALIFIED = "disqualified", _("Disqualified")
    LOST = "lost", _("Lost")


# The main path, in order. Reaching one of these stages also counts as having passed the
# earlier ones (a demo request that goes straight to SQL has passed lead and MQL), which is
# how reports count skips: see ``Contact.first_reached_fields``.
FUNNEL = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.QSO, Stage.CLIENT)


class Role(models.TextChoices):
    """The Django groups that carry a user's rights (created by a data migration)."""

    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    MANAGERS = "managers", _("Managers")


class Move(models.TextChoices):
    ENGAGE = "engage", _("Engaged")
    MARK_MQL = "mark_mql", _("Marked MQL")
    ACCEPT = "accept", _("Accepted")
    FAST_TRACK = "fast_track", _("Fast-tracked to SQL")
    REJECT = "reject", _("Rejected")
    QUALIFY = "qualify", _("Qualified")
    WIN = "win", _("Won")
    LOSE = "lose", _("Lost")
    DISQUALIFY = "disqualify", _("Disqualified")
    ASSIGN = "assign", _("Assigned")
    CLAIM = "claim", _("Claimed")
    MERGE = "merge", _("Merged")
    UNMERGE = "unmerge", _("Merge undone")


# How a sentence names each move ("Cannot accept: the contact is SQL.").
VERBS: dict[Move, StrOrPromise] = {
    Move.ENGAGE: _("engage"),
    Move.MARK_MQL: _("mark as MQL"),
    Move.ACCEPT: _("accept"),
    Move.FAST_TRACK: _("fast-track to SQL"),
    Move.REJECT: _("reject"),
    Move.QUALIFY: _("qualify"),
    Move.WIN: _("mark as won"),
    Move.LOSE: _("mark as lost"),
    Move.DISQUALIFY: _("disqualify"),
    Move.ASSIGN: _("assign"),
    Move.CLAIM: _("claim"),
    Move.MERGE: _("merge"),
    Move.UNMERGE: _("undo the merge"),
}


@dataclass(frozen=True)
class MoveRule:
    """Where a move may start, where it leads, and who may make it.

    ``owner_only`` roles may make the move only on contacts assigned to them; the system
    (actor ``None``), managers and superusers are never limited that way.
    """

    sources: frozenset[Stage]
    target: Stage | None  # None: the stage stays (assignment)
    roles: frozenset[Role]
    owner_only: frozenset[Role] = frozenset()
    needs_reason: bool = False


_SALES = frozenset({Role.SALES, Role.MANAGERS})
_MARKETING = frozenset({Role.MARKETING, Role.MANAGERS})
_OPEN = frozenset({Stage.CONTACT, Stage.LEAD, Stage.MQL, Stage.SQL, Stage.QSO, Stage.RECYCLED})

MOVES: dict[Move, MoveRule] = {
    # First engagement, or a recycled person who engages again.
    Move.ENGAGE: MoveRule(frozenset({Stage.CONTACT, Stage.RECYCLED}), Stage.LEAD, _MARKETING),
    Move.MARK_MQL: MoveRule(
        frozenset({Stage.CONTACT, Stage.LEAD, Stage.RECYCLED}), Stage.MQL, _MARKETING
    ),
    Move.ACCEPT: MoveRule(frozenset({Stage.MQL}), Stage.SQL, _SALES, frozenset({Role.SALES})),
    # A rep who talks to a lead before marketing qualified it takes it straight to SQL.
    Move.FAST_TRACK: MoveRule(
        frozenset({Stage.CONTACT, Stage.LEAD, Stage.RECYCLED}),
        Stage.SQL,
        _SALES,
        frozenset({Role.SALES}),
        needs_reason=True,
    ),
    # REJECT goes to RECYCLED or DISQUALIFIED: the service picks the target from `recycle`.
    Move.REJECT: MoveRule(
        frozenset({Stage.MQL}), Stage.RECYCLED, _SALES, frozenset({Role.SALES}), True
    ),
    Move.QUALIFY: MoveRule(frozenset({Stage.SQL}), Stage.QSO, _SALES, frozenset({Role.SALES})),
    Move.WIN: MoveRule(frozenset({Stage.QSO}), Stage.CLIENT, _SALES, frozenset({Role.SALES})),
    Move.LOSE: MoveRule(
        frozenset({Stage.SQL, Stage.QSO}), Stage.LOST, _SALES, frozenset({Role.SALES}), True
    ),
    Move.DISQUALIFY: MoveRule(
        frozenset({Stage.CONTACT, Stage.LEAD, Stage.RECYCLED}),
        Stage.DISQUALIFIED,
        _MARKETING,
        needs_reason=True,
    ),
    Move.ASSIGN: MoveRule(_OPEN, None, frozenset({Role.MANAGERS})),
    # A rep takes an unassigned MQL from the shared queue, and owns it: owning takes the
    # sales role (roles.Capability.OWN_CONTACTS); a manager assigns instead.
    Move.CLAIM: MoveRule(frozenset({Stage.MQL}), None, frozenset({Role.SALES})),
    # One person's two records become one (``leads.merging``): the survivor takes the stage
    # furthest along; undoing the merge takes it back. The merge service picks the target.
    Move.MERGE: MoveRule(frozenset(Stage), None, _MARKETING),
    Move.UNMERGE: MoveRule(frozenset(Stage), None, _MARKETING),
}

# Moves that keep the records of one person straight (a merge, its undo) rather than move
# the person along: nobody is handed off by them and no stage is entered for the reports.
RECORD_KEEPING = frozenset({Move.MERGE, Move.UNMERGE})

"""
The funnel's stages and the moves allowed between them, as data.

Every stage change in the system is one of the ``Move``s below, made by
``leads.services.contact_move``: this table is the only place that says which move is
allowed from which stage and by whom.
"""

from dataclasses import dataclass

from django.db import models


class Stage(models.TextChoices):
    CONTACT = "contact", "Contact"
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SQL = "sql", "SQL"
    QSO = "qso", "QSO"
    CLIENT = "client", "Client"
    RECYCLED = "recycled", "Recycled"
    DISQUALIFIED = "disqualified", "Disqualified"
    LOST = "lost", "Lost"


# The main path, in order. Reaching one of these stages also counts as having passed the
# earlier ones (a demo request that goes straight to SQL has passed lead and MQL), which is
# how reports count skips: see ``Contact.first_reached_fields``.
FUNNEL = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.QSO, Stage.CLIENT)


class Role(models.TextChoices):
    """The Django groups that carry a user's rights (created by a data migration)."""

    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    MANAGERS = "managers", "Managers"


class Move(models.TextChoices):
    ENGAGE = "engage", "Engaged"
    MARK_MQL = "mark_mql", "Marked MQL"
    ACCEPT = "accept", "Accepted"
    FAST_TRACK = "fast_track", "Fast-tracked to SQL"
    REJECT = "reject", "Rejected"
    QUALIFY = "qualify", "Qualified"
    WIN = "win", "Won"
    LOSE = "lose", "Lost"
    DISQUALIFY = "disqualify", "Disqualified"
    ASSIGN = "assign", "Assigned"
    CLAIM = "claim", "Claimed"
    MERGE = "merge", "Merged"
    UNMERGE = "unmerge", "Merge undone"


# How a sentence names each move ("Cannot accept: the contact is SQL.").
VERBS: dict[Move, str] = {
    Move.ENGAGE: "engage",
    Move.MARK_MQL: "mark as MQL",
    Move.ACCEPT: "accept",
    Move.FAST_TRACK: "fast-track to SQL",
    Move.REJECT: "reject",
    Move.QUALIFY: "qualify",
    Move.WIN: "mark as won",
    Move.LOSE: "mark as lost",
    Move.DISQUALIFY: "disqualify",
    Move.ASSIGN: "assign",
    Move.CLAIM: "claim",
    Move.MERGE: "merge",
    Move.UNMERGE: "undo the merge",
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

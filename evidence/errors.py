class NotEnoughHistory(Exception):
    """The history of the period cannot answer the question (nothing to learn from): the
    analysis fails with this message for the marketer, not with a trace."""

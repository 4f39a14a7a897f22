from contextlib import contextmanager

from django.dispatch import Signal


@contextmanager
def receiving(signal: Signal, *, raising: Exception | None = None):
    """Collect what ``signal`` sends while the block runs (or raise ``raising`` from it)."""
    received: list[dict] = []

    def receiver(**kwargs):
        received.append(kwargs)
        if raising is not None:
            raise raising

    signal.connect(receiver, weak=False)
    try:
        yield received
    finally:
        signal.disconnect(receiver)

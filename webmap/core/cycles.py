"""Pausing Python's cycle collector while a large import turns into many small objects."""
import gc
from contextlib import contextmanager


@contextmanager
def no_cycle_collection():
    """Pause the cycle collector for the block, and restore its state afterwards.

    Parsed features, incidents and the rows written for them hold no reference cycles, so the
    collector would free nothing; left on, it re-scans every object created so far again and again,
    which adds about a third to a large import. Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

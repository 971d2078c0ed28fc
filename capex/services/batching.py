"""
The state of a batch of writes (capex.services.loading.writes_batched): while one is open, the
services record which headlines' slices to rewrite and which figures to convert instead of
doing it after every figure, and the batch does it once for all of them at its end. This module
holds that state alone, so the services that read it import nothing to do so.
"""

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Batch:
    headlines: set[int] = field(default_factory=set)  # whose slices (and rollups) to rewrite
    conversions: set[int] = field(default_factory=set)  # figures to convert to USD after commit


_open: ContextVar[Batch | None] = ContextVar("capex_write_batch", default=None)


def batch_open() -> Batch | None:
    """The batch being written, if any."""
    return _open.get()


def batch_start() -> tuple[Batch, object]:
    batch = Batch()
    return batch, _open.set(batch)


def batch_stop(token) -> None:
    _open.reset(token)

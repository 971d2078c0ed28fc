"""
Loading many figures in one transaction (the curated dataset, the sample data). Each figure's
write would rewrite its headline's slices and its company's rollups, and convert it to USD after
commit, once per figure: a load of 74 figures rewrote slices 148 times and ran 74 conversions.
Inside `writes_batched()` the services record what they would redo (capex.services.batching),
and the batch does it once at its end: the slices and rollups of every headline touched, in the
load's transaction, and one conversion of every figure written, after it commits. Readers never
see the figures without their totals: both are in the same commit, as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from capex.conversions import conversions_recompute
from capex.services.batching import batch_open, batch_start, batch_stop
from capex.services.slices import slices_refresh_for


@contextmanager
def writes_batched() -> Iterator[None]:
    """A transaction whose figures' slices, rollups and conversions are brought up to date once, at its end."""
    if batch_open() is not None:  # inside another batch: that one finishes the work
        yield
        return
    with transaction.atomic():
        batch, token = batch_start()
        try:
            yield
        finally:
            batch_stop(token)
        slices_refresh_for(headline_ids=batch.headlines)
        if batch.conversions:
            ids = sorted(batch.conversions)
            transaction.on_commit(lambda: conversions_recompute(investment_ids=ids))

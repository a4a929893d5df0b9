"""Background work of the case engine: the outbox, its safety sweep and the draft purge."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsweg.cases import outbox
from amtsweg.core.jobs import periodic, retrying_task


@retrying_task(max_attempts=outbox.MAX_ATTEMPTS, base_delay=10, max_delay=1800)
def process_outbox(message_id: str) -> str:
    """Perform one queued side effect; idempotent by the outbox message id (see cases.outbox)."""
    try:
        return outbox.process(message_id)
    except Exception as exc:
        outbox.record_failure(message_id, exc)
        raise


@periodic(every=timedelta(minutes=5), name="cases.outbox_sweep")
@task()
def sweep_outbox() -> int:
    return outbox.sweep()


@periodic(every=timedelta(hours=6), name="cases.purge_drafts")
@task()
def purge_drafts() -> int:
    """Drafts are deleted 30 days after their last edit (§ 8a (3) OZG)."""
    from amtsweg.cases.services import purge_drafts as purge

    return purge()


@periodic(every=timedelta(hours=12), name="cases.remind_follow_ups")
@task()
def remind_follow_ups() -> int:
    """Remind citizens of expected follow-up submissions (e.g. drilling results) before the deadline."""
    from amtsweg.cases.services import remind_follow_ups as remind

    return remind()

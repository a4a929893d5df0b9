"""Periodic job: record the water authority's silence ("keine Einwände" after its month).

Reminders for the results (§ 9 GeolDG) come from the engine's periodic `cases.remind_follow_ups`, which reads
this procedure's FollowUp (due three months after the planned end, reminder 14 days before).
"""

from __future__ import annotations

from datetime import timedelta

from amtsweg.core.jobs import periodic, retrying_task


@periodic(every=timedelta(hours=12), name="bohrung.record_silence")
@retrying_task(max_attempts=3, base_delay=600)
def record_silence():
    from amtsweg.procedures.bohrung.services import record_silence as record

    return {"parts": record()}

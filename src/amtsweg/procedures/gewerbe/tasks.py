"""Periodic job: the monthly statistics message to the statistics office (§ 14 Abs. 13 GewO)."""

from __future__ import annotations

from datetime import timedelta

from amtsweg.core.jobs import periodic, retrying_task


@periodic(every=timedelta(hours=6), name="gewerbe.monthly_statistics")
@retrying_task(max_attempts=3, base_delay=600)
def send_monthly_statistics():
    """Sends every finished month once (the records are marked in the same transaction)."""
    from amtsweg.procedures.gewerbe.services import send_monthly_statistics as send

    return {"messages": send()}

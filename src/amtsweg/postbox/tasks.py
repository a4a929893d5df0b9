"""Background work of the postbox: e-mail notices (with retries) and the retrieval-window check."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsweg.core.jobs import periodic, retrying_task
from amtsweg.postbox import services


@retrying_task(max_attempts=services.MAX_NOTICE_ATTEMPTS, base_delay=30)
def send_delivery_notice(delivery_id: str) -> str:
    return services.send_notice(delivery_id)


@retrying_task(max_attempts=5, base_delay=30)
def send_message_notice(message_id: str) -> str:
    return services.send_message_notice(message_id)


@periodic(every=timedelta(minutes=10), name="postbox.check_delivery_deadlines")
@task()
def check_delivery_deadlines() -> int:
    return services.check_deadlines()

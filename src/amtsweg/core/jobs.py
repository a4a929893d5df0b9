"""Retries with backoff and a periodic scheduler on top of `django.tasks`.

Neither Django's tasks API nor django-tasks-db retries a failed task or runs tasks on a
schedule, so both live here, once:

* `retrying_task(...)` declares a task that, when it raises, enqueues its next attempt with
  exponential backoff (and jitter) until `max_attempts`; each failed attempt stays visible
  as a FAILED result. Task bodies must be idempotent: an attempt can fail after a side effect.
* `periodic(every=...)` registers a task to be enqueued at a fixed interval. `tick()` enqueues
  every due task exactly once, even with many workers running it concurrently, by advancing
  the job's `next_run_at` with a conditional UPDATE that only one worker can win.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.tasks import Task, task
from django.utils import timezone

logger = logging.getLogger(__name__)

ATTEMPT_KWARG = "_attempt"


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Delay before attempt `attempt + 1`: exponential, capped, plus up to 25 % jitter against herds."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay * (1 + random.random() / 4)  # noqa: S311 (jitter, not security)


def retrying_task(
    *, max_attempts: int = 5, base_delay: float = 10.0, max_delay: float = 3600.0, **task_options
) -> Callable[[Callable], Task]:
    """Like `django.tasks.task`, but a raised exception schedules the next attempt."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(func: Callable) -> Task:
        @functools.wraps(func)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT_KWARG, 1)
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt >= max_attempts:
                    logger.exception("task gave up", extra={"task": run.__qualname__, "attempt": attempt})
                    raise
                delay = backoff_seconds(attempt, base=base_delay, cap=max_delay)
                retry = the_task.using(run_after=timezone.now() + timedelta(seconds=delay))
                retry.enqueue(*args, **kwargs, **{ATTEMPT_KWARG: attempt + 1})
                logger.warning(
                    "task failed, retry scheduled",
                    extra={"task": run.__qualname__, "attempt": attempt, "retry_in_s": round(delay, 1)},
                    exc_info=True,
                )
                raise

        the_task = task(**task_options)(run)
        return the_task

    return decorate


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: timedelta


_periodic: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta, name: str | None = None) -> Callable[[Task], Task]:
    """Register a task (already decorated with `@task` or `@retrying_task`) to run every `every`."""

    def register(the_task: Task) -> Task:
        key = name or the_task.module_path
        _periodic[key] = PeriodicJob(key, the_task, every)
        return the_task

    return register


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_periodic)


def tick(now=None) -> list[str]:
    """Enqueue every periodic job that is due; returns the names enqueued by this call."""
    from amtsweg.core.models import ScheduledJob

    now = now or timezone.now()
    enqueued = []
    for job in _periodic.values():
        state = ScheduledJob.objects.filter(name=job.name).first()
        if state is None:
            try:
                with transaction.atomic():
                    ScheduledJob.objects.create(name=job.name, next_run_at=now)
            except IntegrityError:
                pass  # another worker created it first
            state = ScheduledJob.objects.get(name=job.name)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            # Only the worker whose UPDATE still sees the old next_run_at enqueues.
            won = ScheduledJob.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
                next_run_at=now + job.every, last_enqueued_at=now
            )
            if won:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued

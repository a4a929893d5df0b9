"""Retries with backoff and the periodic scheduler, run through the real database worker."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.core import jobs
from amtsweg.core.models import ScheduledJob

CALLS: list[str] = []


@jobs.retrying_task(max_attempts=3, base_delay=30)
def flaky(label: str, fail_times: int):
    CALLS.append(label)
    if CALLS.count(label) <= fail_times:
        raise RuntimeError(f"Gegenstelle nicht erreichbar ({label})")
    return f"ok {label}"


@task()
def heartbeat():
    CALLS.append("heartbeat")


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    CALLS.clear()
    # Only this module's periodic jobs: the apps' own schedules would enqueue tasks too.
    monkeypatch.setattr(jobs, "_periodic", {})


def drain_queue():
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name=*", verbosity=0)


def make_due():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_failed_attempt_schedules_the_next_one_with_backoff():
    flaky.enqueue("a", fail_times=1)
    before = timezone.now()
    drain_queue()

    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["FAILED", "READY"]
    retry = results[1]
    assert retry.args_kwargs == {"args": ["a"], "kwargs": {"fail_times": 1, jobs.ATTEMPT_KWARG: 2}}
    # base 30 s with up to 25 % jitter
    assert before + timedelta(seconds=29) <= retry.run_after <= before + timedelta(seconds=38)

    make_due()
    drain_queue()
    assert CALLS == ["a", "a"]
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_max_attempts():
    flaky.enqueue("b", fail_times=10)
    for _ in range(5):
        make_due()
        drain_queue()
    assert CALLS == ["b", "b", "b"]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"] * 3


def test_backoff_grows_and_is_capped():
    delays = [jobs.backoff_seconds(n, base=10, cap=100) for n in range(1, 8)]
    assert 10 <= delays[0] <= 12.5
    assert 20 <= delays[1] <= 25
    assert all(100 <= d <= 125 for d in delays[4:])


def test_max_attempts_must_be_positive():
    with pytest.raises(ValueError, match="max_attempts"):
        jobs.retrying_task(max_attempts=0)


@pytest.mark.django_db(transaction=True)
def test_periodic_job_is_enqueued_once_per_interval_even_with_two_schedulers():
    jobs.periodic(every=timedelta(minutes=5), name="test-heartbeat")(heartbeat)
    now = timezone.now()

    first = jobs.tick(now)
    second = jobs.tick(now)  # a second worker ticking at the same moment
    assert "test-heartbeat" in first
    assert "test-heartbeat" not in second
    assert "test-heartbeat" not in jobs.tick(now + timedelta(minutes=4))
    assert "test-heartbeat" in jobs.tick(now + timedelta(minutes=5, seconds=1))

    drain_queue()
    assert CALLS == ["heartbeat", "heartbeat"]
    state = ScheduledJob.objects.get(name="test-heartbeat")
    assert state.next_run_at > now + timedelta(minutes=10)


@pytest.mark.django_db(transaction=True)
def test_lost_race_does_not_enqueue():
    jobs.periodic(every=timedelta(minutes=5), name="test-heartbeat")(heartbeat)
    now = timezone.now()
    ScheduledJob.objects.create(name="test-heartbeat", next_run_at=now - timedelta(seconds=1))
    # Another worker advanced the job between our read and our update.
    real_filter = ScheduledJob.objects.filter

    def advanced_first(*args, **kwargs):
        if "next_run_at" in kwargs:
            ScheduledJob.objects.filter(name="test-heartbeat").update(next_run_at=now + timedelta(minutes=5))
        return real_filter(*args, **kwargs)

    ScheduledJob.objects.filter = advanced_first
    try:
        assert "test-heartbeat" not in jobs.tick(now)
    finally:
        ScheduledJob.objects.filter = real_filter
    assert DBTaskResult.objects.count() == 0

import datetime as dt

import pytest
from django.utils import timezone

from spona.core import schedule
from spona.core.models import ScheduledRun


@pytest.fixture
def job():
    calls = []
    schedule.every("test.count", dt.timedelta(hours=1), lambda: calls.append(1) or len(calls))
    yield calls
    del schedule.JOBS["test.count"]


def test_a_job_runs_when_due_and_not_again_before_its_interval(db, job):
    start = timezone.now()
    assert "test.count" in schedule.run_due(start)
    assert "test.count" not in schedule.run_due(start + dt.timedelta(minutes=59))
    assert "test.count" in schedule.run_due(start + dt.timedelta(minutes=61))
    assert len(job) == 2
    assert ScheduledRun.objects.get(name="test.count").last_result == "2"


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db, job):
    schedule.every("test.fail", dt.timedelta(hours=1), lambda: 1 / 0)
    try:
        ran = schedule.run_due(timezone.now())
    finally:
        del schedule.JOBS["test.fail"]
    assert {"test.fail", "test.count"} <= set(ran)
    assert "ZeroDivisionError" in ScheduledRun.objects.get(name="test.fail").last_error
    assert len(job) == 1

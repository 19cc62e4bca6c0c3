"""Property tests of the SLA clock across business hours, holidays, pauses and time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from spona.front.support import clock
from spona.front.support.services.sla import shift

ZONES = ["UTC", "Europe/Belgrade", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Auckland"]
UTC = dt.UTC


@st.composite
def calendars(draw) -> clock.Hours | None:
    if draw(st.integers(0, 9)) == 0:
        return None  # round the clock
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    week = {}
    for day in draw(st.sets(st.integers(1, 7), min_size=1)):
        start = draw(st.integers(0, 20))
        length = draw(st.integers(1, 24 - start))
        if draw(st.booleans()) and start + length <= 22:
            gap = draw(st.integers(1, 24 - start - length))
            second = min(23, start + length + gap)
            week[day] = ((dt.time(start), dt.time(start + length - 1, 59)), (dt.time(second), dt.time(23, 59)))
        else:
            week[day] = ((dt.time(start), dt.time(start + length - 1, 59)),)
    base = dt.date(2026, 1, 1)
    holidays = frozenset(base + dt.timedelta(days=n) for n in draw(st.sets(st.integers(0, 400), max_size=40)))
    return clock.Hours(zone=zone, week=week, holidays=holidays)


moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31), timezones=st.just(UTC))
durations = st.integers(min_value=1, max_value=60 * 24).map(lambda m: dt.timedelta(minutes=m))

SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(calendars(), moments, durations)
def test_the_business_time_up_to_a_due_time_is_the_target(hours, start, target):
    # given a target of business time from a start; when the due time is computed
    due = clock.add(start, target, hours)
    # then exactly the target of business time lies between start and due
    assert clock.between(start, due, hours) == target
    assert due >= start + (target if hours is None else dt.timedelta(0))


@SETTINGS
@given(calendars(), moments, durations)
def test_a_due_time_falls_in_opening_hours_on_a_working_day(hours, start, target):
    due = clock.add(start, target, hours)
    # The last business second before the due time lies in an opening window, never on a holiday.
    last = due - dt.timedelta(seconds=1)
    assert clock.is_open(last, hours) or target < dt.timedelta(seconds=1)
    if hours is not None:
        assert last.astimezone(hours.zone).date() not in hours.holidays


@SETTINGS
@given(calendars(), moments, durations, durations)
def test_targets_add_up_and_never_go_backwards(hours, start, a, b):
    assert clock.add(clock.add(start, a, hours), b, hours) == clock.add(start, a + b, hours)
    assert clock.add(start, a, hours) <= clock.add(start, a + b, hours)


@SETTINGS
@given(calendars(), moments, durations, durations, durations)
def test_a_pause_moves_the_due_time_by_the_business_time_it_lasted(hours, start, target, before_pause, pause_length):
    # given a target set at start, and a pause of the clock from p0 to p1
    due = clock.add(start, target, hours)
    p0 = start + before_pause
    p1 = p0 + pause_length
    paused = clock.between(p0, p1, hours)
    # when the clock resumes, the due time moves on by the paused business time
    moved = shift(due, paused, hours)
    # then the business time from start to the new due time is the target plus the pause
    assert clock.between(start, moved, hours) == target + paused
    # and business time outside the pause still adds up to the target when the pause lay before due
    if p1 <= due:
        assert clock.between(start, p0, hours) + clock.between(p1, moved, hours) == target


def test_a_friday_afternoon_ticket_is_due_on_monday_in_belgrade_around_a_holiday():
    # given 09–17 Monday to Friday in Belgrade, and Monday 2026-03-30 a holiday
    hours = clock.Hours(
        zone=ZoneInfo("Europe/Belgrade"),
        week={d: ((dt.time(9), dt.time(17)),) for d in range(1, 6)},
        holidays=frozenset({dt.date(2026, 3, 30)}),
    )
    # when a 4-hour target starts Friday 27 March at 15:00 local time (14:00 UTC)
    start = dt.datetime(2026, 3, 27, 14, 0, tzinfo=UTC)
    due = clock.add(start, dt.timedelta(hours=4), hours)
    # then 2 hours count on Friday, the weekend and the holiday do not, and it is due Tuesday 11:00,
    # after the switch to summer time (UTC+2): 09:00 UTC
    assert due == dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert clock.between(start, due, hours) == dt.timedelta(hours=4)


def test_opening_hours_are_checked():
    import pytest

    for bad in ({}, {"8": [["09:00", "17:00"]]}, {"1": [["17:00", "09:00"]]}, {"1": [["09:00", "12:00"], ["11:00", "13:00"]]}):
        with pytest.raises(ValueError):
            clock.parse_hours(bad)

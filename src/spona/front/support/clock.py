"""The SLA clock: business time between two moments and a moment plus business time.

Pure functions over a ``Hours`` value (opening intervals per ISO weekday in a time zone, and
closed days), so that they can be tested exhaustively (Hypothesis) without a database.
Arithmetic is done in UTC: adding a timedelta to a local aware time is wall-clock arithmetic
in Python and would be wrong across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
# A calendar whose open days are this far apart has no business time worth computing.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Hours:
    """Opening intervals per ISO weekday (1 Monday … 7 Sunday), a time zone and closed days.

    ``None`` in place of an ``Hours`` means round the clock.
    """

    zone: ZoneInfo
    week: dict[int, tuple[tuple[dt.time, dt.time], ...]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)


def parse_hours(raw: object) -> dict[int, tuple[tuple[dt.time, dt.time], ...]]:
    """Read ``{"1": [["09:00", "17:00"]], …}``; raise ValueError naming the first problem."""
    if not isinstance(raw, dict):
        raise ValueError("Opening hours must map weekdays to intervals.")
    week: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for key, intervals in raw.items():
        try:
            day = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"Unknown weekday {key!r}; use 1 (Monday) to 7 (Sunday).") from None
        if not 1 <= day <= 7 or not isinstance(intervals, list):
            raise ValueError(f"Unknown weekday {key!r}; use 1 (Monday) to 7 (Sunday).")
        parsed = []
        for pair in intervals:
            try:
                start, end = (dt.time.fromisoformat(p) for p in pair)
            except (TypeError, ValueError):
                raise ValueError(f'Write intervals as ["09:00", "17:00"], not {pair!r}.') from None
            if end <= start:
                raise ValueError(f"An interval must end after it starts: {pair!r}.")
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in itertools.pairwise(parsed):
            if start < end:
                raise ValueError(f"Intervals overlap on weekday {day}.")
        if parsed:
            week[day] = tuple(parsed)
    if not week:
        raise ValueError("Give at least one opening interval.")
    return week


def _windows(hours: Hours, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Opening windows in UTC, in order, from the local day of ``start`` on."""
    day = start.astimezone(hours.zone).date()
    for _ in range(MAX_DAYS):
        if day not in hours.holidays:
            for open_at, close_at in hours.week.get(day.isoweekday(), ()):
                begin = dt.datetime.combine(day, open_at, tzinfo=hours.zone).astimezone(UTC)
                end = dt.datetime.combine(day, close_at, tzinfo=hours.zone).astimezone(UTC)
                if end > begin:
                    yield begin, end
        day += dt.timedelta(days=1)


def add(start: dt.datetime, delta: dt.timedelta, hours: Hours | None) -> dt.datetime:
    """Return the moment when ``delta`` of business time has passed since ``start``."""
    start = start.astimezone(UTC)
    if hours is None or delta <= dt.timedelta(0):
        return start + max(delta, dt.timedelta(0))
    remaining = delta
    for begin, end in _windows(hours, start):
        if end <= start:
            continue
        begin = max(begin, start)
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise ValueError("The calendar has no opening hours in the next three years.")


def between(start: dt.datetime, end: dt.datetime, hours: Hours | None) -> dt.timedelta:
    """Return the business time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return dt.timedelta(0)
    if hours is None:
        return end - start
    total = dt.timedelta(0)
    for begin, close in _windows(hours, start):
        if begin >= end:
            break
        overlap = min(close, end) - max(begin, start)
        if overlap > dt.timedelta(0):
            total += overlap
    return total


def is_open(moment: dt.datetime, hours: Hours | None) -> bool:
    """Tell whether ``moment`` lies inside an opening window."""
    if hours is None:
        return True
    for begin, end in _windows(hours, moment - dt.timedelta(days=1)):
        if begin <= moment < end:
            return True
        if begin > moment:
            return False
    return False

"""Forward scheduling of production orders on their work centres' free capacity.

An order's operations run one after the other. Each takes the free minutes of its work
centre day by day from where the previous one ended (the order's start date for the first):
a working day offers ``hours_per_day`` × 60 minutes, less what other orders booked there.
Work centres are locked in id order while an order is planned, so two orders planned at once
never book the same free minutes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from spona.back.production.models import OrderOperation, ProductionOrder, WorkCentre, WorkCentreLoad
from spona.back.production.services.common import ZERO
from spona.core.errors import ValidationFailed

HORIZON_DAYS = 3 * 366  # a plan further out than this is a data error, not a plan


def booked_minutes(centre_ids: list[int], since: dt.date) -> dict[tuple[int, dt.date], Decimal]:
    """Minutes booked per (work centre, day) from ``since`` on."""
    rows = (
        WorkCentreLoad.objects.filter(work_centre_id__in=centre_ids, day__gte=since)
        .values("work_centre_id", "day")
        .annotate(total=Sum("minutes"))
    )
    return {(r["work_centre_id"], r["day"]): r["total"] for r in rows}


def schedule(order: ProductionOrder) -> ProductionOrder:
    """Book the order's operations forward from its start date and set their dates and the planned end.

    Raises ValidationFailed when a work centre has no capacity within the planning horizon.
    """
    operations = list(order.operations.order_by("sequence", "pk"))
    centre_ids = sorted({op.work_centre_id for op in operations})
    centres = {c.pk: c for c in WorkCentre.objects.select_for_update().filter(pk__in=centre_ids).order_by("pk")}
    WorkCentreLoad.objects.filter(operation__order=order).delete()
    booked: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO, booked_minutes(centre_ids, order.start_date))
    loads: list[WorkCentreLoad] = []
    day = order.start_date
    for op in operations:
        centre = centres[op.work_centre_id]
        remaining, start = op.planned_minutes, None
        limit = day + dt.timedelta(days=HORIZON_DAYS)
        while remaining > 0:
            free = centre.minutes_per_day - booked[(centre.pk, day)] if centre.works_on(day) else ZERO
            if free > 0:
                take = min(free, remaining)
                loads.append(WorkCentreLoad(work_centre=centre, day=day, operation=op, minutes=take))
                booked[(centre.pk, day)] += take
                remaining -= take
                start = start or day
                if remaining == 0:
                    break
            day += dt.timedelta(days=1)
            if day > limit:
                raise ValidationFailed(
                    f"{centre} has no free capacity for {op.name} within {HORIZON_DAYS} days.", code="no_capacity"
                )
        op.start_date, op.end_date = start or day, day
    WorkCentreLoad.objects.bulk_create(loads)
    OrderOperation.objects.bulk_update(operations, ["start_date", "end_date"])
    order.planned_end = day
    return order


def unschedule(order: ProductionOrder, *, after: dt.date | None = None) -> None:
    """Free the order's booked capacity (only the days after ``after`` when given)."""
    loads = WorkCentreLoad.objects.filter(operation__order=order)
    if after is not None:
        loads = loads.filter(day__gt=after)
    loads.delete()

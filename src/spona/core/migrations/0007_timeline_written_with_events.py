"""The timeline became a projection written with each event: finish the deliveries left for it.

Until now a handler named ``core.timeline`` wrote the entries after commit. Deliveries of it that
were still pending (or dead) when this runs would find no such handler any more, so their
entries are written here and the deliveries are marked done.
"""

from django.db import migrations
from django.utils import timezone


def finish_timeline_deliveries(apps, schema_editor):
    from spona.core import events

    EventDelivery = apps.get_model("core", "EventDelivery")
    TimelineEntry = apps.get_model("core", "TimelineEntry")
    Party = apps.get_model("core", "Party")
    left = EventDelivery.objects.filter(handler="core.timeline").exclude(status="done").select_related("event")
    for delivery in left.iterator():
        event = delivery.event
        payload = event.payload or {}
        ids = {event.party_id} if event.party_id else set()
        ids |= {payload[key] for key in ("from_party_id", "to_party_id") if isinstance(payload.get(key), int)}
        if event.company_id is not None and ids:
            event_type = events.EVENT_TYPES.get(event.name)
            try:
                title = event_type.title.format(**payload)[:200] if event_type else event.name
            except (KeyError, IndexError, ValueError):
                title = event_type.description[:200]
            present = set(TimelineEntry.objects.filter(event=event).values_list("party_id", flat=True))
            parties = Party.objects.filter(pk__in=ids - present, company_id=event.company_id).values_list("pk", flat=True)
            TimelineEntry.objects.bulk_create(
                TimelineEntry(
                    company_id=event.company_id,
                    party_id=pid,
                    event=event,
                    department=event_type.department if event_type else event.name.split(".", 1)[0],
                    title=title,
                    occurred_at=event.occurred_at,
                )
                for pid in parties
            )
        EventDelivery.objects.filter(pk=delivery.pk).update(status="done", processed_at=timezone.now(), last_error="")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_two_factor")]

    operations = [migrations.RunPython(finish_timeline_deliveries, migrations.RunPython.noop)]

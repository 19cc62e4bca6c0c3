"""The audit log: who, when, old → new, request id; append-only on every path (QUALITY P6)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from spona.core import audit, context
from spona.core.models import AuditEntry


@pytest.fixture
def entry(company, admin) -> AuditEntry:
    with context.bound_request_id("req-42"):
        return audit.record(
            actor=admin,
            target=company,
            action="updated",
            company_id=company.pk,
            changes=audit.diff({"name": "Old", "country": "RS"}, {"name": "Acme d.o.o.", "country": "RS"}),
        )


def unchanged(entry: AuditEntry) -> bool:
    row = AuditEntry.objects.filter(pk=entry.pk).values("action", "changes", "actor_id", "at").first()
    return row == {"action": entry.action, "changes": entry.changes, "actor_id": entry.actor_id, "at": entry.at}


def test_an_entry_records_who_when_what_from_which_value_and_the_request(entry, company, admin):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == admin
    assert stored.company_id == company.pk
    assert (stored.target_type, stored.target_id) == ("core.company", str(company.pk))
    assert stored.changes == {"name": ["Old", "Acme d.o.o."]}
    assert stored.request_id == "req-42"
    assert stored.at is not None


def test_the_orm_refuses_to_change_or_delete_an_entry(entry):
    # given a recorded entry
    attempts = 0
    # when every ORM path tries to change or remove it
    entry.action = "tampered"
    for change in (
        entry.save,
        entry.delete,
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="tampered"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        lambda: AuditEntry.objects.bulk_update([entry], ["action"]),
        lambda: AuditEntry.objects.all().delete(),
    ):
        attempts += 1
        with pytest.raises(TypeError, match="append-only"), transaction.atomic():
            change()
    # then the row is as it was recorded
    entry.refresh_from_db()
    assert entry.action == "updated"
    print(f"\nP6 (ORM): {attempts} attempts, 0 rows changed")


@pytest.mark.usefixtures("on_postgres")
def test_p6_raw_sql_cannot_change_or_delete_an_entry_on_postgres(entry):
    # given a recorded entry, and SQL that bypasses the ORM
    statements = [
        ("UPDATE core_auditentry SET action = 'tampered' WHERE id = %s", [entry.pk]),
        ("UPDATE core_auditentry SET changes = '{}'::jsonb", []),
        ("DELETE FROM core_auditentry WHERE id = %s", [entry.pk]),
        ("DELETE FROM core_auditentry", []),
    ]
    # when each statement runs
    for sql, params in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    # then the database trigger refused every one
    assert AuditEntry.objects.count() == 1
    assert unchanged(entry)
    print(f"\nP6 (raw SQL on PostgreSQL): {len(statements)} statements, 0 rows changed")


def test_new_entries_can_still_be_appended(entry, company):
    audit.record(actor=None, target=company, action="viewed")
    assert AuditEntry.objects.count() == 2

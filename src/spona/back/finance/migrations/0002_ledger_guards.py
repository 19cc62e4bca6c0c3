"""On PostgreSQL, the database itself keeps the ledger honest (QUALITY L1, L2).

- A posted entry, and every line of a posted entry, can be neither updated nor deleted, and
  no line can be added to it, whatever the path (ORM, bulk, admin, raw SQL as the app role).
- A deferred constraint trigger checks at commit that every posted entry balances.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION spona_entry_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'posted' THEN
        RAISE EXCEPTION 'journal entry % is posted and immutable', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER finance_entry_immutable
    BEFORE UPDATE OR DELETE ON finance_journalentry
    FOR EACH ROW EXECUTE FUNCTION spona_entry_immutable();

CREATE OR REPLACE FUNCTION spona_line_immutable() RETURNS trigger AS $$
DECLARE
    entry_state text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT state INTO entry_state FROM finance_journalentry WHERE id = OLD.entry_id;
        IF entry_state = 'posted' THEN
            RAISE EXCEPTION 'lines of posted entry % are immutable', OLD.entry_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT state INTO entry_state FROM finance_journalentry WHERE id = NEW.entry_id;
        IF entry_state = 'posted' THEN
            RAISE EXCEPTION 'posted entry % cannot get new lines', NEW.entry_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER finance_line_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON finance_journalline
    FOR EACH ROW EXECUTE FUNCTION spona_line_immutable();

CREATE OR REPLACE FUNCTION spona_entry_balanced() RETURNS trigger AS $$
DECLARE
    total_debit numeric;
    total_credit numeric;
BEGIN
    IF NEW.state = 'posted' THEN
        SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO total_debit, total_credit
        FROM finance_journalline WHERE entry_id = NEW.id;
        IF total_debit <> total_credit THEN
            RAISE EXCEPTION 'posted entry % does not balance: % <> %', NEW.number, total_debit, total_credit
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER finance_entry_balanced
    AFTER INSERT OR UPDATE ON finance_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION spona_entry_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS finance_entry_balanced ON finance_journalentry;
DROP TRIGGER IF EXISTS finance_line_immutable ON finance_journalline;
DROP TRIGGER IF EXISTS finance_entry_immutable ON finance_journalentry;
DROP FUNCTION IF EXISTS spona_entry_balanced();
DROP FUNCTION IF EXISTS spona_line_immutable();
DROP FUNCTION IF EXISTS spona_entry_immutable();
"""


# SQLite (the embedded mode) gets the immutability guards too; its triggers cannot be deferred,
# so the balance check there is the service's and the model's alone.
SQLITE_CREATE = [
    """CREATE TRIGGER finance_entry_no_update BEFORE UPDATE ON finance_journalentry
       WHEN OLD.state = 'posted' BEGIN SELECT RAISE(ABORT, 'journal entry is posted and immutable'); END""",
    """CREATE TRIGGER finance_entry_no_delete BEFORE DELETE ON finance_journalentry
       WHEN OLD.state = 'posted' BEGIN SELECT RAISE(ABORT, 'journal entry is posted and immutable'); END""",
    """CREATE TRIGGER finance_line_no_update BEFORE UPDATE ON finance_journalline
       WHEN (SELECT state FROM finance_journalentry WHERE id = OLD.entry_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'lines of posted entries are immutable'); END""",
    """CREATE TRIGGER finance_line_no_delete BEFORE DELETE ON finance_journalline
       WHEN (SELECT state FROM finance_journalentry WHERE id = OLD.entry_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'lines of posted entries are immutable'); END""",
    """CREATE TRIGGER finance_line_no_insert BEFORE INSERT ON finance_journalline
       WHEN (SELECT state FROM finance_journalentry WHERE id = NEW.entry_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'posted entries cannot get new lines'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "finance_entry_no_update",
        "finance_entry_no_delete",
        "finance_line_no_update",
        "finance_line_no_delete",
        "finance_line_no_insert",
    )
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

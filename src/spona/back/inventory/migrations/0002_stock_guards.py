"""The database itself keeps stock history honest (QUALITY S2).

- A done stock move can be neither updated nor deleted, whatever the path (ORM, bulk, admin,
  raw SQL as the app role): stock history only grows; a mistake is moved back.
- On PostgreSQL, a stock row (quant) of a product that does not allow negative stock cannot
  be lowered below zero, even by a path that skipped the services.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION spona_stock_move_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'done' THEN
        RAISE EXCEPTION 'stock move % is done and immutable', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inventory_move_immutable
    BEFORE UPDATE OR DELETE ON inventory_stockmove
    FOR EACH ROW EXECUTE FUNCTION spona_stock_move_immutable();

CREATE OR REPLACE FUNCTION spona_stock_quant_not_negative() RETURNS trigger AS $$
DECLARE
    allowed boolean;
BEGIN
    IF NEW.quantity < 0 AND (TG_OP = 'INSERT' OR NEW.quantity < OLD.quantity) THEN
        SELECT allow_negative_stock INTO allowed FROM inventory_product WHERE id = NEW.product_id;
        IF NOT allowed THEN
            RAISE EXCEPTION 'stock of product % in location % cannot go below zero', NEW.product_id, NEW.location_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inventory_quant_not_negative
    BEFORE INSERT OR UPDATE ON inventory_stockquant
    FOR EACH ROW EXECUTE FUNCTION spona_stock_quant_not_negative();
"""

DROP = """
DROP TRIGGER IF EXISTS inventory_quant_not_negative ON inventory_stockquant;
DROP TRIGGER IF EXISTS inventory_move_immutable ON inventory_stockmove;
DROP FUNCTION IF EXISTS spona_stock_quant_not_negative();
DROP FUNCTION IF EXISTS spona_stock_move_immutable();
"""

SQLITE_CREATE = [
    """CREATE TRIGGER inventory_move_no_update BEFORE UPDATE ON inventory_stockmove
       WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'stock move is done and immutable'); END""",
    """CREATE TRIGGER inventory_move_no_delete BEFORE DELETE ON inventory_stockmove
       WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'stock move is done and immutable'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS inventory_move_no_update", "DROP TRIGGER IF EXISTS inventory_move_no_delete"]


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
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

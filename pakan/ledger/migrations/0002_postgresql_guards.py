"""PostgreSQL guards behind the service checks: every insert leaves its postings balanced, entries
are never updated or deleted. SQLite relies on the service (and the tests) for both."""

from django.db import migrations

GUARDS_SQL = """
CREATE OR REPLACE FUNCTION ledger_entry_check_balance() RETURNS trigger AS $$
DECLARE
    unbalanced_id bigint;
    total numeric;
BEGIN
    SELECT entry.transaction_id, SUM(entry.amount) INTO unbalanced_id, total
      FROM ledger_entry AS entry
     WHERE entry.transaction_id IN (SELECT DISTINCT transaction_id FROM inserted)
     GROUP BY entry.transaction_id
    HAVING SUM(entry.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: entries sum to % kip',
            unbalanced_id, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Once per INSERT statement, over the rows it added (set-based: 100,000 entries cost one
-- aggregate, where a per-row deferred constraint trigger cost two seconds). A posting's
-- entries are therefore written in one statement, which both service paths do.
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
CREATE TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_check_balance();

CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: correct a posting by reversing it'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();
"""


def create_guards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS_SQL, params=None)  # several statements


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_guards, migrations.RunPython.noop)]

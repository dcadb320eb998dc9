"""The balance check sums each inserted posting's own entries through the transaction index.

The first version (0002) asked for the postings `IN (SELECT ... FROM inserted)`; with no
statistics on the transition table PostgreSQL could plan it as a scan of the whole entry table on
every insert, a cost that grew with the ledger (about 15 ms at 50,000 entries). One index
look-up per inserted posting keeps it proportional to the insert.
"""

from django.db import migrations

BALANCE_CHECK_SQL = r"""
CREATE OR REPLACE FUNCTION ledger_entry_check_balance() RETURNS trigger AS $$
DECLARE
    unbalanced_id bigint;
    total numeric;
BEGIN
    SELECT posting.transaction_id, sums.total INTO unbalanced_id, total
      FROM (SELECT DISTINCT transaction_id FROM inserted) AS posting
      CROSS JOIN LATERAL (
            SELECT SUM(entry.amount) AS total
              FROM ledger_entry AS entry
             WHERE entry.transaction_id = posting.transaction_id) AS sums
     WHERE sums.total <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: entries sum to % kip',
            unbalanced_id, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def replace_balance_check(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BALANCE_CHECK_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_postgresql_guards")]

    operations = [migrations.RunPython(replace_balance_check, migrations.RunPython.noop)]

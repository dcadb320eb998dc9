"""Double-entry ledger: every kip that moves through Pakan is a balanced posting here."""

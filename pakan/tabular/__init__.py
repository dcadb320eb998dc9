"""Tables in and out: reading uploaded CSV/XLSX files safely, writing exports safely.

Every pillar imports and exports tables (registry files, wage declarations, payment lists), so
the checks that do not depend on what the table means live here once: encoding and format of an
upload, its header, batches of string columns for vectorised checks, formula neutralisation on
the way out, and one bilingual catalogue of messages keyed by a code.
"""

"""The columns of the registry's exchange files (CSV and XLSX), in their canonical order.

Import, export and the synthetic generator all use these names, so a file exported from one
Pakan can be imported into another and `pakan synth` output goes through the ordinary import.
"""

from pakan.registry.models import WASHINGTON_GROUP_DOMAINS

PEOPLE_REQUIRED = (
    "given_name_lo",
    "family_name_lo",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "village_code",
)
PEOPLE_COLUMNS = (
    "national_id",
    "family_book_number",
    "given_name_lo",
    "family_name_lo",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "date_of_death",
    "village_code",
    "relationship_to_head",
    *WASHINGTON_GROUP_DOMAINS,
    "uxo_survivor",
    "phone",
)
PEOPLE_OPTIONAL = tuple(column for column in PEOPLE_COLUMNS if column not in PEOPLE_REQUIRED)
HOUSEHOLD_COLUMNS = ("family_book_number", "village_code")

DATE_FORMAT = "%Y-%m-%d"  # ISO 8601 only: 2024-03-31
MAX_AGE_YEARS = 120
MAX_TEXT_LENGTH = 100
# Format of identifiers. The sources give no official pattern for the national ID card number
# or the family-book number (shared/domain: NOT FOUND), so this is provisional: 6 to 20 digits,
# capital letters or hyphens.
IDENTIFIER_PATTERN = r"^[0-9A-Z\-]{6,20}$"
PHONE_PATTERN = r"^(\+[0-9 ]{6,19}|[0-9 ]{6,20})$"  # at most 20 characters

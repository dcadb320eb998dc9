"""Bilingual error catalogue for the ledger.

Lao wording uses the project glossary where it has the term: ບັນຊີ (account, as in ບັນຊີທະນາຄານ),
ຈຳນວນເງິນ (amount), ກີບ (kip), ລວມ (total), ຂໍ້ຜິດພາດ (error). Phrases the glossary does not
have (posting ການບັນທຶກບັນຊີ, line ລາຍການ, reversal ການກັບລາຍການ) are composed and marked so in
docs/ledger.md.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "key_missing": (
        "A posting needs a key (what, period), for example 'billing:2025-03:employer:123'.",
        "ການບັນທຶກບັນຊີຕ້ອງມີລະຫັດ (ຫຍັງ, ໄລຍະ), ຕົວຢ່າງ 'billing:2025-03:employer:123'.",
    ),
    "no_lines": (
        "Posting {key}: it has no lines; a posting needs at least two lines that sum to zero.",
        "ການບັນທຶກບັນຊີ {key}: ບໍ່ມີລາຍການ; ຕ້ອງມີຢ່າງໜ້ອຍສອງລາຍການທີ່ລວມກັນເທົ່າກັບສູນ.",
    ),
    "amount_not_integer": (
        "Posting {key}, line {row}, field amount: {value!r} is not a whole number of kip.",
        "ການບັນທຶກບັນຊີ {key}, ລາຍການທີ {row}, ຈຳນວນເງິນ: {value!r} ບໍ່ແມ່ນຈຳນວນກີບເຕັມ.",
    ),
    "amount_zero": (
        "Posting {key}, line {row}, field amount: a line of 0 kip moves no money.",
        "ການບັນທຶກບັນຊີ {key}, ລາຍການທີ {row}, ຈຳນວນເງິນ: ລາຍການ 0 ກີບ ບໍ່ມີເງິນເຄື່ອນໄຫວ.",
    ),
    "amount_too_large": (
        "Posting {key}, line {row}, field amount: {value} kip is beyond what the ledger can hold.",
        "ການບັນທຶກບັນຊີ {key}, ລາຍການທີ {row}, ຈຳນວນເງິນ: {value} ກີບ ໃຫຍ່ເກີນກວ່າທີ່ບັນຊີຮັບໄດ້.",
    ),
    "unbalanced": (
        "Posting {key}: the lines total {total} kip instead of 0; debits must equal credits.",
        "ການບັນທຶກບັນຊີ {key}: ລວມຈຳນວນເງິນແມ່ນ {total} ກີບ ແທນທີ່ຈະເປັນ 0; ໜີ້ ແລະ ມີ ຕ້ອງເທົ່າກັນ.",
    ),
    "unknown_account": (
        "Posting {key}, line {row}, field account: there is no account with code {code!r}.",
        "ການບັນທຶກບັນຊີ {key}, ລາຍການທີ {row}, ບັນຊີ: ບໍ່ພົບບັນຊີທີ່ມີລະຫັດ {code!r}.",
    ),
    "duplicate_key_in_batch": (
        "Batch row {row}: key {key} appears more than once in the same batch.",
        "ແຖວທີ {row}: ລະຫັດ {key} ຊ້ຳກັນໃນຊຸດດຽວກັນ.",
    ),
    "already_reversed": (
        "Posting {key} was already reversed by {reversal_key}; it cannot be reversed twice.",
        "ການບັນທຶກບັນຊີ {key} ຖືກກັບລາຍການແລ້ວໂດຍ {reversal_key}; ບໍ່ສາມາດກັບລາຍການສອງເທື່ອ.",
    ),
    "account_kind_conflict": (
        "Account {code}: it exists as {existing} and cannot be opened again as {requested}.",
        "ບັນຊີ {code}: ມີຢູ່ແລ້ວເປັນປະເພດ {existing}, ບໍ່ສາມາດເປີດໃໝ່ເປັນ {requested}.",
    ),
    "account_kind_unknown": (
        "Account {code}, field kind: {kind!r} is not one of asset, liability, income, expense, "
        "equity.",
        "ບັນຊີ {code}, ປະເພດ: {kind!r} ບໍ່ແມ່ນ asset, liability, income, expense, equity.",
    ),
    "entries_append_only": (
        "Ledger entries are append-only: correct a posting by reversing it.",
        "ລາຍການບັນຊີແກ້ໄຂ ຫຼື ລຶບບໍ່ໄດ້: ໃຫ້ກັບລາຍການເພື່ອແກ້ໄຂ.",
    ),
}


def render(code: str, /, **values: object) -> tuple[str, str]:
    """English and Lao text of one catalogue entry, filled with the given values."""
    english, lao = MESSAGES[code]
    return english.format(**values), lao.format(**values)

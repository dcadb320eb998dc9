"""Messages of the registry import, added to the one catalogue in pakan.tabular.messages.

Lao terms from shared/domain/glossary-lo-en.csv: ບັດປະຈໍາຕົວ (national ID card), ປື້ມສໍາມະໂນຄົວ
(family book), ຄົວເຮືອນ (household), ຫົວໜ້າຄອບຄົວ (head of household, marked unconfirmed in
the glossary), ບ້ານ / ເມືອງ / ແຂວງ (village / district / province), ເພດຊາຍ / ເພດຍິງ, ເບີໂທລະສັບ,
ນຳເຂົ້າ (import), ຂໍ້ຜິດພາດ (error).
"""

from pakan.registry.validation import MESSAGES as REGISTRY_FIELD_MESSAGES
from pakan.tabular.messages import Message, register

# The rules of one person's fields (pakan.registry.validation) speak for the import too: a
# cell of a file and a field of the registration form get the very same words.
register({code: Message(english, lao) for code, (english, lao) in REGISTRY_FIELD_MESSAGES.items()})

register(
    {
        "household_outside_scope": Message(
            "This family book belongs to a household outside your province/district.",
            "ປື້ມສໍາມະໂນຄົວນີ້ເປັນຂອງຄົວເຮືອນທີ່ຢູ່ນອກແຂວງ/ເມືອງຂອງທ່ານ.",
        ),
        "national_id_repeated": Message(
            "The same national ID is already on line {first_line} of this file.",
            "ເລກບັດປະຈໍາຕົວນີ້ມີຢູ່ແລ້ວໃນແຖວ {first_line} ຂອງໄຟລ໌ນີ້.",
        ),
        "national_id_exists": Message(
            "A person with this national ID is already in the registry.",
            "ມີບຸກຄົນທີ່ມີເລກບັດປະຈໍາຕົວນີ້ຢູ່ໃນທະບຽນແລ້ວ.",
        ),
        "family_book_repeated": Message(
            "The same family book number is already on line {first_line} of this file.",
            "ເລກປື້ມສໍາມະໂນຄົວນີ້ມີຢູ່ແລ້ວໃນແຖວ {first_line} ຂອງໄຟລ໌ນີ້.",
        ),
        "second_head": Message(
            "This family book already has a head of household on line {first_line}.",
            "ປື້ມສໍາມະໂນຄົວນີ້ມີຫົວໜ້າຄອບຄົວຢູ່ແຖວ {first_line} ແລ້ວ.",
        ),
        "household_has_head": Message(
            "This household already has a head in the registry.",
            "ຄົວເຮືອນນີ້ມີຫົວໜ້າຄອບຄົວຢູ່ໃນທະບຽນແລ້ວ.",
        ),
        "head_without_family_book": Message(
            "A head of household needs a family book number.",
            "ຫົວໜ້າຄອບຄົວຕ້ອງມີເລກປື້ມສໍາມະໂນຄົວ.",
        ),
        "import_refused": Message(
            "The file was refused: {total} errors. Nothing was imported; correct the file and "
            "upload it again.",
            "ໄຟລ໌ຖືກປະຕິເສດ: ມີຂໍ້ຜິດພາດ {total} ຂໍ້. ບໍ່ມີຂໍ້ມູນໃດຖືກນຳເຂົ້າ; ກະລຸນາແກ້ໄຂໄຟລ໌ ແລ້ວອັບໂຫຼດຄືນໃໝ່.",
        ),
        "import_done": Message(
            "{people} people and {households} new households imported from {rows} rows.",
            "ນຳເຂົ້າ {people} ຄົນ ແລະ ຄົວເຮືອນໃໝ່ {households} ຄົວເຮືອນ ຈາກ {rows} ແຖວ.",
        ),
    }
)

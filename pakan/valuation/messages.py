"""Every refusal of the actuarial pages, in English and Lao, by code.

A service answers with `FieldError`s (the registry's bilingual error type, shared by every app's
forms), each naming the field it concerns, so a page shows it beside that field and changes
nothing. The actuarial package's own refusals (`ActuarialInputError`) already carry both
languages; `from_actuarial` turns one into a `FieldError`.

Lao wording: ປີ (year), ລຶບ (delete), ຕ້ອງຕື່ມຄ່າ (required field) and ລາຍງານ (report) are the
glossary's; the rest is own wording (the glossary has no actuarial terms), marked "own wording"
in the .po catalogue too.
"""

from __future__ import annotations

from pakan.actuarial.errors import ActuarialInputError
from pakan.registry.validation import FieldError, RegistryValidationError

# code: (English, Lao). Placeholders are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "ຕ້ອງຕື່ມຄ່າ."),
    "too_long": ("Longer than {limit} characters.", "ຍາວເກີນ {limit} ຕົວອັກສອນ."),
    "name_taken": ("A scenario with this name already exists.",
                   "ມີສະຖານະການຊື່ນີ້ແລ້ວ."),  # own wording
    "unknown_kind": ("Choose a fund valuation or a floor costing.",
                     "ເລືອກການປະເມີນກອງທຶນ ຫຼື ການຄິດໄລ່ຕົ້ນທຶນ."),  # own wording
    "not_a_value": (
        "Not a value: type a number (0.2 or 20%), true or false, or a JSON list or mapping "
        "(for example [60, 58] or {{2030: 60, 2040: 62}}).",
        "ບໍ່ແມ່ນຄ່າທີ່ໃຊ້ໄດ້: ພິມຕົວເລກ (0.2 ຫຼື 20%), true ຫຼື false, ຫຼື ລາຍການ JSON "
        "(ຕົວຢ່າງ [60, 58] ຫຼື {{2030: 60, 2040: 62}}).",  # own wording
    ),
    "bad_line": (
        "Line {line}: write one override per line as name = value.",
        "ແຖວ {line}: ຂຽນໜຶ່ງຄ່າຕໍ່ແຖວ ແບບ ຊື່ = ຄ່າ.",  # own wording
    ),
    "given_twice": (
        "{name} is given twice (in the table and in the text).",
        "{name} ຖືກໃຫ້ສອງເທື່ອ (ໃນຕາຕະລາງ ແລະ ໃນຂໍ້ຄວາມ).",  # own wording
    ),
    "scenario_has_runs": (
        "This scenario has {runs} stored run(s); they keep it so they can be reproduced. Delete "
        "the runs first.",
        "ສະຖານະການນີ້ມີ {runs} ການຄິດໄລ່ທີ່ບັນທຶກໄວ້; ລຶບການຄິດໄລ່ເຫຼົ່ານັ້ນກ່ອນ.",  # own wording
    ),
    "wrong_run_kind": (
        "A {kind} run needs a {needed} scenario.",
        "ການຄິດໄລ່ແບບ {kind} ຕ້ອງໃຊ້ສະຖານະການ {needed}.",  # own wording
    ),
    "not_a_whole_number": ("Must be a whole number.", "ຕ້ອງເປັນຈຳນວນເຕັມ."),  # own wording
    "not_a_number": ("Must be a number.", "ຕ້ອງເປັນຕົວເລກ."),  # own wording
    "too_many_runs": (
        "At most {limit} stochastic runs can be made from a page.",
        "ຄິດໄລ່ແບບສຸ່ມໄດ້ບໍ່ເກີນ {limit} ເທື່ອຈາກໜ້ານີ້.",  # own wording
    ),
    "extract_not_ready": (
        "This data extract is not finished; choose a finished one.",
        "ຂໍ້ມູນທີ່ສະກັດນີ້ຍັງບໍ່ສຳເລັດ; ເລືອກອັນທີ່ສຳເລັດແລ້ວ.",  # own wording
    ),
    "unknown_extract": ("Unknown data extract.", "ບໍ່ພົບຂໍ້ມູນທີ່ສະກັດນີ້."),  # own wording
    "extract_not_for_costing": (
        "A costing runs on the projected population and takes no data extract.",
        "ການຄິດໄລ່ຕົ້ນທຶນໃຊ້ປະຊາກອນທີ່ຄາດຄະເນ ບໍ່ໃຊ້ຂໍ້ມູນທີ່ສະກັດ.",  # own wording
    ),
    "extract_changed": (
        "The data extract's file has changed since this run: it cannot be reproduced exactly.",
        "ໄຟລ໌ຂໍ້ມູນທີ່ສະກັດໄດ້ປ່ຽນແປງ: ຄິດໄລ່ຊ້ຳໃຫ້ຄືເກົ່າບໍ່ໄດ້.",  # own wording
    ),
    "run_not_finished": (
        "This run has not finished; it can be re-run once it has.",
        "ການຄິດໄລ່ນີ້ຍັງບໍ່ສຳເລັດ.",  # own wording
    ),
    "run_running": (
        "A run that is still going on cannot be deleted.",
        "ລຶບການຄິດໄລ່ທີ່ກຳລັງດຳເນີນຢູ່ບໍ່ໄດ້.",  # own wording
    ),
    "run_has_reruns": (
        "This run has re-runs that point at it; delete them first.",
        "ການຄິດໄລ່ນີ້ມີການຄິດໄລ່ຊ້ຳ; ລຶບພວກມັນກ່ອນ.",  # own wording
    ),
    "compare_needs_runs": (
        "Choose at least two finished runs of the same kind to compare.",
        "ເລືອກຢ່າງໜ້ອຍສອງການຄິດໄລ່ທີ່ສຳເລັດ ແລະ ເປັນປະເພດດຽວກັນ.",  # own wording
    ),
}


def error(field: str, code: str, **values: object) -> FieldError:
    english, lao = MESSAGES[code]
    return FieldError(field, code, english.format(**values), lao.format(**values))


def from_actuarial(field: str, problem: ActuarialInputError) -> FieldError:
    """The package's own bilingual refusal, shown beside `field`."""
    return FieldError(field, "actuarial_input", problem.english, problem.lao)


def refuse(errors: list[FieldError]) -> None:
    if errors:
        raise RegistryValidationError(errors)


__all__ = ["MESSAGES", "FieldError", "RegistryValidationError", "error", "from_actuarial",
           "refuse"]

"""The one error type of the actuarial package.

Every input the model refuses (a rate outside 0-100 %, a negative population, a life table whose
survivors increase, a horizon beyond 100 years, a scenario naming an unknown parameter) is raised
as an `ActuarialInputError` before any projection runs, with the message in English and Lao and
the name of the input at fault, so a page, an API or a notebook can show it as it is.
"""

from __future__ import annotations


class ActuarialInputError(ValueError):
    """An actuarial input is refused; nothing was run.

    `field` names the input at fault (for example "fertility.total_fertility_rate" or
    "scenario.overrides.pension_age"), `english` and `lao` say why.
    """

    def __init__(self, english: str, lao: str, *, field: str) -> None:
        self.english = english
        self.lao = lao
        self.field = field
        super().__init__(f"{field}: {english} / {lao}")

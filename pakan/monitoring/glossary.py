"""Lao names the framework loader may fill in by itself.

Only names that the project glossary (shared/domain/glossary-lo-en.csv) gives word for word are
here; every sentence of the strategy waits for a Lao-speaking editor. The keys are the English
names as the framework file writes them, each mapped to the glossary's Lao. A test checks every
pair against the glossary, so this list cannot drift from it.
"""

from __future__ import annotations

STRATEGY_TITLE_EN = "National Social Protection Strategy"

# English as written in the framework file -> (glossary English entry, Lao).
GLOSSARY_LAO: dict[str, tuple[str, str]] = {
    STRATEGY_TITLE_EN: ("national social protection strategy (NSPS)", "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ"),
    "Ministry of Health": ("Ministry of Health", "ກະຊວງສາທາລະນະສຸກ"),
    "Ministry of Labour and Social Welfare": (
        "Ministry of Labour and Social Welfare (MLSW)",
        "ກະຊວງແຮງງານ ແລະ ສະຫວັດດີການສັງຄົມ",
    ),
}


def lao_for(english: str) -> str:
    """The glossary's Lao for an exact English name, or "" when the glossary does not give it."""
    entry = GLOSSARY_LAO.get(english.strip())
    return entry[1] if entry else ""

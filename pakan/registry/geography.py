"""Loading the tree of places: country, 18 provinces, 148 districts, and villages."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from pakan.registry.models import AdminUnit

ADMIN_UNITS_CSV = Path(__file__).parent / "data" / "lao_admin_units.csv"
COUNTRY_CODE = "LA"
COUNTRY_PATH = f"/{COUNTRY_CODE}/"
VILLAGE_CSV_COLUMNS = ("village_code", "district_code", "village_name_en", "village_name_lo")


@dataclass(frozen=True)
class UnitRow:
    code: str
    parent_code: str | None
    level: int
    name_en: str
    name_lo: str
    iso_code: str = ""


def country_row() -> UnitRow:
    return UnitRow(COUNTRY_CODE, None, AdminUnit.Level.COUNTRY, "Lao PDR", "ສປປ ລາວ", "LA")


def official_rows(csv_path: Path = ADMIN_UNITS_CSV) -> list[UnitRow]:
    """Provinces and districts from the official list (shared/data/lao_admin_units.csv)."""
    rows: list[UnitRow] = [country_row()]
    seen_provinces: set[str] = set()
    with csv_path.open(encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            province = line["province_code"]
            if province not in seen_provinces:
                seen_provinces.add(province)
                rows.append(UnitRow(province, COUNTRY_CODE, AdminUnit.Level.PROVINCE,
                                    line["province_name_en"], line["province_name_lo"],
                                    line["province_iso"]))
            rows.append(UnitRow(line["district_code"], province, AdminUnit.Level.DISTRICT,
                                line["district_name_en"], line["district_name_lo"]))
    return rows


@transaction.atomic
def upsert_units(rows: Iterable[UnitRow]) -> int:
    """Insert or update units, parents before children, in sets (one query per level)."""
    by_level: dict[int, list[UnitRow]] = {}
    for row in rows:
        by_level.setdefault(int(row.level), []).append(row)
    written = 0
    for level in sorted(by_level):
        level_rows = by_level[level]
        parent_codes = {row.parent_code for row in level_rows if row.parent_code}
        parents = {unit.code: unit for unit in AdminUnit.objects.filter(code__in=parent_codes)}
        units = []
        for row in level_rows:
            parent = parents.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise ValueError(f"unknown parent code {row.parent_code} for {row.code}")
            path = AdminUnit.path_for(parent.path if parent else "/", row.code)
            units.append(AdminUnit(code=row.code, parent=parent, level=level, name_en=row.name_en,
                                   name_lo=row.name_lo, iso_code=row.iso_code, path=path))
        AdminUnit.objects.bulk_create(
            units, batch_size=2000, update_conflicts=True, unique_fields=["code"],
            update_fields=["name_en", "name_lo", "iso_code", "parent", "level", "path"],
        )
        written += len(units)
    return written


def load_official_geography() -> int:
    return upsert_units(official_rows())


def read_village_csv(path: Path) -> list[UnitRow]:
    """Villages from a CSV with columns village_code, district_code, village_name_en/lo."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(VILLAGE_CSV_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
        return [UnitRow(line["village_code"].strip(), line["district_code"].strip(),
                        AdminUnit.Level.VILLAGE, line["village_name_en"].strip(),
                        line["village_name_lo"].strip()) for line in reader]

"""Bulk import of people and households: good files go in whole, bad files change nothing and
say exactly which line, column and reason, in English and Lao."""

from __future__ import annotations

import csv
import datetime
import io
import threading
import time
import zipfile
from contextlib import nullcontext
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from celery.signals import task_prerun
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pakan.audit.models import AuditEvent
from pakan.audit.selectors import history_of, line_in_file
from pakan.jobs.models import Job
from pakan.jobs.services import run_job_now
from pakan.registry import import_checks, import_loading, importing
from pakan.registry.columns import HOUSEHOLD_COLUMNS, MAX_AGE_YEARS, PEOPLE_COLUMNS
from pakan.registry.import_checks import lao_key_expr, latin_key_expr
from pakan.registry.import_rows import LineRuns
from pakan.registry.importing import import_file, start_import, write_error_report
from pakan.registry.models import DuplicateCandidate, Household, Person
from pakan.registry.names import lao_key, latin_key
from pakan.tabular.export import write_table
from tests.factories import make_person

DATA = Path(__file__).parent / "data"
GOOD_PEOPLE = DATA / "people_good.csv"
GOOD_HOUSEHOLDS = DATA / "households_good.csv"
GOOD_PEOPLE_ROWS = 8


def base_row(**fields: str) -> dict[str, str]:
    row = {
        "national_id": "NEW0000001",
        "family_book_number": "FB-NEW-0001",
        "given_name_lo": "ສົມໃຈ",
        "family_name_lo": "ພົມມະວົງ",
        "given_name_latin": "Somchai",
        "family_name_latin": "Phommavong",
        "sex": "M",
        "date_of_birth": "1980-05-01",
        "village_code": "0101001",
        "relationship_to_head": "head",
    }
    row.update(fields)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], columns=PEOPLE_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Household.objects.count(), AuditEvent.objects.count()


def only_error(outcome, code: str):
    assert not outcome.accepted
    matching = [error for error in outcome.errors if error.code == code]
    assert matching, [error.code for error in outcome.errors]
    return matching[0]


# --- good files --------------------------------------------------------------------------------


def test_good_csv_goes_in_whole_with_households_heads_keys_and_audit(geography, staff):
    seen: list[tuple[int, int]] = []
    outcome = import_file(
        GOOD_PEOPLE,
        "people",
        user=staff["admin"],
        progress=lambda done, total: seen.append((done, total)),
    )

    assert outcome.accepted, outcome.errors
    assert (outcome.rows, outcome.created_people, outcome.created_households) == (8, 8, 3)
    assert Person.objects.count() == 8
    head = Person.objects.get(national_id="IMP0000001")
    household = Household.objects.get(family_book_number="FB-IMP-0001")
    assert household.head == head
    assert household.village.code == "0101001"
    assert set(household.members.values_list("national_id", flat=True)) == {
        "IMP0000001",
        "IMP0000002",
        "IMP0000003",
    }
    # The head is named on the third line of household 3: it is still the head, and the
    # household takes the head's village.
    assert Household.objects.get(family_book_number="FB-IMP-0003").head.national_id == "IMP0000007"
    alone = Person.objects.get(national_id="IMP0000008")
    assert alone.household is None and alone.family_book_number == ""
    assert alone.date_of_death == datetime.date(2020, 4, 5)
    without_id = Person.objects.get(given_name_latin="Vannà")
    assert without_id.national_id is None
    assert without_id.given_key_latin == latin_key("Vannà") == "wana"

    assert head.difficulty_walking == 2 and head.phone == "+856 20 5555 0001"
    assert Person.objects.get(national_id="IMP0000004").uxo_survivor is True
    assert Person.objects.get(national_id="IMP0000004").has_functional_difficulty
    for person in Person.objects.all():
        assert person.given_key_latin == latin_key(person.given_name_latin)
        assert person.family_key_latin == latin_key(person.family_name_latin)
        assert person.given_key_lo == lao_key(person.given_name_lo)
        assert person.family_key_lo == lao_key(person.family_name_lo)
        assert person.status == Person.Status.ACTIVE

    # One audit event for the import, naming the range of ids it made; each person's history
    # shows it with the person's own line of the file.
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, object_type="registry.person")
    ids = sorted(Person.objects.values_list("id", flat=True))
    assert event.object_id is None and event.actor == staff["admin"]
    assert {name: event.after[name] for name in ("file", "first_id", "last_id", "rows")} == {
        "file": "people_good.csv",
        "first_id": ids[0],
        "last_id": ids[-1],
        "rows": 8,
    }
    assert ids == list(range(ids[0], ids[0] + 8))
    for line, national_id in ((2, "IMP0000001"), (8, "IMP0000007"), (9, "IMP0000008")):
        person = Person.objects.get(national_id=national_id)
        imported = [e for e in history_of("registry.person", person.pk) if e.action == "import"]
        assert [(e.object_id, e.note, e.actor) for e in imported] == [
            (person.pk, f"bulk import of people_good.csv, line {line}", staff["admin"])
        ]
    household_event = AuditEvent.objects.get(action="import", object_type="registry.household")
    assert household_event.after["rows"] == 3
    for household in Household.objects.all():
        assert [e.action for e in history_of("registry.household", household.pk)] == ["import"]
    assert seen[-1] == (8, 8)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_good_xlsx_goes_in_with_typed_cells(geography, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(PEOPLE_COLUMNS))
    with GOOD_PEOPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values: list[object] = [row[name] or None for name in PEOPLE_COLUMNS]
            # Dates and numbers typed as such in the spreadsheet.
            birth = PEOPLE_COLUMNS.index("date_of_birth")
            values[birth] = datetime.datetime.fromisoformat(row["date_of_birth"])
            seeing = PEOPLE_COLUMNS.index("difficulty_seeing")
            if values[seeing]:
                values[seeing] = int(values[seeing])
            sheet.append(values)
    sheet.append([None] * len(PEOPLE_COLUMNS))  # a trailing blank row is not a person
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    assert (outcome.created_people, outcome.created_households) == (8, 3)
    assert Person.objects.get(national_id="IMP0000004").difficulty_seeing == 3
    assert Person.objects.get(national_id="IMP0000001").date_of_birth == datetime.date(1971, 3, 14)
    assert Household.objects.get(family_book_number="FB-IMP-0002").head.national_id == "IMP0000004"


def test_an_xlsx_file_joins_households_already_registered(geography, tmp_path):
    assert import_file(GOOD_HOUSEHOLDS, "households").accepted
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(PEOPLE_COLUMNS))
    for number, relationship in ((1, "head"), (2, "child")):
        row = base_row(
            national_id=f"NEW{number:07d}",
            family_book_number="hh-imp-0002",  # capitals are not required
            village_code="0101002",
            relationship_to_head=relationship,
        )
        sheet.append([row.get(name) for name in PEOPLE_COLUMNS])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    assert outcome.created_households == 0
    household = Household.objects.get(family_book_number="HH-IMP-0002")
    assert household.head.national_id == "NEW0000001" and household.members.count() == 2


def test_good_households_file(geography):
    outcome = import_file(GOOD_HOUSEHOLDS, "households")

    assert outcome.accepted, outcome.errors
    assert outcome.created_households == 3 and outcome.created_people == 0
    third = Household.objects.get(family_book_number="HH-IMP-0003")
    assert third.village.code == "0102001"
    event = AuditEvent.objects.get(action="import", object_type="registry.household")
    assert event.after["rows"] == 3
    assert [e.note for e in history_of("registry.household", third.pk)] == [
        "bulk import of households_good.csv, line 4"
    ]


def test_people_join_a_household_that_is_already_registered(geography, tmp_path):
    import_file(GOOD_HOUSEHOLDS, "households")
    path = write_csv(
        tmp_path / "p.csv",
        [
            base_row(family_book_number="HH-IMP-0002", village_code="0101002"),
            base_row(
                national_id="NEW0000002",
                family_book_number="HH-IMP-0002",
                relationship_to_head="child",
                village_code="0101002",
            ),
        ],
    )

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    assert outcome.created_households == 0
    household = Household.objects.get(family_book_number="HH-IMP-0002")
    assert household.members.count() == 2
    assert household.head.national_id == "NEW0000001"


def test_a_file_without_the_optional_columns_goes_into_a_registry_with_people(geography, tmp_path):
    assert import_file(GOOD_PEOPLE, "people").accepted  # people and households registered
    required = [
        "given_name_lo",
        "family_name_lo",
        "given_name_latin",
        "family_name_latin",
        "sex",
        "date_of_birth",
        "village_code",
    ]
    path = write_csv(
        tmp_path / "p.csv", [{name: base_row()[name] for name in required}], columns=required
    )

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    person = Person.objects.get(pk=outcome.first_person_id)
    assert (person.national_id, person.household, person.family_book_number) == (None, None, "")


def test_the_same_good_file_twice_is_refused_the_second_time(geography):
    assert import_file(GOOD_PEOPLE, "people").accepted
    before = counts()

    second = import_file(GOOD_PEOPLE, "people")

    assert not second.accepted
    assert counts() == before
    codes = {(error.line, error.code) for error in second.errors}
    assert (2, "national_id_exists") in codes
    assert (2, "household_has_head") in codes
    assert second.created_people == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_list_comes_back_in_as_it_was(geography, tmp_path, fmt):
    with GOOD_PEOPLE.open(encoding="utf-8") as handle:
        rows = [[row[name] for name in PEOPLE_COLUMNS] for row in csv.DictReader(handle)]
    exported = tmp_path / f"people.{fmt}"
    with exported.open("wb") as destination:
        write_table(rows, PEOPLE_COLUMNS, fmt, destination)

    outcome = import_file(exported, "people")

    assert outcome.accepted, outcome.errors
    assert Person.objects.get(national_id="IMP0000001").phone == "+856 20 5555 0001"


def test_search_keys_from_polars_equal_the_python_keys():
    latin_names = [
        "Phetsamone",
        "Petsamon",
        "Xaysomboun",
        "Saisomboun",
        "Nguyễn Thị Ánh",
        "ÀÉÎõü",
        "O'Brien-Smith",
        "Khounphetthavong",
        "  Vilay  Q. ",
        "SOUKSAVANH",
        "Ｆｕｌｌｗｉｄｔｈ",
        "ﬁﬂ ligature",
        "Chanthavong",
        "Rattanakone",
        "Ooue Aee",
        "Thảo",
        "Ḱhmer",
        "İnce",
        "Kelvin\u212a",
        "Mañana",
        "Ørsted",
        "Łukasz",
        "Straße",
        "Ĳssel",
        "Vieng-Xay",
        "Zz",
        "",
    ]
    lao_names = [
        "ສົມໃຈ",
        "ສົມ ໃຈ",
        "ສົມ-ໃຈ",
        "ຫຼວງ",
        "ຫລວງ",
        "ຄຳຫຼ້າ",
        "ຄໍາຫຼ້າ",
        "ໜູໄຊ",
        "ຫນູໄຊ",
        "ສົ້ມໃຈ",
        "ຣັດຕະນາ",
        "ສົມ\u200bໃຈ",
        "ພົມມະວົງ.",
        "\ufeffວັນນາ",
        "ເພັດສະໝອນ",
        "ໄຊ໌",
    ]
    latin_keys = pl.DataFrame({"latin": latin_names}).select(latin_key_expr(pl.col("latin")))
    assert latin_keys["latin"].to_list() == [latin_key(name) for name in latin_names]
    lao_keys = pl.DataFrame({"lao": lao_names}).select(lao_key_expr(pl.col("lao")))["lao"]
    assert lao_keys.to_list() == [lao_key(name) for name in lao_names]


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOUY áéèôüñçøß-'.", max_size=24))
def test_the_merged_letter_run_rule_is_the_same_as_the_rules_one_by_one(name):
    frame = pl.DataFrame({"name": [name]}, schema={"name": pl.String})
    assert frame.select(latin_key_expr(pl.col("name"))).item() == latin_key(name)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x36F, exclude_categories=["Cs"]),
        max_size=16,
    )
)
def test_latin_keys_from_polars_equal_the_python_keys_on_any_latin_text(name):
    # Accented and compatibility letters, combining marks, symbols: the merged passes (marks
    # dropped with the first deletions, one-letter swaps at once) give names.latin_key.
    frame = pl.DataFrame({"name": [name]}, schema={"name": pl.String})
    assert frame.select(latin_key_expr(pl.col("name"))).item() == latin_key(name)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0E80, max_codepoint=0x0EFF), max_size=12))
def test_lao_keys_from_polars_equal_the_python_keys_on_any_lao_text(name):
    frame = pl.DataFrame({"name": [name]}, schema={"name": pl.String})
    assert frame.select(lao_key_expr(pl.col("name"))).item() == lao_key(name)


def test_the_key_rules_run_in_fewer_passes_than_they_have():
    # Deletions, one-letter swaps and letter runs are merged: 13 Latin rules in 7 passes.
    assert len(import_checks.LATIN_ENGINE_RULES) < len(import_checks.LATIN_KEY_RULES)
    assert [step.kind for step in import_checks.LATIN_ENGINE_RULES].count("characters") == 1
    assert len(import_checks.LAO_ENGINE_RULES) < len(import_checks.LAO_KEY_RULES)


def test_two_rules_that_feed_each_other_are_not_merged():
    # "a" -> "b" then "b" -> "c" turns "a" into "c"; at once it would give "b".
    steps = import_checks.engine_rules((("a", "b"), ("b", "c")))
    assert len(steps) == 2
    frame = pl.DataFrame({"name": ["ab", "ba"]})
    keys = frame.select(import_checks.apply_rules(pl.col("name"), steps))["name"].to_list()
    assert keys == ["cc", "cc"]


def _repeats_by_brute_force(values: list[str | None]) -> list[tuple[int, str, int]]:
    first: dict[str, int] = {}
    found = []
    for line, value in enumerate(values, start=2):
        if value is None:
            continue
        if value in first:
            found.append((line, value, first[value]))
        else:
            first[value] = line
    return found


def _repeats_in_batches(values: list[str | None], batch_rows: int):
    check = import_checks.RepeatCheck("national_id", "national_id_repeated", "national_id")
    frame = pl.DataFrame(
        {"national_id": values, "__line": list(range(2, len(values) + 2))},
        schema={"national_id": pl.String, "__line": pl.Int64},
    )
    found = []
    for start in range(0, len(values), batch_rows):
        found += check.failures(frame.slice(start, batch_rows)).rows()
    return found


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["A1", "B2", "C3", "D4", "E5"])), max_size=30),
    st.integers(min_value=1, max_value=7),
)
def test_repeats_are_found_across_batches_as_in_one_pass(values, batch_rows):
    assert _repeats_in_batches(values, batch_rows) == _repeats_by_brute_force(values)


def test_a_hash_collision_never_makes_a_false_repeat(monkeypatch):
    # Every value gets the same hash: the text comparison alone must decide.
    monkeypatch.setattr(import_checks, "value_hash", lambda value: pl.lit(7, dtype=pl.UInt64))
    values = ["A1", "B2", None, "A1", "C3", "B2", "D4", "A1"]
    assert _repeats_in_batches(values, 3) == [(5, "A1", 2), (7, "B2", 3), (9, "A1", 2)]


def test_line_runs_name_the_line_of_every_id():
    runs = LineRuns()
    runs.add(pl.Series([10, 11, 12]), pl.Series([2, 3, 5]))
    runs.add(pl.Series([13, 14]), pl.Series([6, 9]))
    assert runs.runs == [[10, 2], [12, 5], [14, 9]]
    lines = [line_in_file({"lines": runs.runs}, record) for record in range(10, 15)]
    assert lines == [2, 3, 5, 6, 9]
    assert line_in_file({"lines": runs.runs}, 9) is None


# --- bad files: each refused whole, nothing written --------------------------------------------


BAD_PEOPLE_ROWS = {
    # name: (fields of the bad second row, expected code, column)
    "date in another format": ({"date_of_birth": "01/05/1980"}, "bad_date", "date_of_birth"),
    "impossible date": ({"date_of_birth": "1980-02-30"}, "bad_date", "date_of_birth"),
    "date of birth in the future": (
        {"date_of_birth": "2999-01-01"},
        "future_date",
        "date_of_birth",
    ),
    "date of death in the future": (
        {"date_of_death": "2999-01-01"},
        "future_date",
        "date_of_death",
    ),
    "death before birth": ({"date_of_death": "1970-01-01"}, "death_before_birth", "date_of_death"),
    "older than 120": ({"date_of_birth": "1890-01-01"}, "too_old", "date_of_birth"),
    "unknown village": ({"village_code": "9999999"}, "unknown_village", "village_code"),
    "district code given as village": ({"village_code": "0101"}, "unknown_village", "village_code"),
    "broken Lao name": ({"given_name_lo": "\u0eb4ສົມ"}, "broken_lao", "given_name_lo"),
    "two tone marks": ({"family_name_lo": "ພົ່່ມ"}, "broken_lao", "family_name_lo"),
    "name thousands of characters long": (
        {"given_name_latin": "A" * 5000},
        "too_long",
        "given_name_latin",
    ),
    "wrong sex code": ({"sex": "X"}, "bad_sex", "sex"),
    "difficulty out of scale": (
        {"difficulty_walking": "5"},
        "bad_difficulty",
        "difficulty_walking",
    ),
    "unknown relationship": (
        {"relationship_to_head": "boss"},
        "bad_relationship",
        "relationship_to_head",
    ),
    "required value missing": ({"family_name_latin": ""}, "required", "family_name_latin"),
    "bad national ID": ({"national_id": "12 34"}, "bad_identifier", "national_id"),
    "bad phone": ({"phone": "call me"}, "bad_phone", "phone"),
    "yes/no not understood": ({"uxo_survivor": "maybe"}, "bad_boolean", "uxo_survivor"),
    "tab inside a value": (
        {"given_name_latin": "Som\tchai"},
        "control_character",
        "given_name_latin",
    ),
    "same national ID twice in the file": (
        {"national_id": "NEW0000001"},
        "national_id_repeated",
        "national_id",
    ),
    "two heads of one household": (
        {"relationship_to_head": "head"},
        "second_head",
        "relationship_to_head",
    ),
    "head without family book": (
        {"family_book_number": "", "relationship_to_head": "head"},
        "head_without_family_book",
        "relationship_to_head",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PEOPLE_ROWS))
def test_a_bad_row_refuses_the_whole_file(geography, tmp_path, case):
    fields, code, column = BAD_PEOPLE_ROWS[case]
    good = base_row()
    bad = base_row(
        national_id="NEW0000002", relationship_to_head="spouse", given_name_latin="Sengdao", sex="F"
    )
    bad.update(fields)
    path = write_csv(tmp_path / "people.csv", [good, bad])
    before = counts()

    outcome = import_file(path, "people")

    error = only_error(outcome, code)
    assert (error.line, error.column) == (3, column)
    assert error.reason_en and error.reason_lo and error.reason_en != error.reason_lo
    assert any("\u0e80" <= char <= "\u0eff" for char in error.reason_lo)
    assert counts() == before
    assert outcome.created_people == 0


def test_repeated_national_id_names_the_first_line(geography, tmp_path):
    rows = [
        base_row(),
        base_row(national_id="NEW0000002", relationship_to_head="child"),
        base_row(relationship_to_head="child"),
    ]
    outcome = import_file(write_csv(tmp_path / "p.csv", rows), "people")

    error = only_error(outcome, "national_id_repeated")
    assert error.line == 4
    assert "line 2" in error.reason_en and "2" in error.reason_lo


def test_a_national_id_already_in_the_registry_is_refused(geography, tmp_path):
    make_person(geography["0101001"], national_id="NEW0000001")
    before = counts()

    outcome = import_file(write_csv(tmp_path / "p.csv", [base_row()]), "people")

    error = only_error(outcome, "national_id_exists")
    assert (error.line, error.column, error.value) == (2, "national_id", "NEW0000001")
    assert counts() == before


def test_household_file_refuses_repeated_and_registered_family_books(geography, tmp_path):
    assert import_file(GOOD_HOUSEHOLDS, "households").accepted
    before = counts()
    rows = [
        {"family_book_number": "HH-IMP-0001", "village_code": "0101001"},
        {"family_book_number": "HH-NEW-0001", "village_code": "0101001"},
        {"family_book_number": "HH-NEW-0001", "village_code": "0101002"},
    ]

    outcome = import_file(write_csv(tmp_path / "h.csv", rows, HOUSEHOLD_COLUMNS), "households")

    assert {(error.line, error.code) for error in outcome.errors} == {
        (2, "household_exists"),
        (4, "family_book_repeated"),
    }
    assert counts() == before


def test_every_bad_row_is_listed_not_only_the_first(geography, tmp_path):
    rows = [
        base_row(
            national_id=f"NEW{number:07d}",
            relationship_to_head="child",
            sex="X" if number % 2 else "F",
        )
        for number in range(1, 11)
    ]
    outcome = import_file(write_csv(tmp_path / "p.csv", rows), "people")

    assert [error.line for error in outcome.errors if error.code == "bad_sex"] == [2, 4, 6, 8, 10]
    assert outcome.error_count == len(outcome.errors) == 5


def test_the_error_list_is_capped_but_counts_everything(geography, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_REPORTED_ERRORS", 3)
    rows = [
        base_row(
            national_id=f"NEW{number:07d}",
            relationship_to_head="child",
            sex="X",
            village_code="9999999",
        )
        for number in range(1, 6)
    ]
    outcome = import_file(write_csv(tmp_path / "p.csv", rows), "people")

    assert outcome.error_count == 10
    assert [(error.line, error.code) for error in outcome.errors] == [
        (2, "bad_sex"),
        (2, "unknown_village"),
        (3, "bad_sex"),
    ]
    report = write_error_report(
        outcome.errors, tmp_path / "errors.csv", "csv", total=outcome.error_count
    )
    last = list(csv.reader(report.open(encoding="utf-8")))[-1]
    assert "10" in last[3] and "3" in last[3] and "10" in last[4]


def test_line_numbers_count_blank_lines_and_line_breaks_inside_quotes(geography, tmp_path):
    header = ",".join(PEOPLE_COLUMNS)
    good = base_row()
    line = ",".join(good.get(name, "") for name in PEOPLE_COLUMNS)
    multi = line.replace("Somchai", '"Som\nchai"').replace("NEW0000001", "NEW0000002")
    bad = line.replace(",M,", ",Q,").replace("NEW0000001", "NEW0000003")
    path = tmp_path / "p.csv"
    path.write_text(f"{header}\n{line}\n\n{multi}\n{bad}\n", encoding="utf-8")

    outcome = import_file(path, "people")

    assert {(error.line, error.code) for error in outcome.errors} >= {
        (4, "control_character"),
        (6, "bad_sex"),
    }


# --- bad files as a whole ----------------------------------------------------------------------


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


HEADER = ",".join(PEOPLE_COLUMNS)
LATIN_ONLY_ROW = (
    ",".join(base_row().get(name, "") for name in PEOPLE_COLUMNS)
    .replace("ສົມໃຈ", "Somchai")
    .replace("ພົມມະວົງ", "Phommavong")
)
THAI_ROW = LATIN_ONLY_ROW.replace("Somchai", "สมชาย")

BAD_FILES = {
    # name: (file name, bytes, code, line)
    "empty file": ("p.csv", b"", "file_empty", 0),
    "header only": ("p.csv", (HEADER + "\n").encode(), "no_rows", 0),
    "Windows-874 (TIS-620)": ("p.csv", encoded(f"{HEADER}\n{THAI_ROW}\n", "cp874"), "not_utf8", 2),
    "UTF-16 with BOM": ("p.csv", encoded(f"{HEADER}\n{LATIN_ONLY_ROW}\n", "utf-16"), "utf16", 0),
    "UTF-16 without BOM": (
        "p.csv",
        encoded(f"{HEADER}\n{LATIN_ONLY_ROW}\n", "utf-16-le"),
        "utf16",
        0,
    ),
    "UTF-8 with BOM": (
        "p.csv",
        encoded(f"{HEADER}\n{LATIN_ONLY_ROW}\n", "utf-8-sig"),
        "byte_order_mark",
        0,
    ),
    "semicolons": (
        "p.csv",
        f"{HEADER}\n{LATIN_ONLY_ROW}\n".replace(",", ";").encode(),
        "wrong_separator",
        1,
    ),
    "ragged line": ("p.csv", f"{HEADER}\n{LATIN_ONLY_ROW},extra\n".encode(), "malformed_csv", 2),
    "xlsx that is text": ("p.xlsx", f"{HEADER}\n".encode(), "not_xlsx", 0),
    "old xls": ("p.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_excel", 0),
    "pdf": ("p.pdf", b"%PDF-1.4", "unknown_format", 0),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_a_clear_reason(geography, tmp_path, case):
    name, content, code, line = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(content)
    before = counts()

    outcome = import_file(path, "people", original_name=name)

    error = only_error(outcome, code)
    assert error.line == line
    assert error.reason_en and error.reason_lo
    assert counts() == before


def test_a_zip_that_is_not_a_workbook_is_refused(geography, tmp_path):
    path = tmp_path / "people.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    outcome = import_file(path, "people")
    assert "workbook" in only_error(outcome, "not_xlsx").reason_en


def test_a_damaged_workbook_is_refused(geography, tmp_path):
    path = tmp_path / "people.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not xml")
    only_error(import_file(path, "people"), "not_xlsx")


def test_missing_and_unknown_columns_are_named(geography, tmp_path):
    columns = [name for name in PEOPLE_COLUMNS if name != "sex"] + ["favourite_colour"]
    path = tmp_path / "p.csv"
    path.write_text(
        ",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n", encoding="utf-8"
    )
    outcome = import_file(path, "people")

    assert {(error.code, error.column) for error in outcome.errors} == {
        ("missing_column", "sex"),
        ("unknown_column", "favourite_colour"),
    }
    assert all(error.line == 1 for error in outcome.errors)


def test_too_old_uses_the_shared_limit(geography, tmp_path, today):
    born = today.replace(year=today.year - MAX_AGE_YEARS - 1).isoformat()
    outcome = import_file(write_csv(tmp_path / "p.csv", [base_row(date_of_birth=born)]), "people")
    assert only_error(outcome, "too_old").line == 2
    just_old_enough = today.replace(year=today.year - MAX_AGE_YEARS).isoformat()
    assert import_file(
        write_csv(tmp_path / "q.csv", [base_row(date_of_birth=just_old_enough)]), "people"
    ).accepted


# --- scope -------------------------------------------------------------------------------------


def test_a_district_officer_cannot_import_into_another_district(geography, staff, tmp_path):
    rows = [
        base_row(),
        base_row(
            national_id="NEW0000002", family_book_number="FB-NEW-0002", village_code="0102001"
        ),
    ]
    path = write_csv(tmp_path / "p.csv", rows)
    before = counts()

    outcome = import_file(path, "people", user=staff["district_chanthabuly"])

    error = only_error(outcome, "outside_scope")
    assert (error.line, error.column, error.value) == (3, "village_code", "0102001")
    assert "province" in error.reason_en and "ແຂວງ" in error.reason_lo
    assert len(outcome.errors) == 1
    assert counts() == before
    assert import_file(path, "people", user=staff["province_vientiane"]).accepted


def test_joining_a_household_outside_scope_is_refused(geography, staff, tmp_path):
    import_file(GOOD_HOUSEHOLDS, "households")  # HH-IMP-0003 lies in district 0102
    path = write_csv(tmp_path / "p.csv", [base_row(family_book_number="HH-IMP-0003")])
    outcome = import_file(path, "people", user=staff["district_chanthabuly"])
    assert only_error(outcome, "household_outside_scope").column == "family_book_number"


@pytest.mark.parametrize("who", ["auditor", "public", "employer"])
def test_users_who_may_not_change_the_registry_cannot_import(staff, who):
    before = counts()
    with pytest.raises(PermissionDenied):
        import_file(GOOD_PEOPLE, "people", user=staff[who])
    assert counts() == before


# --- one transaction ---------------------------------------------------------------------------


def test_a_failure_half_way_through_the_load_leaves_nothing(geography, monkeypatch):
    # The people are written; the worker dies while the households are being written.
    original = import_loading.Loader.create

    def dying_loader(spec, stamp, **options):
        loader = original(spec, stamp, **options)
        write = loader.write

        def write_then_die(table, payload):
            if table == import_loading.HOUSEHOLD:
                raise RuntimeError("worker killed")
            write(table, payload)

        loader.write = write_then_die
        return loader

    monkeypatch.setattr(import_loading.Loader, "create", staticmethod(dying_loader))
    before = counts()
    with pytest.raises(RuntimeError):
        import_file(GOOD_PEOPLE, "people")
    assert counts() == before


def test_a_failure_while_reading_stops_and_leaves_nothing(geography, monkeypatch, tmp_path):
    rows = [
        base_row(
            national_id=f"NEW{number:07d}", relationship_to_head="child", family_book_number=""
        )
        for number in range(1, 8)
    ]
    path = write_csv(tmp_path / "p.csv", rows)
    monkeypatch.setattr(importing, "BATCH_ROWS", 2)
    original = importing.with_registry
    calls = []

    def breaks_on_the_third_batch(batch, facts, spec):
        calls.append(batch.height)
        if len(calls) == 3:
            raise RuntimeError("disk gone")
        return original(batch, facts, spec)

    monkeypatch.setattr(importing, "with_registry", breaks_on_the_third_batch)
    before = counts()
    with pytest.raises(RuntimeError, match="disk gone"):
        import_file(path, "people")
    assert counts() == before
    assert calls == [2, 2, 2]  # the reading thread stopped at the error


def test_people_imported_in_several_batches_keep_their_lines_past_blank_lines(
    geography, monkeypatch, tmp_path, client, staff
):
    monkeypatch.setattr(importing, "BATCH_ROWS", 2)
    good = [
        base_row(
            national_id=f"NEW{number:07d}",
            family_book_number=f"FB-NEW-{number % 2}",
            relationship_to_head="head" if number < 3 else "child",
        )
        for number in range(1, 6)
    ]
    path = tmp_path / "p.csv"
    write_csv(path, good[:2])
    with path.open("a", encoding="utf-8", newline="") as handle:  # two blank lines, then more
        handle.write("\n\n")
        csv.writer(handle).writerows(
            [[row.get(name, "") for name in PEOPLE_COLUMNS] for row in good[2:]]
        )

    outcome = import_file(path, "people", user=staff["admin"])

    assert outcome.accepted, outcome.errors
    assert (outcome.created_people, outcome.created_households) == (5, 2)
    lines = {"NEW0000001": 2, "NEW0000002": 3, "NEW0000003": 6, "NEW0000005": 8}
    for national_id, line in lines.items():
        person = Person.objects.get(national_id=national_id)
        (imported,) = [e for e in history_of("registry.person", person.pk) if e.action == "import"]
        assert imported.note == f"bulk import of p.csv, line {line}"
    # Both households were made in the first batch; members of later batches joined them.
    assert sorted(Household.objects.values_list("members__national_id", "head__national_id")) == [
        ("NEW0000001", "NEW0000001"),
        ("NEW0000002", "NEW0000002"),
        ("NEW0000003", "NEW0000001"),
        ("NEW0000004", "NEW0000002"),
        ("NEW0000005", "NEW0000001"),
    ]
    # The person page shows the import with the file and the line.
    client.force_login(staff["admin"])
    client.cookies["django_language"] = "en"
    person = Person.objects.get(national_id="NEW0000003")
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "Imported" in page and "(bulk import of p.csv, line 6)" in page


def test_new_people_are_checked_for_likely_duplicates(geography, tmp_path):
    existing = make_person(
        geography["0101001"],
        national_id="OLD0000001",
        given_name_latin="Somchai",
        family_name_latin="Phommavong",
        date_of_birth="1980-05-01",
        sex="M",
    )
    path = write_csv(tmp_path / "p.csv", [base_row(given_name_latin="Somchay")])

    outcome = import_file(path, "people")

    assert outcome.accepted and outcome.duplicates_queued == 1
    candidate = DuplicateCandidate.objects.get()
    assert candidate.existing == existing
    assert candidate.person.national_id == "NEW0000001"


def test_a_failed_duplicate_check_does_not_undo_the_import(geography, monkeypatch):
    def broken(first_id, last_id):
        raise RuntimeError("duplicate check down")

    monkeypatch.setattr(importing, "queue_likely_duplicates", broken)
    outcome = import_file(GOOD_PEOPLE, "people")

    assert outcome.accepted and outcome.duplicate_check_failed
    assert Person.objects.count() == GOOD_PEOPLE_ROWS
    assert outcome.as_result()["duplicate_check_failed"] is True


# --- reports, jobs and the command line --------------------------------------------------------


def test_error_report_as_csv_and_xlsx(geography, tmp_path):
    path = write_csv(tmp_path / "p.csv", [base_row(sex="X", given_name_latin="=cmd|' /C calc'")])
    outcome = import_file(path, "people")

    csv_report = write_error_report(outcome.errors, tmp_path / "e.csv", "csv")
    rows = list(csv.reader(csv_report.open(encoding="utf-8")))
    assert rows[0] == ["line", "column", "value", "reason_en", "reason_lo"]
    assert rows[1][:3] == ["2", "sex", "X"]
    assert rows[1][4] == outcome.errors[0].reason_lo

    xlsx_report = write_error_report(outcome.errors, tmp_path / "e.xlsx", "xlsx")
    sheet = openpyxl.load_workbook(xlsx_report).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("line", "column", "value", "reason_en", "reason_lo")
    assert values[1][0] == 2 and values[1][1] == "sex"


def test_upload_runs_as_a_job_and_a_refusal_leaves_a_report(
    geography, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    bad = write_csv(tmp_path / "p.csv", [base_row(sex="X")])
    upload = SimpleUploadedFile("people.csv", bad.read_bytes(), content_type="text/csv")

    with django_capture_on_commit_callbacks() as dispatched:
        job = start_import(upload, "people", staff["district_chanthabuly"])
    assert len(dispatched) == 1
    job = run_job_now(job.pk)

    assert job.kind == "pakan.registry.importing.run_import_job"
    assert job.status == Job.Status.REFUSED
    assert job.result["error_count"] == 1
    assert job.result["errors"][0]["code"] == "bad_sex"
    assert Path(job.report_file).suffix == ".xlsx" and Path(job.report_file).is_file()
    assert Path(job.result["report_files"]["csv"]).is_file()
    assert Path(job.input_file).is_relative_to(settings.MEDIA_ROOT / "imports")
    assert "ຂໍ້ຜິດພາດ" in job.message

    good = SimpleUploadedFile("people.csv", GOOD_PEOPLE.read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks():
        job = start_import(good, "people", staff["admin"])
    job = run_job_now(job.pk)
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total) == (GOOD_PEOPLE_ROWS, GOOD_PEOPLE_ROWS)
    assert job.result["created_people"] == GOOD_PEOPLE_ROWS
    assert job.created_by == staff["admin"]


def test_command_line_import(geography, tmp_path):
    output = io.StringIO()
    call_command(
        "import_registry", str(GOOD_PEOPLE), "--kind", "people", stdout=output, stderr=io.StringIO()
    )
    assert "8 people" in output.getvalue()

    output = io.StringIO()
    report = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError) as refusal:
        call_command(
            "import_registry",
            str(GOOD_PEOPLE),
            "--report",
            str(report),
            stdout=output,
            stderr=io.StringIO(),
        )
    assert refusal.value.returncode == 1  # the exit status of manage.py
    text = output.getvalue()
    assert "line 2, column national_id" in text
    assert "already in the registry" in text and "ທະບຽນ" in text
    assert report.is_file()
    assert Person.objects.count() == GOOD_PEOPLE_ROWS


CELERY_TEST_BROKER = "redis://127.0.0.1:6379/14"


def forget_broker_connections(app) -> None:
    """Drop the connection pools made for the broker in use before (an eager task makes them),
    as Celery itself does after a fork, so the next message goes to the broker set now."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_on_redis(settings):
    """A real Celery worker (in a thread) taking jobs from Redis, as in production."""
    import redis
    from celery.contrib.testing.worker import start_worker

    import pakan.jobs.tasks  # noqa: F401 - registers pakan.jobs.run_job with the app
    from pakan.celery import app

    redis.Redis.from_url(CELERY_TEST_BROKER).flushdb()  # no message left from an earlier run
    settings.CELERY_BROKER_URL = CELERY_TEST_BROKER
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=CELERY_TEST_BROKER, task_always_eager=False)
    forget_broker_connections(app)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield app
    finally:
        app.conf.update(saved)
        forget_broker_connections(app)


def wait_for(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
            break
        time.sleep(0.2)
    return job


@pytest.mark.django_db(transaction=True)
def test_import_runs_through_a_real_celery_worker(
    geography, staff, settings, tmp_path, celery_worker_on_redis
):
    ran: list[tuple[str, str]] = []

    def note_task(sender=None, **kwargs):
        ran.append((sender.name, threading.current_thread().name))

    task_prerun.connect(note_task, weak=False)
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("people.csv", GOOD_PEOPLE.read_bytes(), content_type="text/csv")
    try:
        job = start_import(upload, "people", staff["admin"])
        job = wait_for(job)
    finally:
        task_prerun.disconnect(note_task)

    assert len(ran) == 1 and ran[0][0] == "pakan.jobs.run_job"
    assert ran[0][1] != threading.current_thread().name  # the worker's thread, not this one

    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["created_people"] == GOOD_PEOPLE_ROWS
    assert Person.objects.count() == GOOD_PEOPLE_ROWS
    assert Household.objects.get(family_book_number="FB-IMP-0001").head.national_id == "IMP0000001"


@pytest.mark.parametrize(
    ("given_name_latin", "copy_format"), [("Somchai", "text"), ("Som\\chai", "csv")]
)
def test_plain_files_go_in_through_the_text_format_with_the_same_values(
    geography, monkeypatch, tmp_path, given_name_latin, copy_format
):
    from django.db import connection

    formats = []
    original = import_loading.PostgresLoader.write

    def watched(self, table, payload):
        formats.append(self._format.name)
        original(self, table, payload)

    monkeypatch.setattr(import_loading.PostgresLoader, "write", watched)
    adult = base_row(given_name_latin=given_name_latin, phone="", difficulty_seeing="2",
                     date_of_death="2020-02-03", uxo_survivor="1")
    child = base_row(national_id="", relationship_to_head="child", given_name_latin="Noy",
                     date_of_birth="2019-07-08")
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:  # Unix line ends
        writer = csv.DictWriter(handle, fieldnames=list(PEOPLE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows([adult, child])

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    if connection.vendor == "postgresql":
        assert set(formats) == {copy_format}
    first, second = Person.objects.filter(pk__gte=outcome.first_person_id).order_by("id")
    assert first.given_name_latin == given_name_latin
    assert (first.phone, first.national_id, first.difficulty_seeing) == ("", "NEW0000001", 2)
    assert first.difficulty_walking is None and first.uxo_survivor is True
    assert first.date_of_death == datetime.date(2020, 2, 3)
    assert (second.national_id, second.date_of_death) == (None, None)
    assert second.date_of_birth == datetime.date(2019, 7, 8)
    assert second.household_id == first.household_id
    assert Household.objects.get(pk=first.household_id).head_id == first.pk


def _schema_of(tables: tuple[str, ...]) -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) UNION ALL "
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s)",
            [list(tables), list(tables)],
        )
        return set(cursor.fetchall())


@pytest.mark.postgres_only
def test_a_load_that_dwarfs_the_registry_rebuilds_indexes_and_keys_as_they_were(
    geography, monkeypatch, tmp_path
):
    tables = ("registry_person", "registry_household")
    schema_before = _schema_of(tables)
    assert any("_fk_" in name for name, _ in schema_before)
    # The other tables' keys to a person or a household are dropped with the primary keys.
    leaning = tuple(import_loading.tables_leaning_on(tables))
    assert {"registry_lifeevent", "socialsecurity_insuredmember", "benefits_award"} <= set(leaning)
    leaning_before = _schema_of(leaning)
    monkeypatch.setattr(import_loading.PostgresLoader, "BULK_INDEX_MIN_ROWS", 1)
    decided: list[bool] = []
    original = import_loading.PostgresLoader._dwarfs_the_registry

    def watched(self, estimated_rows):
        decided.append(original(self, estimated_rows))
        return decided[-1]

    monkeypatch.setattr(import_loading.PostgresLoader, "_dwarfs_the_registry", watched)
    set_aside = []
    original_set_aside = import_loading.PostgresLoader.set_indexes_aside

    def watched_set_aside(self):
        set_aside.append(len(_schema_of(tables)))
        original_set_aside(self)
        set_aside.append(len(_schema_of(tables)))

    monkeypatch.setattr(import_loading.PostgresLoader, "set_indexes_aside", watched_set_aside)

    outcome = import_file(GOOD_PEOPLE, "people")

    assert outcome.accepted and decided == [True]
    assert set_aside[0] == len(schema_before) and set_aside[1] < set_aside[0]
    # The other tables' keys come back checked in full, exactly as they were.
    assert _schema_of(leaning) == leaning_before
    # The foreign keys and check constraints come back NOT VALID (the load checked its rows
    # itself: see import_loading.not_valid), otherwise as they were, and they hold new rows.
    schema_after = _schema_of(tables)
    assert {(name, definition.removesuffix(" NOT VALID")) for name, definition in schema_after} \
        == schema_before
    assert {name for name, definition in schema_after if definition.endswith(" NOT VALID")} \
        == {name for name, definition in schema_before
            if definition.startswith(("FOREIGN KEY", "CHECK"))}
    assert any(definition.startswith("CHECK") for _, definition in schema_before)
    _assert_keys_hold()
    _assert_checks_hold()
    _assert_primary_keys_hold()
    assert Household.objects.get(family_book_number="FB-IMP-0001").head.national_id == "IMP0000001"
    # A file smaller than the registry keeps the indexes up row by row.
    assert import_file(write_csv(tmp_path / "p.csv", [base_row()]), "people").accepted
    assert decided == [True, False] and len(set_aside) == 2
    assert _schema_of(tables) == schema_after


def _assert_keys_hold() -> None:
    from django.db import IntegrityError, connection, transaction

    person = Person.objects.filter(household__isnull=False).latest("id")
    for column, table in (("village_id", "registry_person"), ("household_id", "registry_person"),
                          ("merged_into_id", "registry_person"), ("head_id", "registry_household"),
                          ("village_id", "registry_household")):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            row = person.pk if table == "registry_person" else person.household_id
            cursor.execute(f"UPDATE {table} SET {column} = -1 WHERE id = %s", [row])


def _assert_primary_keys_hold() -> None:
    from django.db import IntegrityError, connection, transaction

    person = Person.objects.filter(household__isnull=False).latest("id")
    for table, row in (("registry_person", person.pk), ("registry_household", person.household_id)):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE id = %s", [row])
    # Another table's key to a person: a real person is taken, a missing one refused.
    event = ("INSERT INTO registry_lifeevent (person_id, kind, occurred_on, details, recorded_at) "
             "VALUES (%s, 'death', '2020-01-01', '{}', now())")
    for person_id, refused in ((person.pk, False), (-1, True)):
        with (pytest.raises(IntegrityError) if refused else nullcontext()), \
                transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(event, [person_id])
            transaction.set_rollback(True)


def _assert_checks_hold() -> None:
    from django.db import IntegrityError, transaction

    person = Person.objects.latest("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(difficulty_walking=-1)


@pytest.mark.postgres_only
def test_a_bulk_load_refused_half_way_puts_indexes_keys_and_defaults_back(
    geography, monkeypatch, tmp_path
):
    tables = ("registry_person", "registry_household")
    schema_before = _schema_of(tables)
    monkeypatch.setattr(import_loading.PostgresLoader, "BULK_INDEX_MIN_ROWS", 1)
    monkeypatch.setattr(importing, "BATCH_ROWS", 2)
    rows = [
        base_row(national_id=f"NEW{number:07d}", family_book_number=f"FB-NEW-{number:04d}")
        for number in range(1, 6)
    ]
    rows[4]["sex"] = "X"  # the third batch is bad: two batches were written already
    before = counts()

    outcome = import_file(write_csv(tmp_path / "p.csv", rows), "people")

    assert only_error(outcome, "bad_sex").line == 6
    assert counts() == before
    assert _schema_of(tables) == schema_before
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ANY(%s) "
            "AND column_default IS NOT NULL "
            "AND column_name IN ('created_at', 'updated_at', 'status')",
            [list(tables)],
        )
        assert cursor.fetchone()[0] == 0

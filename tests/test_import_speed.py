"""What the import does to go faster must not change what it does: the first batch sent in two
parts, the households made ready in the reading thread, and (PostgreSQL) the foreign keys of a
bulk load added back without a second pass, under locks that keep the load's own checks true."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from pakan.registry import import_loading, importing
from pakan.registry.importing import import_file
from pakan.registry.models import Household, Person
from tests.test_import import GOOD_PEOPLE, GOOD_PEOPLE_ROWS, base_row, counts, write_csv


def _people(count: int) -> list[dict[str, str]]:
    """`count` people in households of three, the head named last in each household."""
    rows = []
    for number in range(count):
        book = f"FB-SPD-{number // 3:04d}"
        relationship = "head" if number % 3 == 2 or number == count - 1 else "child"
        rows.append(
            base_row(national_id=f"SPD{number:07d}", family_book_number=book,
                     relationship_to_head=relationship, given_name_latin=f"Name{number}")
        )
    return rows


def test_a_first_batch_in_two_parts_gives_the_same_rows(geography, monkeypatch, tmp_path):
    monkeypatch.setattr(importing, "BATCH_ROWS", 5)
    monkeypatch.setattr(importing, "FIRST_PART_ROWS", 2)
    path = write_csv(tmp_path / "people.csv", _people(11))
    sizes: list[int] = []
    original = importing._Import._checked_batches

    def watched(self):
        for checked in original(self):
            sizes.append(checked.rows)
            yield checked

    monkeypatch.setattr(importing._Import, "_checked_batches", watched)

    outcome = import_file(path, "people")

    assert outcome.accepted, outcome.errors
    assert sizes == [2, 3, 5, 1]
    assert (outcome.created_people, outcome.created_households) == (11, 4)
    people = list(Person.objects.order_by("id"))
    assert [person.national_id for person in people] == [f"SPD{n:07d}" for n in range(11)]
    assert [person.pk for person in people] == list(range(people[0].pk, people[0].pk + 11))
    for household in Household.objects.all():
        members = sorted(household.members.values_list("national_id", flat=True))
        assert household.head.national_id == members[-1]
        assert len(members) == (3 if household.family_book_number != "FB-SPD-0003" else 2)


def test_errors_on_both_sides_of_the_split_name_their_lines(geography, monkeypatch, tmp_path):
    monkeypatch.setattr(importing, "BATCH_ROWS", 5)
    monkeypatch.setattr(importing, "FIRST_PART_ROWS", 2)
    rows = _people(8)
    rows[0]["sex"] = "X"  # line 2: in the first part
    rows[3]["sex"] = "Y"  # line 5: in the rest of the first batch
    rows[4]["national_id"] = rows[1]["national_id"]  # line 6 repeats line 3, across the split
    rows[6]["date_of_birth"] = "1980-13-01"  # line 8: the second batch
    before = counts()

    outcome = import_file(write_csv(tmp_path / "people.csv", rows), "people")

    assert not outcome.accepted and counts() == before
    found = {(error.line, error.code) for error in outcome.errors}
    assert {(2, "bad_sex"), (5, "bad_sex"), (8, "bad_date")} <= found
    repeated = [error for error in outcome.errors if error.line == 6]
    assert repeated and repeated[0].column == "national_id"


@pytest.mark.postgres_only
def test_a_bulk_load_holds_the_places_from_before_it_reads_them(geography, monkeypatch):
    monkeypatch.setattr(import_loading.PostgresLoader, "BULK_INDEX_MIN_ROWS", 1)
    modes: list[set[str]] = []
    original = import_loading.Loader.villages

    def watched(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() "
                "AND relation = 'registry_adminunit'::regclass"
            )
            modes.append({mode for (mode,) in cursor.fetchall()})
        return original(self)

    monkeypatch.setattr(import_loading.Loader, "villages", watched)

    assert import_file(GOOD_PEOPLE, "people").accepted

    assert len(modes) == 1 and "AccessExclusiveLock" in modes[0]
    assert Person.objects.count() == GOOD_PEOPLE_ROWS


@pytest.mark.postgres_only
def test_keys_added_back_not_valid_still_refuse_a_bad_reference(geography, monkeypatch):
    monkeypatch.setattr(import_loading.PostgresLoader, "BULK_INDEX_MIN_ROWS", 1)
    assert import_file(GOOD_PEOPLE, "people").accepted
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid IN ('registry_person'::regclass, 'registry_household'::regclass)"
        )
        keys = dict(cursor.fetchall())
    assert len(keys) == 5 and not any(keys.values())
    person = Person.objects.filter(household__isnull=False).first()
    changes = [
        ("registry_person", "village_id", person.pk),
        ("registry_person", "household_id", person.pk),
        ("registry_person", "merged_into_id", person.pk),
        ("registry_household", "head_id", person.household_id),
        ("registry_household", "village_id", person.household_id),
    ]
    for table, column, row in changes:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"UPDATE {table} SET {column} = -1 WHERE id = %s", [row])
    # And the old rows do meet them: PostgreSQL finds nothing when asked to look.
    with connection.cursor() as cursor:
        for name in keys:
            table = "registry_household" if name.startswith("registry_household") else (
                "registry_person")
            cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')


def test_not_valid_is_added_once():
    definition = "FOREIGN KEY (village_id) REFERENCES registry_adminunit(id)"
    assert import_loading.not_valid(definition) == f"{definition} NOT VALID"
    assert import_loading.not_valid(f"{definition} NOT VALID") == f"{definition} NOT VALID"

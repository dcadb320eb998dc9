"""The synthetic population: deterministic, realistic in shape, and valid for the registry."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from rapidfuzz import fuzz

from pakan.registry.columns import IDENTIFIER_PATTERN, PEOPLE_COLUMNS
from pakan.registry.geography import load_official_geography, official_rows, upsert_units
from pakan.registry.models import AdminUnit, Household, Person, Relationship
from pakan.registry.names import is_broken_lao, lao_key, latin_key
from pakan.registry.validation import clean_person_fields
from pakan.synth.demography import CENSUS_2015_POPULATION, MALE_SHARE_AT_BIRTH, life_expectancy
from pakan.synth.households import compose
from pakan.synth.name_lists import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    MALE_GIVEN_NAMES,
    VILLAGE_LANDSCAPES,
    VILLAGE_QUALIFIERS,
)
from pakan.synth.population import villages_for, write_people_csv
from pakan.synth.romanise import romanise
from pakan.synth.variants import toggle_tone_mark

PEOPLE = 5_000
SEED = 2026
IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "people.csv"
    calls: list[tuple[int, int]] = []
    summary = write_people_csv(path, PEOPLE, SEED, progress=lambda done, total:
                               calls.append((done, total)))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {"summary": summary, "rows": rows, "path": path, "progress": calls}


def age_on(birth: str, day: datetime.date) -> int:
    born = datetime.date.fromisoformat(birth)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def household_rows(rows):
    return [row for row in rows if row["family_book_number"]]


def near_duplicate_rows(rows):
    return [row for row in rows if not row["family_book_number"]]


def head_village(rows) -> dict[str, str]:
    return {row["family_book_number"]: row["village_code"] for row in rows
            if row["relationship_to_head"] == "head"}


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_people_csv(first, 2_000, 11)
    write_people_csv(second, 2_000, 11)
    write_people_csv(other, 2_000, 12)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_file_has_the_exchange_columns_and_reports_progress(generated):
    raw = generated["path"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\n", 1)[0].decode() == ",".join(PEOPLE_COLUMNS)
    rows = generated["rows"]
    assert len(rows) == PEOPLE == generated["summary"].rows
    assert all(ISO_DATE.match(row["date_of_birth"]) for row in rows)
    assert all(not row["date_of_death"] or ISO_DATE.match(row["date_of_death"]) for row in rows)
    assert {row["uxo_survivor"] for row in rows} == {"0", "1"}
    assert generated["progress"][-1] == (PEOPLE, PEOPLE)


def test_every_row_passes_the_registry_field_rules(generated):
    today = datetime.date.today()
    for line, row in enumerate(generated["rows"], start=2):
        _, errors = clean_person_fields(row, today)
        assert errors == [], (line, errors)
        assert not is_broken_lao(row["given_name_lo"]) and not is_broken_lao(row["family_name_lo"])
        assert age_on(row["date_of_birth"], today) <= 120


def test_identifiers_are_unique_and_well_formed(generated):
    rows = generated["rows"]
    national_ids = [row["national_id"] for row in rows if row["national_id"]]
    assert len(national_ids) == len(set(national_ids))
    assert all(IDENTIFIER.match(value) for value in national_ids)
    books = head_village(rows)
    assert all(IDENTIFIER.match(book) for book in books)
    # One family-book number per household: its members are listed together, head first.
    order = [row["family_book_number"] for row in household_rows(rows)]
    runs = [book for position, book in enumerate(order) if position == 0
            or order[position - 1] != book]
    assert len(runs) == len(set(runs)) == len(books) == generated["summary"].households


def test_each_household_has_exactly_one_living_adult_head(generated):
    rows = household_rows(generated["rows"])
    reference = generated["summary"].reference_date
    heads = Counter(row["family_book_number"] for row in rows
                    if row["relationship_to_head"] == "head")
    assert set(heads) == {row["family_book_number"] for row in rows}
    assert set(heads.values()) == {1}
    assert {row["relationship_to_head"] for row in rows} <= set(Relationship.values)
    for row in rows:
        if row["relationship_to_head"] == "head":
            assert not row["date_of_death"]
            assert age_on(row["date_of_birth"], reference) >= 17


def test_households_hold_about_five_people(generated):
    summary = generated["summary"]
    sizes = Counter(row["family_book_number"] for row in household_rows(generated["rows"]))
    assert 4.6 <= sum(sizes.values()) / len(sizes) <= 5.6
    assert summary.mean_household_size == pytest.approx(sum(sizes.values()) / len(sizes))
    assert max(sizes.values()) >= 9 and min(sizes.values()) == 1


def test_age_structure_follows_the_facts(generated):
    reference = generated["summary"].reference_date
    living = [row for row in household_rows(generated["rows"]) if not row["date_of_death"]]
    ages = np.array([age_on(row["date_of_birth"], reference) for row in living])
    assert 0.28 <= (ages < 15).mean() <= 0.34
    assert 0.035 <= (ages >= 65).mean() <= 0.06
    assert 0.45 <= np.mean([row["sex"] == "M" for row in living]) <= 0.55
    assert generated["summary"].share_under_15 == pytest.approx((ages < 15).mean(), abs=0.003)


def test_sex_ratio_at_birth_life_expectancy_and_old_age():
    members = compose(np.random.default_rng(5), 60_000)
    infants = members.age < 5
    assert members.male[infants].mean() == pytest.approx(MALE_SHARE_AT_BIRTH, abs=0.012)
    assert life_expectancy("M") == pytest.approx(66.0, abs=0.3)
    assert life_expectancy("F") == pytest.approx(69.5, abs=0.3)
    assert members.male[members.age >= 65].mean() < 0.5  # women live longer


def test_province_sizes_follow_the_2015_census(generated):
    rows = household_rows(generated["rows"])
    villages = head_village(rows)
    counts = Counter(villages[row["family_book_number"]][:2] for row in rows)
    total = sum(CENSUS_2015_POPULATION.values())
    for province, census in CENSUS_2015_POPULATION.items():
        assert counts[province] / len(rows) == pytest.approx(census / total, abs=0.008), province


def test_some_members_live_in_another_village_than_their_household(generated):
    rows = household_rows(generated["rows"])
    villages = head_village(rows)
    away = [row for row in rows if row["village_code"] != villages[row["family_book_number"]]]
    assert 0 < len(away) < 0.05 * len(rows)
    assert all(row["relationship_to_head"] == "child" for row in away)


def test_near_duplicates_each_have_an_original(generated):
    rows = generated["rows"]
    copies = near_duplicate_rows(rows)
    assert 0.007 * len(rows) <= len(copies) <= 0.013 * len(rows)
    originals = defaultdict(list)
    for row in household_rows(rows):
        originals[(row["date_of_birth"], row["sex"])].append(row)
    latin_changed = lao_changed = 0
    for copy in copies:
        assert not copy["national_id"] and not copy["relationship_to_head"]
        assert not copy["date_of_death"]
        full_key = latin_key(copy["given_name_latin"] + copy["family_name_latin"])
        matches = [row for row in originals[(copy["date_of_birth"], copy["sex"])]
                   if lao_key(row["given_name_lo"]) == lao_key(copy["given_name_lo"])
                   and lao_key(row["family_name_lo"]) == lao_key(copy["family_name_lo"])
                   and fuzz.ratio(latin_key(row["given_name_latin"] + row["family_name_latin"]),
                                  full_key) >= 85
                   and row["village_code"][:4] == copy["village_code"][:4]]
        assert matches, copy
        original = matches[0]
        latin_changed += (original["given_name_latin"], original["family_name_latin"]) != (
            copy["given_name_latin"], copy["family_name_latin"])
        lao_changed += (original["given_name_lo"], original["family_name_lo"]) != (
            copy["given_name_lo"], copy["family_name_lo"])
    assert latin_changed > 0 and lao_changed > 0


def test_latin_names_are_the_romanised_lao_names(generated):
    spelled: dict[str, set[str]] = defaultdict(set)
    for row in household_rows(generated["rows"]):
        assert row["given_name_latin"] == romanise(row["given_name_lo"])
        assert row["family_name_latin"] == romanise(row["family_name_lo"])
        spelled[row["given_name_lo"]].add(row["given_name_latin"])
    assert all(len(spellings) == 1 for spellings in spelled.values())


@pytest.mark.parametrize(("lao", "latin"), [
    ("ສົມພອນ", "Somphone"), ("ບຸນມີ", "Bounmy"), ("ໄຊສົມບູນ", "Xaysomboun"),
    ("ພອນສະຫວັນ", "Phonsavanh"), ("ສີສະຫວາດ", "Sisavath"), ("ແກ້ວມະນີ", "Kaeomany"),
    ("ຊຽງຂວາງ", "Xiengkhouang"), ("ຫຼວງພະບາງ", "Louangphabang"), ("ບຸນເຫຼືອ", "Bounleua"),
    ("ເພັດສະໝອນ", "Phetsamone"), ("ບ້ານ ນາໃຫຍ່", "Ban Nayay"), ("ຄຳ 2", "Kham 2"),
])
def test_romaniser_examples(lao, latin):
    assert romanise(lao) == latin


def test_name_lists_are_clean_lao_and_tone_marks_do_not_change_the_latin():
    names = (MALE_GIVEN_NAMES + FEMALE_GIVEN_NAMES + FAMILY_NAMES + VILLAGE_LANDSCAPES
             + VILLAGE_QUALIFIERS)
    for name in names:
        assert not is_broken_lao(name), name
        variant = toggle_tone_mark(name)
        assert variant != name and not is_broken_lao(variant), name
        assert lao_key(variant) == lao_key(name)
        assert romanise(variant) == romanise(name), name
        assert re.fullmatch("[A-Z][a-z]+", romanise(name)), name


def test_functional_difficulty_is_blank_for_young_children(generated):
    reference = generated["summary"].reference_date
    domains = [column for column in PEOPLE_COLUMNS if column.startswith("difficulty_")]
    with_difficulty = aged_5_plus = 0
    for row in household_rows(generated["rows"]):
        answers = [row[domain] for domain in domains]
        if age_on(row["date_of_birth"], reference) < 5:
            assert answers == [""] * len(domains)
        else:
            assert set(answers) <= {"1", "2", "3", "4"}
            aged_5_plus += 1
            with_difficulty += any(answer in ("3", "4") for answer in answers)
    assert 0.01 <= with_difficulty / aged_5_plus <= 0.06


def test_deaths_uxo_survivors_phones_and_national_ids(generated):
    reference = generated["summary"].reference_date
    rows = household_rows(generated["rows"])
    dead = [row for row in rows if row["date_of_death"]]
    assert 0 < len(dead) < 0.02 * len(rows)
    assert all(row["date_of_birth"] <= row["date_of_death"] <= reference.isoformat()
               for row in dead)
    survivors = [row for row in rows if row["uxo_survivor"] == "1"]
    assert 0 < len(survivors) < 0.01 * len(rows)
    assert all(age_on(row["date_of_birth"], reference) >= 10 for row in survivors)
    adults = [row for row in rows if age_on(row["date_of_birth"], reference) >= 18]
    assert np.mean([bool(row["national_id"]) for row in adults]) >= 0.8
    assert 0.3 <= np.mean([bool(row["phone"]) for row in adults]) <= 0.8
    children = [row for row in rows if age_on(row["date_of_birth"], reference) < 15]
    assert not any(row["national_id"] or row["phone"] for row in children)


def test_villages_cover_every_district_and_scale_with_the_population():
    villages = villages_for(PEOPLE, SEED)
    districts = {row.code for row in official_rows() if row.level == AdminUnit.Level.DISTRICT}
    assert len(districts) == 148
    assert {row.parent_code for row in villages} == districts
    assert len({row.code for row in villages}) == len(villages)
    for row in villages:
        assert re.fullmatch(r"\d{7}", row.code) and row.code.startswith(row.parent_code)
        assert row.name_en.startswith("Ban ") and row.name_lo.startswith("ບ້ານ")
        assert len(row.name_en) <= 100 and not is_broken_lao(row.name_lo)
    assert 8_300 <= len(villages_for(7_500_000, SEED)) <= 8_700
    assert villages_for(PEOPLE, SEED) == villages


@pytest.mark.django_db
def test_every_village_code_exists_after_loading_the_villages(generated):
    load_official_geography()
    upsert_units(villages_for(PEOPLE, SEED))
    used = {row["village_code"] for row in generated["rows"]}
    known = set(AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE, code__in=used)
                .values_list("code", flat=True))
    assert used == known


@pytest.mark.django_db
def test_command_does_nothing_when_people_are_registered(geography, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    Person.objects.create(given_name_lo="ບຸນມີ", family_name_lo="ວົງສາ", given_name_latin="Bounmy",
                          family_name_latin="Vongsa", sex="M",
                          date_of_birth=datetime.date(1980, 1, 1), village=geography["0101001"])
    out = io.StringIO()
    call_command("synth", people=50, seed=1, stdout=out)
    assert "already there" in out.getvalue()
    assert Person.objects.count() == 1
    assert list(Path(tmp_path).iterdir()) == []


@pytest.mark.django_db
def test_command_generates_and_imports_the_population_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("synth", people=400, seed=3, stdout=out)
    assert (tmp_path / "synth-3-400.csv").is_file()
    assert Person.objects.count() == 400
    with (tmp_path / "synth-3-400.csv").open(encoding="utf-8", newline="") as handle:
        households = {row["family_book_number"] for row in csv.DictReader(handle)} - {""}
    assert Household.objects.count() == len(households)
    call_command("synth", people=400, seed=3, stdout=out)
    assert Person.objects.count() == 400
    assert "already there" in out.getvalue()

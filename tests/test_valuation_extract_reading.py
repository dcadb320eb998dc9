"""The extract's machinery: months counted back in integer arithmetic, the masks of 63 months,
the binary COPY reader, the file's format, and (on PostgreSQL) COPY against a plain cursor."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.db import connection

from pakan.valuation.extract.arrays import ExtractArrays, months_from_masks
from pakan.valuation.extract.period import ValuationPeriod, add_months, one_year_before
from pakan.valuation.extract.reading import (
    BRANCH_NAMES,
    CATEGORY_NAMES,
    MONTH_SCALE,
    MONTH_SCALED,
    Column,
    Dialect,
    blocks_for,
    member_columns,
    parse_copy_binary,
    pension_columns,
    population_columns,
    read_columns,
    record_columns,
    spell_columns,
)


def test_months_back_by_days_over_the_average_month_is_exact_from_1900_to_2300():
    months = np.arange(np.datetime64("1900-01"), np.datetime64("2300-01"))
    days = months.astype("datetime64[D]").astype(np.int64)
    for lag in range(1, 601):  # every pair of months up to 50 years apart
        between = days[lag:] - days[:-lag]
        counted = (between * MONTH_SCALE + MONTH_SCALED // 2) // MONTH_SCALED
        assert np.array_equal(counted, np.full(len(between), lag)), lag


@pytest.mark.django_db
def test_the_databases_count_months_back_as_the_formula_does():
    dialect = Dialect.current()
    cutoff = datetime.date(2026, 1, 1)
    expected = {}
    for back in (0, 1, 11, 12, 62, 63, 64, 125, 126, 300, 479):
        expected[add_months(cutoff, -back - 1)] = back
    selects = " UNION ALL ".join(
        f"SELECT {dialect.months_back(dialect.date(day), cutoff)}, {back}"
        for day, back in expected.items())
    with connection.cursor() as cursor:
        cursor.execute(selects)
        rows = cursor.fetchall()
    assert [int(found) for found, _ in rows] == [back for _, back in rows]


def test_the_periods_dates():
    period = ValuationPeriod(datetime.date(2025, 12, 31))
    assert (period.cutoff, period.valuation_month, period.window_start) == (
        datetime.date(2026, 1, 1), datetime.date(2025, 12, 1), datetime.date(2025, 1, 1))
    assert (period.year_before, period.base_year) == (datetime.date(2024, 12, 31), 2026)
    first_of_year = ValuationPeriod(datetime.date(2026, 1, 1))
    assert first_of_year.valuation_month == datetime.date(2025, 12, 1)  # January not ended
    assert first_of_year.base_year == 2026
    assert ValuationPeriod(datetime.date(2025, 6, 30)).valuation_month == datetime.date(2025,
                                                                                        6, 1)
    assert one_year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)


def test_blocks_of_63_months_reach_the_earliest_record():
    period = ValuationPeriod(datetime.date(2025, 12, 31))
    assert blocks_for(period, None) == 1
    assert blocks_for(period, datetime.date(2025, 12, 1)) == 1
    assert blocks_for(period, add_months(datetime.date(2025, 12, 1), -62)) == 1
    assert blocks_for(period, add_months(datetime.date(2025, 12, 1), -63)) == 2
    assert blocks_for(period, datetime.date(2001, 7, 1)) == 5  # 293 months back


def test_months_are_counted_from_the_masks():
    # Member 0: the valuation month and the 12th month back (outside the window) in block 0,
    # and month 63 + 5 in block 1; member 1: none; member 2: months 3 to 14 back.
    block_0 = np.array([1 | (1 << 12), 0, sum(1 << back for back in range(3, 15))],
                       dtype=np.uint64)
    block_1 = np.array([1 << 5, 0, 0], dtype=np.uint64)
    total, last_12, latest = months_from_masks([block_0, block_1])
    assert total.tolist() == [3, 0, 12]
    assert last_12.tolist() == [1, 0, 9]
    assert latest.tolist() == [0, -1, 3]
    only_old = months_from_masks([np.array([0], np.uint64), np.array([1 << 62], np.uint64)])
    assert [values.tolist() for values in only_old] == [[1], [0], [125]]


def _copy_stream(rows: list[tuple[int, ...]], widths: tuple[int, ...]) -> bytes:
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    body = b""
    for row in rows:
        body += len(row).to_bytes(2, "big")
        for value, width in zip(row, widths, strict=True):
            if value is None:
                body += (-1).to_bytes(4, "big", signed=True)
            else:
                body += width.to_bytes(4, "big") + value.to_bytes(width, "big", signed=True)
    return header + body + b"\xff\xff"


def test_the_binary_copy_stream_is_read_as_columns():
    columns = [Column("age", "", "i2"), Column("wage", "", "i8"), Column("day", "", "i4")]
    data = _copy_stream([(45, 3_000_000, -5), (-1, 2**40, 20_000)], (2, 8, 4))
    parsed = parse_copy_binary(data, columns)
    assert parsed["age"].tolist() == [45, -1]
    assert parsed["wage"].tolist() == [3_000_000, 2**40]
    assert parsed["day"].tolist() == [-5, 20_000]
    assert parse_copy_binary(_copy_stream([], (2, 8, 4)), columns)["age"].tolist() == []
    with pytest.raises(ValueError, match="NULL"):
        parse_copy_binary(_copy_stream([(1, None, 3)], (2, 8, 4)),
                          [columns[0], Column("wage", "", "i4"), columns[2]])
    with pytest.raises(ValueError):
        parse_copy_binary(b"not a copy stream", columns)


def _arrays() -> ExtractArrays:
    period = ValuationPeriod(datetime.date(2025, 12, 31))
    epoch = datetime.date(1970, 1, 1)
    birth = np.array([(datetime.date(1980, 1, 1) - epoch).days,
                      (datetime.date(1990, 7, 1) - epoch).days], dtype=np.int32)
    one, zero = np.ones(2, np.int16), np.zeros(2, np.int16)
    members = {"birth_day": birth, "female": np.array([0, 1], np.int16), "alive": one,
               "retired": zero, "category": np.array([1, 2], np.int16),
               "first_start_day": np.array([15_000, 20_300], np.int32), "covered": one,
               "covered_year_before": one, "membership_months_total": np.array([120, 12]),
               "membership_months_last_12": np.array([12, 12]),
               "wage_sum_12": np.array([36_000_000, 5]), "wage_last_month": np.array([3, 0]),
               "earliest_month": np.zeros(2, np.int32),
               "mask_0": np.array([(1 << 12) - 1, 1 << 4], np.int64)}
    pensions = {name: np.zeros(0, np.int64) for name in (
        "birth_day", "female", "alive", "branch", "start_day", "not_ended",
        "status_in_payment", "monthly_amount")}
    population = {"female": np.array([0, 1, 1]), "birth_day": np.array([3650, 3650, -36500]),
                  "people": np.array([2, 3, 4])}
    return ExtractArrays.from_raw(period, members, pensions, population, CATEGORY_NAMES,
                                  BRANCH_NAMES)


def test_the_file_is_the_same_bytes_for_the_same_numbers_and_reads_back():
    arrays = _arrays()
    data = arrays.to_bytes()
    assert _arrays().to_bytes() == data
    back = ExtractArrays.from_bytes(data)
    assert back.valuation_date == arrays.valuation_date
    assert back.category_names == CATEGORY_NAMES and back.branch_names == BRANCH_NAMES
    for name, values in arrays.members.items():
        assert np.array_equal(back.members[name], values) and back.members[name].dtype == \
            values.dtype, name
    assert np.array_equal(back.population_counts, arrays.population_counts)
    # Born 1979-12-30: 46 at the end of 2025; born in 1870: in the open group 100+.
    assert back.population_counts[0, 46] == 2 and back.population_counts[1, 46] == 3
    assert back.population_counts[1, 100] == 4 and back.population_counts.sum() == 9
    # Rows are in the order of their values (age first), not of the input.
    assert back.members["age"].tolist() == [35, 45]
    assert back.members["wage_average_12"].tolist() == [5, 3_000_000]  # 5 / 1 month


@pytest.fixture
def extract_fund(geography) -> dict:
    from tests.test_valuation_extract import build_fund

    return build_fund(geography)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_copy_and_cursor_read_the_same_rows(extract_fund):
    dialect = Dialect.current()
    period = ValuationPeriod(datetime.date(2025, 12, 31))
    for columns_of in (member_columns, spell_columns, pension_columns, population_columns,
                       lambda *args: record_columns(*args, blocks=4)):
        columns, body = columns_of(dialect, period)
        copied = read_columns(dialect, columns, body, through_copy=True)
        fetched = read_columns(dialect, columns, body, through_copy=False)
        order_copied = np.lexsort(tuple(copied.values()))
        order_fetched = np.lexsort(tuple(fetched.values()))
        for name in copied:
            assert np.array_equal(copied[name][order_copied], fetched[name][order_fetched]), name
        assert len(next(iter(copied.values()))) > 0

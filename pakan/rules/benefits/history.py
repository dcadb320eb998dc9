"""Contribution histories as flat record arrays, and the windows the benefit rules count.

A member's counted months are a block of consecutive records (sorted by member, then month).
Every question a rule asks of the record — how many months before the event, how many in the
last 24 months, the average wage of the last 6 counted months — is answered for all members at
once: a binary search run inside every member's block of records together, and one sequential
`np.add.reduceat` for wage sums. No Python loop per member, so one member and a million take
the same code.

Convention (documented in docs/benefit-rules.md): a month counts for an event when it is
strictly before the event's month; "the last N months" are the N calendar months before the
event's month; "the last N counted months" are the member's N most recent counted months
before it, whatever the gaps between them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.rules.legal_parameters import RulesError


def _column(values: ArrayLike, dtype: str, field_name: str) -> NDArray[Any]:
    try:
        return np.atleast_1d(np.asarray(values, dtype=dtype))
    except (TypeError, ValueError) as problem:
        raise RulesError(
            f"{field_name} cannot be read as {dtype}: {problem}",
            f"ອ່ານ {field_name} ບໍ່ໄດ້",  # own wording
            field=field_name,
        ) from None


@dataclass(frozen=True)
class ContributionHistory:
    """n members; their counted contribution months as flat record arrays.

    `record_member` holds the member index 0..n-1 of each record, sorted by member then month,
    one record per member and month (the wages of all employers summed).
    """

    birth_date: np.ndarray  # datetime64[D], shape (n,)
    sex: np.ndarray  # '<U1' "M"/"F", shape (n,)
    category: np.ndarray  # member category, shape (n,)
    record_member: np.ndarray  # int64, shape (r,)
    record_month: np.ndarray  # datetime64[M], shape (r,)
    record_wage: np.ndarray  # int64, shape (r,)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.birth_date.shape[0]
        if self.sex.shape != (n,) or self.category.shape != (n,):
            raise RulesError(
                f"birth_date, sex and category must have one value per member ({n})",
                f"ວັນເດືອນປີເກີດ, ເພດ ແລະ ປະເພດ ຕ້ອງມີຄ່າດຽວຕໍ່ຜູ້ປະກັນຕົນ ({n})",
                field="sex",
            )
        r = self.record_member.shape[0]
        if self.record_month.shape != (r,) or self.record_wage.shape != (r,):
            raise RulesError(
                "record_member, record_month and record_wage must have the same length",
                "record_member, record_month ແລະ record_wage ຕ້ອງມີຄວາມຍາວເທົ່າກັນ",
                field="record_month",
            )
        if self.birth_date.dtype != np.dtype("datetime64[D]"):
            raise RulesError("birth_date must be datetime64[D]",
                             "ວັນເດືອນປີເກີດ ຕ້ອງເປັນວັນທີ", field="birth_date")
        if self.record_month.dtype != np.dtype("datetime64[M]"):
            raise RulesError("record_month must be datetime64[M]",
                             "record_month ຕ້ອງເປັນເດືອນ", field="record_month")
        if not np.issubdtype(self.record_member.dtype, np.integer):
            raise RulesError("record_member must be integers",
                             "record_member ຕ້ອງເປັນຈຳນວນເຕັມ", field="record_member")
        if not np.issubdtype(self.record_wage.dtype, np.integer):
            raise RulesError("record_wage must be whole kip (integers)",
                             "ເງິນເດືອນປະກັນຕົນ ຕ້ອງເປັນຈຳນວນເຕັມ ກີບ", field="record_wage")
        self._check_values(n)

    def _check_values(self, n: int) -> None:
        unknown_sex = np.flatnonzero((self.sex != "M") & (self.sex != "F"))
        if unknown_sex.size:
            row = int(unknown_sex[0])
            raise RulesError(
                f"sex {self.sex[row]!r} is neither M nor F",
                f"ເພດ {self.sex[row]!r} ບໍ່ແມ່ນ M ຫຼື F", row=row, field="sex",
            )
        missing_birth = np.flatnonzero(np.isnat(self.birth_date))
        if missing_birth.size:
            row = int(missing_birth[0])
            raise RulesError("the date of birth is missing", "ບໍ່ມີວັນເດືອນປີເກີດ",
                             row=row, field="birth_date")
        if self.record_member.size == 0:
            return
        members = self.record_member
        if int(members[0]) < 0 or int(members[-1]) >= n:
            raise RulesError(
                f"record_member must be member indexes 0..{n - 1}",
                f"record_member ຕ້ອງຢູ່ລະຫວ່າງ 0..{n - 1}", field="record_member",
            )
        position = _first_unsorted(members, self.record_month.view(np.int64))
        if position is not None:
            raise RulesError(
                f"record {position}: records must be sorted by member then month, one per month",
                f"ລາຍການ {position}: ຕ້ອງລຽງຕາມຜູ້ປະກັນຕົນ ແລ້ວຕາມເດືອນ, ເດືອນລະລາຍການດຽວ",
                row=int(members[position]), field="record_month",
            )
        negative = np.flatnonzero(self.record_wage < 0)
        if negative.size:
            position = int(negative[0])
            raise RulesError(
                f"a negative insured wage ({int(self.record_wage[position])}) in "
                f"{self.record_month[position]}",
                f"ເງິນເດືອນປະກັນຕົນຕິດລົບ ໃນເດືອນ {self.record_month[position]}",
                row=int(members[position]), field="record_wage",
            )

    @property
    def size(self) -> int:
        return int(self.birth_date.shape[0])

    @classmethod
    def single(
        cls,
        *,
        birth_date: datetime.date | np.datetime64 | str,
        sex: str,
        category: str,
        months: ArrayLike,
        wages: ArrayLike,
    ) -> ContributionHistory:
        """One member's history from their counted months (any order) and wages."""
        month_array = _column(months, "datetime64[M]", "months")
        wage_array = _column(wages, "int64", "wages")
        if wage_array.shape == (1,) and month_array.shape[0] != 1:
            wage_array = np.full(month_array.shape, wage_array[0], dtype=np.int64)
        if month_array.shape != wage_array.shape:
            raise RulesError(
                f"{month_array.size} months but {wage_array.size} wages",
                f"{month_array.size} ເດືອນ ແຕ່ {wage_array.size} ເງິນເດືອນ",
                field="wages",
            )
        order = np.argsort(month_array, kind="stable")
        return cls(
            birth_date=_column([birth_date], "datetime64[D]", "birth_date"),
            sex=_column([sex], "<U1", "sex"),
            category=_column([category], "<U20", "category"),
            record_member=np.zeros(month_array.shape, dtype=np.int64),
            record_month=month_array[order],
            record_wage=wage_array[order],
        )

    @classmethod
    def concatenate(cls, histories: list[ContributionHistory]) -> ContributionHistory:
        """Several histories as one (members renumbered in order): for tests and batch jobs."""
        offsets = np.cumsum([0] + [history.size for history in histories])
        return cls(
            birth_date=np.concatenate([history.birth_date for history in histories]),
            sex=np.concatenate([history.sex for history in histories]).astype("<U1"),
            category=np.concatenate([history.category for history in histories]).astype("<U20"),
            record_member=np.concatenate([
                history.record_member + offset
                for history, offset in zip(histories, offsets[:-1], strict=True)
            ]).astype(np.int64),
            record_month=np.concatenate([history.record_month for history in histories]),
            record_wage=np.concatenate([history.record_wage for history in histories]),
        )

    def member_bounds(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Each member's records are [start, stop) (start == stop when there are none)."""
        bounds = self._cache.get("bounds")
        if bounds is None:
            counts = np.bincount(self.record_member, minlength=self.size).astype(np.int64)
            stop = np.cumsum(counts)
            bounds = (stop - counts, stop)
            self._cache["bounds"] = bounds
        return bounds


_CHUNK = 4_000_000


def _first_unsorted(members: NDArray[np.integer], months: NDArray[np.int64]) -> int | None:
    """Position of the first record not after its predecessor (by member, then month)."""
    for first in range(0, max(members.shape[0] - 1, 0), _CHUNK):
        last = min(first + _CHUNK + 1, members.shape[0])
        member_step = np.diff(members[first:last])
        month_step = np.diff(months[first:last])
        wrong = np.flatnonzero((member_step < 0) | ((member_step == 0) & (month_step <= 0)))
        if wrong.size:
            return first + int(wrong[0]) + 1
    return None


def months_of(dates: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """datetime64 dates as months since 1970-01 (int64)."""
    return dates.astype("datetime64[M]").view(np.int64)


class RecordWindows:
    """Positions in the record arrays for a column of event dates (one per member)."""

    def __init__(self, history: ContributionHistory, event_month: NDArray[np.int64]) -> None:
        self.history = history
        self.event_month = event_month
        self.start, self.stop = history.member_bounds()
        self._months = history.record_month.view(np.int64)
        # End (exclusive) of the records strictly before the event's month.
        self.end = self.position_of_month(self.event_month)

    def position_of_month(self, month: NDArray[np.int64]) -> NDArray[np.int64]:
        """First record of each member whose month is >= `month` (per member).

        A binary search inside each member's own records, all members at once: about
        log2(longest record) steps over n rows, instead of a search over all records.
        """
        low, high = self.start.copy(), self.stop.copy()
        last = max(self._months.shape[0] - 1, 0)
        while True:
            active = low < high
            if not active.any():
                return low
            middle = (low + high) // 2
            if self._months.shape[0] == 0:
                return low
            before = self._months[np.minimum(middle, last)] < month
            low = np.where(active & before, middle + 1, low)
            high = np.where(active & ~before, middle, high)

    def months_before_event(self) -> NDArray[np.int64]:
        return self.end - self.start

    def window_start(self, months: NDArray[np.int64] | int) -> NDArray[np.int64]:
        """First record in the last `months` calendar months before the event (0 = all)."""
        months = np.broadcast_to(np.asarray(months, dtype=np.int64), self.end.shape)
        return np.where(
            months > 0, self.position_of_month(self.event_month - months), self.start
        )

    def months_after(self, month: NDArray[np.int64]) -> NDArray[np.int64]:
        """Counted months strictly after `month` and before the event's month."""
        return self.end - np.maximum(self.position_of_month(month + 1), self.start)

    def last_counted(self, months: NDArray[np.int64] | int) -> tuple[NDArray, NDArray]:
        """Positions [low, end) of the last `months` counted months before the event."""
        months = np.broadcast_to(np.asarray(months, dtype=np.int64), self.end.shape)
        low = np.maximum(self.end - months, self.start)
        return low, self.end

    def wage_sum(self, low: NDArray[np.int64], high: NDArray[np.int64]) -> NDArray[np.int64]:
        """Sum of the wages of records [low, high) per member.

        The windows lie inside the members' blocks, so they come in record order: one
        `np.add.reduceat` over the interleaved bounds sums them in a single sequential pass.
        """
        wages = self.history.record_wage
        count = high - low
        total = np.zeros(low.shape, dtype=np.int64)
        size = wages.shape[0]
        if size == 0 or low.size == 0:
            return total
        bounds = np.empty(2 * low.size, dtype=np.int64)
        bounds[0::2] = np.minimum(low, size - 1)
        bounds[1::2] = np.minimum(high, size - 1)
        sums = np.add.reduceat(wages, bounds)[0::2]
        # A window ending at the very last record was summed without it (bounds are clipped).
        to_the_end = (high == size) & (count > 1)
        sums[to_the_end] += wages[size - 1]
        return np.where(count > 0, sums, total).astype(np.int64)

    def average_wage(self, months: NDArray[np.int64] | int) -> tuple[NDArray, NDArray]:
        """Average wage of the last `months` counted months (half up to the kip), and low."""
        low, high = self.last_counted(months)
        total = self.wage_sum(low, high)
        count = high - low
        safe = np.maximum(count, 1)
        average = (2 * total + safe) // (2 * safe)
        return np.where(count > 0, average, 0).astype(np.int64), low


def calendar(dates: NDArray[np.datetime64]) -> tuple[NDArray, NDArray, NDArray]:
    """Year, month (0-11) and day (0-based) of each date, with two calendar conversions."""
    month_index = dates.astype("datetime64[M]")
    day = (dates - month_index.astype(dates.dtype)).astype(np.int64)
    months = month_index.view(np.int64)
    return months // 12, months % 12, day


def age_in_years(
    birth_date: NDArray[np.datetime64], on: NDArray[np.datetime64],
    on_calendar: tuple[NDArray, NDArray, NDArray] | None = None,
) -> NDArray[np.int64]:
    """Completed years of age on a date (a 29 February birthday falls on 1 March)."""
    birth_year, birth_month, birth_day = calendar(birth_date)
    on_year, on_month, on_day = on_calendar if on_calendar is not None else calendar(on)
    before_birthday = (on_month < birth_month) | ((on_month == birth_month) & (on_day < birth_day))
    return on_year - birth_year - before_birthday.astype(np.int64)


def add_years(dates: NDArray[np.datetime64], years: int | NDArray[np.int64]) -> NDArray:
    """The same day `years` later (29 February becomes 1 March in a common year)."""
    return add_months(dates, np.asarray(years, dtype=np.int64) * 12)


def add_months(dates: NDArray[np.datetime64], months: int | NDArray[np.int64]) -> NDArray:
    """The same day of the month `months` later; a day past the month's end rolls over."""
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = (month + np.asarray(months, dtype=np.int64)).astype("datetime64[D]")
    return target + day


def compact_ranges(months: NDArray[np.datetime64]) -> list[list[str]]:
    """Sorted months as [["2001-01", "2019-12"], ...] runs of consecutive months."""
    if months.size == 0:
        return []
    values = months.astype("datetime64[M]").view(np.int64)
    breaks = np.flatnonzero(np.diff(values) != 1) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks - 1, [values.size - 1]])
    text = months.astype("datetime64[M]").astype(str)
    return [[str(text[first]), str(text[last])] for first, last in zip(starts, ends, strict=True)]

"""Insured members by scheme, sex, age and credited years, for every run at once.

The grid is `[run, scheme, sex, age, credited years]`, ages ENTRY_AGE .. top - 1 on 1 January
(top = the highest pension age of the projection) and credited years 0 .. K - 1, where the last
bucket holds every count of years from which the pension formulas no longer change (a 75 %
pension from 25 years on needs no bucket for 26, 27, ...): exact, and much smaller.

`active` members contribute, `inactive` ones keep their credits. Totals by age (`[run, scheme,
sex, age]`) are kept beside the grid, so the yearly step sums over credited years only where a
result needs it. The year's step is described in `engine`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def credit_buckets(rates: NDArray, qualified: NDArray, lump_months: NDArray) -> int:
    """Fewest credit buckets that keep every scheme's rate, qualification and lump sum exact:
    `rates`, `qualified`, `lump_months` are `[scheme, credited years 0..most]`."""
    most = rates.shape[1] - 1
    needed = 1
    for values in (rates, qualified.astype(float), lump_months):
        changes = np.nonzero(np.any(values[:, 1:] != values[:, :-1], axis=0))[0]
        if changes.size:
            needed = max(needed, int(changes[-1]) + 2)
    return min(needed, most + 1)


class MemberGrid:
    def __init__(self, active: NDArray, inactive: NDArray) -> None:
        self.active, self.inactive = active, inactive
        self.active_total = active.sum(-1)
        self.inactive_total = inactive.sum(-1)
        self._spare = (np.empty_like(active), np.empty_like(inactive))
        self._scratch = np.empty_like(active[..., 1:, 1:])

    def accrue_survive_and_age(
        self, density: NDArray, survival: NDArray
    ) -> tuple[NDArray, NDArray]:
        """One year for everyone: a share `density` `[run, scheme, sex, age]` of each active
        cell earns a credited year, all survive with `survival` `[run, sex, age]` and move a
        year up. Returns the members who reach the top age (active, inactive)
        `[run, scheme, sex, credits]` (the grid has no room for them: they all retire)."""
        factor = survival[:, None]  # [run, 1, sex, age]
        staying = factor * (1.0 - density)
        moving = factor * density
        new_active, new_inactive = self._spare
        np.multiply(self.active[..., :-1, :], staying[..., :-1, None], out=new_active[..., 1:, :])
        scratch = np.multiply(self.active[..., :-1, :-1], moving[..., :-1, None],
                              out=self._scratch)
        new_active[..., 1:, 1:] += scratch
        new_active[..., 1:, -1] += self.active[..., :-1, -1] * moving[..., :-1]
        new_active[..., 0, :] = 0.0
        top_active = self.active[..., -1, :] * staying[..., -1, None]
        top_active[..., 1:] += self.active[..., -1, :-1] * moving[..., -1, None]
        top_active[..., -1] += self.active[..., -1, -1] * moving[..., -1]
        np.multiply(self.inactive[..., :-1, :], factor[..., :-1, None],
                    out=new_inactive[..., 1:, :])
        new_inactive[..., 0, :] = 0.0
        top_inactive = self.inactive[..., -1, :] * factor[..., -1, None]
        self._spare = (self.active, self.inactive)
        self.active, self.inactive = new_active, new_inactive
        for name in ("active_total", "inactive_total"):
            total = getattr(self, name)
            aged = np.zeros_like(total)
            aged[..., 1:] = total[..., :-1] * factor[..., :-1]
            setattr(self, name, aged)
        return top_active, top_inactive

    def take_retiring(self, retired: NDArray, tops: tuple[NDArray, NDArray]) -> tuple[NDArray, int]:
        """Remove members at or above the pension age (`retired` `[scheme, sex, age]`); return
        them `[run, scheme, sex, ages first..top, credits]` and `first`, the first grid age."""
        ages = retired.shape[-1]
        any_age = retired.any(axis=(0, 1))
        first = int(np.argmax(any_age)) if any_age.any() else ages
        keep = ~retired[None, :, :, first:]
        leaving = (self.active[..., first:, :] + self.inactive[..., first:, :]) * \
            retired[None, :, :, first:, None]
        self.active[..., first:, :] *= keep[..., None]
        self.inactive[..., first:, :] *= keep[..., None]
        self.active_total[..., first:] *= keep
        self.inactive_total[..., first:] *= keep
        top = (tops[0] + tops[1])[..., None, :]
        return np.concatenate([leaving, top], axis=-2), first

    def meet_targets(self, target: NDArray, reentry_rate: float) -> tuple[NDArray, ...]:
        """Exits, re-entries and new entrants that bring the actives to `target`
        `[run, scheme, sex, age]`; returns (entrants, re-entrants, exits) `[run, ...]`."""
        surviving, inactive_total = self.active_total, self.inactive_total
        exit_share = np.where(
            surviving > target,
            1.0 - np.divide(target, surviving, out=np.ones_like(target), where=surviving > 0),
            0.0,
        )
        need = np.maximum(target - surviving, 0.0)
        returning = np.minimum(need, reentry_rate * inactive_total)
        return_share = np.divide(returning, inactive_total, out=np.zeros_like(returning),
                                 where=inactive_total > 0)
        leaving = np.multiply(self.active, exit_share[..., None], out=self._spare[0])
        leaving -= np.multiply(self.inactive, return_share[..., None], out=self._spare[1])
        self.active -= leaving
        self.inactive += leaving
        entrants = need - returning
        self.active[..., 0] += entrants
        exits = surviving * exit_share
        self.active_total = surviving * (1.0 - exit_share) + need
        self.inactive_total = inactive_total + exits - returning
        return entrants, returning, exits

"""Compliance lists that find the gaps in what employers declare, and the risk ranking.

Each list is one query over whole tables (EXISTS and GROUP BY in SQL, no loop over employers),
restricted to the reader's scope: staff see their province or district, an employer account
its own enterprise, anyone else nothing. Thresholds are dated legal parameters under
`social_security.compliance` (pakan/rules/parameters/social_security/compliance/), all
provisional: the sources give none.

A month is given as its first day; "the month looked at" is M, "the month before" M-1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from pakan.accounts.scope import restrict, scope_path
from pakan.rules.legal_parameters import value_at
from pakan.rules.months import month_end
from pakan.rules.social_security import RATE_SCALE, check_month
from pakan.socialsecurity.models import (
    Declaration,
    DeclarationLine,
    Employer,
    EmploymentSpell,
    EnterpriseRegisterEntry,
    RiskScore,
    Sector,
    SizeClass,
)
from pakan.socialsecurity.selectors.register import employer_of_user

PARAMETERS = "social_security.compliance"
# Declarations that were accepted when made (a superseded one was accepted, then corrected).
DECLARED = (Declaration.Status.ACCEPTED, Declaration.Status.SUPERSEDED)


@dataclass(frozen=True)
class ComplianceParameters:
    """The thresholds and risk points valid on a date, read once per list or run."""

    stopped_declaring_months: int
    wage_drop_ppm: int
    recently_inspected_months: int
    stopped_declaring_points: int
    vanished_worker_points: int
    vanished_workers_maximum: int
    wage_drop_points: int
    wage_drops_maximum: int
    sector_points: dict[str, int]
    size_points: dict[str, int]

    def names(self) -> list[str]:
        """The dotted names of every parameter, for a run's `parameters_used`."""
        names = [f"{PARAMETERS}.{name}" for name in (
            "stopped_declaring_months", "wage_drop_share", "recently_inspected_months")]
        names += [f"{PARAMETERS}.risk_points.{name}" for name in (
            "stopped_declaring", "vanished_worker", "vanished_workers_maximum", "wage_drop",
            "wage_drops_maximum")]
        names += [f"{PARAMETERS}.risk_points.sector.{letter}" for letter in Sector.values]
        names += [f"{PARAMETERS}.risk_points.size.{size}" for size in SizeClass.values]
        return names


def compliance_parameters(on: datetime.date) -> ComplianceParameters:
    def value(name: str):
        return value_at(f"{PARAMETERS}.{name}", on)

    return ComplianceParameters(
        stopped_declaring_months=int(value("stopped_declaring_months")),
        wage_drop_ppm=round(float(value("wage_drop_share")) * RATE_SCALE),
        recently_inspected_months=int(value("recently_inspected_months")),
        stopped_declaring_points=int(value("risk_points.stopped_declaring")),
        vanished_worker_points=int(value("risk_points.vanished_worker")),
        vanished_workers_maximum=int(value("risk_points.vanished_workers_maximum")),
        wage_drop_points=int(value("risk_points.wage_drop")),
        wage_drops_maximum=int(value("risk_points.wage_drops_maximum")),
        sector_points={letter: int(value(f"risk_points.sector.{letter}"))
                       for letter in Sector.values},
        size_points={size: int(value(f"risk_points.size.{size}")) for size in SizeClass.values},
    )


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _employer_filter(queryset: QuerySet, user, lookup: str | None) -> QuerySet:
    """Rows whose employer the user may see (staff by place, an employer account its own);
    `lookup` leads from a row to its employer (None: the rows are employers)."""
    prefix = f"{lookup}__" if lookup else ""
    if scope_path(user) is not None:
        return queryset.filter(**{f"{prefix}village__path__startswith": scope_path(user)})
    own = employer_of_user(user)
    return queryset.filter(**{lookup or "pk": own.pk}) if own else queryset.none()


# The four lists -----------------------------------------------------------------------------
# Each has an unscoped form (for the risk score, which looks at every employer) and the
# scoped one a page or the API calls.

def stopped_declaring_all(month: datetime.date, months: int | None = None) -> QuerySet[Employer]:
    check_month(month)
    months = months or compliance_parameters(month).stopped_declaring_months
    window_start = add_months(month, 1 - months)
    return (Employer.objects.filter(status=Employer.Status.ACTIVE)
            .annotate(last_declared_month=Max("declarations__month",
                                              filter=Q(declarations__status__in=DECLARED,
                                                       declarations__month__lte=month)))
            .filter(last_declared_month__lt=window_start))


def stopped_declaring(user, month: datetime.date, *,
                      months: int | None = None) -> QuerySet[Employer]:
    """Active employers that declared before but have no declaration for the last `months`
    months up to and including `month`; annotated with `last_declared_month`."""
    employers = stopped_declaring_all(month, months).select_related("village")
    return _employer_filter(employers, user, None).order_by("last_declared_month",
                                                            "nssf_registration_number")


def _declared_line(month: datetime.date, *, employer: str, member: str) -> QuerySet:
    return DeclarationLine.objects.filter(
        declaration__status=Declaration.Status.ACCEPTED, declaration__month=month,
        declaration__employer_id=OuterRef(employer), member_id=OuterRef(member))


def vanished_workers_all(month: datetime.date) -> QuerySet[EmploymentSpell]:
    check_month(month)
    declared_this_month = Declaration.objects.filter(
        employer_id=OuterRef("employer_id"), month=month, status=Declaration.Status.ACCEPTED)
    return (EmploymentSpell.objects
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=month_end(month)),
                    start_on__lte=month)
            .filter(Exists(declared_this_month))
            .filter(Exists(_declared_line(add_months(month, -1), employer="employer_id",
                                          member="member_id")))
            .exclude(Exists(_declared_line(month, employer="employer_id",
                                           member="member_id"))))


def vanished_workers(user, month: datetime.date) -> QuerySet[EmploymentSpell]:
    """Employment spells open over the whole of `month` whose worker the employer declared in
    the month before but left off its declaration for `month`. An employer with no declaration
    for `month` at all is on the stopped-declaring list instead."""
    spells = vanished_workers_all(month).select_related("employer", "member__person")
    return _employer_filter(spells, user, "employer").order_by("employer_id", "member_id")


def wage_drops_all(month: datetime.date, share: float | None = None) -> QuerySet[DeclarationLine]:
    check_month(month)
    drop_ppm = (compliance_parameters(month).wage_drop_ppm if share is None
                else round(share * RATE_SCALE))
    previous = _declared_line(add_months(month, -1), employer="declaration__employer_id",
                              member="member_id").values("monthly_wage")[:1]
    return (DeclarationLine.objects
            .filter(declaration__status=Declaration.Status.ACCEPTED, declaration__month=month)
            .annotate(previous_wage=Subquery(previous, output_field=BigIntegerField()))
            .filter(previous_wage__isnull=False)
            # wage < previous x (1 - share), in whole numbers: no float on either database.
            .alias(scaled_wage=F("monthly_wage") * RATE_SCALE)
            .filter(scaled_wage__lt=F("previous_wage") * (RATE_SCALE - drop_ppm)))


def wage_drops(user, month: datetime.date, *,
               share: float | None = None) -> QuerySet[DeclarationLine]:
    """Lines of `month` whose wage fell by more than `share` from the same member's wage at
    the same employer the month before; annotated with `previous_wage`."""
    lines = wage_drops_all(month, share).select_related("declaration__employer",
                                                        "member__person")
    return _employer_filter(lines, user, "declaration__employer").order_by(
        "declaration__employer_id", "member_id")


def unregistered_enterprises(user) -> QuerySet[EnterpriseRegisterEntry]:
    """Enterprises in the Ministry of Industry and Commerce register with no employer of the
    same enterprise number: firms that may employ workers nobody insures. Staff only."""
    registered = Employer.objects.filter(enterprise_number=OuterRef("enterprise_number"))
    entries = restrict(EnterpriseRegisterEntry.objects.select_related("village"), user)
    return entries.exclude(Exists(registered)).order_by("-number_of_workers",
                                                        "enterprise_number")


# Risk ranking -------------------------------------------------------------------------------

def latest_risk_day(user) -> datetime.date | None:
    return restrict(RiskScore.objects.all(), user).aggregate(day=Max("computed_on"))["day"]


def risk_ranking(user, computed_on: datetime.date | None = None, *,
                 province_code: str | None = None) -> QuerySet[RiskScore]:
    """Risk scores of one day (the latest by default), highest first, each with its rank
    inside its province (`province_rank`) and the province's code (`province_code`)."""
    computed_on = computed_on or latest_risk_day(user)
    scores = restrict(RiskScore.objects.filter(computed_on=computed_on), user)
    if province_code:
        scores = scores.filter(employer__village__parent__parent__code=province_code)
    province = F("employer__village__parent__parent_id")
    return (scores.select_related("employer__village")
            .annotate(province_code=F("employer__village__parent__parent__code"),
                      province_rank=Window(RowNumber(), partition_by=[province],
                                           order_by=[F("score").desc(), F("employer_id").asc()]))
            .order_by("province_code", "-score", "employer_id"))

"""The synthetic fund's history, month by month: declarations, billing, payments, voluntary
members, late-payment surcharges and a few inspections.

Declarations are generated valid and written in bulk as accepted Declaration and
DeclarationLine rows (one set operation per month). Everything that moves money goes through
the fund's services: services.billing.run_billing bills the month (dated the day after it),
the payments arrive as one generated bank statement per bank and month imported with
services.payments.import_bank_statement (posted and allocated oldest-first, set-based),
voluntary members are enrolled, billed and lapsed by services.voluntary, surcharges are charged
by services.arrears.run_surcharges and inspections run through services.inspections. So
invoices, the ledger and allocations are exactly what the services make of them.

Behaviour (assumptions, drawn per employer from the seed; public units behave better):

- declaring: most declare every month within 12 days after it; 10% declare late (16-45 days
  after); 4% stop declaring for good from some month; 5% start under-declaring from some
  month (everyone above the minimum wage declared at it, and a quarter of the workers left
  out); one month in 200 is simply missed;
- paying: 79% pay the whole invoice before the due date (one month in 50 late), 10% pay two
  weeks to three months late, 5% pay 40-90% of each invoice, 3% pay until some month and then
  stop, 3% never pay; a payment dated after `today` has not arrived yet;
- payers quote the invoice number (90%), their NSSF registration number (9%) or nothing
  usable (1%, held in suspense as unidentified);
- voluntary members: 1.5 per 100 insured members (at most 400: each is enrolled through the
  service), half former employees, half self-employed or informal workers, enrolled on some
  day of the history; 75% pay every month, 15% skip months, 10% stop paying (and lapse by the
  rule);
- inspections: six months before the end, a plan in each of the three provinces with the most
  employers, for the 2% riskiest (2 to 25 per plan); 85% are visited, an under-declarer's
  payroll gives findings (up to 20 workers: wages declared too low, workers left out) that
  are assessed, and most cases are closed.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
from django.db import transaction

from pakan.accounts.models import Role, User
from pakan.ledger.models import Account as LedgerAccount
from pakan.ledger.models import Entry as LedgerEntry
from pakan.ledger.models import Transaction as LedgerTransaction
from pakan.registry.models import AdminUnit
from pakan.rules.legal_parameters import entry_at
from pakan.rules.months import month_end
from pakan.rules.social_security import CIVIL_SERVANT, POLICE_MILITARY, voluntary_income_classes
from pakan.socialsecurity.models import (
    Allocation,
    BankStatement,
    BillingRun,
    ContributionRecord,
    Declaration,
    DeclarationLine,
    Employer,
    EmploymentSpell,
    Inspection,
    InsuredMember,
    Invoice,
    MembershipSpell,
    Payment,
    VoluntaryEnrolment,
)
from pakan.synth.fund_register import Window, add_months, to_days
from pakan.synth.fund_tables import (
    EPOCH,
    analyse,
    days_since_epoch,
    first_free_id,
    read_frame,
    reset_sequence,
    write_frame,
)

Say = Callable[[str], None]
# Tables the month's services fill, analysed after each month (see fund_tables.analyse).
MONTHLY_TABLES = [Invoice, Payment, Allocation, ContributionRecord, LedgerTransaction,
                  LedgerEntry, LedgerAccount]
ACTOR_USERNAME = "synthetic_fund"
BANKS = ("BCEL", "LDB")
BANK_SHARES = (0.7, 0.3)
# Behaviour shares (see the module docstring).
LATE_DECLARER = 0.10
STOPS_DECLARING = 0.04
UNDER_DECLARES = 0.05
UNDECLARED_WORKER_SHARE = 0.25
MISSED_MONTH = 0.005
PAYERS = ("prompt", "late", "partial", "stops", "never")
PRIVATE_PAYERS = (0.79, 0.10, 0.05, 0.03, 0.03)
PUBLIC_PAYERS = (0.85, 0.15, 0.0, 0.0, 0.0)
OCCASIONALLY_LATE = 0.02
PAYER_REFERENCE = (0.90, 0.09, 0.01)  # invoice number, NSSF number, nothing usable
VOLUNTARY_PER_MEMBER = 0.015
MAX_VOLUNTARY = 400  # each goes through the enrolment service, one by one
VOLUNTARY_PAYERS = ("regular", "irregular", "stops")
VOLUNTARY_SHARES = (0.75, 0.15, 0.10)
INSPECTED_PROVINCES = 3
INSPECTIONS_PER_EMPLOYER = 0.02
MAX_INSPECTIONS_PER_PLAN = 25
MAX_FINDINGS_PER_INSPECTION = 20


def synthetic_actor() -> User:
    """The account the synthetic history is recorded under: a central officer that cannot log
    in (inactive, no usable password)."""
    country = AdminUnit.objects.get(level=AdminUnit.Level.COUNTRY)
    user = User.objects.filter(username=ACTOR_USERNAME).first()
    if user is None:
        user = User(username=ACTOR_USERNAME, role=Role.CENTRAL_OFFICER, scope_unit=country,
                    is_active=False, first_name="Synthetic", last_name="fund")
        user.set_unusable_password()
        user.save()
    return user


# --- what the register holds ---------------------------------------------------------------

def read_spells() -> pl.DataFrame:
    """Every employment spell with the member's category at its start (days since 1970)."""
    spell = EmploymentSpell._meta.db_table
    membership = MembershipSpell._meta.db_table
    sql = (f"SELECT s.employer_id, s.member_id, {days_since_epoch('s.start_on')}, "
           f"COALESCE({days_since_epoch('s.end_on')}, 1000000), s.monthly_wage, "
           f"(SELECT m.category FROM {membership} m WHERE m.member_id = s.member_id "
           f"AND m.start_on <= s.start_on ORDER BY m.start_on DESC LIMIT 1) "
           f"FROM {spell} s ORDER BY s.employer_id, s.member_id, s.start_on")
    return read_frame(sql, {"employer_id": pl.Int64, "member_id": pl.Int64, "start": pl.Int64,
                            "end": pl.Int64, "wage": pl.Int64, "category": pl.String})


def read_employers() -> pl.DataFrame:
    rows = Employer.objects.order_by("pk").values_list("pk", "nssf_registration_number")
    return pl.DataFrame(list(rows), schema={"employer_id": pl.Int64, "nssf": pl.String},
                        orient="row")


def employer_behaviour(seed: int, employers: pl.DataFrame, spells: pl.DataFrame,
                       window: Window) -> pl.DataFrame:
    """One row per employer: how it declares and pays (the same for the same seed)."""
    rng = np.random.default_rng([seed, 4101])
    count = employers.height
    public_ids = spells.filter(pl.col("category").is_in([CIVIL_SERVANT, POLICE_MILITARY]))[
        "employer_id"].unique()
    public = employers["employer_id"].is_in(public_ids.implode()).to_numpy()
    months = len(window.months)
    draw = rng.random((count, 4))
    stop_month = np.where(~public & (draw[:, 0] < STOPS_DECLARING),
                          rng.integers(3, max(4, months - 2), count), 10_000)
    under_from = np.where(~public & (draw[:, 1] < UNDER_DECLARES),
                          rng.integers(0, max(1, months - 4), count), 10_000)
    late = draw[:, 2] < LATE_DECLARER
    payer = np.where(public, rng.choice(len(PAYERS), count, p=PUBLIC_PAYERS),
                     rng.choice(len(PAYERS), count, p=PRIVATE_PAYERS))
    stops_paying = rng.integers(2, max(3, months - 2), count)
    # Even a small fund shows every behaviour: one private employer each, if none drew it.
    private = np.flatnonzero(~public)
    if private.size >= 8:
        chosen = rng.choice(private, 6, replace=False)
        if not (stop_month < 10_000).any():
            stop_month[chosen[0]] = months // 2
        if not (under_from < 10_000).any():
            under_from[chosen[1]] = months // 3
        for position, habit in zip(chosen[2:], ("late", "partial", "stops", "never"),
                                   strict=True):
            if not (payer == PAYERS.index(habit)).any():
                payer[position] = PAYERS.index(habit)
    return employers.with_columns(
        pl.Series("public", public), pl.Series("stop_month", stop_month),
        pl.Series("under_from", under_from), pl.Series("late_declarer", late),
        pl.Series("payer", np.array(PAYERS)[payer]), pl.Series("stops_paying", stops_paying))


# --- declarations --------------------------------------------------------------------------

def declarations_for(month: datetime.date, index: int, seed: int, spells: pl.DataFrame,
                     behaviour: pl.DataFrame, window: Window) -> pl.DataFrame:
    """The month's declaration lines: who each employer declares, at what wage, and when."""
    rng = np.random.default_rng([seed, 4200, index])
    first, last = to_days(month), to_days(month_end(month))
    minimum = int(entry_at("labour.minimum_wage", month).value)
    lines = spells.filter((pl.col("start") <= last) & (pl.col("end") >= first)).join(
        behaviour, on="employer_id").filter(pl.col("stop_month") > index)
    employers = lines["employer_id"].unique().sort()
    missed = employers.filter(pl.Series(rng.random(employers.len()) < MISSED_MONTH))
    delay = rng.integers(1, 13, employers.len())
    late_delay = rng.integers(16, 46, employers.len())
    timing = pl.DataFrame({"employer_id": employers, "delay": delay, "late_delay": late_delay,
                           "channel": rng.choice(["upload", "form", "api"], employers.len(),
                                                 p=[0.6, 0.3, 0.1]),
                           "minute": rng.integers(0, 9 * 60, employers.len())})
    lines = lines.filter(~pl.col("employer_id").is_in(missed.implode())).join(
        timing, on="employer_id")
    # Under-declarers leave a quarter of their workers out (the same ones every month) and
    # declare the others at the minimum wage.
    under = pl.col("under_from") <= index
    left_out = (pl.col("member_id").hash(seed) % 100) < int(UNDECLARED_WORKER_SHARE * 100)
    lines = lines.filter(~(under & left_out)).with_columns(
        pl.when(under).then(pl.lit(minimum)).otherwise(pl.max_horizontal("wage", pl.lit(
            minimum))).alias("declared_wage"),
        pl.when(pl.col("late_declarer")).then(pl.col("late_delay")).otherwise(
            pl.col("delay")).alias("delay"))
    submitted = last + lines["delay"].to_numpy()
    lines = lines.with_columns(pl.Series("submitted_day", submitted)).filter(
        pl.col("submitted_day") < to_days(window.today))
    return lines.sort("employer_id", "member_id")


def write_declarations(month: datetime.date, lines: pl.DataFrame) -> tuple[int, int]:
    """Accepted declarations and their lines, as whole tables."""
    if not lines.height:
        return 0, 0
    heads = lines.group_by("employer_id", maintain_order=True).agg(
        pl.len().alias("number_of_lines"), pl.col("declared_wage").sum().alias("total_wages"),
        pl.col("submitted_day").first(), pl.col("minute").first(), pl.col("channel").first(),
        pl.col("nssf").first())
    first = first_free_id(Declaration)
    ids = np.arange(first, first + heads.height)
    submitted = [datetime.datetime.combine(EPOCH + datetime.timedelta(days=int(day)),
                                           datetime.time(2, 0)) + datetime.timedelta(
        minutes=int(minute)) for day, minute in zip(heads["submitted_day"], heads["minute"],
                                                    strict=True)]
    names = [f"declaration-{nssf}-{month:%Y-%m}.csv" if channel == "upload" else ""
             for nssf, channel in zip(heads["nssf"], heads["channel"], strict=True)]
    write_frame(Declaration, pl.DataFrame({
        "id": ids, "employer_id": heads["employer_id"], "month": [month] * heads.height,
        "status": ["accepted"] * heads.height, "channel": heads["channel"],
        "number_of_lines": heads["number_of_lines"], "total_wages": heads["total_wages"],
        "file_name": names, "file_sha256": [""] * heads.height,
        "errors": ["[]"] * heads.height, "submitted_at": pl.Series(submitted,
                                                                   dtype=pl.Datetime("us")),
    }))
    reset_sequence(Declaration)
    declaration_of = pl.DataFrame({"employer_id": heads["employer_id"], "declaration_id": ids})
    body = lines.join(declaration_of, on="employer_id").sort("declaration_id", "member_id")
    body = body.with_columns(line_number=pl.int_range(1, pl.len() + 1).over("declaration_id"))
    first_line = first_free_id(DeclarationLine)
    write_frame(DeclarationLine, pl.DataFrame({
        "id": np.arange(first_line, first_line + body.height),
        "declaration_id": body["declaration_id"], "line_number": body["line_number"],
        "member_id": body["member_id"], "monthly_wage": body["declared_wage"],
    }))
    reset_sequence(DeclarationLine)
    return heads.height, body.height


# --- payments ------------------------------------------------------------------------------

def invoices_of(month: datetime.date, kinds: tuple[str, ...]) -> pl.DataFrame:
    rows = Invoice.objects.filter(month=month, kind__in=kinds).order_by("pk").values_list(
        "pk", "kind", "employer_id", "member_id", "total", "issued_on", "due_on")
    return pl.DataFrame(list(rows), schema={
        "invoice_id": pl.Int64, "kind": pl.String, "employer_id": pl.Int64,
        "member_id": pl.Int64, "total": pl.Int64, "issued_on": pl.Date, "due_on": pl.Date},
        orient="row")


def employer_payments(month: datetime.date, index: int, seed: int, invoices: pl.DataFrame,
                      behaviour: pl.DataFrame) -> pl.DataFrame:
    """What each employer pays of its invoice for the month, and when."""
    rng = np.random.default_rng([seed, 4300, index])
    rows = invoices.filter(pl.col("kind") == "contribution").join(
        behaviour.select("employer_id", "payer", "stops_paying", "nssf"), on="employer_id")
    count = rows.height
    payer = rows["payer"].to_numpy()
    total = rows["total"].to_numpy()
    due = (rows["due_on"].cast(pl.Int64)).to_numpy()
    issued = (rows["issued_on"].cast(pl.Int64)).to_numpy()
    early = due - rng.integers(0, 13, count)
    late = due + rng.integers(14, 90, count)
    slip = rng.random(count) < OCCASIONALLY_LATE
    received = np.where((payer == "late") | slip, late, early)
    fraction = rng.uniform(0.4, 0.9, count)
    amount = np.where(payer == "partial", np.round(total * fraction / 1000) * 1000, total)
    pays = (payer != "never") & ~((payer == "stops") & (rows["stops_paying"].to_numpy()
                                                        <= index))
    reference = rng.choice(3, count, p=PAYER_REFERENCE)
    number = [f"C{month:%Y%m}-{pk:08d}" for pk in rows["invoice_id"]]
    payer_reference = np.where(reference == 0, number, np.where(
        reference == 1, rows["nssf"].to_numpy(), ""))
    return pl.DataFrame({
        "invoice_id": rows["invoice_id"], "amount": amount.astype(np.int64),
        "received": np.maximum(received, issued), "payer_reference": payer_reference,
        "bank": rng.choice(BANKS, count, p=BANK_SHARES),
    }).filter(pl.Series(pays) & (pl.col("amount") > 0))


def voluntary_payments(month: datetime.date, index: int, seed: int,
                       invoices: pl.DataFrame) -> pl.DataFrame:
    rng = np.random.default_rng([seed, 4400, index])
    rows = invoices.filter(pl.col("kind") == "voluntary")
    if not rows.height:
        return pl.DataFrame()
    # A member's habit is the same every month: drawn from a hash of the member's id.
    member_ids = rows["member_id"].to_numpy()
    habit = np.array(VOLUNTARY_PAYERS)[np.searchsorted(
        np.cumsum(VOLUNTARY_SHARES), ((member_ids * 2_654_435_761 + seed) % 1000) / 1000,
        side="right").clip(0, 2)]
    stops_after = 3 + (member_ids * 40_503 + seed) % 8
    count = rows.height
    pays = (habit == "regular") | ((habit == "irregular") & (rng.random(count) < 0.6)) | (
        (habit == "stops") & (index < stops_after))
    due = rows["due_on"].cast(pl.Int64).to_numpy()
    number = [f"V{month:%Y%m}-{pk:08d}" for pk in rows["invoice_id"]]
    return pl.DataFrame({
        "invoice_id": rows["invoice_id"], "amount": rows["total"],
        "received": np.maximum(due - rng.integers(0, 13, count),
                               rows["issued_on"].cast(pl.Int64).to_numpy()),
        "payer_reference": number, "bank": rng.choice(BANKS, count, p=BANK_SHARES),
    }).filter(pl.Series(pays) & (pl.col("amount") > 0))


def import_statements(actor: User, month: datetime.date, payments: pl.DataFrame,
                      window: Window) -> int:
    """One bank statement per bank with the month's payments that have arrived by today."""
    from pakan.socialsecurity.services.payments import import_bank_statement

    arrived = payments.filter(pl.col("received") < to_days(window.today))
    imported = 0
    with tempfile.TemporaryDirectory(prefix="pakan-synth-") as folder:
        for bank in BANKS:
            name = f"synthetic-{bank}-{month:%Y-%m}.csv"
            if BankStatement.objects.filter(bank=bank, file_name=name).exists():
                continue
            lines = arrived.filter(pl.col("bank") == bank).sort("received", "invoice_id")
            if not lines.height:
                continue
            days = lines["received"].to_numpy()
            statement = pl.DataFrame({
                "date": pl.Series(days).cast(pl.Date),
                "amount": lines["amount"],
                "payer_reference": lines["payer_reference"],
                "bank_reference": [f"{bank}-{EPOCH + datetime.timedelta(days=int(day)):%Y%m%d}"
                                   f"-{pk:08d}" for day, pk in zip(days, lines["invoice_id"],
                                                                  strict=True)],
            })
            path = Path(folder) / name
            statement.write_csv(path)
            import_bank_statement(actor, path, name, bank=bank, today=window.today)
            imported += lines.height
    return imported


# --- voluntary members ---------------------------------------------------------------------

def enrol_voluntary_members(seed: int, actor: User, window: Window) -> int:
    """A few voluntary members through the service: former employees and self-employed people,
    enrolled on some day of the history."""
    from pakan.socialsecurity.services.voluntary import enrol_voluntary

    if VoluntaryEnrolment.objects.exists():
        return 0
    rng = np.random.default_rng([seed, 4500])
    wanted = min(MAX_VOLUNTARY,
                 max(2, round(InsuredMember.objects.count() * VOLUNTARY_PER_MEMBER)))
    first, last = window.first_day, to_days(window.today) - 62
    former = list(MembershipSpell.objects.filter(
        end_on__isnull=False, end_on__lt=EPOCH + datetime.timedelta(days=last - 30),
        end_on__gte=window.first_month).values_list("member_id", "end_on", "member__person_id")
        .order_by("member_id"))
    rng.shuffle(former)
    from pakan.registry.models import Person

    others = list(Person.objects.filter(
        status="active", date_of_death__isnull=True, household__isnull=False,
        insured_member__isnull=True,
        date_of_birth__lte=window.first_month - datetime.timedelta(days=int(20 * 365.25)),
        date_of_birth__gt=window.first_month - datetime.timedelta(days=int(55 * 365.25)))
        .values_list("pk", flat=True).order_by("pk"))
    chosen_others = rng.choice(others, size=min(len(others), wanted - wanted // 2),
                               replace=False) if others else []
    members = {member.pk: member for member in InsuredMember.objects.filter(
        pk__in=[row[0] for row in former[:wanted // 2]])}
    persons = {person.pk: person for person in Person.objects.filter(pk__in=list(
        chosen_others))}
    enrolled = 0
    for member_id, ended, _ in former[:wanted // 2]:
        start = ended + datetime.timedelta(days=int(rng.integers(15, 60)))
        enrolled += _enrol(enrol_voluntary, actor, members[member_id], start, "former_employee",
                           rng, window)
    for number, person_id in enumerate(chosen_others):
        start = EPOCH + datetime.timedelta(days=int(rng.integers(first, last)))
        occupation = "self_employed" if rng.random() < 0.6 else "informal_worker"
        enrolled += _enrol(enrol_voluntary, actor, persons[int(person_id)], start, occupation,
                           rng, window, social_security_number=f"V{seed % 100:02d}{number:09d}")
    return enrolled


def _enrol(enrol_voluntary, actor, who, start: datetime.date, occupation: str,
           rng: np.random.Generator, window: Window, **extra) -> int:
    from pakan.socialsecurity.validation import SocialSecurityValidationError

    classes = voluntary_income_classes(start.replace(day=1))
    low = classes[: max(1, len(classes) // 2)]
    income = int(low[min(len(low) - 1, int(rng.exponential(len(low) / 4)))])
    try:
        with transaction.atomic():
            enrol_voluntary(actor, who, occupation=occupation, declared_income=income,
                            start_on=start, today=window.today, **extra)
    except SocialSecurityValidationError:
        return 0  # too old by then, or a membership still open: this one does not enrol
    return 1


# --- inspections ---------------------------------------------------------------------------

def run_inspections(seed: int, actor: User, window: Window, behaviour: pl.DataFrame,
                    spells: pl.DataFrame) -> int:
    """A few inspection plans in the provinces with the most employers, six months before the
    end of the history: visits, findings at the under-declaring employers, assessments."""
    from pakan.socialsecurity.services import inspections as service
    from pakan.socialsecurity.validation import SocialSecurityValidationError

    if Inspection.objects.exists():
        return 0
    months = window.months
    if len(months) < 8:
        return 0
    rng = np.random.default_rng([seed, 4600])
    plan_month = months[-6]
    service.compute_risk_scores(plan_month)
    provinces = _busiest_provinces(INSPECTED_PROVINCES)
    minimum = int(entry_at("labour.minimum_wage", plan_month).value)
    done = 0
    for province in provinces:
        top = max(2, round(Employer.objects.filter(
            village__path__startswith=province.path).count() * INSPECTIONS_PER_EMPLOYER))
        top = min(top, MAX_INSPECTIONS_PER_PLAN)
        try:
            plan = service.create_inspection_plan(
                actor, province, (plan_month, month_end(add_months(plan_month, 1))), top)
        except SocialSecurityValidationError:
            continue
        for inspection in plan.inspections.select_related("employer").order_by("pk"):
            done += _inspect(service, actor, inspection, rng, window, behaviour, spells,
                             minimum, months.index(plan_month))
    return done


def _busiest_provinces(count: int) -> list[AdminUnit]:
    provinces = list(AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE))
    sizes = {province.pk: Employer.objects.filter(village__path__startswith=province.path)
             .count() for province in provinces}
    provinces.sort(key=lambda province: (-sizes[province.pk], province.code))
    return [province for province in provinces[:count] if sizes[province.pk]]


def _inspect(service, actor, inspection, rng: np.random.Generator, window: Window,
             behaviour: pl.DataFrame, spells: pl.DataFrame, minimum: int,
             plan_index: int) -> int:
    visited_on = inspection.planned_on + datetime.timedelta(days=int(rng.integers(3, 40)))
    if rng.random() < 0.15 or visited_on >= window.today:
        return 0  # not visited yet
    service.record_visit(actor, inspection, visited_on=visited_on, notes="Routine visit.",
                         today=window.today)
    row = behaviour.filter(pl.col("employer_id") == inspection.employer_id)
    under_from = int(row["under_from"][0]) if row.height else 10_000
    months = window.months
    findings = 0
    if under_from < plan_index:
        first_month, last_month = months[under_from], months[plan_index - 1]
        workers = spells.filter((pl.col("employer_id") == inspection.employer_id)
                                & (pl.col("start") <= to_days(first_month))
                                & (pl.col("end") >= to_days(month_end(last_month))))
        declared = set(DeclarationLine.objects.filter(
            declaration__employer_id=inspection.employer_id, declaration__month=last_month,
            declaration__status="accepted").values_list("member_id", flat=True))
        workers = workers.filter(pl.col("wage") > minimum).head(MAX_FINDINGS_PER_INSPECTION)
        for member_id, wage in zip(workers["member_id"], workers["wage"], strict=True):
            member = InsuredMember.objects.get(pk=member_id)
            if member_id in declared:
                service.add_finding(actor, inspection, kind="under_declared_wage",
                                    first_month=first_month, last_month=last_month,
                                    actual_wage=int(wage), declared_wage=minimum,
                                    member=member,
                                    note="Payroll shows a higher wage than declared.")
            else:
                service.add_finding(actor, inspection, kind="undeclared_worker",
                                    first_month=first_month, last_month=last_month,
                                    actual_wage=int(wage), member=member,
                                    note="On the payroll, missing from the declarations.")
            findings += 1
    closed_on = visited_on + datetime.timedelta(days=int(rng.integers(10, 30)))
    if findings:
        assessed_on = visited_on + datetime.timedelta(days=int(rng.integers(5, 10)))
        if assessed_on >= window.today:
            return 1
        service.assess_inspection(actor, inspection, assessed_on=assessed_on,
                                  today=window.today)
        closed_on = assessed_on + datetime.timedelta(days=int(rng.integers(10, 30)))
        outcome = "Back contributions assessed."
    else:
        outcome = "No irregularities found."
    if closed_on < window.today and rng.random() < 0.7:
        service.close_inspection(actor, inspection, closed_on=closed_on, outcome=outcome,
                                 today=window.today)
    return 1


# --- the month loop ------------------------------------------------------------------------

def grow_history(seed: int, window: Window, *, say: Say | None = None) -> dict[str, int]:
    """Declarations, billing, payments, voluntary members, surcharges and inspections for every
    month of the window; what an earlier run did is found and skipped."""
    from pakan.socialsecurity.services.arrears import run_surcharges
    from pakan.socialsecurity.services.billing import run_billing
    from pakan.socialsecurity.services.voluntary import run_lapses, run_voluntary_billing

    say = say or (lambda text: None)
    counts = {"declarations": 0, "declaration_lines": 0, "payments": 0, "voluntary": 0,
              "inspections": 0, "months": 0}
    if not Employer.objects.exists():
        return counts
    actor = synthetic_actor()
    spells = read_spells()
    employers = read_employers()
    behaviour = employer_behaviour(seed, employers, spells, window)
    counts["voluntary"] = enrol_voluntary_members(seed, actor, window)
    # A month is done once its surcharge run, the month's last step, has finished.
    done = set(BillingRun.objects.filter(kind=BillingRun.Kind.SURCHARGE,
                                         status=BillingRun.Status.FINISHED)
               .values_list("month", flat=True))
    for index, month in enumerate(window.months):
        if month in done:
            continue
        issued_on = month_end(month) + datetime.timedelta(days=1)
        if not Declaration.objects.filter(month=month).exists():
            lines = declarations_for(month, index, seed, spells, behaviour, window)
            with transaction.atomic():
                declared, declared_lines = write_declarations(month, lines)
            counts["declarations"] += declared
            counts["declaration_lines"] += declared_lines
            analyse([Declaration, DeclarationLine])
        run_billing(month, actor=actor, issued_on=issued_on)
        run_voluntary_billing(month, actor=actor, today=issued_on)
        invoices = invoices_of(month, ("contribution", "voluntary"))
        payments = employer_payments(month, index, seed, invoices, behaviour)
        volunteered = voluntary_payments(month, index, seed, invoices)
        if volunteered.height:
            payments = pl.concat([payments, volunteered], how="vertical_relaxed")
        counts["payments"] += import_statements(actor, month, payments, window)
        if month_end(month) < window.today:
            run_lapses(month, actor=actor, today=window.today)
            run_surcharges(month, actor=actor, today=window.today)
        analyse(MONTHLY_TABLES)
        counts["months"] += 1
        say(f"{month:%Y-%m}: declared, billed and paid.")
    counts["inspections"] = run_inspections(seed, actor, window, behaviour, spells)
    return counts

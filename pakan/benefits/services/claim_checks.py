"""The checks a claim goes through, and its assessment by the rules (pakan.rules.benefits).

One place for both, used at filing, when a document arrives, at the decision and when a death
in the registry opens claims. Every check gives pass or fail with its reason in English and
Lao, and is stored on the claim (`Claim.checks`) as it was found.

Two kinds of failure (docs/benefits-claims.md lists each check):

- *hard*: the claim cannot stand (the event is in the future, the person is not insured or
  was dead on the event date, a man claims maternity for himself, a second live claim for the
  same event, the rules find the person too young...). Filing is refused with the reason and
  nothing is written.
- *held*: a matter for the deciding officer's judgment (documents missing, not enough paid
  months on record yet, no membership on the event date for a short-term benefit...). The
  claim is filed with the failed check shown on its page.

A claim opened by the system after a death records every failure as held: the registry's
death must not be refused because a survivor's claim looks doubtful.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils import translation

from pakan.benefits.messages.claims import AWARD_KIND_TEXT, DOCUMENT_KIND_LO
from pakan.benefits.models import Award, Branch, Claim, ClaimDocument
from pakan.benefits.selectors import claims as claim_selectors
from pakan.benefits.validation import MESSAGES, error
from pakan.registry.models import Person
from pakan.registry.models import Relationship as HouseholdRelationship
from pakan.registry.validation import FieldError
from pakan.rules.legal_parameters import RulesError
from pakan.socialsecurity.models import Dependant, InsuredMember

SPOUSE, CHILD, PARENT = "spouse", "child", "parent"
DEATH_BRANCHES = frozenset({Branch.SURVIVORS, Branch.FUNERAL})
# Short-term branches: the member should be insured on the very day of the event.
MEMBERSHIP_ON_EVENT_BRANCHES = frozenset({Branch.SICKNESS, Branch.MATERNITY,
                                          Branch.EMPLOYMENT_INJURY, Branch.UNEMPLOYMENT})
# Long-term branches: one award at a time.
ONE_AWARD_BRANCHES = frozenset({Branch.OLD_AGE, Branch.INVALIDITY})
# The rules' refusals that end a claim at the counter; the others are held for an officer.
HARD_RULES_REFUSALS = frozenset({"below_age", "person_dead"})

# PROVISIONAL (docs/benefits-claims.md): the documents each branch needs. The LSSO pages name
# a medical certificate for sickness, a death certificate for the death grant and proof of
# separation for unemployment [lao-facts §9.3]; the others are the project's choice. Each
# requirement is met by any one of its kinds.
REQUIRED_DOCUMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    Branch.OLD_AGE: (("identity",),),
    Branch.INVALIDITY: (("medical_certificate",),),
    Branch.SURVIVORS: (("death_certificate",), ("family_book",)),
    Branch.FUNERAL: (("death_certificate",),),
    Branch.SICKNESS: (("medical_certificate",),),
    Branch.MATERNITY: (("birth_certificate", "medical_certificate"),),
    Branch.EMPLOYMENT_INJURY: (("accident_report",), ("medical_certificate",)),
    Branch.UNEMPLOYMENT: (("separation_letter",),),
}

# The facts each branch's rules take (pakan.rules.benefits), by type. Survivors' birth date and
# sex come from the registry record of the claimant, never typed.
BOOLEAN, INTEGER, MONTH = "boolean", "integer", "month"
FACT_TYPES: dict[str, str | tuple[str, ...]] = {
    "hazardous_work_years": INTEGER, "started_before_1975": BOOLEAN,
    "service_years_before_1975": INTEGER, "days_already_paid": INTEGER,
    "disability_category": INTEGER, "incapacity_category": INTEGER,
    "relationship": (SPOUSE, CHILD, PARENT), "beneficiary_has_income": BOOLEAN,
    "beneficiary_remarried": BOOLEAN, "beneficiary_disabled": BOOLEAN,
    "parents_supported": INTEGER, "work_related": BOOLEAN, "days": INTEGER,
    "children": INTEGER, "pregnancy_months": INTEGER, "claimant_is_spouse": BOOLEAN,
    "incapacity": ("temporary", "permanent"),
    "cause": ("bankruptcy", "closure", "project_end", "disaster", "downsizing"),
    "unemployed_days": INTEGER, "last_benefit_month": MONTH,
}
BRANCH_FACTS: dict[str, tuple[str, ...]] = {
    Branch.OLD_AGE: ("hazardous_work_years", "started_before_1975", "service_years_before_1975",
                     "disability_category"),
    Branch.INVALIDITY: ("incapacity_category",),
    Branch.SURVIVORS: ("relationship", "beneficiary_has_income", "beneficiary_remarried",
                       "beneficiary_disabled", "parents_supported"),
    Branch.FUNERAL: (),
    Branch.SICKNESS: ("work_related", "days", "days_already_paid"),
    Branch.MATERNITY: ("children", "pregnancy_months", "claimant_is_spouse"),
    Branch.EMPLOYMENT_INJURY: ("incapacity", "incapacity_category", "days", "days_already_paid"),
    Branch.UNEMPLOYMENT: ("cause", "unemployed_days", "last_benefit_month"),
}
REQUIRED_FACTS: dict[str, tuple[str, ...]] = {
    Branch.INVALIDITY: ("incapacity_category",),
    Branch.SICKNESS: ("days",),
    Branch.EMPLOYMENT_INJURY: ("incapacity",),
    Branch.UNEMPLOYMENT: ("cause",),
}
TRUE_TEXTS = frozenset({"true", "on", "yes", "1"})
FALSE_TEXTS = frozenset({"false", "off", "no", "0", ""})
MONTH_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}$")

# How a household member relates to the deceased, from both relationships to the head of the
# household: (deceased's, claimant's) -> relationship for the survivors' benefit. A step-child
# of the deceased counts as a child, as the LSSO page says ("own, step or adopted children").
HOUSEHOLD_RELATIONSHIPS: dict[tuple[str, str], str] = {
    (HouseholdRelationship.HEAD, HouseholdRelationship.SPOUSE): SPOUSE,
    (HouseholdRelationship.HEAD, HouseholdRelationship.CHILD): CHILD,
    (HouseholdRelationship.HEAD, HouseholdRelationship.PARENT): PARENT,
    (HouseholdRelationship.SPOUSE, HouseholdRelationship.HEAD): SPOUSE,
    (HouseholdRelationship.SPOUSE, HouseholdRelationship.CHILD): CHILD,
    (HouseholdRelationship.CHILD, HouseholdRelationship.HEAD): PARENT,
    (HouseholdRelationship.CHILD, HouseholdRelationship.SPOUSE): PARENT,
    (HouseholdRelationship.PARENT, HouseholdRelationship.HEAD): CHILD,
    (HouseholdRelationship.PARENT, HouseholdRelationship.SIBLING): CHILD,
}


def rules():
    """pakan.rules.benefits, imported when first needed (it is pure Python; importing it late
    keeps the benefits app loadable while the rules are being worked on)."""
    from pakan.rules import benefits

    return benefits


# --- checks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    field: str
    en: str
    lo: str
    hard: bool = False

    def as_json(self) -> dict:
        return {"code": self.code, "passed": self.passed, "field": self.field,
                "en": self.en, "lo": self.lo}

    def as_error(self) -> FieldError:
        return FieldError(self.field, f"claim_{self.code}", self.en, self.lo)


def check(code: str, passed: bool, field_name: str, *, hard: bool = False,
          **values: object) -> Check:
    """A check with its reason from the message table: `claim_<code>_ok` when it passes,
    `claim_<code>` when it fails."""
    english, lao = MESSAGES[f"claim_{code}_ok" if passed else f"claim_{code}"]
    return Check(code, passed, field_name, english.format(**values), lao.format(**values),
                 hard=hard and not passed)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- facts ------------------------------------------------------------------------------------

def _clean_fact(name: str, value: object) -> tuple[object, str | None]:
    """The typed value of one fact, or the message code of what is wrong with it."""
    kind = FACT_TYPES[name]
    text = value.strip().lower() if isinstance(value, str) else None
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value, None
        if text in TRUE_TEXTS or text in FALSE_TEXTS:
            return text in TRUE_TEXTS, None
        return None, "claim_fact_not_boolean"
    if kind == INTEGER:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value, None
        if text is not None and text.isdigit():
            return int(text), None
        return None, "claim_fact_not_integer"
    if kind == MONTH:
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m"), None
        if text is not None and MONTH_TEXT.match(text):
            return text, None
        return None, "claim_fact_not_month"
    if text in kind:
        return text, None
    return None, "claim_fact_not_choice"


def clean_facts(branch: str, raw: Mapping[str, object] | None) -> tuple[dict, list[FieldError]]:
    """The branch's facts typed (as JSON-ready values); blanks are left out, so the rules'
    documented defaults apply. Unknown facts and missing required ones are errors."""
    facts: dict[str, object] = {}
    problems: list[FieldError] = []
    allowed = BRANCH_FACTS[branch]
    for name, value in (raw or {}).items():
        if name not in allowed:
            problems.append(error(name, "claim_fact_unknown", branch=branch,
                                  allowed=", ".join(allowed) or "—"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()
                             and FACT_TYPES[name] != BOOLEAN):
            continue
        typed, code = _clean_fact(name, value)
        if code is not None:
            kind = FACT_TYPES[name]
            problems.append(error(name, code, choices=", ".join(kind) if isinstance(
                kind, tuple) else ""))
        else:
            facts[name] = typed
    for name in REQUIRED_FACTS.get(branch, ()):
        if name not in facts and not any(problem.field == name for problem in problems):
            problems.append(error(name, "claim_fact_required"))
    return facts, problems


def _rules_columns(facts: Mapping[str, object]) -> dict[str, np.ndarray]:
    """One row of facts as the rules' columns of shape (1,)."""
    columns: dict[str, np.ndarray] = {}
    for name, value in facts.items():
        kind = FACT_TYPES.get(name)
        if name == "beneficiary_birth_date":
            columns[name] = np.array([value], dtype="datetime64[D]")
        elif kind == MONTH:
            columns[name] = np.array([value], dtype="datetime64[M]")
        elif kind == BOOLEAN:
            columns[name] = np.array([bool(value)])
        elif kind == INTEGER:
            columns[name] = np.array([value], dtype=np.int64)
        else:
            columns[name] = np.array([str(value)])
    return columns


# --- the rules' assessment --------------------------------------------------------------------

@dataclass(frozen=True)
class Assessed:
    """One claim as the rules assessed it, or the rules' error (`error`) if they could not."""

    qualifies: bool = False
    refusal: str = ""
    refusal_en: str = ""
    refusal_lo: str = ""
    kind: str = ""
    monthly_amount: int = 0
    lump_sum: int = 0
    end_date: datetime.date | None = None
    rules_version: str = ""
    explanation: dict = field(default_factory=dict)
    error: FieldError | None = None


def assess_claim(member: InsuredMember, branch: str, event_date: datetime.date,
                 facts: Mapping[str, object], *, as_of: datetime.date) -> Assessed:
    """The rules' assessment of one claim on the contribution record as it stands on `as_of`
    (months up to the event's month, paid by then)."""
    benefit_rules = rules()
    person = member.person
    category = claim_selectors.member_category_on(member, event_date) or "enterprise_employee"
    months, wages = claim_selectors.counted_months(member, min(event_date, as_of))
    try:
        history = benefit_rules.ContributionHistory.single(
            birth_date=np.datetime64(person.date_of_birth, "D"), sex=person.sex,
            category=category, months=months, wages=wages)
        result = benefit_rules.assess(branch, history,
                                      np.array([event_date], dtype="datetime64[D]"),
                                      _rules_columns(facts))
    except RulesError as problem:
        return Assessed(error=FieldError(problem.field or "facts", "claim_rules_error",
                                         problem.english, problem.lao))
    explanation = {"assessed_on": as_of.isoformat(), **result.explanation(0)}
    qualifies = bool(result.qualifies[0])
    refusal_en, refusal_lo = ("", "") if qualifies else result.refusal_text(0)
    end = result.end_date[0]
    return Assessed(
        qualifies=qualifies, refusal=str(result.refusal[0]), refusal_en=refusal_en,
        refusal_lo=refusal_lo, kind=str(result.kind[0]),
        monthly_amount=int(result.monthly_amount[0]), lump_sum=int(result.lump_sum[0]),
        end_date=None if np.isnat(end) else end.astype("datetime64[D]").item(),
        rules_version=str(benefit_rules.RULES_VERSION), explanation=explanation)


def assessment_json(assessed: Assessed) -> dict:
    """What the claim stores: the explanation, or the rules' error when they could not
    assess (a claim opened after a death keeps it for the officer to see)."""
    if assessed.error is not None:
        return {"error": {"field": assessed.error.field, "en": assessed.error.reason_en,
                          "lo": assessed.error.reason_lo}}
    return assessed.explanation


# --- the review of a claim --------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimInput:
    member: InsuredMember
    claimant: Person
    branch: str
    event_date: datetime.date
    facts: dict
    today: datetime.date
    document_kinds: frozenset[str] = frozenset()
    # The claim being reviewed again (documents arrived, decision): not its own duplicate.
    claim_id: int | None = None


@dataclass
class Review:
    checks: list[Check]
    facts: dict
    assessed: Assessed | None

    @property
    def refusals(self) -> list[FieldError]:
        return [item.as_error() for item in self.checks if item.hard]

    def checks_json(self) -> list[dict]:
        return [item.as_json() for item in self.checks]


def relationship_to_deceased(member: InsuredMember, claimant: Person,
                             on: datetime.date) -> tuple[str | None, str]:
    """How the claimant relates to the insured member on `on`: from a registered Dependant
    (spell covering the date) first, else from the household register. Returns the
    relationship and where it came from ("dependant", "household" or "")."""
    registered = Dependant.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on), member=member, person=claimant,
        start_on__lte=on).order_by("-start_on").first()
    if registered is not None:
        return registered.relationship, "dependant"
    deceased = member.person
    if deceased.household_id is None or deceased.household_id != claimant.household_id:
        return None, ""
    found = HOUSEHOLD_RELATIONSHIPS.get((deceased.relationship_to_head,
                                         claimant.relationship_to_head))
    return found, "household" if found else ""


def _basic_checks(item: ClaimInput) -> list[Check]:
    """Dates: without a sensible event date nothing else can be checked."""
    person = item.member.person
    checks = [check("event_not_future", item.event_date <= item.today, "event_date",
                    hard=True, today=item.today.isoformat())]
    checks.append(check("event_after_birth", item.event_date >= person.date_of_birth,
                        "event_date", hard=True, birth=person.date_of_birth.isoformat()))
    return checks


def _insured_check(item: ClaimInput) -> Check:
    first = item.member.membership_spells.order_by("start_on").first()
    insured = first is not None and first.start_on <= item.event_date
    return check("insured", insured, "member", hard=True,
                 since=first.start_on.isoformat() if first else "—",
                 number=item.member.social_security_number)


def _person_checks(item: ClaimInput) -> list[Check]:
    person, claimant = item.member.person, item.claimant
    death = person.date_of_death
    checks: list[Check] = []
    if item.branch in DEATH_BRANCHES:
        checks.append(check("death_recorded", death is not None and death == item.event_date,
                            "event_date", hard=True,
                            death=death.isoformat() if death else "—"))
        checks.append(check("claimant_not_member", claimant.pk != person.pk, "claimant",
                            hard=True))
    else:
        checks.append(check("member_alive", death is None or death >= item.event_date,
                            "member", hard=True, death=death.isoformat() if death else ""))
        spouse_claim = item.branch == Branch.MATERNITY and item.facts.get("claimant_is_spouse")
        if not spouse_claim:
            checks.append(check("claimant_is_member", claimant.pk == person.pk, "claimant",
                                hard=True))
    usable = claimant.date_of_death is None and claimant.status == Person.Status.ACTIVE
    checks.append(check("claimant_alive", usable, "claimant", hard=True))
    return checks


def _maternity_check(item: ClaimInput) -> Check:
    """A woman claims for herself; a man's record serves only his wife's claim (she has no
    occupation of her own [lao-facts §9.3]), with claimant_is_spouse set."""
    person, claimant = item.member.person, item.claimant
    if person.sex == "F":
        return check("maternity_sex", claimant.pk == person.pk, "claimant", hard=True)
    if not item.facts.get("claimant_is_spouse"):
        return check("maternity_sex", False, "claimant", hard=True)
    relationship, _source = relationship_to_deceased(item.member, claimant, item.event_date)
    return check("maternity_sex", claimant.sex == "F" and relationship == SPOUSE,
                 "claimant", hard=True)


def _dependant_checks(item: ClaimInput) -> list[Check]:
    relationship, source = relationship_to_deceased(item.member, item.claimant,
                                                    item.event_date)
    if item.branch == Branch.FUNERAL:
        return [check("family", relationship is not None, "claimant")]
    claimed = item.facts.get("relationship")
    matches = relationship is not None and claimed == relationship
    checks = [check("dependant", matches, "claimant", hard=True, relationship=claimed or "—",
                    found=relationship or "—")]
    if matches:
        checks.append(check("dependant_registered", source == "dependant", "claimant"))
    return checks


def _duplicate_check(item: ClaimInput) -> Check:
    live = claim_selectors.live_claim_for_event(item.member, item.claimant.pk, item.branch,
                                                item.event_date)
    if live is not None and live.pk == item.claim_id:
        live = None
    return check("no_other_claim", live is None, "event_date", hard=True,
                 number=live.number if live else "")


def _held_checks(item: ClaimInput) -> list[Check]:
    checks: list[Check] = []
    if item.branch in MEMBERSHIP_ON_EVENT_BRANCHES:
        checks.append(check("membership_on_event", claim_selectors.membership_covers(
            item.member, item.event_date), "event_date"))
    if item.branch in ONE_AWARD_BRANCHES:
        current = Award.objects.filter(member=item.member, beneficiary=item.claimant,
                                       branch=item.branch).exclude(
            status=Award.Status.ENDED).exclude(claim_id=item.claim_id).first()
        checks.append(check("no_award_in_payment", current is None, "branch",
                            number=current.pk if current else ""))
    checks.append(documents_check(item.branch, item.document_kinds))
    return checks


def documents_check(branch: str, kinds: Iterable[str]) -> Check:
    kinds = set(kinds)
    missing = [requirement for requirement in REQUIRED_DOCUMENTS[branch]
               if not kinds.intersection(requirement)]
    with translation.override("en"):
        english = "; ".join(" or ".join(str(ClaimDocument.Kind(kind).label).lower()
                                        for kind in requirement) for requirement in missing)
    lao = "; ".join(" ຫຼື ".join(DOCUMENT_KIND_LO[kind] for kind in requirement)
                    for requirement in missing)
    return check("documents", not missing, "documents", missing_en=english, missing_lo=lao)


def _rules_checks(item: ClaimInput, assessed: Assessed) -> list[Check]:
    if assessed.error is not None:
        problem = assessed.error
        return [Check("assessment", False, problem.field, problem.reason_en, problem.reason_lo,
                      hard=True)]
    # The survivors' and funeral branches ask the survivor's age, the others the member's.
    person = item.claimant if item.branch in DEATH_BRANCHES else item.member.person
    age = age_on(person.date_of_birth, item.event_date)
    below_age = assessed.refusal in HARD_RULES_REFUSALS
    checks = [check("age", not below_age, "event_date", hard=True, age=age,
                    reason_en=assessed.refusal_en, reason_lo=assessed.refusal_lo)]
    if below_age:
        return checks
    if assessed.qualifies:
        kind_en, kind_lo = AWARD_KIND_TEXT.get(assessed.kind, (assessed.kind, assessed.kind))
        checks.append(check("assessment", True, "branch", kind_en=kind_en, kind_lo=kind_lo))
    else:
        checks.append(Check("assessment", False, "branch", assessed.refusal_en,
                            assessed.refusal_lo))
    return checks


def derived_facts(item: ClaimInput) -> dict:
    """The facts the registry gives rather than the claimant: a survivor's birth date and sex
    and relationship (when registered); a man's record for maternity is his wife's claim."""
    facts = dict(item.facts)
    if item.branch == Branch.SURVIVORS:
        facts["beneficiary_birth_date"] = item.claimant.date_of_birth.isoformat()
        facts["beneficiary_sex"] = item.claimant.sex
        if "relationship" not in facts:
            found, _source = relationship_to_deceased(item.member, item.claimant,
                                                      item.event_date)
            if found is not None:
                facts["relationship"] = found
    if item.branch == Branch.MATERNITY and item.member.person.sex == "F":
        facts["claimant_is_spouse"] = False
    return facts


def review(item: ClaimInput, *, as_of: datetime.date | None = None) -> Review:
    """Every check of one claim, hard and held, and the rules' assessment when the claim
    gets that far. Nothing is written."""
    facts = derived_facts(item)
    item = dataclasses.replace(item, facts=facts)
    checks = _basic_checks(item)
    if any(not entry.passed for entry in checks):
        return Review(checks, facts, None)
    checks.append(_insured_check(item))
    checks += _person_checks(item)
    if item.branch == Branch.MATERNITY:
        checks.append(_maternity_check(item))
    if item.branch in DEATH_BRANCHES:
        checks += _dependant_checks(item)
    checks.append(_duplicate_check(item))
    checks += _held_checks(item)
    if any(entry.hard for entry in checks):
        return Review(checks, facts, None)
    assessed = assess_claim(item.member, item.branch, item.event_date, facts,
                            as_of=as_of or item.today)
    checks += _rules_checks(item, assessed)
    return Review(checks, facts, assessed)


def claim_input(claim: Claim, today: datetime.date) -> ClaimInput:
    """A stored claim as the review's input (documents as they are now)."""
    return ClaimInput(
        member=claim.member, claimant=claim.claimant, branch=claim.branch,
        event_date=claim.event_date,
        facts={name: value for name, value in claim.event_details.items()
               if name in BRANCH_FACTS[claim.branch]},
        today=today, claim_id=claim.pk,
        document_kinds=frozenset(claim.documents.values_list("kind", flat=True)))

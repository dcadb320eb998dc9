"""The fund's tables, one module per part of the work:

- register: employers, insured members, spells, dependants, the lifetime contribution record;
- declarations: the employers' monthly declarations of workers and wages;
- collection: billing runs, invoices, payments, bank statements, allocations, instalments;
- voluntary: voluntary and self-employed members' enrolment;
- inspections: the enterprise register, risk scores, inspection plans, visits and findings.
"""

from pakan.socialsecurity.models.collection import (
    Allocation,
    BankStatement,
    BillingRun,
    Instalment,
    InstalmentAgreement,
    Invoice,
    Payment,
)
from pakan.socialsecurity.models.declarations import Declaration, DeclarationLine
from pakan.socialsecurity.models.inspections import (
    EnterpriseRegisterEntry,
    Inspection,
    InspectionFinding,
    InspectionPlan,
    InspectionStatusChange,
    RiskScore,
)
from pakan.socialsecurity.models.register import (
    ContributionRecord,
    Dependant,
    Employer,
    EmployerStatusChange,
    EmployerUser,
    EmploymentSpell,
    InsuredMember,
    MemberCategory,
    MembershipSpell,
    MemberUser,
    Sector,
    SizeClass,
)
from pakan.socialsecurity.models.voluntary import VoluntaryEnrolment, VoluntaryStatusChange

__all__ = [
    "Allocation",
    "BankStatement",
    "BillingRun",
    "ContributionRecord",
    "Declaration",
    "DeclarationLine",
    "Dependant",
    "Employer",
    "EmployerStatusChange",
    "EmployerUser",
    "EmploymentSpell",
    "EnterpriseRegisterEntry",
    "Inspection",
    "InspectionFinding",
    "InspectionPlan",
    "InspectionStatusChange",
    "Instalment",
    "InstalmentAgreement",
    "InsuredMember",
    "Invoice",
    "MemberCategory",
    "MemberUser",
    "MembershipSpell",
    "Payment",
    "RiskScore",
    "Sector",
    "SizeClass",
    "VoluntaryEnrolment",
    "VoluntaryStatusChange",
]

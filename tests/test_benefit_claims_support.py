"""What the claims and awards tests share: insured people with a contribution record, family
members, document files, clients. No tests here."""

from __future__ import annotations

import datetime

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pakan.accounts.models import Role
from pakan.benefits.services.claims import DocumentUpload
from pakan.socialsecurity import services as fund_services
from pakan.socialsecurity.models import Dependant, InsuredMember, MemberUser
from tests.benefit_factories import give_contribution_record
from tests.conftest import make_user
from tests.factories import make_household_with_head, make_person, system_admin

FILED = datetime.date(2025, 3, 10)
DECIDED = datetime.date(2025, 3, 20)
RETIRED = datetime.date(2025, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_numbers = iter(range(1, 10**6))


def insured(village, *, born: str = "1960-03-01", sex: str = "M",
            member_since: datetime.date = datetime.date(1995, 1, 1), months: int = 360,
            wage: int | list[int] = 3_000_000, category: str = "enterprise_employee",
            household=None, **person_fields) -> InsuredMember:
    """An insured person of `village` with `months` paid months from the start of membership."""
    person = make_person(village, household=household, date_of_birth=born, sex=sex,
                         **person_fields)
    member = fund_services.enrol_member(
        system_admin(), person, social_security_number=f"SSB{next(_numbers):08d}",
        category=category, start_on=member_since)
    if months:
        give_contribution_record(member, member_since.replace(day=1), months, wage)
    return member


def family_member(member: InsuredMember, relationship: str, *, born: str, sex: str,
                  since: datetime.date = datetime.date(2000, 1, 1), **person_fields):
    """A registered Dependant of `member` (spouse, child or parent)."""
    person = make_person(member.person.village, date_of_birth=born, sex=sex, **person_fields)
    Dependant.objects.create(member=member, person=person, relationship=relationship,
                             start_on=since)
    return person


def household_with_insured(village, **fields) -> tuple[InsuredMember, object]:
    household, head = make_household_with_head(village, date_of_birth=fields.pop(
        "born", "1960-03-01"), sex=fields.pop("sex", "M"))
    member = fund_services.enrol_member(
        system_admin(), head, social_security_number=f"SSH{next(_numbers):08d}",
        category="enterprise_employee", start_on=datetime.date(1995, 1, 1))
    give_contribution_record(member, datetime.date(1995, 1, 1), fields.pop("months", 360),
                             3_000_000)
    return member, household


def member_account(member: InsuredMember, username: str | None = None):
    user = make_user(username or f"member{member.pk}", Role.INSURED_MEMBER, None)
    MemberUser.objects.create(user=user, member=member)
    return user


def pdf(kind: str = "identity", name: str = "card.pdf", extra: bytes = b"") -> DocumentUpload:
    return DocumentUpload(kind=kind, name=name, content=PDF + extra)


def page_client(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def codes(problem) -> list[tuple[str, str]]:
    """A refusal's (field, code) pairs; every error carries both languages."""
    for item in problem.errors:
        assert item.reason_en and item.reason_lo, item
    return [(item.field, item.code) for item in problem.errors]

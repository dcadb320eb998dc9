"""Shared fixtures: the official geography, a few villages, and staff accounts by role."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache

from pakan.accounts.models import Role, User
from pakan.registry.geography import UnitRow, load_official_geography, upsert_units
from pakan.registry.models import AdminUnit

# Two villages in each of two districts of Vientiane Capital, and one in Luang Prabang.
CONFIGURED_PASSWORD_HASHERS = tuple(settings.PASSWORD_HASHERS)

TEST_VILLAGES = (
    UnitRow("0101001", "0101", AdminUnit.Level.VILLAGE, "Ban Anou", "ບ້ານອະນຸ"),
    UnitRow("0101002", "0101", AdminUnit.Level.VILLAGE, "Ban Mixay", "ບ້ານມີໄຊ"),
    UnitRow("0102001", "0102", AdminUnit.Level.VILLAGE, "Ban Sithan Neua", "ບ້ານສີຖານເໜືອ"),
    UnitRow("0601001", "0601", AdminUnit.Level.VILLAGE, "Ban Xiengmouane", "ບ້ານຊຽງມ່ວນ"),
)


@pytest.fixture(autouse=True)
def _synchronous_jobs(settings, tmp_path):
    """Jobs run to the end before the request returns, so tests can look at the outcome;
    uploads go to the test's own folder."""
    settings.PAKAN_JOBS_SYNCHRONOUS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # login-failure counters and job progress must not leak between tests


@pytest.fixture
def geography(db) -> dict[str, AdminUnit]:
    load_official_geography()
    upsert_units(TEST_VILLAGES)
    return {unit.code: unit for unit in AdminUnit.objects.all()}


def make_user(username: str, role: str, scope_unit: AdminUnit | None) -> User:
    user = User.objects.create_user(username=username, password="correct-horse-battery",
                                    role=role, scope_unit=scope_unit)
    return user


@pytest.fixture
def staff(geography) -> dict[str, User]:
    """One account per role that matters for scope. Keys name the role and the place."""
    country = geography["LA"]
    return {
        "admin": make_user("admin", Role.SYSTEM_ADMIN, country),
        "central": make_user("central", Role.CENTRAL_OFFICER, country),
        "auditor": make_user("auditor", Role.AUDITOR, country),
        "province_vientiane": make_user("prov_vte", Role.PROVINCIAL_OFFICER, geography["01"]),
        "province_luangprabang": make_user("prov_lpb", Role.PROVINCIAL_OFFICER, geography["06"]),
        "district_chanthabuly": make_user("dist_ctb", Role.DISTRICT_OFFICER, geography["0101"]),
        "district_sikhottabong": make_user("dist_skb", Role.DISTRICT_OFFICER, geography["0102"]),
        "employer": make_user("employer", Role.EMPLOYER_USER, None),
        "member": make_user("member", Role.INSURED_MEMBER, None),
        "public": make_user("public", Role.PUBLIC, None),
    }


@pytest.fixture
def today() -> datetime.date:
    return datetime.date.today()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"

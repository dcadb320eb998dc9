"""Signing in, with throttling of failed attempts, and the demo accounts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction

from pakan.accounts.models import Role, User
from pakan.registry.models import AdminUnit


class LoginThrottled(Exception):
    """Too many failed attempts for this username or from this address; try later."""


def _failure_keys(username: str, address: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"pakan:login-fail:user:{user_key}", f"pakan:login-fail:addr:{address}"]


def client_address(request) -> str:
    """The caller's address. Behind a reverse proxy, settings.PAKAN_CLIENT_ADDRESS_HEADER names
    the header the proxy sets (its first entry is the client); otherwise REMOTE_ADDR."""
    if request is None:
        return ""
    header = settings.PAKAN_CLIENT_ADDRESS_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def login_locked(username: str, address: str) -> bool:
    return any(
        (cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT
        for key in _failure_keys(username, address)
    )


def _record_failure(username: str, address: str) -> None:
    for key in _failure_keys(username, address):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def authenticate_throttled(request, username: str, password: str) -> User | None:
    """Check a username and password. Raises LoginThrottled while locked out (even with the
    right password, so guessing gains nothing); returns None for a wrong password."""
    address = client_address(request)
    if login_locked(username, address):
        raise LoginThrottled
    user = authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(username, address)
        return None
    cache.delete(_failure_keys(username, address)[0])  # the address count stays: it guards others
    return user


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope_code: str | None
    first_name: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.SYSTEM_ADMIN, "LA", "System administrator"),
    DemoAccount("central", Role.CENTRAL_OFFICER, "LA", "Central officer"),
    DemoAccount("vientiane", Role.PROVINCIAL_OFFICER, "01", "Vientiane Capital officer"),
    DemoAccount("chanthabuly", Role.DISTRICT_OFFICER, "0101", "Chanthabuly district officer"),
    DemoAccount("savannakhet", Role.PROVINCIAL_OFFICER, "13", "Savannakhet officer"),
    DemoAccount("auditor", Role.AUDITOR, "LA", "Auditor"),
    DemoAccount("employer", Role.EMPLOYER_USER, None, "Employer"),
    DemoAccount("member", Role.INSURED_MEMBER, None, "Insured person"),
    DemoAccount("facility", Role.HEALTH_FACILITY_USER, None, "Health facility"),
    DemoAccount("actuary", Role.ACTUARY, "LA", "Actuary"),
)
DEMO_PASSWORD_SUFFIX = "-pakan-demo"


def demo_password(username: str) -> str:
    return f"{username}{DEMO_PASSWORD_SUFFIX}"


@transaction.atomic
def create_demo_accounts() -> list[tuple[DemoAccount, str]]:
    """One account per role, for `make run`. Idempotent: existing accounts are left alone."""
    units = {unit.code: unit for unit in AdminUnit.objects.filter(
        code__in=[a.scope_code for a in DEMO_ACCOUNTS if a.scope_code])}
    created = []
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={"role": account.role, "first_name": account.first_name,
                      "scope_unit": units.get(account.scope_code),
                      "is_staff": account.role == Role.SYSTEM_ADMIN,
                      "is_superuser": account.role == Role.SYSTEM_ADMIN},
        )
        if was_created:
            user.set_password(demo_password(account.username))
            user.save(update_fields=["password"])
        created.append((account, demo_password(account.username)))
    return created

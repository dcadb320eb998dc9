"""Geography, jobs, accounts and deployment settings of the foundation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher

from pakan.accounts.models import User
from pakan.accounts.services import DEMO_ACCOUNTS, create_demo_accounts, demo_password
from pakan.jobs.models import Job
from pakan.jobs.services import (
    create_job,
    dispatch,
    progress_of,
    run_job_now,
    start_keyed_job,
)
from pakan.registry.geography import load_official_geography, read_village_csv, upsert_units
from pakan.registry.models import AdminUnit
from tests.conftest import CONFIGURED_PASSWORD_HASHERS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_official_geography_has_18_provinces_and_148_districts_with_codes():
    load_official_geography()
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    assert provinces.count() == 18
    assert AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT).count() == 148
    capital = provinces.get(code="01")
    assert (capital.iso_code, capital.name_en, capital.name_lo) == (
        "LA-VT", "Vientiane Capital", "ນະຄອນຫຼວງວຽງຈັນ")
    assert provinces.get(code="18").iso_code == "LA-XS"
    district = AdminUnit.objects.get(code="0101")
    assert district.parent == capital
    assert district.path == "/LA/01/0101/"


@pytest.mark.django_db
def test_loading_geography_twice_changes_nothing():
    load_official_geography()
    before = list(AdminUnit.objects.values_list("id", "code", "path").order_by("id"))
    load_official_geography()
    assert list(AdminUnit.objects.values_list("id", "code", "path").order_by("id")) == before


@pytest.mark.django_db
def test_villages_from_csv_hang_under_their_district_at_any_depth(tmp_path):
    load_official_geography()
    villages = tmp_path / "villages.csv"
    villages.write_text(
        "village_code,district_code,village_name_en,village_name_lo\n"
        "1301001,1301,Ban Nakham,ບ້ານນາຄຳ\n1301002,1301,Ban Phonsavang,ບ້ານໂພນສະຫວ່າງ\n",
        encoding="utf-8")
    upsert_units(read_village_csv(villages))
    province = AdminUnit.objects.get(code="13")
    village = AdminUnit.objects.get(code="1301002")
    assert village.path == "/LA/13/1301/1301002/"
    assert province.contains(village)
    assert not AdminUnit.objects.get(code="01").contains(village)
    assert AdminUnit.objects.filter(path__startswith=province.path,
                                    level=AdminUnit.Level.VILLAGE).count() == 2


def test_village_csv_without_its_columns_is_refused(tmp_path):
    villages = tmp_path / "villages.csv"
    villages.write_text("code,name\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        read_village_csv(villages)


def counting_runner(job, progress):
    for done in range(1, 4):
        progress(done, 3)
    return {"status": Job.Status.SUCCEEDED, "done": 3, "total": 3, "result": {"seen": 3}}


def failing_runner(job, progress):
    raise RuntimeError("disk full")


@pytest.fixture
def test_runners_allowed(settings):
    settings.PAKAN_JOB_RUNNER_PREFIXES = ("pakan.", "tests.")


@pytest.mark.django_db
@pytest.mark.usefixtures("test_runners_allowed")
def test_a_job_runs_reports_progress_and_a_second_run_changes_nothing():
    seen = []
    job = create_job("tests.test_foundation.counting_runner")
    finished = run_job_now(job.pk, echo=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert (finished.status, finished.done, finished.total) == ("succeeded", 3, 3)
    assert progress_of(finished) == (3, 3)
    again = run_job_now(job.pk, echo=lambda done, total: seen.append((done, total)))
    assert again.finished_at == finished.finished_at and len(seen) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("test_runners_allowed")
def test_a_failing_job_records_why():
    job = create_job("tests.test_foundation.failing_runner")
    dispatch(job)  # synchronous in tests: runs at commit, swallowing the error into the job
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "disk full" in job.message


@pytest.mark.django_db
@pytest.mark.usefixtures("test_runners_allowed")
def test_a_keyed_job_is_returned_while_it_waits_and_queued_again_once_it_has_ended(
        django_capture_on_commit_callbacks):
    runner = "tests.test_foundation.failing_runner"
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        job = start_keyed_job(runner, "month:2024-05", parameters={"month": "2024-05"})
        again = start_keyed_job(runner, "month:2024-05", parameters={"month": "other"})
    assert again.pk == job.pk and again.parameters == {"month": "2024-05"}
    assert len(waiting) == 1  # dispatched once: the second call found it queued
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="disk full", done=2)
    with django_capture_on_commit_callbacks(execute=False) as requeued:
        restarted = start_keyed_job(runner, "month:2024-05", parameters={"month": "again"})
    assert restarted.pk == job.pk and Job.objects.count() == 1
    assert (restarted.status, restarted.message, restarted.done) == (Job.Status.QUEUED, "", 0)
    assert restarted.parameters == {"month": "again"} and len(requeued) == 1


def test_job_runners_must_live_in_pakan():
    with pytest.raises(ValueError):
        create_job("os.system")


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = list(CONFIGURED_PASSWORD_HASHERS)  # the fixture sped them up
    user = User.objects.create_user("someone", password="a long pass phrase")
    assert user.password.startswith("argon2$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert check_password("a long pass phrase", user.password)


def test_sessions_expire():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_demo_accounts_one_per_role_and_idempotent(geography):
    create_demo_accounts()
    create_demo_accounts()
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    district = User.objects.get(username="chanthabuly")
    assert district.scope_unit.code == "0101"
    assert district.check_password(demo_password("chanthabuly"))
    assert {u.role for u in User.objects.all()} >= {"system_admin", "district_officer", "auditor"}


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    secret_key = "".join(chr(48 + i % 70) for i in range(60))
    environment = {**os.environ, "PAKAN_PRODUCTION": "1", "PAKAN_SECRET_KEY": secret_key,
                   "PAKAN_ALLOWED_HOSTS": "pakan.example.la", "PAKAN_VAR_DIR": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr

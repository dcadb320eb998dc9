"""The fund's pages in a real browser: an employer declares a month by file (refused with its
row report, then accepted), an officer runs a month's billing and watches it finish, and an
officer reads the arrears chart drawn by the locally served plotly."""

from __future__ import annotations

import datetime
import re
import uuid
from urllib.parse import urlparse

import pytest
from django.db import connection
from playwright.sync_api import expect

from pakan.accounts.models import Role
from pakan.socialsecurity import services as fund_services
from pakan.socialsecurity.models import BillingRun, Declaration
from pakan.socialsecurity.services.billing import run_billing
from pakan.socialsecurity.services.declarations import submit_declaration
from tests.browser.helpers import log_in
from tests.conftest import make_user
from tests.factories import make_employer, make_worker, system_admin

pytestmark = pytest.mark.browser


def _last_month() -> datetime.date:
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _declare(employer, workers, month, today=None) -> None:
    submit_declaration(system_admin(), employer, month,
                       [{"social_security_number": member.social_security_number,
                         "monthly_wage": 3_000_000 + 500_000 * index}
                        for index, member in enumerate(workers)],
                       channel="api", today=today)


@pytest.fixture
def enterprise(geography):
    employer = make_employer(geography["0101001"], name_en="Mekong Garments")
    workers = [make_worker(employer, 3_000_000 + 500_000 * index) for index in range(3)]
    user = make_user(f"employer-{uuid.uuid4().hex[:10]}", Role.EMPLOYER_USER, None)
    fund_services.link_employer_user(system_admin(), user, employer)
    return employer, workers, user


def test_employer_uploads_a_bad_then_a_good_declaration(page, live_server, enterprise,
                                                        tmp_path, screenshot_dir):
    employer, workers, user = enterprise
    month = _last_month()
    log_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/fund/portal/declare/?month={month:%Y-%m}")
    bad = tmp_path / "bad.csv"
    bad.write_text("social_security_number,monthly_wage\n"
                   f"{workers[0].social_security_number},3000000\n"
                   f"{workers[0].social_security_number},3000000\n"
                   "SS-NOBODY-HERE,3000000\n", encoding="utf-8")
    page.fill("#upload-month", f"{month:%Y-%m}")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/fund/portal/declarations/[0-9]+/$"))
    outcome = page.locator("#outcome.refused")
    expect(outcome).to_be_visible()
    expect(page.locator("table.declaration-errors tbody tr").first).to_be_visible()
    # Row 3 of the file repeats the worker of row 2; the header is row 1.
    expect(page.locator("tr[data-code=declaration_duplicate_line] td").first).to_have_text("3")
    expect(page.locator("tr[data-code=declaration_duplicate_line] td[lang=lo]")).not_to_be_empty()
    expect(page.locator("tr[data-code=declaration_duplicate_line] td[lang=en]")).to_contain_text(
        "already declared")
    page.screenshot(path=screenshot_dir / "declaration-refused-en.png", full_page=True)
    page.click(".lang-switch button[data-lang=lo]")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("tr[data-code=declaration_duplicate_line] td[lang=lo]")).to_contain_text(
        "ແຖວ")
    page.screenshot(path=screenshot_dir / "declaration-refused-lo.png", full_page=True)
    page.click(".lang-switch button[data-lang=en]")

    good = tmp_path / "good.csv"
    good.write_text("social_security_number,monthly_wage\n" + "".join(
        f"{member.social_security_number},{3_000_000 + 500_000 * index}\n"
        for index, member in enumerate(workers)), encoding="utf-8")
    page.goto(f"{live_server.url}/fund/portal/declare/?month={month:%Y-%m}")
    page.fill("#upload-month", f"{month:%Y-%m}")
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#outcome.accepted")).to_be_visible()
    expect(page.locator("[data-count=lines]")).to_have_text("3")
    expect(page.locator("#declaration-status")).to_have_text("Accepted")
    assert Declaration.objects.get(employer=employer, month=month,
                                   status="accepted").number_of_lines == 3


def test_officer_starts_a_billing_run_and_sees_it_finish(page, live_server, geography,
                                                         settings):
    # On PostgreSQL the run is a real background thread and the page polls its progress; the
    # in-memory SQLite test database cannot be shared with a second connection.
    settings.PAKAN_JOBS_SYNCHRONOUS = connection.vendor == "sqlite"
    month = _last_month()
    for village in ("0101001", "0601001"):
        employer = make_employer(geography[village])
        workers = [make_worker(employer) for _ in range(2)]
        _declare(employer, workers, month)
    officer = make_user(f"central-{uuid.uuid4().hex[:10]}", Role.CENTRAL_OFFICER,
                        geography["LA"])
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/fund/billing/")
    page.fill("#id_month", f"{month:%Y-%m}")
    page.click("#start-run button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/fund/billing/{month:%Y-%m}/$"))
    outcome = page.locator("#outcome.accepted")
    expect(outcome).to_be_visible()
    expect(outcome.locator("[data-count=invoices]")).to_have_text("2")
    expect(outcome.locator("[data-count=workers]")).to_have_text("4")
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    run = BillingRun.objects.get(kind="contributions", month=month)
    assert run.status == BillingRun.Status.FINISHED
    expect(outcome.locator("[data-count=total]")).to_have_text(f"{run.total_amount:,}")


def test_officer_views_the_arrears_chart(page, live_server, geography, screenshot_dir):
    month = datetime.date(2024, 5, 1)
    for village in ("0101001", "0601001"):
        employer = make_employer(geography[village])
        _declare(employer, [make_worker(employer)], month, today=datetime.date(2024, 6, 10))
    run_billing(month, issued_on=datetime.date(2024, 6, 1))
    officer = make_user(f"central-{uuid.uuid4().hex[:10]}", Role.CENTRAL_OFFICER,
                        geography["LA"])
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/fund/arrears/?as_of=2024-12-31")
    chart = page.locator("[data-chart=arrears-by-province]")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator(".main-svg").first).to_be_visible()
    bars = chart.locator("g.trace.bars path")
    assert bars.count() >= 2
    expect(page.locator("[data-chart=collections]")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#province-table tr[data-province='06']")).to_be_visible()
    server = urlparse(live_server.url).netloc
    assert any(url.endswith("/static/vendor/plotly.min.js") for url in page.requested_urls)
    assert all(urlparse(url).netloc == server for url in page.requested_urls
               if url.startswith("http"))
    page.screenshot(path=screenshot_dir / "arrears-chart.png", full_page=True)

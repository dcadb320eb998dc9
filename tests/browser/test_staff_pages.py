"""The staff pages in a real browser: log-in, search, language, imports."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.db import connection
from playwright.sync_api import expect

from pakan.jobs.models import Job
from pakan.jobs.services import Progress, finish
from pakan.registry import services
from pakan.registry.models import Person
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

HEADER = ("given_name_lo,family_name_lo,given_name_latin,family_name_latin,sex,date_of_birth,"
          "village_code,national_id\n")
GOOD_FILE = HEADER + "".join(
    f"ບຸນມີ,ແສງສະຫວ່າງ,Bounmy{index},Sengsavang,M,1985-01-{index + 1:02d},0101001,"
    f"BR-{index:06d}\n" for index in range(12))
BAD_FILE = HEADER + (
    "ບຸນມີ,ແສງສະຫວ່າງ,Bounmy,Sengsavang,M,1985-01-01,0101001,BR-000001\n"
    "ບຸນມີ,ແສງສະຫວ່າງ,Bounmy,Sengsavang,Q,1985-01-02,0101001,BR-000002\n"
    "ບຸນມີ,ແສງສະຫວ່າງ,Bounmy,Sengsavang,F,31/12/1985,0101001,BR-000003\n")


@pytest.fixture
def people(staff, geography):
    officer = staff["admin"]
    household = services.register_household(officer, family_book_number="FB-0101-100",
                                             village=geography["0101001"])
    fields = {"given_name_lo": "ເພັດສະໝອນ", "family_name_lo": "ໄຊຍະວົງ",
              "given_name_latin": "Phetsamone", "family_name_latin": "Xayavong",
              "sex": "F", "date_of_birth": "1979-08-09", "relationship_to_head": "head"}
    return services.register_person(officer, fields, village=geography["0101001"],
                                    household=household).person


def test_log_in_with_a_wrong_then_the_right_password(page, live_server, officer):
    log_in(page, live_server, officer.username, "not-my-password")
    expect(page.locator("[data-problem=wrong]")).to_contain_text(
        "The username or password is not correct.")
    log_in(page, live_server, officer.username)
    expect(page).to_have_url(f"{live_server.url}/accounts/home/")
    expect(page.locator("h1")).to_have_text("Home")
    expect(page.locator("header .who")).to_contain_text(officer.username)


def test_search_finds_a_spelling_variant(page, live_server, officer, people, screenshot_dir):
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/registry/")
    page.fill("#id_q", "petsamon saiyavong")  # Phetsamone Xayavong, spelt another way
    row = page.locator("table.results tbody tr").first
    expect(row).to_contain_text("Phetsamone Xayavong")
    expect(row).to_contain_text("ເພັດສະໝອນ ໄຊຍະວົງ")
    expect(page.locator(".result-count")).to_contain_text("1 person found")
    page.screenshot(path=screenshot_dir / "search-en.png", full_page=True)
    row.locator("a").first.click()
    expect(page).to_have_url(f"{live_server.url}/registry/people/{people.pk}/")
    expect(page.locator("h1")).to_contain_text("Phetsamone Xayavong")


def test_language_switch_shows_lao_in_the_local_lao_font(page, live_server, officer, people,
                                                         screenshot_dir):
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/registry/?q=xayavong")
    expect(page.locator("h1")).to_have_text("Search the registry")
    page.click(".lang-switch button[data-lang=lo]")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("h1")).to_have_text("ຄົ້ນຫາທະບຽນ")
    expect(page.locator(".result-count")).to_contain_text("ພົບ 1 ຄົນ")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("""() => document.fonts.check('16px "Noto Sans Lao"', 'ທະບຽນ')
        && [...document.fonts].some(f => f.family.includes('Noto Sans Lao')
                                         && f.status === 'loaded')""")
    assert loaded
    heading_font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert heading_font.startswith('"Noto Sans Lao"')
    fonts = [url for url in page.requested_urls if url.endswith(".woff2")]
    assert fonts and all(url.startswith(f"{live_server.url}/static/vendor/fonts/")
                         for url in fonts)
    server = urlparse(live_server.url).netloc
    assert all(urlparse(url).netloc == server for url in page.requested_urls
               if url.startswith("http"))
    page.screenshot(path=screenshot_dir / "search-lo.png", full_page=True)


def _upload(page, live_server, tmp_path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.goto(f"{live_server.url}/registry/import/")
    page.check("input[name=kind][value=people]")
    page.set_input_files("#id_file", str(path))
    page.click("#import-form button[type=submit]")


def test_good_import_runs_to_the_end_and_shows_the_counts(page, live_server, officer, tmp_path,
                                                          settings):
    # On PostgreSQL a real background thread runs the job and the page polls its progress; the
    # test database of SQLite lives in memory, where a second connection would lock it.
    settings.PAKAN_JOBS_SYNCHRONOUS = connection.vendor == "sqlite"
    settings.MEDIA_ROOT = tmp_path / "media"
    log_in(page, live_server, officer.username)
    _upload(page, live_server, tmp_path, "good.csv", GOOD_FILE)
    expect(page).to_have_url(re.compile(r"/jobs/[0-9]+/$"))
    outcome = page.locator("#outcome.accepted")
    expect(outcome).to_be_visible()
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-progress-text")).to_contain_text("12 / 12")
    expect(outcome.locator("[data-count=people]")).to_have_text("12")
    expect(outcome.locator("[data-count=rows]")).to_have_text("12")
    assert Person.objects.filter(family_name_latin="Sengsavang").count() == 12


def test_bad_import_lists_the_errors_and_imports_nothing(page, live_server, officer, tmp_path,
                                                         settings, screenshot_dir):
    settings.MEDIA_ROOT = tmp_path / "media"
    log_in(page, live_server, officer.username)
    _upload(page, live_server, tmp_path, "bad.csv", BAD_FILE)
    expect(page.locator("#outcome.refused")).to_be_visible()
    rows = page.locator("table.import-errors tbody tr")
    expect(rows).to_have_count(2)
    sex = rows.filter(has_text="sex")
    expect(sex.locator("td").nth(0)).to_have_text("3")
    expect(sex.locator("td").nth(2)).to_have_text("Q")
    expect(sex.locator("td[lang=en]")).to_contain_text("M")
    expect(sex.locator("td[lang=lo]")).to_contain_text("ເພດ")
    birth = rows.filter(has_text="date_of_birth")
    expect(birth.locator("td").nth(0)).to_have_text("4")
    expect(birth.locator("td[lang=lo]")).not_to_be_empty()
    expect(page.locator("a[href$='report.csv']")).to_be_visible()
    expect(page.locator("a[href$='report.xlsx']")).to_be_visible()
    page.screenshot(path=screenshot_dir / "import-errors-en.png", full_page=True)
    page.click(".lang-switch button[data-lang=lo]")
    expect(page.locator("#outcome h2")).to_have_text("ປະຕິເສດ: ບໍ່ມີຫຍັງຖືກນຳເຂົ້າ.")
    page.screenshot(path=screenshot_dir / "import-errors-lo.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "import-errors-phone.png", full_page=True)
    assert not Person.objects.filter(family_name_latin="Sengsavang").exists()


def test_job_page_polls_the_progress_until_the_job_ends(page, live_server, officer):
    job = Job.objects.create(kind="pakan.registry.importing.run_import_job",
                             created_by=officer, status=Job.Status.RUNNING,
                             parameters={"kind": "people", "original_name": "big.csv"})
    Progress(job)(250, 10_000)
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator("#job-progress")).to_have_attribute("value", "2")
    Progress(job)(7_500, 10_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "75")
    expect(page.locator("#job-progress-text")).to_contain_text("7,500 / 10,000 · 75%")
    finish(job, {"status": Job.Status.SUCCEEDED, "done": 10_000, "total": 10_000,
                 "result": {"rows": 10_000, "created_people": 10_000, "created_households": 0,
                            "duplicates_queued": 3}})
    outcome = page.locator("#outcome.accepted")
    expect(outcome).to_be_visible()
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(outcome.locator("[data-count=people]")).to_have_text("10,000")
    expect(outcome.locator("[data-count=duplicates]")).to_have_text("3")

"""The staff pages, through Django's test client: scope, roles, forms, exports, languages."""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from pakan.accounts.models import Role
from pakan.audit.models import AuditEvent
from pakan.jobs.models import Job
from pakan.registry import services
from pakan.registry.models import DuplicateCandidate, Household, LifeEvent, Person
from pakan.registry.templatetags.registry_pages import thousands
from tests.conftest import make_user

PASSWORD = "correct-horse-battery"
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def private_cache(settings) -> None:
    """Login failures are counted in the cache. With Redis, tests running in parallel share it
    and each clears it before it starts, which would wipe a count in the middle of a test: a
    cache of this test's own keeps the count."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"pages-{uuid.uuid4().hex}"}}


@pytest.fixture
def signer(geography, settings):
    """An officer of Chanthabuly with a name, an address and a cache of its own."""
    private_cache(settings)
    suffix = uuid.uuid4().hex[:10]
    user = make_user(f"signer-{suffix}", Role.DISTRICT_OFFICER, geography["0101"])
    address = f"10.{int(suffix[:2], 16)}.{int(suffix[2:4], 16)}.{int(suffix[4:6], 16)}"
    return user, address


def person_fields(**overrides) -> dict:
    fields = {
        "given_name_lo": "ສົມພອນ", "family_name_lo": "ພົມມະວົງ",
        "given_name_latin": "Somphone", "family_name_latin": "Phommavong",
        "sex": "M", "date_of_birth": "1980-05-17", "relationship_to_head": "head",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def registry(staff, geography):
    """A household in each of two districts of Vientiane Capital, with their people."""
    officer = staff["admin"]
    anou = services.register_household(officer, family_book_number="FB-0101-001",
                                       village=geography["0101001"])
    head = services.register_person(officer, person_fields(national_id="ID-111111"),
                                    village=geography["0101001"], household=anou).person
    spouse = services.register_person(officer, person_fields(
        given_name_lo="ນາງ ແສງ", given_name_latin="Nang Seng", sex="F",
        relationship_to_head="spouse", date_of_birth="1984-02-01"),
        village=geography["0101001"], household=anou).person
    mixay = services.register_household(officer, family_book_number="FB-0101-002",
                                        village=geography["0101002"])
    sithan = services.register_household(officer, family_book_number="FB-0102-001",
                                         village=geography["0102001"])
    elsewhere = services.register_person(officer, person_fields(
        given_name_latin="Souksavanh", given_name_lo="ສຸກສະຫວັນ", national_id="ID-222222"),
        village=geography["0102001"], household=sithan).person
    return {"anou": anou, "mixay": mixay, "sithan": sithan, "head": head, "spouse": spouse,
            "elsewhere": elsewhere}


def client_for(client, user, language: str = "en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def without_csrf(content: bytes) -> bytes:
    return CSRF_TOKEN.sub(b"", content)


# Pages render for an officer in scope --------------------------------------------------------


def test_every_page_renders_for_an_officer_in_scope(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head, anou = registry["head"], registry["anou"]
    pages = {
        reverse("accounts:home"): "Chanthabuly",
        reverse("registry:search") + "?q=somphone": "Phommavong",
        reverse("registry:person", args=[head.pk]): "Somphone Phommavong",
        reverse("registry:household", args=[anou.pk]): "FB-0101-001",
        reverse("registry:village", args=["0101001"]): "FB-0101-001",
        reverse("registry:register"): "New household",
        reverse("registry:duplicates"): "Possible duplicates",
        reverse("registry:import"): "Upload and import",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


def test_staff_home_shows_scope_counts(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    page = client.get(reverse("accounts:home")).content.decode()
    assert re.search(r'data-count="people">2<', page)
    assert re.search(r'data-count="households">2<', page)
    assert re.search(r'data-count="duplicates">0<', page)


@pytest.mark.parametrize("role", ["employer", "member", "public"])
def test_other_roles_get_their_own_home_and_no_registry(client, staff, registry, role):
    client_for(client, staff[role])
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 200
    assert "Phommavong" not in home.content.decode()
    assert "This part of Pakan is being built" in home.content.decode()
    assert client.get(reverse("registry:search") + "?q=somphone").status_code == 403
    assert client.get(reverse("registry:person", args=[registry["head"].pk])).status_code == 403


def test_pages_need_a_login(client, registry):
    response = client.get(reverse("registry:person", args=[registry["head"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_thousands_separator():
    assert thousands(7512345) == "7,512,345"
    assert thousands(0) == "0"
    assert thousands(None) == ""


# Scope: out of scope is not found, exactly like missing ----------------------------------------


def test_out_of_scope_person_is_the_same_404_as_a_missing_one(client, staff, registry):
    client_for(client, staff["district_sikhottabong"])
    existing = client.get(reverse("registry:person", args=[registry["head"].pk]))
    missing = client.get(reverse("registry:person", args=[999_999]))
    assert existing.status_code == missing.status_code == 404
    assert without_csrf(existing.content) == without_csrf(missing.content)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


def test_out_of_scope_household_and_village_are_not_found(client, staff, registry):
    client_for(client, staff["district_sikhottabong"])
    existing = client.get(reverse("registry:household", args=[registry["anou"].pk]))
    missing = client.get(reverse("registry:household", args=[999_999]))
    assert existing.status_code == missing.status_code == 404
    assert without_csrf(existing.content) == without_csrf(missing.content)
    assert client.get(reverse("registry:village", args=["0101001"])).status_code == 404
    assert client.get(reverse("registry:village", args=["9999999"])).status_code == 404
    assert client.get(reverse("registry:village", args=["0102001"])).status_code == 200


def test_out_of_scope_change_is_not_found_and_changes_nothing(client, staff, registry):
    client_for(client, staff["district_sikhottabong"])
    response = client.post(reverse("registry:person", args=[registry["head"].pk]),
                           {"action": "death", "death-occurred_on": "2024-01-01"})
    assert response.status_code == 404
    registry["head"].refresh_from_db()
    assert registry["head"].date_of_death is None


def test_search_finds_only_people_in_scope(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    page = client.get(reverse("registry:search") + "?q=phommavong").content.decode()
    assert "Somphone" in page and "Souksavanh" not in page
    client_for(client, staff["province_vientiane"])
    page = client.get(reverse("registry:search") + "?q=phommavong").content.decode()
    assert "Somphone" in page and "Souksavanh" in page


def test_search_tolerates_spelling_and_script(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    for query in ("Somphon Pommavong", "ສົມພອນ", "ID-111111", str(registry["head"].pk)):
        page = client.get(reverse("registry:search"), {"q": query}).content.decode()
        assert f'href="/registry/people/{registry["head"].pk}/"' in page, query


def test_search_answers_a_fragment_to_htmx(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    response = client.get(reverse("registry:search"), {"q": "somphone"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Somphone" in page and "<html" not in page


# Auditor: pages without forms, 403 on change ----------------------------------------------------


def test_auditor_sees_pages_without_change_forms(client, staff, registry):
    client_for(client, staff["auditor"])
    for url in (reverse("registry:person", args=[registry["head"].pk]),
                reverse("registry:household", args=[registry["anou"].pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="action"' not in response.content.decode()
    duplicates = client.get(reverse("registry:duplicates")).content.decode()
    assert "Merge" not in duplicates


def test_auditor_post_is_forbidden_and_changes_nothing(client, staff, registry, geography):
    client_for(client, staff["auditor"])
    head = registry["head"]
    posts = [
        (reverse("registry:person", args=[head.pk]),
         {"action": "death", "death-occurred_on": "2024-01-01"}),
        (reverse("registry:person", args=[head.pk]),
         {"action": "move", "move-village_code": "0101002", "move-occurred_on": "2024-01-01"}),
        (reverse("registry:household", args=[registry["anou"].pk]),
         {"action": "member", **{f"member-{k}": v for k, v in person_fields().items()}}),
        (reverse("registry:register"),
         {"action": "household", "household-family_book_number": "FB-NEW-0001",
          "household-village_code": "0101001"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, data["action"]
    head.refresh_from_db()
    assert head.date_of_death is None and head.village.code == "0101001"
    assert not Household.objects.filter(family_book_number="FB-NEW-0001").exists()
    assert Person.objects.count() == 3


# Log-in ----------------------------------------------------------------------------------------


def test_login_with_the_right_password_goes_home(client, signer):
    user, address = signer
    response = client.post(reverse("accounts:login"),
                           {"username": user.username, "password": PASSWORD},
                           REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_wrong_password_gives_a_clear_message(client, signer):
    user, address = signer
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:login"),
                           {"username": user.username, "password": "wrong-password"},
                           REMOTE_ADDR=address)
    assert response.status_code == 200
    assert "The username or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_locked_after_too_many_failures_even_with_the_right_password(
        client, signer, settings):
    user, address = signer
    client.cookies["django_language"] = "en"
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope"},
                    REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"),
                           {"username": user.username, "password": PASSWORD},
                           REMOTE_ADDR=address)
    assert response.status_code == 429
    minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
    assert f"Too many failed attempts. Try again in {minutes} minutes." in \
        response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, staff):
    client_for(client, staff["district_chanthabuly"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_login_keeps_a_safe_next_and_drops_a_foreign_one(client, signer):
    user, address = signer
    response = client.post(reverse("accounts:login"), {
        "username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
        REMOTE_ADDR=address)
    assert response["Location"] == reverse("accounts:home")
    client.post(reverse("accounts:logout"))
    response = client.post(reverse("accounts:login"), {
        "username": user.username, "password": PASSWORD, "next": "/registry/duplicates/"},
        REMOTE_ADDR=address)
    assert response["Location"] == "/registry/duplicates/"


# Language --------------------------------------------------------------------------------------


def test_language_switch_changes_the_page_text_to_lao(client, staff, registry):
    client_for(client, staff["district_chanthabuly"], language="en")
    url = reverse("registry:search")
    english = client.get(url).content.decode()
    assert "Search the registry" in english and "ຄົ້ນຫາ" not in english
    response = client.post(reverse("set_language"), {"language": "lo", "next": url})
    assert response.status_code == 302
    lao = client.get(url).content.decode()
    assert '<html lang="lo">' in lao
    assert "ຄົ້ນຫາທະບຽນ" in lao and "Search the registry" not in lao
    person = client.get(reverse("registry:person", args=[registry["head"].pk])).content.decode()
    assert "ວັນເດືອນປີເກີດ" in person and "ເພດຊາຍ" in person


# Exports ---------------------------------------------------------------------------------------


def test_search_export_is_neutralised_and_scoped(client, staff, registry, geography):
    officer = staff["admin"]
    services.register_person(officer, person_fields(given_name_latin="=HYPERLINK(1)"),
                             village=geography["0101001"])
    services.register_person(officer, person_fields(given_name_latin="=HYPERLINK(2)"),
                             village=geography["0102001"])
    client_for(client, staff["district_chanthabuly"])
    response = client.get(reverse("registry:search"), {"q": "phommavong", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('registry-search.csv"')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["village_code"] for row in rows} == {"0101001"}
    assert "'=HYPERLINK(1)" in {row["given_name_latin"] for row in rows}
    assert not any(row["given_name_latin"].startswith("=") for row in rows)

    response = client.get(reverse("registry:search"), {"q": "phommavong", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(1)" in values
    assert "'=HYPERLINK(2)" not in values
    exports = AuditEvent.objects.filter(action="export", actor=staff["district_chanthabuly"])
    assert [event.after["query"] for event in exports.order_by("id")] == [
        {"q": "phommavong", "format": "csv"}, {"q": "phommavong", "format": "xlsx"}]


def test_village_and_duplicate_exports(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    response = client.get(reverse("registry:village", args=["0101001"]), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [{"family_book_number": "FB-0101-001", "village_code": "0101001",
                     "head_registry_number": str(registry["head"].pk),
                     "head_name_lo": "ສົມພອນ ພົມມະວົງ", "head_name_latin": "Somphone Phommavong",
                     "member_count": "2"}]
    response = client.get(reverse("registry:duplicates"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# Person page: view logged, history, forms call the services --------------------------------------


def test_person_page_logs_the_opening_and_shows_history(client, staff, registry):
    officer = staff["district_chanthabuly"]
    head = registry["head"]
    services.update_person(staff["admin"], head, {"phone": "020 5555 1234"})
    client_for(client, officer)
    page = client.get(reverse("registry:person", args=[head.pk])).content.decode()
    opened = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=head.pk,
                                       object_type="registry.person")
    assert opened.count() == 1 and opened.get().actor == officer
    assert "History of this record" in page
    assert "020 5555 1234" in page and "Phone number" in page
    assert "Opened full record" in page and "dist_ctb" in page
    for label in ("Seeing, even if wearing glasses", "UXO survivor", "Head of household"):
        assert label in page


def test_death_form_records_the_death(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    response = client.post(reverse("registry:person", args=[head.pk]),
                           {"action": "death", "death-occurred_on": "2024-03-01"})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.date_of_death == datetime.date(2024, 3, 1)
    assert head.life_events.get().kind == LifeEvent.Kind.DEATH


def test_death_before_birth_is_shown_in_both_languages_and_changes_nothing(
        client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    response = client.post(reverse("registry:person", args=[head.pk]),
                           {"action": "death", "death-occurred_on": "1970-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Date of death is before date of birth." in page
    assert "ວັນທີເສຍຊີວິດກ່ອນວັນເດືອນປີເກີດ." in page
    assert re.search(r'data-field="occurred_on">.*?data-code="death_before_birth"', page,
                     re.DOTALL)
    head.refresh_from_db()
    assert head.date_of_death is None


def test_move_form_moves_the_person(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    spouse = registry["spouse"]
    response = client.post(reverse("registry:person", args=[spouse.pk]), {
        "action": "move", "move-village_code": "0101002", "move-occurred_on": "2024-06-01"})
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert spouse.village.code == "0101002"


def test_move_form_reports_every_mistake_per_field(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    response = client.post(reverse("registry:person", args=[head.pk]), {
        "action": "move", "move-village_code": "9999999", "move-occurred_on": "01/06/2024"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown village code." in page
    assert "ບໍ່ພົບລະຫັດບ້ານນີ້." in page
    assert "Not a date in the form YYYY-MM-DD" in page
    head.refresh_from_db()
    assert head.village.code == "0101001"


def test_marriage_form_moves_the_person_into_the_other_household(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    spouse = registry["spouse"]
    response = client.post(reverse("registry:person", args=[spouse.pk]), {
        "action": "marriage", "marriage-family_book_number": "fb-0101-002",
        "marriage-relationship": "spouse", "marriage-occurred_on": "2024-02-14"})
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert spouse.household == registry["mixay"]
    assert spouse.village.code == "0101002"
    assert spouse.family_book_number == "FB-0101-002"


def test_marriage_into_a_household_outside_the_area_is_an_unknown_book(client, staff,
                                                                       registry):
    client_for(client, staff["district_chanthabuly"])
    spouse = registry["spouse"]
    response = client.post(reverse("registry:person", args=[spouse.pk]), {
        "action": "marriage", "marriage-family_book_number": "FB-0102-001",
        "marriage-relationship": "spouse", "marriage-occurred_on": "2024-02-14"})
    assert response.status_code == 400
    assert "Unknown family-book number." in response.content.decode()
    spouse.refresh_from_db()
    assert spouse.household == registry["anou"]


def test_correction_form_updates_and_is_audited(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    data = {f"correct-{name}": value for name, value in person_fields(
        given_name_latin="Somphon", national_id="ID-111111", difficulty_walking="3",
        uxo_survivor="on").items()}
    response = client.post(reverse("registry:person", args=[head.pk]),
                           {"action": "correct", **data})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.given_name_latin == "Somphon"
    assert head.difficulty_walking == 3 and head.uxo_survivor
    page = client.get(reverse("registry:person", args=[head.pk])).content.decode()
    assert re.search(r"<del>Somphone</del> → <ins>Somphon</ins>", page)


def test_correction_with_broken_lao_keeps_the_record(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    data = {f"correct-{name}": value for name, value in person_fields(
        given_name_lo="\u0ec8ສົມ").items()}
    response = client.post(reverse("registry:person", args=[head.pk]),
                           {"action": "correct", **data})
    assert response.status_code == 400
    assert 'data-code="broken_lao"' in response.content.decode()
    head.refresh_from_db()
    assert head.given_name_lo == "ສົມພອນ"


# Household, registration -----------------------------------------------------------------------


def test_household_page_registers_a_birth_and_a_member(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    anou = registry["anou"]
    url = reverse("registry:household", args=[anou.pk])
    birth = {f"birth-{k}": v for k, v in person_fields(
        given_name_latin="Noy", given_name_lo="ນ້ອຍ", date_of_birth="2024-07-01",
        relationship_to_head="child").items()}
    assert client.post(url, {"action": "birth", **birth}).status_code == 302
    child = anou.members.get(given_name_latin="Noy")
    assert child.date_of_birth == datetime.date(2024, 7, 1)
    assert child.life_events.get().kind == LifeEvent.Kind.BIRTH
    member = {f"member-{k}": v for k, v in person_fields(
        given_name_latin="Bounmy", given_name_lo="ບຸນມີ", relationship_to_head="parent",
        date_of_birth="1950-01-01").items()}
    assert client.post(url, {"action": "member", **member}).status_code == 302
    page = client.get(url).content.decode()
    assert "Noy" in page and "Bounmy" in page


def test_household_member_with_missing_fields_lists_them(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    url = reverse("registry:household", args=[registry["anou"].pk])
    response = client.post(url, {"action": "member", "member-sex": "X"})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('data-code="required"') >= 5
    assert "Sex must be M or F." in page and "ເພດ ຕ້ອງແມ່ນ M ຫຼື F." in page
    assert registry["anou"].members.count() == 2


def test_register_a_household_and_a_person(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    url = reverse("registry:register")
    response = client.post(url, {"action": "household",
                                 "household-family_book_number": "fb-0101-777",
                                 "household-village_code": "0101002"})
    household = Household.objects.get(family_book_number="FB-0101-777")
    assert response["Location"] == reverse("registry:household", args=[household.pk])
    data = {f"person-{k}": v for k, v in person_fields(given_name_latin="Khamla").items()}
    data["person-family_book_number"] = "FB-0101-777"
    response = client.post(url, {"action": "person", **data})
    person = Person.objects.get(given_name_latin="Khamla")
    assert response["Location"] == reverse("registry:person", args=[person.pk])
    assert person.household == household and person.village.code == "0101002"
    household.refresh_from_db()
    assert household.head == person


def test_register_a_household_twice_or_outside_the_area_is_refused(client, staff, registry):
    client_for(client, staff["district_chanthabuly"])
    url = reverse("registry:register")
    repeated = client.post(url, {"action": "household",
                                 "household-family_book_number": "FB-0101-001",
                                 "household-village_code": "0101001"})
    assert repeated.status_code == 400
    assert "already registered" in repeated.content.decode()
    outside = client.post(url, {"action": "household",
                                "household-family_book_number": "FB-0101-999",
                                "household-village_code": "0102001"})
    assert outside.status_code == 400
    assert "outside your province or district" in outside.content.decode()
    assert not Household.objects.filter(family_book_number="FB-0101-999").exists()


# Duplicates ------------------------------------------------------------------------------------


@pytest.fixture
def duplicate_pair(staff, registry, geography):
    twin = services.register_person(staff["admin"], person_fields(
        given_name_latin="Somphon", national_id="ID-111111", relationship_to_head=""),
        village=geography["0101002"])
    assert twin.duplicates_queued >= 1
    return DuplicateCandidate.objects.get(person=twin.person)


def test_duplicate_queue_shows_pairs_side_by_side(client, staff, duplicate_pair):
    client_for(client, staff["district_chanthabuly"])
    page = client.get(reverse("registry:duplicates")).content.decode()
    assert f'id="pair-{duplicate_pair.pk}"' in page
    assert "Same national ID" in page and "ID-111111" in page
    assert page.count("Merge — keep this one") == 2


def test_merge_keeps_the_chosen_record(client, staff, registry, duplicate_pair):
    client_for(client, staff["district_chanthabuly"])
    head = registry["head"]
    response = client.post(reverse("registry:decide_duplicate", args=[duplicate_pair.pk]),
                           {"keep": str(head.pk), "note": "same man"})
    assert response.status_code == 302
    duplicate_pair.refresh_from_db()
    assert duplicate_pair.status == DuplicateCandidate.Status.MERGED
    assert duplicate_pair.decided_by == staff["district_chanthabuly"]
    retired = Person.objects.get(pk=duplicate_pair.person_id)
    assert retired.status == Person.Status.MERGED and retired.merged_into == head
    page = client.get(reverse("registry:duplicates")).content.decode()
    assert "dist_ctb" in page and "same man" in page


def test_keep_apart_and_a_second_decision_is_refused(client, staff, duplicate_pair):
    client_for(client, staff["district_chanthabuly"])
    url = reverse("registry:decide_duplicate", args=[duplicate_pair.pk])
    client.post(url, {"decision": "apart", "note": "brothers"})
    duplicate_pair.refresh_from_db()
    assert duplicate_pair.status == DuplicateCandidate.Status.KEPT_APART
    response = client.post(url, {"decision": "apart"}, follow=True)
    assert "This pair has already been decided." in response.content.decode()


def test_auditor_cannot_decide_a_duplicate(client, staff, duplicate_pair):
    client_for(client, staff["auditor"])
    response = client.post(reverse("registry:decide_duplicate", args=[duplicate_pair.pk]),
                           {"decision": "apart"})
    assert response.status_code == 403
    duplicate_pair.refresh_from_db()
    assert duplicate_pair.status == DuplicateCandidate.Status.PENDING


def test_duplicate_outside_the_area_is_not_found(client, staff, duplicate_pair):
    client_for(client, staff["district_sikhottabong"])
    response = client.post(reverse("registry:decide_duplicate", args=[duplicate_pair.pk]),
                           {"decision": "apart"})
    assert response.status_code == 404
    assert f"pair-{duplicate_pair.pk}" not in client.get(
        reverse("registry:duplicates")).content.decode()


# Jobs ------------------------------------------------------------------------------------------


def test_job_page_is_only_for_its_owner_and_admins(client, staff):
    job = Job.objects.create(kind="pakan.registry.importing.run_import",
                             created_by=staff["district_chanthabuly"], status="running",
                             total=2000, done=500)
    client_for(client, staff["district_chanthabuly"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:progress", args=[job.pk])).json() == {
        "status": "running", "done": 500, "total": 2000, "percent": 25}
    client_for(client, staff["district_sikhottabong"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:progress", args=[job.pk])).status_code == 404
    client_for(client, staff["admin"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200


# Import ----------------------------------------------------------------------------------------

GOOD_PEOPLE = (
    "given_name_lo,family_name_lo,given_name_latin,family_name_latin,sex,date_of_birth,"
    "village_code\n"
    "ຄຳ,ສີສຸກ,Kham,Sysouk,M,1990-01-01,0101001\n"
    "ແກ້ວ,ສີສຸກ,Keo,Sysouk,F,1992-03-04,0101002\n"
)
BAD_PEOPLE = (
    "given_name_lo,family_name_lo,given_name_latin,family_name_latin,sex,date_of_birth,"
    "village_code\n"
    "ຄຳ,ສີສຸກ,Kham,Sysouk,M,1990-01-01,0101001\n"
    "ແກ້ວ,ສີສຸກ,=Keo,Sysouk,X,1992-03-04,0101002\n"
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A synchronous job ends with close_old_connections(), which on PostgreSQL would close
    the connection that holds the test's transaction; the page under test is the same."""
    monkeypatch.setattr("pakan.jobs.services.close_old_connections", lambda: None)


def upload(client, django_capture_on_commit_callbacks, content: str, name: str = "people.csv"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("registry:import"), {
            "kind": "people", "file": SimpleUploadedFile(name, content.encode("utf-8"),
                                                         content_type="text/csv")})


def test_good_import_shows_the_counts(client, staff, registry, settings, tmp_path,
                                      django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client_for(client, staff["district_chanthabuly"])
    response = upload(client, django_capture_on_commit_callbacks, GOOD_PEOPLE)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Accepted: the file has been imported." in page
    assert re.search(r'data-count="people">2<', page)
    assert "people.csv" in page
    assert client.get(reverse("jobs:progress", args=[job.pk])).json() == {
        "status": "succeeded", "done": 2, "total": 2, "percent": 100}
    assert Person.objects.filter(family_name_latin="Sysouk").count() == 2
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) in home


def test_bad_import_lists_errors_in_both_languages_and_imports_nothing(
        client, staff, registry, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client_for(client, staff["district_chanthabuly"])
    response = upload(client, django_capture_on_commit_callbacks, BAD_PEOPLE)
    page = client.get(response["Location"]).content.decode()
    assert "Refused: nothing has been imported." in page
    table = page[page.index('class="import-errors'):]
    job = Job.objects.get()
    assert job.status == Job.Status.REFUSED
    sex_error = next(error for error in job.result["errors"] if error["column"] == "sex")
    assert sex_error["line"] == 3
    row = next(row for row in table.split("<tr>") if "<code>sex</code>" in row)
    for cell in ('data-label="Line">3</td>', 'data-label="Value">X</td>',
                 f'>{sex_error["reason_en"]}</td>', f'>{sex_error["reason_lo"]}</td>'):
        assert cell in row
    assert not Person.objects.filter(family_name_latin="Sysouk").exists()
    report = client.get(reverse("jobs:report", args=[job.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert any(row["column"] == "sex" and row["line"] == "3" and row["value"] == "X"
               for row in rows)
    assert all(row["reason_lo"] for row in rows if row["line"])
    report = client.get(reverse("jobs:report", args=[job.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert [cell.value for cell in next(sheet.iter_rows())][:2] == ["line", "column"]
    client_for(client, staff["district_sikhottabong"])
    assert client.get(reverse("jobs:report", args=[job.pk, "csv"])).status_code == 404


def test_import_without_a_file_says_so_in_both_languages(client, staff):
    client_for(client, staff["district_chanthabuly"])
    response = client.post(reverse("registry:import"), {"kind": "people"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "ຕ້ອງຕື່ມຄ່າ." in page
    assert not Job.objects.exists()


def test_auditor_cannot_import(client, staff, django_capture_on_commit_callbacks):
    client_for(client, staff["auditor"])
    assert 'id="import-form"' not in client.get(reverse("registry:import")).content.decode()
    response = upload(client, django_capture_on_commit_callbacks, GOOD_PEOPLE)
    assert response.status_code == 403
    assert not Job.objects.exists()


# Lao catalogues --------------------------------------------------------------------------------

PAGE_APPS = ("accounts", "registry", "jobs", "monitoring", "socialsecurity", "benefits",
             "valuation")
TRANSLATE_TAG = re.compile(r"""{% translate "([^"]+)"(?: as \w+)? %}""")


def test_every_page_string_has_its_lao_translation():
    import polib
    from django.conf import settings

    root = settings.BASE_DIR / "pakan"
    catalogues = [polib.pofile(str(root / app / "locale/lo/LC_MESSAGES/django.po"))
                  for app in PAGE_APPS]
    catalogues.append(polib.pofile(str(root / "locale/lo/LC_MESSAGES/django.po")))
    for catalogue in catalogues[:-1]:
        assert catalogue.percent_translated() == 100
    translated = {entry.msgid for catalogue in catalogues for entry in catalogue
                  if entry.translated()}
    templates = [*root.glob("templates/*.html"), *(
        path for app in PAGE_APPS for path in (root / app / "templates").rglob("*.html"))]
    used = {text for path in templates for text in TRANSLATE_TAG.findall(path.read_text())}
    assert used and used <= translated, sorted(used - translated)

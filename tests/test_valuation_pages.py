"""The actuarial pages: scenarios created, edited, copied and deleted from the page, refusals
shown beside their field in Lao and English with nothing saved, the pages in both languages,
and who may open them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from pakan.accounts.models import Role
from pakan.valuation.models import Scenario, ValuationRun
from pakan.valuation.services import catalogue
from pakan.valuation.services.scenarios import create_scenario
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HOME = reverse("valuation:home")


@pytest.fixture
def actuary(db):
    return make_user("actuary", Role.ACTUARY, None)


def client_for(client, user, language: str = "en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def new_fund_scenario(client, **fields):
    data = {"name": "Rate 14%", "description": "", "overrides_text": "", **fields}
    return client.post(reverse("valuation:scenario_new", args=["fund"]), data)


def field_errors(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field, code in re.findall(r'data-field="([^"]+)" data-code="([^"]+)"', page):
        found.setdefault(field, []).append(code)
    return found


# --- scenarios ---------------------------------------------------------------------------------

def test_an_actuary_creates_a_fund_scenario_from_the_assumptions_table(client, actuary):
    client = client_for(client, actuary)
    page = client.get(reverse("valuation:scenario_new", args=["fund"])).content.decode()
    assert 'data-assumption="contribution_rate.enterprise_employee"' in page
    assert "11.5%" in page  # the base value beside the input
    assert 'class="badge provisional"' in page  # the ceiling's base is provisional

    response = new_fund_scenario(client, **{
        "override:contribution_rate.enterprise_employee": "14%",
        "override:pension_age.enterprise": "{2030: [60, 58], 2040: [62, 62]}",
        "override:horizon_years": "40",
    })
    scenario = Scenario.objects.get(name="Rate 14%")
    assert response.status_code == 302
    assert response["Location"] == reverse("valuation:scenario", args=[scenario.pk])
    assert scenario.kind == Scenario.Kind.FUND
    assert scenario.created_by == actuary
    assert scenario.overrides == {
        "contribution_rate.enterprise_employee": pytest.approx(0.14),
        "pension_age.enterprise": {"2030": [60, 58], "2040": [62, 62]},
        "horizon_years": 40,
    }
    detail = client.get(response["Location"]).content.decode()
    assert "Rate 14%" in detail and "0.14" in detail


@pytest.mark.parametrize(("field", "typed", "where", "english"), [
    ("override:contribution_rate.voluntary", "150%", "override:contribution_rate.voluntary",
     "must be between 0 and 100%"),
    ("override:horizon_years", "150", "override:horizon_years", "beyond the 100-year limit"),
    ("overrides_text", "pension_agee = 60", "overrides_text", "does not exist"),
    ("override:inflation", "fast", "override:inflation", "Not a value"),
])
def test_a_bad_override_is_refused_beside_its_field_and_nothing_is_saved(
        client, actuary, field, typed, where, english):
    client = client_for(client, actuary)
    response = new_fund_scenario(client, **{field: typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert not Scenario.objects.exists()
    errors = field_errors(page)
    problem_field = where.removeprefix("override:")
    assert problem_field in errors or where in errors, errors
    assert english in page
    # the Lao half of the same message is there too
    error_items = re.findall(r'<li class="field-error"[^>]*>(.*?)</li>', page, re.S)
    assert any('lang="lo"' in item and re.search("[\u0e80-\u0eff]", item)
               for item in error_items)


def test_an_unknown_costing_assumption_and_a_take_up_above_100_percent_are_refused(actuary):
    from pakan.valuation.messages import RegistryValidationError

    with pytest.raises(RegistryValidationError) as refused:
        create_scenario(actuary, name="Typo", kind="costing",
                        overrides={"child_grant.amout": 3})
    assert refused.value.errors[0].field == "overrides"
    assert "unknown assumption" in refused.value.errors[0].reason_en
    with pytest.raises(RegistryValidationError) as refused:
        create_scenario(actuary, name="Phased", kind="costing", typed={
            "child_grant.take_up": '{"start_year": 2026, "start_rate": 0.3, '
                                   '"full_year": 2030, "full_rate": 1.4}'})
    assert refused.value.errors[0].field == "child_grant.take_up"
    assert "full_rate" in refused.value.errors[0].reason_en or "1.4" in (
        refused.value.errors[0].reason_en)
    assert not Scenario.objects.exists()


def test_a_costing_scenario_accepts_a_phase_in_and_a_yearly_path(actuary):
    scenario = create_scenario(actuary, name="Social pension at 60", kind="costing", typed={
        "social_pension.pension_age": "60",
        "social_pension.take_up": '{"start_year": 2026, "start_rate": 0.3, "full_year": 2028, '
                                  '"full_rate": 0.95}',
        "school_meals.take_up": "{2025: 0.3, 2026: 0.4, 2027: 0.5, 2028: 0.6, 2029: 0.7, "
                                "2030: 0.8, 2031: 0.8, 2032: 0.8, 2033: 0.8, 2034: 0.8, "
                                "2035: 0.8, 2036: 0.8, 2037: 0.8, 2038: 0.8, 2039: 0.8, "
                                "2040: 0.8}",
    })
    assert scenario.overrides["social_pension.pension_age"] == 60
    assert scenario.overrides["social_pension.take_up"]["full_rate"] == 0.95


def test_a_yearly_path_that_stops_short_is_refused(actuary):
    from pakan.valuation.messages import RegistryValidationError

    with pytest.raises(RegistryValidationError) as refused:
        create_scenario(actuary, name="Short path", kind="costing",
                        typed={"school_meals.take_up": "{2025: 0.3, 2026: 0.4}"})
    assert refused.value.errors[0].field == "school_meals.take_up"


def test_names_are_unique_and_required(client, actuary):
    client = client_for(client, actuary)
    assert new_fund_scenario(client).status_code == 302
    again = new_fund_scenario(client, name="rate 14%")
    assert again.status_code == 400 and "name_taken" in field_errors(again.content.decode())[
        "name"]
    blank = new_fund_scenario(client, name="  ")
    assert "required" in field_errors(blank.content.decode())["name"]
    assert Scenario.objects.count() == 1


def test_edit_replaces_the_overrides_and_keeps_the_kind(client, actuary):
    scenario = create_scenario(actuary, name="Base", kind="fund",
                               overrides={"contribution_rate": 0.2})
    client = client_for(client, actuary)
    url = reverse("valuation:scenario_edit", args=[scenario.pk])
    form = client.get(url).content.decode()
    assert 'value="0.2"' in form
    response = client.post(url, {"name": "Base, later pension age", "description": "62 by 2040",
                                 "override:pension_age": "62", "overrides_text": ""})
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.name == "Base, later pension age"
    assert scenario.overrides == {"pension_age": 62}
    assert scenario.kind == "fund"
    refused = client.post(url, {"name": "Base", "override:pension_age": "62",
                                "overrides_text": "pension_age = 63"})
    assert refused.status_code == 400
    assert "given_twice" in field_errors(refused.content.decode())["overrides_text"]
    scenario.refresh_from_db()
    assert scenario.overrides == {"pension_age": 62}


def test_copy_makes_an_independent_scenario_with_a_free_name(client, actuary):
    scenario = create_scenario(actuary, name="Base", kind="fund",
                               overrides={"contribution_rate": 0.2})
    client = client_for(client, actuary)
    first = client.post(reverse("valuation:scenario_copy", args=[scenario.pk]))
    second = client.post(reverse("valuation:scenario_copy", args=[scenario.pk]))
    assert first.status_code == second.status_code == 302
    names = set(Scenario.objects.values_list("name", flat=True))
    assert names == {"Base", "Base (copy)", "Base (copy 2)"}
    copy = Scenario.objects.get(name="Base (copy)")
    copy.overrides["contribution_rate"] = 0.3
    copy.save()
    scenario.refresh_from_db()
    assert scenario.overrides == {"contribution_rate": 0.2}


def test_delete_is_refused_while_runs_keep_the_scenario(client, actuary):
    kept = create_scenario(actuary, name="Kept", kind="fund")
    ValuationRun.objects.create(scenario=kept, kind="deterministic", status="done")
    gone = create_scenario(actuary, name="Gone", kind="fund")
    client = client_for(client, actuary)
    refused = client.post(reverse("valuation:scenario_delete", args=[kept.pk]), follow=True)
    assert "stored run" in refused.content.decode()
    assert Scenario.objects.filter(pk=kept.pk).exists()
    client.post(reverse("valuation:scenario_delete", args=[gone.pk]))
    assert not Scenario.objects.filter(pk=gone.pk).exists()


def test_every_listed_fund_assumption_is_accepted_by_the_package():
    """The table offers exactly the package's names: each qualified one is known to it."""
    from pakan.actuarial.scenarios import known_parameters

    assert catalogue.names("fund") == known_parameters(catalogue.fund_base())
    from pakan.actuarial.costing_assumptions import lao_base_assumptions

    assert catalogue.names("costing") == list(lao_base_assumptions())


def test_provisional_base_values_are_listed_until_overridden():
    listed = {row.name for row in catalogue.provisional_rows("fund", {})}
    assert "initial_reserve" in listed and "horizon_years" not in listed
    assert "contribution_rate" not in listed  # listed by its categories
    assert "contribution_rate.police_military" in listed
    after = {row.name for row in catalogue.provisional_rows(
        "fund", {"initial_reserve": 1e12, "contribution_rate": 0.2})}
    assert "initial_reserve" not in after and "contribution_rate.police_military" not in after
    costing = {row.name for row in catalogue.provisional_rows(
        "costing", {"macro.nominal_gdp_2025_kip": 4.3e14})}
    assert "macro.nominal_gdp_2025_kip" not in costing and "macro.us_inflation" in costing


# --- pages in both languages -------------------------------------------------------------------

@pytest.mark.parametrize(("language", "heading"), [("en", "Actuarial valuation"),
                                                   ("lo", "ການປະເມີນທາງຄະນິດສາດປະກັນໄພ")])
def test_pages_render_in_lao_and_english(client, actuary, language, heading):
    scenario = create_scenario(actuary, name="Base", kind="costing")
    client = client_for(client, actuary, language)
    for url in (HOME, reverse("valuation:scenario", args=[scenario.pk]),
                reverse("valuation:scenario_new", args=["costing"]),
                reverse("valuation:scenario_edit", args=[scenario.pk]),
                reverse("valuation:runs"), reverse("valuation:extracts")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()
    assert heading in client.get(HOME).content.decode()


def test_every_valuation_page_string_has_its_lao_translation():
    import polib
    from django.conf import settings

    root = settings.BASE_DIR / "pakan"
    own = polib.pofile(str(root / "valuation/locale/lo/LC_MESSAGES/django.po"))
    assert own.percent_translated() == 100
    catalogues = [polib.pofile(str(path)) for path in root.glob("**/locale/lo/LC_MESSAGES/*.po")]
    translated = {entry.msgid for catalogue_file in catalogues for entry in catalogue_file
                  if entry.translated()}
    tag = re.compile(r"""{% translate "([^"]+)"(?: as \w+)? %}""")
    used = {text for path in (root / "valuation/templates").rglob("*.html")
            for text in tag.findall(path.read_text())}
    source = re.compile(r"""_\(\s*"([^"]+)"\s*\)""")
    for module in ("results.py", "reports.py", "forms.py", "models.py",
                   "templatetags/valuation_pages.py", "views/scenarios.py", "views/runs.py",
                   "views/extracts.py"):
        used |= set(source.findall((root / "valuation" / module).read_text()))
    assert used and used <= translated, sorted(used - translated)


# --- who may ---------------------------------------------------------------------------------

def test_actuaries_and_national_staff_use_the_pages_others_get_403(client, staff, actuary):
    scenario = create_scenario(actuary, name="Base", kind="fund")
    urls = (HOME, reverse("valuation:scenario", args=[scenario.pk]), reverse("valuation:runs"))
    for user in (actuary, staff["central"], staff["admin"]):
        client.force_login(user)
        assert all(client.get(url).status_code == 200 for url in urls), user.role
    provincial_central = make_user("central_vte", Role.CENTRAL_OFFICER, staff[
        "province_vientiane"].scope_unit)
    for user in (staff["province_vientiane"], staff["district_chanthabuly"], staff["auditor"],
                 staff["employer"], staff["member"], staff["public"], provincial_central):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
        refused = client.post(reverse("valuation:scenario_new", args=["fund"]), {"name": "X"})
        assert refused.status_code == 403
        assert client.post(reverse("valuation:scenario_delete", args=[scenario.pk])
                           ).status_code == 403
    assert Scenario.objects.count() == 1
    client.logout()
    assert client.get(HOME).status_code == 302  # to the log-in page


def test_services_refuse_users_without_access(staff, actuary):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_scenario(staff["province_vientiane"], name="X", kind="fund")
    assert not Scenario.objects.exists()


def test_a_missing_scenario_or_run_is_not_found(client, actuary):
    client = client_for(client, actuary)
    assert client.get(reverse("valuation:scenario", args=[999])).status_code == 404
    assert client.get(reverse("valuation:run", args=[999])).status_code == 404
    assert client.get(reverse("valuation:scenario_new", args=["nothing"])).status_code == 404


def test_the_actuary_home_and_the_navigation_point_at_the_valuation(client, staff, actuary):
    client = client_for(client, actuary)
    home = client.get(reverse("accounts:home")).content.decode()
    assert 'href="/valuation/"' in home
    client.force_login(staff["central"])
    assert 'href="/valuation/"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(staff["province_vientiane"])
    assert 'href="/valuation/"' not in client.get(reverse("accounts:home")).content.decode()

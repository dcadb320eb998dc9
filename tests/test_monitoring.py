"""NSPS Online, first pages: the strategy as data, its loader, the public pages and the admin."""

from __future__ import annotations

import csv
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed

from pakan.monitoring.framework_file import DEFAULT_FRAMEWORK_FILE
from pakan.monitoring.glossary import GLOSSARY_LAO
from pakan.monitoring.models import (
    Activity,
    Challenge,
    Goal,
    GoalResponsibility,
    Institution,
    Principle,
    Strategy,
)
from pakan.monitoring.services import load_framework_file
from pakan.monitoring.templatetags.localised import localised, localised_plain, localised_text

REPOSITORY = Path(__file__).resolve().parents[1]
# The project keeps its own copy of shared/domain/glossary-lo-en.csv.
SHARED_GLOSSARY = REPOSITORY / "docs" / "glossary" / "glossary-lo-en.csv"
CATALOGUE = REPOSITORY / "pakan" / "monitoring" / "locale" / "lo" / "LC_MESSAGES" / "django.po"
FRAMEWORK = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
ALL_MODELS = (Strategy, Principle, Goal, Activity, Institution, GoalResponsibility, Challenge)

MISSING_MARKER_EN = "Lao text not yet added"
MISSING_MARKER_LO = "ຍັງບໍ່ທັນໄດ້ເພີ່ມຂໍ້ຄວາມພາສາລາວ"
STRATEGY_LO = "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ"
MINISTRY_OF_HEALTH_LO = "ກະຊວງສາທາລະນະສຸກ"
MINISTRY_OF_LABOUR_LO = "ກະຊວງແຮງງານ ແລະ ສະຫວັດດີການສັງຄົມ"
PILLARS_LO = ("ປະກັນສຸຂະພາບ", "ການປະກັນສັງຄົມ", "ສະຫວັດດີການສັງຄົມ")


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogues():
    """Pages in Lao need the compiled catalogue; compile it when it is missing or stale."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        subprocess.run([sys.executable, "scripts/compile_messages.py"], cwd=REPOSITORY, check=True)
        translation_file_changed(sender=None, file_path=compiled)


@pytest.fixture
def framework(db):
    return load_framework_file()


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in ALL_MODELS}


def get_page(client, url: str, language: str):
    client.cookies["django_language"] = language
    return client.get(url)


def between(html: str, start: str, end: str) -> str:
    """The part of a page from `start` to the next `end`, to look at one element only."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


# --- The loader -------------------------------------------------------------------------------


def test_loader_creates_the_framework_from_the_file(framework):
    assert Strategy.objects.get().code == "NSPS"
    assert list(Goal.objects.values_list("code", flat=True)) == ["G1", "G2", "G3"]
    for goal in FRAMEWORK["goals"]:
        loaded = Goal.objects.get(code=goal["code"])
        assert loaded.pillar == goal["pillar"]
        assert list(loaded.activities.values_list("code", flat=True)) == [
            activity["code"] for activity in goal["activities"]
        ]
        assert [r.institution.name_en for r in loaded.responsibilities.all()] == goal["responsible"]
    assert Activity.objects.count() == 5 + 6 + 9
    assert Principle.objects.count() == len(FRAMEWORK["strategy"]["principles"]) == 6
    assert Challenge.objects.count() == len(FRAMEWORK["challenges"]) == 8
    every_institution = {name for goal in FRAMEWORK["goals"] for name in goal["responsible"]}
    assert Institution.objects.count() == len(every_institution)
    strategy = Strategy.objects.get()
    assert (strategy.period_start, strategy.period_end) == (2021, 2025)
    assert (strategy.next_period_start, strategy.next_period_end) == (2026, 2030)
    assert strategy.vision_en.startswith("By 2030 everyone in Lao PDR")


def test_loader_fills_in_lao_only_from_the_glossary(framework):
    strategy = Strategy.objects.get()
    assert strategy.title_lo == STRATEGY_LO
    assert strategy.vision_lo == strategy.coordinator_lo == strategy.local_committees_lo == ""
    assert Institution.objects.get(name_en="Ministry of Health").name_lo == MINISTRY_OF_HEALTH_LO
    assert (
        Institution.objects.get(name_en="Ministry of Labour and Social Welfare").name_lo
        == MINISTRY_OF_LABOUR_LO
    )
    assert Institution.objects.exclude(name_lo="").count() == 2
    for model, fields in (
        (Goal, ["title_lo", "aim_lo", "outcome_lo"]),
        (Activity, ["title_lo"]),
        (Challenge, ["title_lo"]),
        (Principle, ["name_lo"]),
    ):
        for values in model.objects.values(*fields):
            assert set(values.values()) == {""}, f"{model.__name__} got Lao the glossary lacks"


def test_every_lao_name_the_loader_uses_is_in_the_glossary_word_for_word():
    with SHARED_GLOSSARY.open(encoding="utf-8") as glossary_file:
        glossary = {row["english"]: row["lao"] for row in csv.DictReader(glossary_file)}
    for english_entry, lao in GLOSSARY_LAO.values():
        assert glossary[english_entry] == lao


def test_loading_twice_changes_nothing(framework):
    before = snapshot()
    again = load_framework_file()
    assert not again.changed_anything
    assert snapshot() == before


def test_loader_keeps_edited_titles_and_lao_text_and_fills_blanks(framework):
    goal = Goal.objects.get(code="G2")
    goal.title_en = "Social security extended to every worker"
    goal.title_lo = "ການປະກັນສັງຄົມ"
    goal.save()
    Activity.objects.filter(code="G3.A5").update(title_lo="ອາຫານທ່ຽງໃນໂຮງຮຽນ")
    Strategy.objects.update(title_lo="ຍຸດທະສາດປົກປ້ອງສັງຄົມແຫ່ງຊາດ")
    Institution.objects.filter(name_en="Ministry of Health").update(name_lo="")
    Goal.objects.filter(code="G1").update(outcome_en="")

    report = load_framework_file()

    goal.refresh_from_db()
    assert (goal.title_en, goal.title_lo) == (
        "Social security extended to every worker",
        "ການປະກັນສັງຄົມ",
    )
    assert Activity.objects.get(code="G3.A5").title_lo == "ອາຫານທ່ຽງໃນໂຮງຮຽນ"
    assert Strategy.objects.get().title_lo == "ຍຸດທະສາດປົກປ້ອງສັງຄົມແຫ່ງຊາດ"
    assert Institution.objects.get(name_en="Ministry of Health").name_lo == MINISTRY_OF_HEALTH_LO
    assert Goal.objects.get(code="G1").outcome_en.startswith("Health insurance schemes")
    assert report.filled == {"Institution": 1, "Goal": 1}
    assert not report.created


def test_loader_keeps_institutions_and_activities_added_in_the_admin(framework):
    extra = Institution.objects.create(code="ministry-of-public-works", name_en="MPWT")
    GoalResponsibility.objects.create(
        goal=Goal.objects.get(code="G3"), institution=extra, position=99
    )
    Activity.objects.create(
        goal=Goal.objects.get(code="G1"),
        code="G1.A6",
        position=6,
        title_en="Added by the secretariat",
    )
    load_framework_file()
    assert Goal.objects.get(code="G3").responsible_institutions.filter(pk=extra.pk).exists()
    assert Activity.objects.filter(code="G1.A6").exists()


def write_framework(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def broken_framework() -> dict:
    document = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    document["goals"][1]["activities"][1]["code"] = "G2.A1"
    document["goals"][2]["pillar"] = "pensions"
    del document["goals"][0]["activities"][2]["title"]
    document["strategy"]["period"] = [2025, 2021]
    return document


@pytest.mark.parametrize("already_loaded", [False, True])
def test_a_bad_file_changes_nothing_and_names_every_problem_in_lao_and_english(
    db, tmp_path, already_loaded
):
    if already_loaded:
        load_framework_file()
    before = snapshot()
    path = write_framework(tmp_path, broken_framework())

    with pytest.raises(CommandError) as raised:
        call_command("load_nsps_framework", "--file", str(path), stdout=StringIO())

    message = str(raised.value)
    assert "goals[2].activities[2].code: ລະຫັດນີ້ຖືກໃຊ້ສອງເທື່ອ / this code is used twice" in message
    assert "goals[3].pillar: ບໍ່ຮູ້ຈັກເສົາຫຼັກນີ້" in message
    assert "goals[1].activities[3].title: ຕ້ອງຕື່ມຄ່າ / required field" in message
    assert "strategy.period:" in message
    assert snapshot() == before


def test_a_file_that_is_not_yaml_is_refused(db, tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text("strategy: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match="the file is not valid YAML"):
        call_command("load_nsps_framework", "--file", str(path), stdout=StringIO())
    assert not Strategy.objects.exists()


def test_an_activity_code_must_start_with_its_goal_code(db, tmp_path):
    document = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    document["goals"][0]["activities"][0]["code"] = "G2.A9"
    with pytest.raises(CommandError, match=r"goals\[1\]\.activities\[1\]\.code: .*G1\.A1"):
        call_command(
            "load_nsps_framework",
            "--file",
            str(write_framework(tmp_path, document)),
            stdout=StringIO(),
        )
    assert not Goal.objects.exists()


def test_command_reports_what_it_did(db):
    first, second = StringIO(), StringIO()
    call_command("load_nsps_framework", stdout=first)
    call_command("load_nsps_framework", stdout=second)
    assert "Goal: 3 created" in first.getvalue()
    assert "Activity: 20 created" in first.getvalue()
    assert "Nothing to change" in second.getvalue()


# --- Choosing text by language ----------------------------------------------------------------


def test_localised_filter_works_on_any_object_with_en_and_lo_fields():
    place = SimpleNamespace(name_en="Vientiane Capital", name_lo="ນະຄອນຫຼວງວຽງຈັນ")
    untranslated = SimpleNamespace(name_en="Bank of Lao PDR", name_lo="")
    with translation.override("lo"):
        assert localised(place, "name") == "ນະຄອນຫຼວງວຽງຈັນ"
        marked = localised(untranslated, "name")
        assert '<span lang="en">Bank of Lao PDR</span>' in marked
        assert MISSING_MARKER_EN in marked and MISSING_MARKER_LO in marked
        assert localised_plain(untranslated, "name") == "Bank of Lao PDR"
        assert localised_text(untranslated, "name").is_stand_in
    with translation.override("en"):
        assert localised(place, "name") == "Vientiane Capital"
        assert localised(untranslated, "name") == "Bank of Lao PDR"
    with pytest.raises(AttributeError, match="name_en"):
        localised(SimpleNamespace(title_en="x"), "name")


def test_localised_filter_escapes_stored_text():
    with translation.override("lo"):
        marked = localised(SimpleNamespace(title_en="<script>x</script>", title_lo=""), "title")
    assert "<script>" not in marked and "&lt;script&gt;" in marked


def test_catalogue_is_fully_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    assert not catalogue.untranslated_entries() and not catalogue.fuzzy_entries()
    translated = {entry.msgid: entry.msgstr for entry in catalogue}
    assert (
        translated["Health insurance"],
        translated["Social security"],
        translated["Social welfare"],
    ) == PILLARS_LO
    assert translated["Lao text not yet added"] == MISSING_MARKER_LO


# --- Public pages -----------------------------------------------------------------------------


def test_strategy_home_in_english(client, framework, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = get_page(client, "/", "en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert reverse("monitoring:strategy") == "/"
    assert "National Social Protection Strategy" in html
    assert "By 2030 everyone in Lao PDR has equitable" in html
    for principle in ("Equity", "Adequacy", "Sustainability"):
        assert principle in html
    for goal in FRAMEWORK["goals"]:
        assert goal["title"] in html
        assert goal["outcome"] in html
        assert reverse("monitoring:goal", args=[goal["code"]]) in html
    assert "Weak planning, monitoring and evaluation capacity" in html
    assert MISSING_MARKER_EN not in html


def test_strategy_home_in_lao_shows_glossary_words_and_marks_missing_lao(client, framework):
    response = client.get("/")  # Lao is the site's default language
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="lo">' in html
    assert f"<h1>{STRATEGY_LO}</h1>" in html
    for pillar in PILLARS_LO:
        assert pillar in html
    assert "ເປົ້າໝາຍ" in html and "ຜົນໄດ້ຮັບ" in html
    goal_heading = between(html, 'id="goal-G1"', "</h3>")
    assert "Health insurance developed and strengthened" in goal_heading
    assert MISSING_MARKER_LO in goal_heading and MISSING_MARKER_EN in goal_heading
    assert MISSING_MARKER_LO in between(html, 'class="lead"', "</p>")


def test_lao_text_entered_by_an_editor_replaces_the_marker(client, framework):
    Goal.objects.filter(code="G1").update(title_lo="ປະກັນສຸຂະພາບ ທົດລອງ")
    html = get_page(client, "/", "lo").content.decode()
    goal_heading = between(html, 'id="goal-G1"', "</h3>")
    assert "ປະກັນສຸຂະພາບ ທົດລອງ" in goal_heading
    assert MISSING_MARKER_EN not in goal_heading
    assert MISSING_MARKER_EN in between(html, 'id="goal-G2"', "</h3>")


def test_language_switch_through_setlang(client, framework):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Principles" in html
    client.post("/i18n/setlang/", {"language": "lo", "next": "/"})
    assert "ຫຼັກການ" in client.get("/").content.decode()


def test_goal_page_lists_aim_outcome_activities_and_institutions(
    client, framework, django_assert_max_num_queries
):
    goal = FRAMEWORK["goals"][1]
    with django_assert_max_num_queries(8):
        response = get_page(client, reverse("monitoring:goal", args=["G2"]), "en")
    assert response.status_code == 200
    html = response.content.decode()
    assert goal["title"] in html and goal["outcome"] in html
    assert " ".join(goal["aim"].split()) in html
    for activity in goal["activities"]:
        assert f'id="{activity["code"]}"' in html
        assert activity["title"] in html
    for institution in goal["responsible"]:
        assert institution in html
    assert "Ministry of Education and Sports" not in html  # responsible for G3 only


def test_goal_page_in_lao(client, framework):
    html = get_page(client, "/nsps/goals/G1/", "lo").content.decode()
    assert "ກິດຈະກຳ" in html and "ຈຸດປະສົງ" in html and PILLARS_LO[0] in html
    institutions = between(html, 'class="nsps-list nsps-institutions"', "</ul>")
    assert MINISTRY_OF_HEALTH_LO in institutions and MINISTRY_OF_LABOUR_LO in institutions
    assert "Ministry of Finance" in institutions and MISSING_MARKER_LO in institutions
    assert "Legal framework for universal health coverage" in html


def test_unknown_goal_is_not_found(client, framework):
    assert client.get("/nsps/goals/G9/").status_code == 404
    assert client.get("/nsps/goals/G1.A1/").status_code == 404


def test_home_before_the_framework_is_loaded(client, db):
    response = get_page(client, "/", "en")
    assert response.status_code == 200
    assert "The strategy has not been loaded yet." in response.content.decode()


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    from pakan.accounts.models import User

    user = User.objects.create_superuser("editor", "editor@example.org", "correct-horse-battery")
    client.force_login(user)
    return client


def test_admin_lists_goals_with_filters_and_search(superuser_client, framework):
    response = superuser_client.get("/admin/monitoring/goal/", {"q": "welfare"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "G3" in html and "Health insurance developed" not in html
    missing = superuser_client.get("/admin/monitoring/activity/", {"lao": "missing"})
    assert missing.context["cl"].result_count == 20
    Activity.objects.filter(code="G1.A1").update(title_lo="ກິດຈະກຳ")
    complete = superuser_client.get("/admin/monitoring/activity/", {"lao": "complete"})
    assert [activity.code for activity in complete.context["cl"].result_list] == ["G1.A1"]


def test_admin_edits_goal_with_activity_inline(superuser_client, framework):
    goal = Goal.objects.get(code="G1")
    url = f"/admin/monitoring/goal/{goal.pk}/change/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="activities-0-title_lo"' in html and "G1.A1" in html
    assert 'name="code"' not in html  # stable code: read-only once saved


def admin_form_data(response) -> dict:
    """Everything the admin change page would post back as it stands."""
    data = {}
    bound_fields = list(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        bound_fields += list(inline.formset.management_form)
        for form in inline.formset.forms:
            bound_fields += list(form)
    for bound in bound_fields:
        value = bound.value()
        if value is not None and value is not False:
            data[bound.html_name] = value
    return data


def test_admin_saves_lao_text_for_a_goal_and_its_activities(superuser_client, framework):
    goal = Goal.objects.get(code="G1")
    url = f"/admin/monitoring/goal/{goal.pk}/change/"
    data = admin_form_data(superuser_client.get(url))
    data["title_lo"] = "ການພັດທະນາ ປະກັນສຸຂະພາບ"
    data["activities-0-title_lo"] = "ກິດຈະກຳ ທີ 1"
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Goal.objects.get(code="G1").title_lo == "ການພັດທະນາ ປະກັນສຸຂະພາບ"
    assert Activity.objects.get(code="G1.A1").title_lo == "ກິດຈະກຳ ທີ 1"
    assert Goal.objects.get(code="G1").code == "G1"

"""The claims and awards pages (Lao and English, scope, the forms going through the services)
and the API round trip."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pakan.audit.models import AuditEvent
from pakan.benefits.models import Award, Claim
from pakan.benefits.services import claims as claim_services
from pakan.registry.names import contains_lao
from tests.benefit_factories import make_pensioner
from tests.test_benefit_claims_support import (
    DECIDED,
    FILED,
    PDF,
    RETIRED,
    api_client,
    insured,
    member_account,
    page_client,
    pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(staff, geography):
    """A filed claim in Chanthabuly, an approved one in Sikhottabong."""
    here = insured(geography["0101001"])
    there = insured(geography["0102001"])
    here_claim = claim_services.file_claim(staff["central"], member=here, branch="old_age",
                                           event_date=RETIRED, channel="office", today=FILED,
                                           documents=[pdf()])
    there_claim = claim_services.file_claim(staff["central"], member=there, branch="old_age",
                                            event_date=RETIRED, channel="office", today=FILED,
                                            documents=[pdf()])
    claim_services.approve_claim(staff["province_vientiane"], there_claim, today=DECIDED)
    return {"here": here, "there": there, "here_claim": here_claim, "there_claim": there_claim}


@pytest.mark.parametrize("language", ["lo", "en"])
def test_officer_pages_render_in_both_languages(staff, claims, language):
    client = page_client(staff["province_vientiane"], language)
    there_claim = claims["there_claim"]
    award = there_claim.awards.get()
    pages = {
        "queue": reverse("benefits:claims"),
        "claim": reverse("benefits:claim", args=[there_claim.pk]),
        "file": reverse("benefits:file_claim"),
        "awards": reverse("benefits:awards"),
        "award": reverse("benefits:award", args=[award.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert f'<html lang="{language}">' in page, name
        if language == "lo":
            assert contains_lao(page.split("<main>")[1]), name
    heading = {"lo": "<h1>ການຂໍຮັບເງິນອຸດໜູນ</h1>", "en": "<h1>Benefit claims</h1>"}[language]
    assert heading in client.get(pages["queue"]).content.decode()
    claim_page = client.get(pages["claim"]).content.decode()
    explanation = there_claim.assessment
    assert f'data-monthly-amount="{explanation["monthly_amount"]}"' in claim_page
    assert 'class="badge provisional"' in claim_page  # a provisional parameter is flagged
    assert explanation["steps"][0]["lo"] in claim_page
    assert explanation["steps"][0]["en"] in claim_page
    assert 'data-check="documents" data-passed="true"' in claim_page
    queue = client.get(pages["queue"] + "?status=filed").content.decode()
    assert claims["here_claim"].number in queue and there_claim.number not in queue
    assert AuditEvent.objects.filter(action="view", object_type="benefits.claim").exists()


def test_a_district_officer_neither_sees_nor_decides_another_district_s_claim(staff, claims):
    client = page_client(staff["district_sikhottabong"])
    here_claim = claims["here_claim"]
    assert client.get(reverse("benefits:claim", args=[here_claim.pk])).status_code == 404
    response = client.post(reverse("benefits:claim", args=[here_claim.pk]),
                           {"action": "decide", "decide-outcome": "approve",
                            "decide-decision_note": "x"})
    assert response.status_code == 404
    queue = client.get(reverse("benefits:claims")).content.decode()
    assert here_claim.number not in queue and claims["there_claim"].number in queue
    here_claim.refresh_from_db()
    assert here_claim.status == "filed"
    assert page_client(staff["member"]).get(reverse("benefits:claims")).status_code == 403


def test_filing_and_deciding_through_the_pages(staff, geography):
    member = insured(geography["0101001"])
    filer = page_client(staff["district_chanthabuly"])
    bad = filer.post(reverse("benefits:file_claim"), {
        "member": member.social_security_number, "branch": "old_age",
        "event_date": "2030-01-01", "bank": "CASH"})
    assert bad.status_code == 400 and 'data-code="claim_event_not_future"' in \
        bad.content.decode()
    unknown = filer.post(reverse("benefits:file_claim"), {
        "member": "NOSUCHNUMBER", "branch": "old_age", "event_date": "2025-03-01"})
    assert 'data-code="claim_unknown_member"' in unknown.content.decode()
    response = filer.post(reverse("benefits:file_claim"), {
        "member": member.social_security_number, "branch": "old_age",
        "event_date": "2025-03-01", "bank": "BCEL", "bank_account": "0100999",
        "document_kind": "identity",
        "document": SimpleUploadedFile("card.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    claim = Claim.objects.get(member=member)
    assert claim.documents.count() == 1 and claim.bank == "BCEL"
    url = reverse("benefits:claim", args=[claim.pk])
    own = filer.post(url, {"action": "decide", "decide-outcome": "approve"})
    assert own.status_code == 400 and "claim_maker_cannot_decide" in own.content.decode()
    checker = page_client(staff["province_vientiane"])
    assert checker.post(url, {"action": "decide", "decide-outcome": "approve",
                              "decide-bank": "BCEL",
                              "decide-bank_account": "0100999"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.awards.get().bank_account == "0100999"
    document = claim.documents.get()
    download = checker.get(reverse("benefits:claim_document", args=[claim.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    award = claim.awards.get()
    suspended = checker.post(reverse("benefits:award", args=[award.pk]), {
        "action": "status", "status-action": "suspend", "status-reason": "life check"})
    assert suspended.status_code == 302
    award.refresh_from_db()
    assert award.status == "suspended"


@pytest.mark.parametrize("language", ["lo", "en"])
def test_the_member_s_own_pages(staff, claims, language):
    account = member_account(claims["there"])
    client = page_client(account, language)
    there_claim = claims["there_claim"]
    for name in ("benefits:my_claims", "benefits:my_file_claim", "benefits:my_awards",
                 "benefits:my_notifications"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'name="viewport"' in response.content.decode()
    title = {"lo": "ເງິນອຸດໜູນຂອງຂ້ອຍ", "en": "My benefits"}[language]
    assert f"<h1>{title}</h1>" in client.get(reverse("benefits:my_awards")).content.decode()
    mine = client.get(reverse("benefits:my_claims")).content.decode()
    assert there_claim.number in mine and claims["here_claim"].number not in mine
    assert client.get(reverse("benefits:my_claim", args=[there_claim.pk])).status_code == 200
    assert client.get(reverse("benefits:my_claim",
                              args=[claims["here_claim"].pk])).status_code == 404
    awards = client.get(reverse("benefits:my_awards")).content.decode()
    assert f'data-award="{there_claim.awards.get().pk}"' in awards
    notices = client.get(reverse("benefits:my_notifications")).content.decode()
    assert there_claim.number in notices
    assert staff["district_chanthabuly"] and client.get(
        reverse("benefits:claims")).status_code == 403


def test_a_member_files_and_appeals_on_the_phone(staff, geography):
    member = insured(geography["0101001"])
    client = page_client(member_account(member))
    refused = client.post(reverse("benefits:my_file_claim"), {"branch": "sickness",
                                                              "event_date": "2025-03-01",
                                                              "days": "many"})
    assert refused.status_code == 400
    assert 'data-code="claim_fact_not_integer"' in refused.content.decode()
    response = client.post(reverse("benefits:my_file_claim"), {
        "branch": "old_age", "event_date": "2025-03-01", "bank": "CASH",
        "document_kind": "identity",
        "document": SimpleUploadedFile("id.png", b"not an image", content_type="image/png")})
    assert response.status_code == 400 and 'claim_document_type' in response.content.decode()
    assert client.post(reverse("benefits:my_file_claim"), {
        "branch": "old_age", "event_date": "2025-03-01", "bank": "CASH"}).status_code == 302
    claim = Claim.objects.get(member=member)
    assert claim.channel == "self_service"
    claim_services.reject_claim(staff["district_chanthabuly"], claim, reason="documents_missing")
    url = reverse("benefits:my_claim", args=[claim.pk])
    assert client.post(url, {"action": "appeal",
                             "appeal-grounds": "card attached now"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "appealed"
    upload = client.post(url, {"action": "document", "document-kind": "identity",
                               "document-file": SimpleUploadedFile("id.pdf", PDF)})
    assert upload.status_code == 302 and claim.documents.count() == 1


# --- the API ----------------------------------------------------------------------------------

def test_api_round_trip(staff, geography):
    member = insured(geography["0101001"])
    filer = api_client(staff["district_chanthabuly"])
    refused = filer.post("/api/v1/benefits/claims/", {
        "member": member.pk, "branch": "old_age", "event_date": "2099-01-01"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "claim_event_not_future"
    assert contains_lao(refused.json()["errors"][0]["reason_lo"])
    created = filer.post("/api/v1/benefits/claims/", {
        "member": member.pk, "branch": "old_age", "event_date": "2025-03-01",
        "bank": "LDB", "bank_account": "12345678"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    claim_id = body["id"]
    assert body["status"] == "filed" and body["assessment"]["qualifies"]
    uploaded = filer.post(f"/api/v1/benefits/claims/{claim_id}/documents/",
                          {"kind": "identity", "file": SimpleUploadedFile("id.pdf", PDF)},
                          format="multipart")
    assert uploaded.status_code == 201 and len(uploaded.json()["documents"]) == 1
    own = filer.post(f"/api/v1/benefits/claims/{claim_id}/decision/",
                     {"outcome": "approve"}, format="json")
    assert own.status_code == 400
    assert own.json()["errors"][0]["code"] == "claim_maker_cannot_decide"
    other_district = api_client(staff["district_sikhottabong"])
    assert other_district.get(f"/api/v1/benefits/claims/{claim_id}/").status_code == 404
    assert other_district.post(f"/api/v1/benefits/claims/{claim_id}/decision/",
                               {"outcome": "approve"}, format="json").status_code == 404
    decided = api_client(staff["central"]).post(
        f"/api/v1/benefits/claims/{claim_id}/decision/", {"outcome": "approve"}, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved" and len(decided.json()["awards"]) == 1
    account = api_client(member_account(member))
    awards = account.get("/api/v1/benefits/me/awards/").json()["results"]
    assert [award["claim"] for award in awards] == [claim_id]
    assert awards[0]["monthly_amount"] == decided.json()["assessment"]["monthly_amount"]
    assert awards[0]["bank"] == "LDB"
    appeal = account.post(f"/api/v1/benefits/claims/{claim_id}/appeal/",
                          {"grounds": "the amount is too low"}, format="json")
    assert appeal.status_code == 200 and appeal.json()["status"] == "appealed"
    redecided = api_client(staff["province_vientiane"]).post(
        f"/api/v1/benefits/claims/{claim_id}/decision/", {"outcome": "approve"},
        format="json")
    assert redecided.status_code == 200 and redecided.json()["status"] == "approved"
    notices = account.get("/api/v1/benefits/me/notifications/").json()["results"]
    assert len(notices) >= 3 and all(contains_lao(notice["text_lo"]) for notice in notices)
    listed = account.get("/api/v1/benefits/claims/").json()["results"]
    assert [claim["id"] for claim in listed] == [claim_id]
    assert account.post("/api/v1/benefits/claims/", {
        "member": member.pk + 1000, "branch": "old_age",
        "event_date": "2025-03-01"}, format="json").status_code == 404
    assert api_client(staff["employer"]).get("/api/v1/benefits/claims/").status_code == 403
    assert Award.objects.count() == 1


def test_the_member_page_of_the_fund_links_to_claims_and_awards(staff, geography):
    award = make_pensioner(geography["0101001"])
    page = page_client(staff["district_chanthabuly"]).get(
        reverse("socialsecurity:member", args=[award.member_id])).content.decode()
    assert reverse("benefits:claims") + f"?member={award.member_id}" in page
    assert reverse("benefits:awards") + f"?member={award.member_id}" in page


def test_the_schema_lists_the_claims_endpoints(db):
    import json

    from drf_spectacular.validation import validate_schema
    from rest_framework.test import APIClient

    schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    validate_schema(schema)
    expected = {
        "/api/v1/benefits/claims/": {"get", "post"},
        "/api/v1/benefits/claims/{claim_id}/": {"get"},
        "/api/v1/benefits/claims/{claim_id}/documents/": {"post"},
        "/api/v1/benefits/claims/{claim_id}/decision/": {"post"},
        "/api/v1/benefits/claims/{claim_id}/appeal/": {"post"},
        "/api/v1/benefits/claims/{claim_id}/withdrawal/": {"post"},
        "/api/v1/benefits/awards/{award_id}/": {"get"},
        "/api/v1/benefits/me/awards/": {"get"},
        "/api/v1/benefits/me/notifications/": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(schema["paths"][path]), path
    decision = schema["paths"]["/api/v1/benefits/claims/{claim_id}/decision/"]["post"]
    assert "400" in decision["responses"] and "404" in decision["responses"]

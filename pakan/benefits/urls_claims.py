"""Claims and awards pages under /benefits/: the officers' (claims/, awards/) and the insured
person's own under me/."""

from django.urls import path

from pakan.benefits.views import awards, claims

urlpatterns = [
    path("claims/", claims.claim_list, name="claims"),
    path("claims/file/", claims.file_claim, name="file_claim"),
    path("claims/<int:claim_id>/", claims.claim_page, name="claim"),
    path("claims/<int:claim_id>/documents/<int:document_id>/", claims.claim_document,
         name="claim_document"),
    path("awards/", awards.award_list, name="awards"),
    path("awards/<int:award_id>/", awards.award_page, name="award"),
    # The insured person's self-service.
    path("me/", claims.my_claims, name="my_claims"),
    path("me/file/", claims.my_file_claim, name="my_file_claim"),
    path("me/claims/<int:claim_id>/", claims.my_claim, name="my_claim"),
    path("me/claims/<int:claim_id>/documents/<int:document_id>/", claims.my_claim_document,
         name="my_claim_document"),
    path("me/awards/", awards.my_awards, name="my_awards"),
    path("me/notifications/", claims.my_notifications, name="my_notifications"),
]

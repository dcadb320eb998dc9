"""The claims and awards API under /api/v1/benefits/."""

from django.urls import path

from pakan.benefits import api_claims

urlpatterns = [
    path("claims/", api_claims.ClaimsView.as_view(), name="benefit-claims"),
    path("claims/<int:claim_id>/", api_claims.ClaimView.as_view(), name="benefit-claim"),
    path("claims/<int:claim_id>/documents/", api_claims.ClaimDocumentsView.as_view(),
         name="benefit-claim-documents"),
    path("claims/<int:claim_id>/decision/", api_claims.DecisionView.as_view(),
         name="benefit-claim-decision"),
    path("claims/<int:claim_id>/appeal/", api_claims.AppealView.as_view(),
         name="benefit-claim-appeal"),
    path("claims/<int:claim_id>/withdrawal/", api_claims.WithdrawalView.as_view(),
         name="benefit-claim-withdrawal"),
    path("awards/<int:award_id>/", api_claims.AwardView.as_view(), name="benefit-award"),
    path("me/awards/", api_claims.MyAwardsView.as_view(), name="benefit-my-awards"),
    path("me/notifications/", api_claims.MyNotificationsView.as_view(),
         name="benefit-my-notifications"),
]

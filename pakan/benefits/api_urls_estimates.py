"""The estimator's API under /api/v1/benefits/estimates/."""

from django.urls import path

from pakan.benefits import api_estimates

urlpatterns = [
    path("me/", api_estimates.OwnEstimateView.as_view(), name="benefit-estimate-own"),
    path("member/<int:member_id>/", api_estimates.MemberEstimateView.as_view(),
         name="benefit-estimate-member"),
]

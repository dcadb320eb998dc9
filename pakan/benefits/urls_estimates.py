"""The benefit estimator's pages under /benefits/estimates/."""

from django.urls import path

from pakan.benefits.views import estimates

urlpatterns = [
    path("me/", estimates.own_estimate, name="own_estimate"),
    path("member/<int:member_id>/", estimates.member_estimate, name="member_estimate"),
]

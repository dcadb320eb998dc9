"""The registry API under /api/v1/."""

from django.urls import path

from pakan.registry import api

app_name = "registry-api"

urlpatterns = [
    path("people/", api.PeopleView.as_view(), name="people"),
    path("people/<int:person_id>/", api.PersonView.as_view(), name="person"),
    path("people/<int:person_id>/events/", api.PersonEventsView.as_view(), name="person-events"),
    path("households/", api.HouseholdsView.as_view(), name="households"),
    path("households/<int:household_id>/", api.HouseholdView.as_view(), name="household"),
    path("households/<int:household_id>/births/", api.BirthsView.as_view(),
         name="household-births"),
    path("villages/", api.VillagesView.as_view(), name="villages"),
]

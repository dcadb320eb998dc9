from django.urls import path

from pakan.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("households/<int:household_id>/", views.household, name="household"),
    path("villages/<str:code>/", views.village, name="village"),
    path("register/", views.register, name="register"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:candidate_id>/decide/", views.decide_duplicate,
         name="decide_duplicate"),
    path("import/", views.import_file, name="import"),
]

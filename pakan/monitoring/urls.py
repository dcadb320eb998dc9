from django.urls import path

from pakan.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.strategy, name="strategy"),
    path("nsps/goals/<str:code>/", views.goal, name="goal"),
]

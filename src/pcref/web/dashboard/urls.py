from django.urls import path

from pcref.web.dashboard import overview, views
from pcref.web.dashboard.team_views import data_quality_page, team, team_list

app_name = "dashboard"

urlpatterns = [
    # Results in the app: the landing page and About the data (overview.py).
    path("", overview.index, name="index"),
    path("about/", overview.about, name="about"),
    path("gaps/", views.gaps, name="gaps"),
    path("metrics/<slug:metric_id>/", views.metric, name="metric"),
    path("metrics/<slug:metric_id>/download.csv", views.metric_csv, name="metric_csv"),
    # Team profiles and data quality (team_views.py).
    path("teams/", team_list, name="teams"),
    path("teams/<slug:team>/", team, name="team"),
    path("data-quality/", data_quality_page, name="data_quality"),
]

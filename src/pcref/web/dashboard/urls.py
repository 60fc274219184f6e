from django.urls import path

from pcref.web.dashboard import overview

app_name = "dashboard"

urlpatterns = [
    # Results in the app: the landing page and About the data (overview.py).
    path("", overview.index, name="index"),
    path("about/", overview.about, name="about"),
]

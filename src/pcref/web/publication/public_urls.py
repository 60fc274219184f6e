from django.urls import path

from pcref.web.publication import views

app_name = "pcref_public"

urlpatterns = [
    path("", views.public_page, name="index"),
    path("published-figures.zip", views.published_figures, name="published_figures"),
]

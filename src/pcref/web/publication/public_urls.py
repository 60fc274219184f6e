from django.urls import path, register_converter

from pcref.web.publication import views
from pcref.web.publication.public_languages import PublicLanguageConverter

app_name = "pcref_public"

register_converter(PublicLanguageConverter, "pcref_language")

urlpatterns = [
    path("", views.public_page, name="index"),
    path("<pcref_language:language>/", views.public_page, name="index_in"),
    path("published-figures.zip", views.published_figures, name="published_figures"),
]

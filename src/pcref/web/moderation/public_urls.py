from django.urls import path

from pcref.web.moderation import public_views

app_name = "you_said_we_did"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("comments/", public_views.comments, name="comments"),
    path("<int:pk>/", public_views.entry, name="entry"),
]

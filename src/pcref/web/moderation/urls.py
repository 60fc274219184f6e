from django.urls import path

from pcref.web.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("safeguarding/<str:reference>/", views.review, name="review"),
    path(
        "safeguarding/<str:reference>/contact-details/",
        views.contact_details,
        name="contact_details",
    ),
    path("feedback/", views.submissions, name="submissions"),
    path("feedback/<str:reference>/", views.moderate, name="moderate"),
    path("feedback/<str:reference>/response/", views.respond, name="respond"),
    path("you-said-we-did/", views.entries, name="entries"),
    path("you-said-we-did/new/", views.entry_edit, name="entry_new"),
    path("you-said-we-did/<int:pk>/", views.entry_edit, name="entry_edit"),
]

"""Every URL of the web application. Each app's pages are under its own namespace; tests
(tests/web/test_authorisation.py) check every URL here for every role."""

from django.urls import include, path

urlpatterns = [
    path("", include("pcref.web.core.urls")),
    path("", include("pcref.web.accounts.urls")),
    path("dashboard/", include("pcref.web.dashboard.urls")),
    # engagement: co-creation network, hub, partnership groups
    path("", include("pcref.web.engagement.urls")),
    # feedback: the public feedback form
    path("feedback/", include("pcref.web.feedback.urls")),
    # moderation: safeguarding queue, moderation, "you said, we did" (staff and public)
    path("moderation/", include("pcref.web.moderation.urls")),
    path("you-said-we-did/", include("pcref.web.moderation.public_urls")),
    # publication: board report (staff); public PCREF page and published figures (no sign-in)
    path("publication/", include("pcref.web.publication.urls")),
    path("pcref/", include("pcref.web.publication.public_urls")),
    # governance: PCREF action plan, self-assessments, "did it work"
    path("governance/", include("pcref.web.governance.urls")),
]

handler400 = "pcref.web.core.views.bad_request"
handler403 = "pcref.web.core.views.permission_denied"
handler404 = "pcref.web.core.views.page_not_found"
handler500 = "pcref.web.core.views.server_error"

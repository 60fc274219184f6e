from django.urls import path

from pcref.web.governance import views

app_name = "governance"

urlpatterns = [
    path("actions/", views.actions, name="actions"),
    path("actions/new/", views.action_edit, name="action_new"),
    path("actions/<int:pk>/", views.action, name="action"),
    path("actions/<int:pk>/change/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/progress-update/", views.add_update, name="add_update"),
    path("actions/<int:pk>/evidence/", views.add_evidence, name="add_evidence"),
    path("actions/<int:pk>/did-it-work/", views.did_it_work, name="did_it_work"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("self-assessments/", views.assessments, name="assessments"),
    path("self-assessments/new/", views.assessment_new, name="assessment_new"),
    path("self-assessments/<int:pk>/", views.assessment, name="assessment"),
]

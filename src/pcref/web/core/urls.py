from django.urls import path

from pcref.web.core import views

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("healthz/", views.healthcheck, name="healthcheck"),
]

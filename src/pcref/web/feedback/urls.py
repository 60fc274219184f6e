from django.urls import path, register_converter

from pcref.web.feedback import views
from pcref.web.feedback.flows import FlowConverter

app_name = "feedback"

register_converter(FlowConverter, "feedback_flow")

urlpatterns = [
    path("", views.index, name="index"),
    path("<feedback_flow:flow>/", views.start, name="start"),
    path("<feedback_flow:flow>/thank-you/", views.thank_you, name="thank_you"),
    path("<feedback_flow:flow>/<slug:slug>/", views.step, name="step"),
]

from django.urls import path

from pcref.web.publication import views

app_name = "publication"

urlpatterns = [
    path("board-report/", views.board_report, name="board_report"),
    path("board-report/pdf/", views.board_report_pdf, name="board_report_pdf"),
]

from django.urls import path

from pcref.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/security-code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/", views.account, name="account"),
    path("account/two-factor/set-up/", views.two_factor_set_up, name="two_factor_set_up"),
    path("account/two-factor/turn-off/", views.two_factor_turn_off, name="two_factor_turn_off"),
]

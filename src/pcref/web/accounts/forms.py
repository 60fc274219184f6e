"""Sign-in and security-code forms, with error messages in the NHS.UK style
(https://service-manual.nhs.uk/design-system/components/error-message)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice


class SignInForm(AuthenticationForm):
    """Username and password. Wrong details get one message that does not say which of
    the two was wrong, so the form cannot be used to find out who has an account."""

    error_messages: ClassVar[dict[str, str]] = {
        "invalid_login": "The username or password is not correct",
        "inactive": "This account has been switched off. Contact your administrator",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SecurityCodeForm(forms.Form):
    """The 6-digit code from an authenticator app, checked against ``device``.

    django-otp throttles the device after wrong codes (each wait twice the last), and a
    code that has been used once is not accepted again.
    """

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        error_messages={"required": "Enter the security code"},
        strip=True,
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.code_rejected = False

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("The security code must be 6 numbers")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "You have entered too many wrong codes. Wait a minute, then enter the code "
                "currently shown in your authenticator app"
            )
        if not self.device.verify_token(code):
            self.code_rejected = True
            raise forms.ValidationError(
                "The security code is not correct. Enter the code currently shown in your "
                "authenticator app"
            )
        return code

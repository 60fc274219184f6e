"""Two-factor authentication: set-up, the two-step sign-in, throttling, turning it off,
and the service-wide requirement. Codes come from an independent RFC 6238 implementation
(checked against the RFC's own test vector), as an authenticator app would make them."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from pcref.web.accounts.two_factor import qr_code_svg, secret_for_typing
from pcref.web.accounts.views import PENDING_SIGN_IN_KEY
from pcref.web.core.models import AuditEvent


def test_our_reference_totp_matches_the_rfc_test_vectors(rfc6238):
    # RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", 8 digits.
    seed = b"12345678901234567890"
    assert rfc6238(seed, 59, digits=8) == "94287082"
    assert rfc6238(seed, 1111111109, digits=8) == "07081804"
    assert rfc6238(seed, 20000000000, digits=8) == "65353130"


def _confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@pytest.fixture
def no_throttle(settings):
    """django-otp makes each retry wait twice as long as the last; most tests retry at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.mark.django_db
def test_set_up_shows_the_secret_as_a_qr_code_and_as_text(client_for, users):
    client = client_for("viewer")
    html = client.get("/account/two-factor/set-up/").content.decode()
    device = TOTPDevice.objects.get(user=users["viewer"], confirmed=False)
    assert '<svg class="app-qr-code"' in html and 'role="img"' in html
    typed = re.search(r'<code class="nhsuk-code nhsuk-code--inline">([A-Z2-7 ]+)</code>', html)
    assert typed, "the secret is not shown as text"
    padding = "=" * (-len(typed.group(1).replace(" ", "")) % 8)
    assert b32decode(typed.group(1).replace(" ", "") + padding) == device.bin_key
    # Reloading keeps the same secret (someone may already have scanned it).
    client.get("/account/two-factor/set-up/")
    assert TOTPDevice.objects.filter(user=users["viewer"]).count() == 1


def test_the_qr_code_svg_draws_exactly_the_qr_matrix():
    import qrcode

    data = "otpauth://totp/PCREF:sam?secret=JBSWY3DPEHPK3PXP&issuer=PCREF"
    svg = str(qr_code_svg(data, title="QR code"))
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    expected = {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}
    drawn = set()
    for x, y, width in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\3z", svg):
        drawn.update((int(x) + i, int(y)) for i in range(int(width)))
    assert drawn == expected
    assert "style=" not in svg  # would be blocked by the Content-Security-Policy
    assert "<title id=\"qr-code-title\">QR code</title>" in svg


def test_the_typed_secret_is_grouped_in_fours():
    device = TOTPDevice(key="3132333435363738393031323334353637383930")  # "1234567890" x2
    assert secret_for_typing(device) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"


@pytest.mark.django_db
def test_setting_up_needs_a_correct_code(client_for, users, no_throttle, totp_code):
    client = client_for("viewer")
    client.get("/account/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=users["viewer"])
    wrong = client.post("/account/two-factor/set-up/", {"code": "000000"})
    assert "The security code is not correct" in wrong.content.decode()
    response = client.post("/account/two-factor/set-up/", {"code": totp_code(device)})
    assert response["Location"] == "/account/"
    device.refresh_from_db()
    assert device.confirmed
    account = client.get("/account/").content.decode()
    assert "Two-factor authentication is set up" in account and "On since" in account
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor=users["viewer"]).exists()


@pytest.mark.django_db
def test_codes_must_be_six_numbers(client_for, users, totp_code):
    client = client_for("viewer")
    client.get("/account/two-factor/set-up/")
    for bad, message in [("", "Enter the security code"), ("12a456", "must be 6 numbers")]:
        html = client.post("/account/two-factor/set-up/", {"code": bad}).content.decode()
        assert message in html and "<title>Error: " in html
    # Spaces, as some apps show the code, are fine.
    device = TOTPDevice.objects.get(user=users["viewer"])
    code = totp_code(device)
    response = client.post("/account/two-factor/set-up/", {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_with_two_factor_needs_the_code_before_signing_in(
    make_user, password, no_throttle, totp_code
):
    user = make_user("sam", "analyst")
    device = _confirmed_device(user)
    client = Client()
    credentials = {"username": "sam", "password": password, "next": "/dashboard/"}
    response = client.post("/sign-in/", credentials)
    assert response["Location"] == "/sign-in/security-code/"
    # Not signed in yet: the password alone opens nothing.
    assert client.get("/dashboard/")["Location"].startswith("/sign-in/")
    page = client.get("/sign-in/security-code/").content.decode()
    assert "Enter your security code" in page
    wrong = client.post("/sign-in/security-code/", {"code": "000000"})
    assert "The security code is not correct" in wrong.content.decode()
    response = client.post("/sign-in/security-code/", {"code": totp_code(device)})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert PENDING_SIGN_IN_KEY not in client.session
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert actions == [("security_code_rejected", {}), ("signed_in", {"two_factor": True})]


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(make_user, password, no_throttle, totp_code):
    user = make_user("sam", "analyst")
    device = _confirmed_device(user)
    code = totp_code(device)
    first = Client()
    first.post("/sign-in/", {"username": "sam", "password": password})
    assert first.post("/sign-in/security-code/", {"code": code}).status_code == 302
    second = Client()
    second.post("/sign-in/", {"username": "sam", "password": password})
    replay = second.post("/sign-in/security-code/", {"code": code})
    assert replay.status_code == 200 and "not correct" in replay.content.decode()


@pytest.mark.django_db
def test_wrong_codes_are_throttled(make_user, password, settings, totp_code):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute's wait: long enough for a slow machine
    user = make_user("sam", "analyst")
    device = _confirmed_device(user)
    client = Client()
    client.post("/sign-in/", {"username": "sam", "password": password})
    client.post("/sign-in/security-code/", {"code": "000000"})
    # Straight after a wrong code even the right one must wait.
    response = client.post("/sign-in/security-code/", {"code": totp_code(device)})
    assert "You have entered too many wrong codes" in response.content.decode()
    assert not client.get("/account/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_five_wrong_codes_mean_starting_again(make_user, password, no_throttle):
    user = make_user("sam", "analyst")
    _confirmed_device(user)
    client = Client()
    client.post("/sign-in/", {"username": "sam", "password": password})
    for _ in range(4):
        assert client.post("/sign-in/security-code/", {"code": "000000"}).status_code == 200
    response = client.post("/sign-in/security-code/", {"code": "000000"})
    assert response["Location"] == "/sign-in/"
    assert "too many wrong security codes" in client.get("/sign-in/").content.decode()
    assert client.get("/sign-in/security-code/")["Location"] == "/sign-in/"


@pytest.mark.django_db
def test_the_code_step_times_out(make_user, password, totp_code):
    user = make_user("sam", "analyst")
    device = _confirmed_device(user)
    client = Client()
    client.post("/sign-in/", {"username": "sam", "password": password})
    session = client.session
    session[PENDING_SIGN_IN_KEY]["started"] -= 301
    session.save()
    response = client.post("/sign-in/security-code/", {"code": totp_code(device)})
    assert response["Location"] == "/sign-in/"
    assert "Your sign-in timed out" in client.get("/sign-in/").content.decode()


@pytest.mark.django_db
def test_the_code_step_without_a_password_goes_to_sign_in():
    assert Client().get("/sign-in/security-code/")["Location"] == "/sign-in/"


@pytest.mark.django_db
def test_turning_two_factor_off(client_for, users):
    _confirmed_device(users["viewer"])
    client = client_for("viewer")
    assert "Turn off two-factor authentication" in client.get(
        "/account/two-factor/turn-off/"
    ).content.decode()
    response = client.post("/account/two-factor/turn-off/")
    assert response["Location"] == "/account/"
    assert not TOTPDevice.objects.filter(user=users["viewer"]).exists()
    assert AuditEvent.objects.filter(action="two_factor_disabled").count() == 1


@pytest.mark.django_db
def test_when_required_people_must_set_it_up_first(client_for, users, settings):
    settings.PCREF_REQUIRE_TWO_FACTOR = True
    client = client_for("viewer")
    assert client.get("/dashboard/")["Location"] == "/account/two-factor/set-up/"
    assert client.get("/account/two-factor/set-up/").status_code == 200
    assert client.get("/sign-out/").status_code == 200
    assert client.get("/accessibility/").status_code == 200


@pytest.mark.django_db
def test_when_required_it_cannot_be_turned_off(
    make_user, password, settings, no_throttle, totp_code
):
    settings.PCREF_REQUIRE_TWO_FACTOR = True
    user = make_user("sam", "viewer")
    device = _confirmed_device(user)
    client = Client()
    client.post("/sign-in/", {"username": "sam", "password": password})
    client.post("/sign-in/security-code/", {"code": totp_code(device)})
    assert client.get("/dashboard/").status_code == 200  # verified, so let through
    page = client.get("/account/two-factor/turn-off/").content.decode()
    assert "you cannot turn it off" in page
    client.post("/account/two-factor/turn-off/")
    assert TOTPDevice.objects.filter(user=user).exists()

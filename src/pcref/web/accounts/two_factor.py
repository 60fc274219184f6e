"""Two-factor authentication with an authenticator app (TOTP, RFC 6238) via django-otp.

Optional for staff unless ``PCREF_REQUIRE_TWO_FACTOR`` is on. A person has at most one
confirmed device. Setting up shows the secret as a QR code, drawn here as inline SVG (no
image service, nothing leaves the server), and as text for people who cannot scan it.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.constants
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup, escape

DEVICE_NAME = "Authenticator app"


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator-app device, if they have set one up."""
    if user is None or user.pk is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: Any) -> bool:
    """Whether ``user`` has set up two-factor authentication."""
    return confirmed_device(user) is not None


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device for setting up, created once so that reloading the set-up
    page does not change the secret someone has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirm_device(device: TOTPDevice) -> None:
    """Make ``device`` the person's only device once they have proved they can use it."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def remove_devices(user: Any) -> int:
    """Turn two-factor authentication off for ``user``; returns how many devices went."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed in."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(data: str, *, title: str, title_id: str = "qr-code-title") -> Markup:
    """``data`` as a QR code in inline SVG: one path of dark modules on a white quiet zone.

    No style attributes, so it renders under a strict Content-Security-Policy; labelled by
    its ``<title>`` for screen readers.
    """
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return Markup(
        '<svg class="app-qr-code" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" width="240" height="240" role="img" '
        f'aria-labelledby="{escape(title_id)}" shape-rendering="crispEdges">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{"".join(runs)}"/></svg>'
    )

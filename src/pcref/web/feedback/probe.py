"""Sending feedback over real HTTP, as a browser without JavaScript does, to a real server.

Used by the test that kills the server after each acknowledged submission
(tests/web/feedback/test_durability.py) and by the load benchmark
(benchmarks/feedback_load.py). :class:`ScratchServer` runs gunicorn with the local settings
against a database of its own; :class:`FormSession` keeps cookies, reads the CSRF token
from each form and posts the pages in order, like a person would.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from pcref.web.feedback.i18n_build import compile_all

REPO_ROOT = Path(__file__).resolve().parents[4]
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_REFERENCE = re.compile(r'app-feedback-reference">([A-Z0-9-]+)<')

#: Every page of the standard form, answered the way most people answer it.
STANDARD_ANSWERS: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "experience",
        {
            "fft_answer": "2",
            "what_was_good": "Staff were kind and explained my medication.",
            "what_could_be_better": "It took six weeks to get a first appointment.",
        },
    ),
    ("about-your-feedback", {"respondent_type": "patient"}),
    ("about-you", {"ethnic_background": "black_caribbean", "age_band": "25-34"}),
    ("contact", {}),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ScratchServer:
    """gunicorn serving the application on 127.0.0.1 against ``database_url``.

    ``start()`` migrates the database (first time only) and waits until ``/healthz/``
    answers; ``kill()`` sends SIGKILL to the whole process group, as a crash or a power
    cut would, with no chance to flush or tidy up.
    """

    database_url: str
    workers: int = 1
    threads: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    _migrated: bool = False

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pcref.web.settings.local",
            "DATABASE_URL": self.database_url,
            "PCREF_ALLOWED_HOSTS": "127.0.0.1",
            "PCREF_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }

    def start(self, timeout: float = 60.0) -> None:
        if not self._migrated:
            compile_all()
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=REPO_ROOT, env=self.env, check=True,
            )  # fmt: skip
            self._migrated = True
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "pcref.web.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--log-level", "warning",
            ],
            cwd=REPO_ROOT, env=self.env, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer on port {self.port} in {timeout} s")

    def kill(self) -> None:
        """SIGKILL gunicorn and its workers at once; wait until they are gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


class FormError(AssertionError):
    """The server did not answer a page as a working form would."""


@dataclass
class FormSession:
    """One person's browser: a connection, cookies, and the last form's CSRF token."""

    port: int
    flow: str = "en"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""
    connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.csrf_token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        token = _CSRF_INPUT.search(text)
        if token:
            self.csrf_token = token.group(1)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def fill_in(self, answers=STANDARD_ANSWERS) -> tuple[str, dict[str, str]]:
        """Answer every page but the last; returns the last page's path and answers,
        ready to :meth:`send`."""
        *pages, (last, last_answers) = answers
        status, _headers, _text = self.request("GET", f"/feedback/{self.flow}/{pages[0][0]}/")
        if status != 200:
            raise FormError(f"first page answered {status}")
        for page, data in pages:
            # One CSRF token serves every page, so the redirect need not be followed.
            status, _headers, _text = self.request("POST", f"/feedback/{self.flow}/{page}/", data)
            if status != 302:
                raise FormError(f"{page} answered {status}, expected a redirect")
        return f"/feedback/{self.flow}/{last}/", dict(last_answers)

    def send(self, path: str, data: dict[str, str]) -> int:
        """Post the last page; returns the HTTP status (302 when the feedback is stored)."""
        status, _headers, _text = self.request("POST", path, data)
        return status

    def thank_you_reference(self) -> str:
        status, _headers, text = self.request("GET", f"/feedback/{self.flow}/thank-you/")
        match = _REFERENCE.search(text)
        if status != 200 or not match:
            raise FormError(f"thank-you page answered {status} without a reference")
        return match.group(1)

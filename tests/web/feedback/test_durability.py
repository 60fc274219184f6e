"""A killed server loses no acknowledged feedback (DESIGN §10).

gunicorn runs the application against a file-backed SQLite database. For each of N
submissions a client fills in the form over HTTP, sends it, reads the reference on the
thank-you page, and then the server is killed with SIGKILL (no chance to flush anything)
and started again. Afterwards the database must hold exactly the N acknowledged
references.
"""

from __future__ import annotations

import sqlite3

import pytest

from pcref.web.feedback.probe import FormSession, ScratchServer

SUBMISSIONS = 3


@pytest.mark.slow
def test_no_acknowledged_submission_is_lost_when_the_server_is_killed(tmp_path):
    database = tmp_path / "feedback.sqlite3"
    server = ScratchServer(database_url=f"sqlite:///{database}")
    acknowledged = []
    try:
        for _ in range(SUBMISSIONS):
            server.start()
            session = FormSession(server.port, flow="pl")
            path, answers = session.fill_in()
            assert session.send(path, answers) == 302
            acknowledged.append(session.thank_you_reference())
            session.close()
            server.kill()
        server.start()  # the restarted server still answers with everything in place
        assert FormSession(server.port).request("GET", "/feedback/en/")[0] == 200
    finally:
        server.kill()

    with sqlite3.connect(database) as connection:
        stored = [row[0] for row in connection.execute("SELECT reference FROM feedback_submission")]
    assert len(stored) == SUBMISSIONS
    assert sorted(stored) == sorted(acknowledged)

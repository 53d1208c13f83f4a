"""`certflow staff`: a staff member added on the command line gets a token that the API accepts;
qualifications are recorded for R-7.auditor; tokens are rotated, revoked and their holders deactivated
(issue 13), and the list shows each token's state and last use; mistakes are plain messages."""

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from schemas.tokens import TokenStatus
from store.staff import qualifications_of, staff_by_token
from store.tokens import holder_of, record_use, token_state

ROOT = Path(__file__).resolve().parents[2]


def certflow(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env["CERTFLOW_DATABASE_URL"] = dsn
    return subprocess.run([sys.executable, "-m", "certflow", "staff", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


async def test_add_prints_a_token_that_authenticates_and_qualify_records_R_7_auditor(db_dsn, pool):
    done = certflow(db_dsn, "add", "李组长", "--role", "auditor", "--role", "reviewer", "--email", "li@body.example")
    assert done.returncode == 0, done.stderr
    token = re.search(r"token:\s+(\S+)", done.stdout)[1]
    staff_id = re.search(r"staff id:\s+(\S+)", done.stdout)[1]
    person = await staff_by_token(pool, token)
    assert person is not None and str(person.id) == staff_id and set(person.roles) == {"auditor", "reviewer"}
    assert await pool.fetchval("SELECT count(*) FROM staff WHERE token_hash = $1", token) == 0  # only a hash

    done = certflow(db_dsn, "qualify", staff_id, "--kind", "competence_evaluation", "--from", "2026-01-01",
                    "--to", "2028-12-31")
    assert done.returncode == 0, done.stderr
    assert [q.kind for q in await qualifications_of(pool, person.id)] == ["competence_evaluation"]
    assert "李组长" in certflow(db_dsn, "list").stdout


def test_unknown_role_and_staff_are_plain_messages(db_dsn):
    done = certflow(db_dsn, "add", "某人", "--role", "boss")
    assert done.returncode == 2 and "the roles are: reviewer" in done.stderr and "Traceback" not in done.stderr
    done = certflow(db_dsn, "qualify", "00000000-0000-0000-0000-000000000000", "--kind", "training_certificate",
                    "--from", "2026-01-01", "--to", "2027-01-01")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


async def test_the_printed_token_authenticates_at_the_api(db_dsn, pool, temporal_env):
    import httpx

    from api.app import create_app
    from certflow.settings import Settings

    done = certflow(db_dsn, "add", "钱评审", "--role", "reviewer")
    assert done.returncode == 0, done.stderr
    token = re.search(r"token:\s+(\S+)", done.stdout)[1]
    app = create_app(Settings(_env_file=None, database_url=db_dsn), pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})).status_code == 200
        assert (await http.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}x"})).status_code == 401


def test_a_qualification_ending_before_it_starts_is_a_plain_message(db_dsn):
    done = certflow(db_dsn, "add", "周审查", "--role", "auditor")
    staff_id = re.search(r"staff id:\s+(\S+)", done.stdout)[1]
    done = certflow(db_dsn, "qualify", staff_id, "--kind", "training_certificate", "--from", "2027-01-01",
                    "--to", "2026-01-01")
    assert done.returncode == 1 and "before --from" in done.stderr and "Traceback" not in done.stderr
    done = certflow(db_dsn, "add", "某人", "--role", "reviewer", "--manager", "00000000-0000-0000-0000-000000000000")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


async def test_rotate_prints_a_new_token_once_and_the_old_one_stops_working(db_dsn, pool):
    """Issue 13: the server-side way to replace a lost, leaked or expired token."""
    done = certflow(db_dsn, "add", "孙运营", "--role", "operator")
    old, staff_id = re.search(r"token:\s+(\S+)", done.stdout)[1], re.search(r"staff id:\s+(\S+)", done.stdout)[1]
    done = certflow(db_dsn, "rotate", staff_id)
    assert done.returncode == 0, done.stderr
    new = re.search(r"token:\s+(\S+)", done.stdout)[1]
    assert new != old and "shown only now" in done.stdout and re.search(r"expires:\s+\d{4}-", done.stdout)
    at = datetime.now(UTC)
    assert await holder_of(pool, old, at) is None
    person, state = await holder_of(pool, new, at)
    assert str(person.id) == staff_id and state.status is TokenStatus.VALID
    assert await pool.fetchval("SELECT count(*) FROM staff WHERE token_hash = $1", new) == 0  # only a hash


async def test_revoke_and_deactivate_stop_the_token_and_list_shows_each_tokens_state(db_dsn, pool):
    ids = {}
    for name in ("赵撤销", "吴离职", "郑在职"):
        done = certflow(db_dsn, "add", name, "--role", "reviewer")
        ids[name] = re.search(r"staff id:\s+(\S+)", done.stdout)[1]
    await record_use(pool, uuid.UUID(ids["郑在职"]), datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    revoked = certflow(db_dsn, "revoke", ids["赵撤销"])
    assert revoked.returncode == 0 and "token revoked" in revoked.stdout, revoked.stderr
    left = certflow(db_dsn, "deactivate", ids["吴离职"])
    assert left.returncode == 0 and "inactive" in left.stdout, left.stderr
    at = datetime.now(UTC)
    assert (await token_state(pool, uuid.UUID(ids["赵撤销"]), at)).status is TokenStatus.REVOKED
    assert (await token_state(pool, uuid.UUID(ids["吴离职"]), at)).status is TokenStatus.INACTIVE

    lines = {line.split()[1]: line for line in certflow(db_dsn, "list").stdout.splitlines()}
    assert "token revoked" in lines["赵撤销"] and "last used never" in lines["赵撤销"]
    assert "token inactive" in lines["吴离职"] and "(inactive)" in lines["吴离职"]
    assert "token valid" in lines["郑在职"] and "last used 2026-12-01 08:30 UTC" in lines["郑在职"]
    assert re.search(r"expires \d{4}-\d\d-\d\d", lines["郑在职"])


def test_token_commands_for_an_unknown_or_malformed_staff_id_are_plain_messages(db_dsn):
    for action in ("revoke", "rotate", "deactivate"):
        unknown = certflow(db_dsn, action, "00000000-0000-0000-0000-000000000000")
        assert unknown.returncode == 1 and "no staff member" in unknown.stderr, unknown.stderr
        assert "Traceback" not in unknown.stderr
        malformed = certflow(db_dsn, action, "someone")
        assert malformed.returncode == 2 and "is not a staff id" in malformed.stderr

"""Several people writing at once, through a real server, on SQLite and on PostgreSQL.

Every answer must be 2xx, 409 (someone else changed the record first) or 503 (the database
was busy: nothing was written, try again); never a 500. Every write that answered 2xx is stored.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.bootstrap import prepare_database
from techwin.config import Environment, Settings
from techwin.db.engine import build_engine
from tests import factories
from tests.live_server import SECRET, live_server
from tests.pg import create_database

ALLOWED = {200, 201, 204, 409, 503}


@dataclass
class Org:
    """What the seed made: tokens of writers, their contacts, and one deal."""

    tokens: list[str]
    contact_ids: list[int]
    deal_id: int
    emails: list[str]


def _seed(session: Session, *, people: int = 10) -> Org:
    tokens, contact_ids, emails = [], [], []
    manager = factories.user(session, role=Role.MANAGER)
    for _ in range(people):
        ae = factories.user(session, role=Role.AE)
        secret, _token = auth_service.create_api_token(session, actor=None, user=ae, name="load")
        tokens.append(secret)
        emails.append(ae.email)
        contact_ids.append(factories.contact(session, actor=ae, owner_id=ae.id).id)
    secret, _token = auth_service.create_api_token(session, actor=None, user=manager, name="m")
    tokens.append(secret)
    deal = factories.opportunity(session, actor=manager)
    return Org(tokens=tokens, contact_ids=contact_ids, deal_id=deal.id, emails=emails)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Org, str]]:
    """A migrated, seeded database of one backend, served by two uvicorn workers."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'techwin.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_base_url"), f"live_{uuid.uuid4().hex}")
    engine = build_engine(Settings(env=Environment.TEST, secret_key=SECRET, database_url=url))
    prepare_database(url, engine)
    with Session(engine) as session, session.begin():
        org = _seed(session)
    engine.dispose()
    with live_server(url, tmp_path / "server.log", workers=2) as base:
        yield base, org, url


def _at_once(count: int, work: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """Run ``work(i)`` for ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def _run(i: int) -> httpx.Response:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(_run, range(count)))


def _api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_ten_people_edit_ten_contacts_at_once(served: tuple[str, Org, str]) -> None:
    base, org, _url = served

    def edit(i: int) -> httpx.Response:
        with _api(base, org.tokens[i]) as api:
            read = api.get(f"/api/v1/contacts/{org.contact_ids[i]}")
            assert read.status_code == 200, read.text
            contact = read.json()
            body = {"title": f"Head of Platform {i}", "version": contact["version"]}
            return api.patch(f"/api/v1/contacts/{org.contact_ids[i]}", json=body)

    responses = _at_once(10, edit)
    assert _statuses(responses) == [200] * 10, [r.text for r in responses]
    with _api(base, org.tokens[-1]) as api:
        for i, contact_id in enumerate(org.contact_ids):
            assert api.get(f"/api/v1/contacts/{contact_id}").json()["title"] == (
                f"Head of Platform {i}"
            )


def test_ten_people_edit_the_same_contact_one_wins(served: tuple[str, Org, str]) -> None:
    base, org, _url = served
    manager = org.tokens[-1]
    contact_id = org.contact_ids[0]
    with _api(base, manager) as api:
        version = api.get(f"/api/v1/contacts/{contact_id}").json()["version"]

    def edit(i: int) -> httpx.Response:
        with _api(base, manager) as api:
            body = {"department": f"Team {i}", "version": version}
            return api.patch(f"/api/v1/contacts/{contact_id}", json=body)

    responses = _at_once(10, edit)
    statuses = _statuses(responses)
    assert set(statuses) <= {200, 409, 503}, [r.text for r in responses]
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, statuses
    with _api(base, manager) as api:
        stored = api.get(f"/api/v1/contacts/{contact_id}").json()
    assert stored["department"] == winners[0].json()["department"]
    assert stored["version"] == version + 1


def test_five_people_sign_in_at_once(served: tuple[str, Org, str]) -> None:
    base, org, _url = served

    def sign_in(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=30) as browser:
            page = browser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            form = {
                "email": org.emails[i],
                "password": factories.PASSWORD,
                "csrf_token": token.group(1),
                "next": "/",
            }
            return browser.post("/login", data=form)

    responses = _at_once(5, sign_in)
    assert _statuses(responses) == [303] * 5, [r.text[:300] for r in responses]
    assert all("techwin_session" in r.cookies for r in responses)


def test_mixed_load_never_answers_500_and_keeps_every_write(
    served: tuple[str, Org, str],
) -> None:
    base, org, _url = served
    created: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> list[int]:
        seen = []
        with _api(base, org.tokens[i]) as api:
            for n in range(12):
                kind = n % 4
                if kind == 0:
                    body = {"last_name": f"Load {i}-{n}", "email": f"load{i}-{n}@example.com"}
                    response = api.post("/api/v1/contacts", json=body)
                    if response.status_code == 201:
                        with lock:
                            created.append(response.json()["id"])
                elif kind == 1:
                    response = api.get("/api/v1/contacts", params={"size": 20})
                elif kind == 2:
                    contact = api.get(f"/api/v1/contacts/{org.contact_ids[i]}").json()
                    body = {"phone": f"+44 20 {i}{n}", "version": contact["version"]}
                    response = api.patch(f"/api/v1/contacts/{org.contact_ids[i]}", json=body)
                else:
                    response = api.get(f"/api/v1/opportunities/{org.deal_id}")
                seen.append(response.status_code)
        return seen

    barrier = threading.Barrier(10)

    def _run(i: int) -> list[int]:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(10) as pool:
        statuses = [s for batch in pool.map(_run, range(10)) for s in batch]
    assert set(statuses) <= ALLOWED, sorted(set(statuses))
    assert statuses.count(201) == len(created) == 30
    with _api(base, org.tokens[-1]) as api:
        for contact_id in created:
            assert api.get(f"/api/v1/contacts/{contact_id}").status_code == 200


def test_a_lock_wait_that_runs_out_is_a_503_and_the_connection_stays_usable(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'techwin.db'}"
    engine = build_engine(Settings(env=Environment.TEST, secret_key=SECRET, database_url=url))
    prepare_database(url, engine)
    with Session(engine) as session, session.begin():
        org = _seed(session, people=1)
    engine.dispose()
    env = {"TECHWIN_SQLITE_BUSY_TIMEOUT_MS": "200"}
    log = tmp_path / "server.log"
    with live_server(url, log, env=env) as base, _api(base, org.tokens[0]) as api:
        holder = sqlite3.connect(tmp_path / "techwin.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            read = api.get(f"/api/v1/contacts/{org.contact_ids[0]}")
            assert read.status_code == 200  # readers never wait for a writer
            busy = api.post("/api/v1/contacts", json={"last_name": "Waits"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "1"
        body: dict[str, Any] = busy.json()
        assert body["error"] == "Unavailable"
        assert "nothing was saved" in body["detail"]
        # The same keep-alive connection answers the retry.
        again = api.post("/api/v1/contacts", json={"last_name": "Waits"})
        assert again.status_code == 201, again.text
        names = api.get("/api/v1/contacts", params={"q": "Waits"}).json()
        assert [c["last_name"] for c in names["items"]].count("Waits") == 1

"""Test fixtures: every database test runs on SQLite and on a real PostgreSQL server.

The schema comes from ``alembic upgrade head`` (so migrations run every time) plus the shipped
playbook seed; each test runs inside a transaction that is rolled back afterwards, and the app
under test is bound to that same transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from techwin.app import create_app
from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.bootstrap import prepare_database
from techwin.config import Environment, Settings
from techwin.db.engine import build_engine
from tests import factories
from tests.pg import create_database, find_pg_bin, running_postgres

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-checks"


def test_settings(database_url: str) -> Settings:
    """Settings for an app under test."""
    return Settings(env=Environment.TEST, database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    """A PostgreSQL server started for this test session."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries not found (apt-get install postgresql)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with running_postgres(bin_dir) as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded database per backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "techwin.db"
        return f"sqlite:///{path}"
    base = request.getfixturevalue("pg_base_url")
    return create_database(base, "techwin_test")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of the test database, schema at head."""
    engine = build_engine(test_settings(database_url))
    prepare_database(database_url, engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions joined to the test transaction; their commits become savepoints."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service tests."""
    with session_factory() as s:
        yield s


@pytest.fixture
def app(database_url: str, session_factory: sessionmaker[Session]) -> Any:
    """The application, bound to the test transaction."""
    application = create_app(test_settings(database_url))
    application.state.sessionmaker = session_factory
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """An HTTP client for the app (no credentials)."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create a user of a role (committed into the test transaction)."""

    def _make(role: Role = Role.AE, **kwargs: Any) -> User:
        user = factories.user(session, role=role, **kwargs)
        session.commit()
        return user

    return _make


@pytest.fixture
def api_as(app: Any, session: Session, make_user: Callable[..., User]) -> Callable[..., TestClient]:
    """An API client authenticated as a (new or given) user of a role."""
    clients: list[TestClient] = []

    def _client(role: Role = Role.AE, user: User | None = None) -> TestClient:
        user = user or make_user(role, password=None)  # no hashing: API tests use tokens
        secret, _token = auth_service.create_api_token(session, actor=None, user=user, name="test")
        session.commit()
        c = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
        c.user = user  # type: ignore[attr-defined]
        clients.append(c)
        return c

    return _client


@pytest.fixture
def count_queries(connection: Connection) -> Callable[[], Any]:
    """A context manager that counts SQL statements run on the test connection."""

    @contextmanager
    def _counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        event.listen(connection, "before_cursor_execute", _record)
        try:
            yield statements
        finally:
            event.remove(connection, "before_cursor_execute", _record)

    return _counter


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests save screenshots and other evidence."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

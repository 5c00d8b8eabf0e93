"""A real Techwin server in a subprocess (uvicorn on 127.0.0.1), for tests that must go through
the network as people do: browsers, and several clients writing at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRET = "browser-test-secret-key-that-is-long-enough-for-checks"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(
    database_url: str, log_path: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve ``database_url`` (already migrated) with uvicorn; yields the base URL.

    Fails the test if the server logged a traceback: every 500 is a bug.
    """
    port = free_port()
    environment = {
        **os.environ,
        "TECHWIN_DATABASE_URL": database_url,
        "TECHWIN_ENV": "test",
        "TECHWIN_SECRET_KEY": SECRET,
        **(env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "techwin.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    text = log_path.read_text()
    assert "Traceback" not in text, text


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("the server did not answer /healthz within 90 s")
        time.sleep(0.1)

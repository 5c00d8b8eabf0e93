"""Uploaded files kept between the check (preview and dry run) and the confirmed import.

Each upload lives in ``<temp dir>/techwin-imports/<user id>/<token>/``: the file as uploaded and
a JSON note of what was chosen and found. The token is random and the folder is under the
uploader's id, so one person cannot reach another's upload. Uploads older than
:data:`KEEP_SECONDS` are removed whenever a new one is stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from techwin.errors import InvalidInput, NotFound
from techwin.pipeline.imports.source import MAX_BYTES

ROOT_NAME = "techwin-imports"
KEEP_SECONDS = 6 * 3600
CHUNK = 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_CSV = "upload.csv"
_DETAILS = "details.json"
_LOCK = "importing"


def staging_root() -> Path:
    """Where uploads wait (under the system's temporary directory)."""
    return Path(tempfile.gettempdir()) / ROOT_NAME


@dataclass(frozen=True)
class StagedUpload:
    """One uploaded file waiting to be imported."""

    token: str
    owner_id: int
    folder: Path

    @property
    def path(self) -> Path:
        """The uploaded file."""
        return self.folder / _CSV

    def details(self) -> dict[str, Any]:
        """What was chosen and found so far (empty before the first check)."""
        try:
            data = json.loads((self.folder / _DETAILS).read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, details: dict[str, Any]) -> None:
        """Replace the details (atomically: a reader sees the old or the new, never half)."""
        target = self.folder / _DETAILS
        scratch = target.with_suffix(".tmp")
        scratch.write_text(json.dumps(details, default=str), "utf-8")
        os.replace(scratch, target)

    def lock(self) -> bool:
        """Mark the upload as being imported; False when an import of it is already running."""
        try:
            (self.folder / _LOCK).touch(exist_ok=False)
        except FileExistsError:
            return False
        return True

    @property
    def importing(self) -> bool:
        """An import of this upload is running."""
        return (self.folder / _LOCK).exists()

    def unlock(self) -> None:
        """The import finished (or failed): the upload may be imported again."""
        (self.folder / _LOCK).unlink(missing_ok=True)

    def drop_file(self) -> None:
        """Remove the uploaded file but keep the details (the result stays viewable)."""
        self.path.unlink(missing_ok=True)


def stage_upload(stream: BinaryIO, *, owner_id: int, root: Path | None = None) -> StagedUpload:
    """Copy an upload into a new private folder, refusing anything over the import size limit."""
    root = root or staging_root()
    clean_up(root)
    owner = root / str(owner_id)
    owner.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    folder = owner / token
    folder.mkdir(mode=0o700)
    staged = StagedUpload(token=token, owner_id=owner_id, folder=folder)
    written = 0
    try:
        with staged.path.open("wb") as handle:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > MAX_BYTES:
                    raise InvalidInput(
                        "the file is over 1 GiB; the limit is 1 GiB per import — split it",
                        field="file",
                    )
                handle.write(chunk)
    except BaseException:
        discard(staged)
        raise
    return staged


def find_upload(token: str, *, owner_id: int, root: Path | None = None) -> StagedUpload:
    """The viewer's own upload with this token; anyone else's, or an expired one, is not found."""
    root = root or staging_root()
    missing = NotFound("this upload is not there any more; uploads are kept for 6 hours")
    if not _TOKEN.fullmatch(token):
        raise missing
    folder = root / str(owner_id) / token
    try:
        age = time.time() - folder.stat().st_mtime
    except FileNotFoundError:
        raise missing from None
    staged = StagedUpload(token=token, owner_id=owner_id, folder=folder)
    if age > KEEP_SECONDS:
        discard(staged)
        raise missing
    return staged


def discard(staged: StagedUpload) -> None:
    """Remove an upload and its details."""
    shutil.rmtree(staged.folder, ignore_errors=True)


def clean_up(root: Path | None = None, *, older_than: float = KEEP_SECONDS) -> int:
    """Remove uploads older than ``older_than`` seconds; returns how many were removed."""
    root = root or staging_root()
    cutoff = time.time() - older_than
    removed = 0
    if not root.is_dir():
        return 0
    for owner in root.iterdir():
        if not owner.is_dir() or owner.is_symlink():
            continue
        for folder in owner.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
    return removed

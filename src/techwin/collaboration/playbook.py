"""The shipped Rules of Engagement charter and the SE's question bank (playbook data), and the
seeding of the default charter."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.collaboration.charter_rules import dump_thresholds
from techwin.collaboration.models import Charter
from techwin.collaboration.schemas import CharterSpec
from techwin.db.seeds import apply_once


class Question(BaseModel):
    """One question the SE asks the AE, with why it matters."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    text: str = Field(min_length=10, max_length=300)
    why: str = Field(min_length=10, max_length=300)


class QuestionGroup(BaseModel):
    """Questions about one objective."""

    model_config = ConfigDict(extra="forbid")

    key: str
    name: str
    questions: list[Question] = Field(min_length=1)


class QuestionBank(BaseModel):
    """Every group of questions."""

    model_config = ConfigDict(extra="forbid")

    groups: list[QuestionGroup] = Field(min_length=1)

    def keys(self) -> set[str]:
        """Every question's key."""
        return {q.key for g in self.groups for q in g.questions}

    def text_of(self, key: str) -> str:
        """A question's text by key (the key itself when unknown)."""
        for group in self.groups:
            for question in group.questions:
                if question.key == key:
                    return question.text
        return key


def _read(name: str) -> object:
    return yaml.safe_load(resources.files("techwin.playbook").joinpath(name).read_text("utf-8"))


def load_default_charter() -> CharterSpec:
    """The shipped charter, validated."""
    return CharterSpec.model_validate(_read("charter.yaml"))


@cache
def question_bank() -> QuestionBank:
    """The shipped question bank, validated (read once)."""
    return QuestionBank.model_validate(_read("question_bank.yaml"))


def charter_from_spec(
    spec: CharterSpec,
    *,
    team_id: int | None,
    pod_id: int | None,
    revision: int,
    author_id: int | None,
    change_note: str | None = None,
) -> Charter:
    """A new charter revision row (not yet added to a session)."""
    return Charter(
        team_id=team_id,
        pod_id=pod_id,
        revision=revision,
        is_current=True,
        name=spec.name,
        rescue_phrase=spec.rescue_phrase,
        prep_lead_hours=spec.prep_lead_hours,
        prep_minutes=spec.prep_minutes,
        pricing_with_ae=spec.pricing_with_ae,
        commitments=list(spec.commitments),
        thresholds=dump_thresholds(spec.thresholds),
        change_note=change_note,
        created_by_id=author_id,
    )


def seed_collaboration(session: Session) -> None:
    """Insert the organisation's default charter once per database."""
    if not apply_once(session, "collaboration.default_charter.v1"):
        return
    exists = session.scalar(
        select(Charter.id).where(Charter.team_id.is_(None), Charter.pod_id.is_(None))
    )
    if exists is None:
        session.add(
            charter_from_spec(
                load_default_charter(), team_id=None, pod_id=None, revision=1, author_id=None
            )
        )
        session.flush()

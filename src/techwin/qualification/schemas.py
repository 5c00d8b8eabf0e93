"""Pydantic shapes for frameworks, assessments and ratings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

KEY_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"


class ElementSpec(BaseModel):
    """An element as written in a framework file or sent by an admin."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    question: str = Field(min_length=5, max_length=300)
    validated_means: str = Field(min_length=5, max_length=300)


class FrameworkSpec(BaseModel):
    """A whole framework: at least two elements with unique keys."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    elements: list[ElementSpec] = Field(min_length=2, max_length=30)

    @model_validator(mode="after")
    def _unique_keys(self) -> FrameworkSpec:
        keys = [e.key for e in self.elements]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"element keys must be unique; repeated: {', '.join(duplicates)}")
        return self


class ElementOut(BaseModel):
    """An element of a framework version."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    question: str
    validated_means: str


class FrameworkOut(BaseModel):
    """A framework version."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    version: int
    name: str
    description: str
    is_builtin: bool
    is_current: bool
    elements: list[ElementOut]


class RatingIn(BaseModel):
    """One rating of one element."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    element: str = Field(min_length=1, max_length=40)
    score: int = Field(ge=0, le=3)
    evidence: str | None = Field(default=None, max_length=4000)


class RatingOut(BaseModel):
    """A stored rating."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    element_key: str
    score: int
    evidence: str | None
    rated_by_id: int | None
    rated_by_role: str | None
    rated_at: datetime


class ElementStateOut(BaseModel):
    """An element with where the assessment stands on it."""

    key: str
    name: str
    question: str
    validated_means: str
    score: int
    score_label: str
    evidence: str | None
    rated_by_id: int | None
    rated_at: datetime | None


class AssessmentOut(BaseModel):
    """Where a contact or deal stands under one framework."""

    framework: str
    framework_version: int
    framework_name: str
    subject: str
    subject_id: int
    completeness: float
    elements: list[ElementStateOut]
    weakest: list[str]
    next_questions: list[str]

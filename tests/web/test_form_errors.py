"""Validation errors read as sentences beside the field, in forms and in the API: a blank required
field is 'required', a bound names the bound, a bad number or date says what it should be."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from techwin.core.inputs import InputModel, error_reason


class _Shape(InputModel):
    name: str
    score: int = Field(default=0, ge=0, le=100)
    title: str | None = Field(default=None, min_length=2, max_length=5)
    due: str | None = None
    key: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,39}$")
    code: str | None = Field(default=None, pattern=r"^\d{3}$")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "  "}, "this field is required"),
        ({}, "this field is required"),
        ({"name": "x", "score": 101}, "must be 100 or less"),
        ({"name": "x", "score": -1}, "must be 0 or more"),
        ({"name": "x", "score": "many"}, "must be a number"),
        ({"name": "x", "title": "a"}, "must be at least 2 characters"),
        ({"name": "x", "title": "abcdefg"}, "must be at most 5 characters"),
        (
            {"name": "x", "key": "Budget!"},
            "use lower-case letters, digits and underscores, starting with a letter",
        ),
        ({"name": "x", "code": "12"}, "is not in the expected form"),
    ],
)
def test_each_error_reads_as_a_reason(data, expected):
    with pytest.raises(ValidationError) as caught:
        _Shape.model_validate(data)
    assert error_reason(caught.value.errors()[0]) == expected


def test_a_blank_lead_form_says_required_beside_each_field(signed_in):
    browser = signed_in()
    response = browser.post("/leads", {"first_name": "", "last_name": "", "email": ""})
    assert response.status_code == 422
    assert "Input should be" not in response.text
    assert "this field is required" in response.text


def test_the_api_says_required_too(api_as, make_user):
    from techwin.auth.enums import Role

    client = api_as(user=make_user(Role.AE))
    response = client.post("/api/v1/accounts", json={"name": None})
    assert response.status_code == 422
    assert response.json()["detail"] == "name: this field is required"

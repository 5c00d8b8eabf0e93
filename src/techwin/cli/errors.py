"""One error rendering for every command: ``error: <field>: <reason>`` in red, exit code 1.

The root command group runs the command line in non-standalone mode and turns whatever escapes
(service errors, validation errors, bad options, database failures) into that single line, so
no traceback ever reaches the operator.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from typer.core import TyperGroup

from techwin.cli.output import console, print_error
from techwin.core.inputs import error_reason
from techwin.errors import InvalidInput, TechwinError

M = TypeVar("M", bound=BaseModel)

# Errors without a field still get a word that says what kind of problem it is.
_KIND_FIELDS = {
    "NotAuthenticated": "auth",
    "PermissionDenied": "permission",
    "NotFound": "not found",
    "Conflict": "conflict",
    "InvalidState": "state",
    "RuleViolation": "rule",
    "InvalidInput": "input",
}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def validation_fields(exc: ValidationError, aliases: Mapping[str, str] | None = None) -> str:
    """``field: reason`` pairs of a Pydantic error, joined on one line (first field first)."""
    parts = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(loc) or "input"
        field = (aliases or {}).get(field, field)
        parts.append(f"{field}: {error_reason(error)}")
    return "; ".join(parts)


def validated(model: type[M], data: dict[str, Any], *, aliases: Mapping[str, str]) -> M:
    """``model`` built from ``data``; errors name the CLI option (``aliases``), not the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, _, reason = validation_fields(exc, aliases).partition(": ")
        raise InvalidInput(reason, field=field) from exc


def describe(exc: BaseException) -> tuple[str, str]:
    """The field and reason to show for an exception."""
    if isinstance(exc, TechwinError):
        return exc.field or _KIND_FIELDS.get(exc.kind, exc.kind), exc.message
    if isinstance(exc, ValidationError):
        text = validation_fields(exc)
        field, _, reason = text.partition(": ")
        return field, reason
    if isinstance(exc, typer.TyperException):
        param = getattr(exc, "param", None)
        name = getattr(param, "name", None) or getattr(exc, "option_name", None) or "usage"
        reason = getattr(exc, "message", "") or exc.format_message()
        reason = reason.removeprefix("Value error, ")
        return str(name).lstrip("-").replace("-", "_"), reason
    if isinstance(exc, IntegrityError):
        return "database", "the change conflicts with stored data: " + _first_line(str(exc.orig))
    if isinstance(exc, SQLAlchemyError):
        origin = getattr(exc, "orig", None)
        return "database", _first_line(str(origin if origin is not None else exc))
    return "unexpected", f"{type(exc).__name__}: {_first_line(str(exc))}"


def fail(exc: BaseException) -> NoReturn:
    """Print the one error line for ``exc`` and exit with status 1."""
    field, reason = describe(exc)
    print_error(field, reason)
    sys.exit(1)


class TechwinGroup(TyperGroup):
    """The root group: runs commands and renders every failure as one red line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; exit 0 on success, 1 with one error line on failure."""
        try:
            result = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                # Building this error rendered the help already (Rich mode prints it then).
                text = getattr(exc, "message", "")
                if text.strip():
                    console.print(text, soft_wrap=True)
                sys.exit(0)
            fail(exc)
        except typer.Abort:
            print_error("aborted", "cancelled before anything was changed")
            sys.exit(1)
        except Exception as exc:
            fail(exc)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

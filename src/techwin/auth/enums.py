"""Roles and SE levels."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the organisation; decides what they may change."""

    ADMIN = "admin"
    MANAGER = "manager"
    SE = "se"
    AE = "ae"
    PM = "pm"
    VIEWER = "viewer"


class SELevel(StrEnum):
    """Levels of the IC and leadership tracks."""

    ASSOCIATE = "associate"
    SENIOR = "senior"
    PRINCIPAL = "principal"
    MANAGER = "manager"
    DIRECTOR = "director"


ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.MANAGER: "Manager",
    Role.SE: "Solutions Engineer",
    Role.AE: "Account Executive",
    Role.PM: "Product Manager",
    Role.VIEWER: "Viewer",
}

LEVEL_LABELS = {
    SELevel.ASSOCIATE: "Associate / Core SE",
    SELevel.SENIOR: "Senior SE",
    SELevel.PRINCIPAL: "Principal / Lead SE",
    SELevel.MANAGER: "SE Manager",
    SELevel.DIRECTOR: "Director of Presales",
}

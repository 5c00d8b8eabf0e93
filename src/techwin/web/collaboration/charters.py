"""Pods, charters and SE profiles in the web UI: the teams with their SE:AE ratio and pods, a
charter with its thresholds and acknowledgements, editing a charter (a new revision), and the
SE profiles assignment ranks by."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import charter_rules, charters, pods
from techwin.collaboration.charters import scope_label
from techwin.collaboration.enums import PodSide
from techwin.collaboration.models import Charter, Pod
from techwin.collaboration.schemas import (
    CharterEdit,
    CharterScopeIn,
    PodIn,
    PodMemberIn,
    SEProfileIn,
)
from techwin.core.inputs import error_reason
from techwin.deps import SessionDep, WebUser
from techwin.errors import TechwinError
from techwin.qualification.frameworks import list_frameworks
from techwin.web.collaboration import presenters
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

BLANK_ROWS = 2
THRESHOLD_FIELDS = (
    "key",
    "label",
    "kind",
    "framework",
    "elements",
    "min_score",
    "max_months",
    "min_seniority",
    "min_engagement",
    "min_count",
    "min_days",
)
LABELS = {
    "name": "Name",
    "team_id": "Team",
    "ae_ids": "Account executives",
    "se_ids": "Solutions engineers",
    "rescue_phrase": "Rescue phrase",
    "prep_lead_hours": "Prep call lead time (hours)",
    "prep_minutes": "Prep call length (minutes)",
    "pricing_with_ae": "Pricing stays with the AE",
    "commitments": "Commitments",
    "change_note": "What changed",
    "skills": "Skills and tags",
    "territories": "Territories",
    "weekly_capacity_hours": "Weekly capacity (hours)",
}


# ---------- Pods ----------


def _pods_context(session: Session, user: User, form: FormState | None = None) -> dict[str, Any]:
    users = auth_service.list_users(session, active_only=True)
    current = {(c.team_id, c.pod_id): c for c in charters.list_current_charters(session)}
    profiles = pods.list_profiles(session)
    return {
        "coverage": pods.team_coverage(session),
        "unteamed": [p for p in pods.list_pods(session) if p.team_id is None],
        "counts": pods.pod_counts,
        "charters": current,
        "default_charter": charters.default_charter(session),
        "profiles": profiles,
        "teams": [(str(t.id), t.name) for t in auth_service.list_teams(session)],
        "aes": [(str(u.id), u.full_name) for u in users if u.role is Role.AE],
        "ses": [(str(u.id), u.full_name) for u in users if u.role is Role.SE],
        "form": form or FormState.blank(ae_ids=[], se_ids=[]),
        "labels": LABELS,
        "can_manage": user.is_manager_or_admin,
    }


@router.get("/pods")
def pods_page(request: Request, session: SessionDep, user: WebUser) -> Response:
    """Teams with their SE:AE ratio, pods, charters and SE profiles."""
    return render(request, "collaboration/pods.html", _pods_context(session, user))


def _pod_data(state: FormState) -> PodIn:
    members = [PodMemberIn(user_id=int(i), side=PodSide.AE) for i in state.chosen("ae_ids") if i]
    members += [PodMemberIn(user_id=int(i), side=PodSide.SE) for i in state.chosen("se_ids") if i]
    return PodIn(
        name=state.value("name"),
        team_id=int(state.value("team_id")) if state.value("team_id").isdigit() else None,
        members=members,
        version=int(state.value("version")) if state.value("version").isdigit() else None,
    )


@router.post("/pods")
def pod_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Pair AEs and SEs in a new pod."""
    state = FormState.from_form(form, lists=("ae_ids", "se_ids"))
    state.values.setdefault("team_id", "")
    state.require("name")
    created = attempt(
        session, state, lambda: pods.create_pod(session, actor=user, data=_pod_data(state))
    )
    if created is None:
        context = _pods_context(session, user, state)
        return render(request, "collaboration/pods.html", context, status_code=state.status)
    return redirect("/pods", flash=f"Pod {created.name} created.")


def _pod_form_context(session: Session, pod: Pod, form: FormState) -> dict[str, Any]:
    users = auth_service.list_users(session, active_only=True)
    return {
        "pod": pod,
        "form": form,
        "labels": LABELS,
        "teams": [(str(t.id), t.name) for t in auth_service.list_teams(session)],
        "aes": [(str(u.id), u.full_name) for u in users if u.role in (Role.AE, Role.MANAGER)],
        "ses": [(str(u.id), u.full_name) for u in users if u.role in (Role.SE, Role.MANAGER)],
    }


@router.get("/pods/{pod_id:id}/edit")
def pod_edit(request: Request, pod_id: int, session: SessionDep) -> Response:
    """The pod's name, team and members."""
    pod = pods.get_pod(session, pod_id)
    form = FormState.blank(
        name=pod.name,
        team_id=pod.team_id,
        version=pod.version,
        ae_ids=[m.user_id for m in pod.members if m.side is PodSide.AE],
        se_ids=[m.user_id for m in pod.members if m.side is PodSide.SE],
    )
    return render(request, "collaboration/pod_form.html", _pod_form_context(session, pod, form))


@router.post("/pods/{pod_id:id}/edit")
def pod_update(
    request: Request, pod_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save the pod (stale versions refused)."""
    pod = pods.get_pod(session, pod_id)
    state = FormState.from_form(form, lists=("ae_ids", "se_ids"))
    state.values.setdefault("team_id", "")
    state.require("name")
    saved = attempt(
        session,
        state,
        lambda: pods.update_pod(session, actor=user, pod=pod, data=_pod_data(state)),
    )
    if saved is None:
        pod = pods.get_pod(session, pod_id)
        context = _pod_form_context(session, pod, state)
        return render(request, "collaboration/pod_form.html", context, status_code=state.status)
    return redirect("/pods", flash=f"Pod {saved.name} saved.")


@router.post("/pods/{pod_id:id}/delete")
def pod_delete(pod_id: int, session: SessionDep, user: WebUser) -> Response:
    """Dissolve the pod."""
    pod = pods.get_pod(session, pod_id)
    name = pod.name
    pods.delete_pod(session, actor=user, pod=pod)
    return redirect("/pods", flash=f"Pod {name} dissolved.")


# ---------- SE profiles ----------


@router.get("/se-profiles/{user_id:id}/edit")
def profile_edit(request: Request, user_id: int, session: SessionDep) -> Response:
    """An SE's skills, territories and capacity."""
    person = auth_service.get_user(session, user_id)
    profile = pods.profile_out(user_id, pods.get_profile(session, user_id))
    form = FormState.blank(
        skills=", ".join(profile.skills),
        territories=", ".join(profile.territories),
        weekly_capacity_hours=profile.weekly_capacity_hours,
        version=profile.version,
    )
    context = {"person": person, "form": form, "labels": LABELS}
    return render(request, "collaboration/profile_form.html", context)


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


@router.post("/se-profiles/{user_id:id}/edit")
def profile_save(
    request: Request, user_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Save the profile (managers, admins)."""
    person = auth_service.get_user(session, user_id)
    state = FormState.from_form(form)
    state.require("weekly_capacity_hours")

    def save() -> object:
        data = SEProfileIn.model_validate(
            {
                "skills": _tags(state.value("skills")),
                "territories": _tags(state.value("territories")),
                "weekly_capacity_hours": state.value("weekly_capacity_hours"),
                "version": state.value("version") or None,
            }
        )
        return pods.save_profile(session, actor=user, user_id=user_id, data=data)

    if attempt(session, state, save) is None:
        context = {"person": person, "form": state, "labels": LABELS}
        return render(request, "collaboration/profile_form.html", context, status_code=state.status)
    return redirect("/pods#profiles", flash=f"{person.full_name}'s profile saved.")


# ---------- Charters ----------


def _charter_context(session: Session, user: User, charter: Charter) -> dict[str, Any]:
    acks = charters.acknowledgements(session, charter)
    mine = next((a for a in acks if a.user.id == user.id), None)
    return {
        "charter": charter,
        "scope": scope_label(charter),
        "rows": presenters.threshold_rows(charter),
        "acks": acks,
        "acked": sum(a.at is not None for a in acks),
        "mine": mine,
        "revisions": charters.revisions(session, charter),
        "can_edit": _can_edit(session, user, charter),
    }


def _can_edit(session: Session, user: User, charter: Charter) -> bool:
    if charter.team_id is None and charter.pod_id is None:
        return user.role is Role.ADMIN
    return user.is_manager_or_admin


@router.get("/charters/{charter_id:id}")
def charter_page(request: Request, charter_id: int, session: SessionDep, user: WebUser) -> Response:
    """A charter revision: commitments, thresholds, and who acknowledged it."""
    charter = charters.get_charter(session, charter_id)
    return render(request, "collaboration/charter.html", _charter_context(session, user, charter))


def _next_url(form: FormDep, fallback: str) -> str:
    value = form.get("next")
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/") and not text.startswith("//") else fallback


@router.post("/charters/{charter_id:id}/acknowledge")
def charter_acknowledge(
    charter_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Agree to the charter's current revision."""
    charter = charters.get_charter(session, charter_id)
    charters.acknowledge(session, actor=user, charter=charter)
    where = _next_url(form, f"/charters/{charter_id}")
    return redirect(
        where, flash=f"You acknowledged {scope_label(charter)} revision {charter.revision}."
    )


@router.post("/charters/adopt")
def charter_adopt(session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Give a team or a pod its own charter, then edit it."""
    team = form.get("team_id")
    pod = form.get("pod_id")
    scope = CharterScopeIn.model_validate(
        {
            "team_id": team if isinstance(team, str) and team else None,
            "pod_id": pod if isinstance(pod, str) and pod else None,
        }
    )
    charter = charters.start_charter(session, actor=user, scope=scope)
    return redirect(
        f"/charters/{charter.id}/edit", flash=f"{scope_label(charter)} now has its own charter."
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:50]
    return slug if slug[:1].isalpha() else f"t_{slug}"


def _charter_form(charter: Charter) -> tuple[FormState, int]:
    values: dict[str, object] = {
        "name": charter.name,
        "rescue_phrase": charter.rescue_phrase,
        "prep_lead_hours": charter.prep_lead_hours,
        "prep_minutes": charter.prep_minutes,
        "pricing_with_ae": charter.pricing_with_ae,
        "commitments": "\n".join(charter.commitments),
        "change_note": "",
        "based_on": charter.revision,
    }
    thresholds = charter_rules.parse_thresholds(charter.thresholds)
    for index, threshold in enumerate(thresholds):
        raw = threshold.model_dump(mode="json")
        for name in THRESHOLD_FIELDS:
            value = raw.get(name)
            values[f"t{index}_{name}"] = ", ".join(value or []) if name == "elements" else value
        values[f"t{index}_applies_to"] = raw["applies_to"]
        values[f"t{index}_roles"] = raw.get("roles", [])
    return FormState.blank(**values), len(thresholds) + BLANK_ROWS


THRESHOLD_LABELS = {
    "label": "Label",
    "kind": "Type",
    "applies_to": "For",
    "framework": "Framework",
    "elements": "Elements",
    "min_score": "At least",
    "max_months": "Close date within (months)",
    "min_seniority": "Seniority at least",
    "min_engagement": "Engagement at least",
    "min_count": "How many",
    "roles": "Roles",
    "min_days": "Notice (days)",
}


def _edit_context(session: Session, charter: Charter, form: FormState, rows: int) -> dict[str, Any]:
    frameworks = list_frameworks(session)
    row_labels = {
        f"t{i}_{name}": f"Threshold {i + 1}: {label}"
        for i in range(rows)
        for name, label in THRESHOLD_LABELS.items()
    }
    return {
        "charter": charter,
        "scope": scope_label(charter),
        "form": form,
        "rows": range(rows),
        "labels": {**LABELS, **row_labels},
        "frameworks": [(f.key, f.name) for f in frameworks],
        "framework_elements": [(f.key, f.name, f.elements) for f in frameworks],
        "kinds": presenters.KIND_OPTIONS,
        "threshold_kinds": [
            ("qualification", "Qualification rated"),
            ("timeline", "Close date within"),
            ("stakeholder", "Stakeholders engaged"),
            ("notice", "Notice given"),
        ],
        "scores": [("1", "Identified"), ("2", "Validated"), ("3", "Confirmed with evidence")],
        "seniorities": presenters.SENIORITY_OPTIONS,
        "engagements": presenters.ENGAGEMENT_OPTIONS,
        "roles": presenters.ROLE_OPTIONS,
    }


@router.get("/charters/{charter_id:id}/edit")
def charter_edit(request: Request, charter_id: int, session: SessionDep, user: WebUser) -> Response:
    """The charter as an editable form; saving publishes a new revision."""
    charter = charters.get_charter(session, charter_id)
    form, rows = _charter_form(charter)
    context = _edit_context(session, charter, form, rows)
    return render(request, "collaboration/charter_form.html", context)


def _row_count(state: FormState) -> int:
    indices = [int(m.group(1)) for k in state.values if (m := re.match(r"t(\d+)_", k))]
    return min(max(indices, default=-1) + 1, 40)


def _thresholds(state: FormState) -> tuple[list[dict[str, Any]], list[int]]:
    """The posted threshold rows (blank or removed ones skipped) and each one's row number."""
    found: list[dict[str, Any]] = []
    rows: list[int] = []
    for index in range(_row_count(state)):
        label = state.value(f"t{index}_label").strip()
        if not label or state.checked(f"t{index}_remove"):
            continue
        kind = state.value(f"t{index}_kind")
        item: dict[str, Any] = {
            "key": state.value(f"t{index}_key").strip() or _slug(label),
            "label": label,
            "kind": kind,
            "applies_to": state.chosen(f"t{index}_applies_to"),
        }
        specific: dict[str, tuple[str, ...]] = {
            "qualification": ("framework", "min_score"),
            "timeline": ("max_months",),
            "stakeholder": ("min_seniority", "min_engagement", "min_count"),
            "notice": ("min_days",),
        }
        for name in specific.get(kind, ()):
            value = state.value(f"t{index}_{name}").strip()
            if value:
                item[name] = value
        if kind == "qualification":
            item["elements"] = _tags(state.value(f"t{index}_elements"))
        if kind == "stakeholder":
            item["roles"] = state.chosen(f"t{index}_roles")
        found.append(item)
        rows.append(index)
    return found, rows


def _place(state: FormState, rows: list[int], path: list[str], message: str) -> None:
    """An error on ``thresholds.<n>.<field>`` goes beside that row's input."""
    if len(path) >= 2 and path[0] == "thresholds" and path[1].isdigit():
        row = rows[int(path[1])] if int(path[1]) < len(rows) else 0
        names = [p for p in path[2:] if p in (*THRESHOLD_FIELDS, "applies_to", "roles")]
        name = names[-1] if names else "label"
        state.errors.setdefault(f"t{row}_{name}", message)
    elif path and path[0] in state.values:
        state.errors.setdefault(path[0], message)
    else:
        state.message = message


@router.post("/charters/{charter_id:id}/edit")
def charter_save(
    request: Request, charter_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Publish a new revision; each bad threshold is shown on its row."""
    charter = charters.get_charter(session, charter_id)
    lists = [k for k in form if k.endswith(("_applies_to", "_roles"))]
    state = FormState.from_form(form, lists=lists)
    state.require("name", "rescue_phrase")
    thresholds, rows = _thresholds(state)
    data = None
    if state.ok:
        try:
            data = CharterEdit.model_validate(
                {
                    "name": state.value("name"),
                    "rescue_phrase": state.value("rescue_phrase"),
                    "prep_lead_hours": state.value("prep_lead_hours") or 24,
                    "prep_minutes": state.value("prep_minutes") or 15,
                    "pricing_with_ae": state.checked("pricing_with_ae"),
                    "commitments": [
                        line.strip()
                        for line in state.value("commitments").splitlines()
                        if line.strip()
                    ],
                    "thresholds": thresholds,
                    "change_note": state.value("change_note") or None,
                    "based_on": state.value("based_on") or None,
                }
            )
        except ValidationError as exc:
            for item in exc.errors():
                path = [str(p) for p in item.get("loc", ())]
                message = error_reason(item)
                _place(state, rows, path, message)
    if data is not None:
        valid = data
        try:
            with session.begin_nested():
                fresh = charters.edit_charter(session, actor=user, charter=charter, data=valid)
        except TechwinError as exc:
            state.status = exc.status
            _place(state, rows, (exc.field or "").split("."), exc.message)
        else:
            return redirect(
                f"/charters/{fresh.id}",
                flash=f"Revision {fresh.revision} published; everyone is asked to acknowledge it.",
            )
    charter = charters.get_charter(session, charter_id)
    context = _edit_context(session, charter, state, max(_row_count(state), 1))
    return render(request, "collaboration/charter_form.html", context, status_code=state.status)

"""Contacts through the lifecycle, against the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from techwin.auth.audit import list_audit
from techwin.auth.enums import Role
from techwin.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from techwin.pipeline import contacts, gates
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.models import Contact, ExitCriterion, LifecycleTransition
from techwin.pipeline.schemas import ContactIn, ContactPatch
from tests import factories


def test_every_transition_is_stored_with_actor_and_reason(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.MQL)
    contacts.transition_contact(
        session, actor=ae, contact=lead, to_stage=LifecycleStage.LEAD, reason="not ICP after all"
    )
    history = contacts.list_transitions(session, lead.id)
    assert [(t.from_stage, t.to_stage) for t in history] == [
        (None, LifecycleStage.LEAD),
        (LifecycleStage.LEAD, LifecycleStage.MQL),
        (LifecycleStage.MQL, LifecycleStage.LEAD),
    ]
    assert history[2].reason == "not ICP after all"
    assert all(t.actor_id == ae.id for t in history)
    assert lead.furthest_rank == 1  # reached MQL once


def test_illegal_transition_changes_nothing(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    with pytest.raises(RuleViolation):
        contacts.transition_contact(
            session, actor=ae, contact=lead, to_stage=LifecycleStage.CUSTOMER
        )
    session.refresh(lead)
    assert lead.lifecycle_stage is LifecycleStage.LEAD
    count = session.scalars(
        select(LifecycleTransition).where(LifecycleTransition.contact_id == lead.id)
    ).all()
    assert len(count) == 1


def test_disqualify_stores_reason_and_reopen_clears_it(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    contacts.transition_contact(
        session,
        actor=ae,
        contact=lead,
        to_stage=LifecycleStage.DISQUALIFIED,
        reason="competitor employee",
    )
    assert lead.disqualified_reason == "competitor employee"
    contacts.transition_contact(
        session, actor=ae, contact=lead, to_stage=LifecycleStage.LEAD, reason="changed jobs"
    )
    assert lead.disqualified_reason is None


def test_duplicate_email_in_the_same_account_is_refused(session):
    ae = factories.user(session, role=Role.AE)
    account = factories.account(session, actor=ae)
    factories.contact(session, actor=ae, account_id=account.id, email="sam@x.example")
    with pytest.raises(Conflict) as info:
        factories.contact(session, actor=ae, account_id=account.id, email="SAM@x.example")
    assert info.value.field == "email"
    other = factories.account(session, actor=ae)
    factories.contact(session, actor=ae, account_id=other.id, email="sam@x.example")


def test_viewer_and_pm_cannot_create_contacts(session):
    for role in (Role.VIEWER, Role.PM):
        reader = factories.user(session, role=role)
        with pytest.raises(PermissionDenied):
            contacts.create_contact(
                session, actor=reader, data=ContactIn(first_name="A", last_name="B")
            )


def test_ae_edits_only_own_leads_unless_manager(session):
    owner = factories.user(session, role=Role.AE)
    other = factories.user(session, role=Role.AE)
    manager = factories.user(session, role=Role.MANAGER)
    lead = factories.contact(session, actor=owner)
    with pytest.raises(PermissionDenied):
        contacts.update_contact(session, actor=other, contact=lead, data=ContactPatch(title="CTO"))
    with pytest.raises(PermissionDenied):
        contacts.transition_contact(session, actor=other, contact=lead, to_stage=LifecycleStage.MQL)
    contacts.update_contact(session, actor=manager, contact=lead, data=ContactPatch(title="CTO"))
    assert lead.title == "CTO"


def test_stale_version_is_refused_with_current_values(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    contacts.update_contact(
        session, actor=ae, contact=lead, data=ContactPatch(version=1, title="VP Engineering")
    )
    assert lead.version == 2
    with pytest.raises(Conflict) as info:
        contacts.update_contact(
            session, actor=ae, contact=lead, data=ContactPatch(version=1, title="Intern")
        )
    assert info.value.extra["current"]["title"] == "VP Engineering"
    assert lead.title == "VP Engineering"


def test_update_is_audited_with_before_and_after(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae, title="Engineer")
    contacts.update_contact(session, actor=ae, contact=lead, data=ContactPatch(title="Architect"))
    events = list_audit(session, entity_type="contact", entity_id=lead.id)
    update = next(e for e in events if e.action == "contact.update")
    assert update.before == {"title": "Engineer"}
    assert update.after == {"title": "Architect"}
    assert update.actor_id == ae.id


@pytest.fixture
def sal_gate(session):
    """A checklist exit criterion on the SAL stage (the qualification domain adds real ones)."""
    criterion = ExitCriterion(
        subject=GateSubject.CONTACT,
        lifecycle_stage=LifecycleStage.SAL,
        key="intro_call",
        label="Intro call held",
        kind="checklist",
        config={},
    )
    session.add(criterion)
    session.flush()
    return criterion


def _to_sal(session, actor, contact):
    """At SAL with BANT rated, so only the test's own criterion stands in the way."""
    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=actor, contact=contact, to_stage=stage)
    factories.qualify(session, actor=actor, contact=contact)


def test_lifecycle_gate_blocks_until_the_criterion_is_met(session, sal_gate):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    _to_sal(session, ae, lead)
    with pytest.raises(RuleViolation) as info:
        contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    assert [u["key"] for u in info.value.extra["unmet"]] == ["intro_call"]
    assert "Intro call held" in info.value.message
    gates.set_check(
        session,
        actor=ae,
        criterion_id=sal_gate.id,
        subject=GateSubject.CONTACT,
        subject_id=lead.id,
        met=True,
    )
    contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    assert lead.lifecycle_stage is LifecycleStage.SQL


def test_only_managers_override_a_gate_and_only_with_a_reason(session, sal_gate):
    ae = factories.user(session, role=Role.AE)
    manager = factories.user(session, role=Role.MANAGER)
    lead = factories.contact(session, actor=ae)
    _to_sal(session, ae, lead)
    with pytest.raises(PermissionDenied):
        contacts.transition_contact(
            session,
            actor=ae,
            contact=lead,
            to_stage=LifecycleStage.SQL,
            override=True,
            reason="trust me",
        )
    with pytest.raises(InvalidInput):
        contacts.transition_contact(
            session, actor=manager, contact=lead, to_stage=LifecycleStage.SQL, override=True
        )
    moved = contacts.transition_contact(
        session,
        actor=manager,
        contact=lead,
        to_stage=LifecycleStage.SQL,
        override=True,
        reason="call happened off-system",
    )
    assert moved.overridden
    events = list_audit(session, entity_type="contact", entity_id=lead.id)
    assert any(
        e.action == "contact.override" and e.reason == "call happened off-system" for e in events
    )


def test_list_filters_and_sorts(session):
    ae = factories.user(session, role=Role.AE)
    other = factories.user(session, role=Role.AE)
    a = factories.contact(session, actor=ae, source="webinar", last_name="Alpha")
    factories.contact(session, actor=other, source="event", last_name="Beta")
    c = factories.contact(session, actor=ae, source="webinar", last_name="Gamma")
    contacts.transition_contact(session, actor=ae, contact=c, to_stage=LifecycleStage.MQL)
    page = contacts.list_contacts(
        session,
        filters=contacts.ContactFilter(owner_id=ae.id, source="webinar"),
        page=factories_page(),
        sort="name",
    )
    assert [x.id for x in page.items] == [a.id, c.id]
    page = contacts.list_contacts(
        session,
        filters=contacts.ContactFilter(owner_id=ae.id, stage=LifecycleStage.MQL),
        page=factories_page(),
    )
    assert [x.id for x in page.items] == [c.id]
    assert page.total == 1


def test_contact_list_uses_a_fixed_number_of_queries(session, count_queries):
    ae = factories.user(session, role=Role.AE)
    account = factories.account(session, actor=ae)
    for _ in range(12):
        factories.contact(session, actor=ae, account_id=account.id)
    session.commit()
    session.expunge_all()
    with count_queries() as statements:
        page = contacts.list_contacts(
            session, filters=contacts.ContactFilter(owner_id=ae.id), page=factories_page()
        )
        names = [
            (c.owner.full_name if c.owner else "", c.account.name if c.account else "")
            for c in page.items
        ]
    assert len(names) == 12
    assert len(statements) == 2  # one count, one page with owners and accounts joined


def factories_page():
    from techwin.core.pagination import PageRequest

    return PageRequest(page=1, size=50)


def test_contact_row_is_unchanged_after_a_refused_update(session):
    ae = factories.user(session, role=Role.AE)
    account = factories.account(session, actor=ae)
    factories.contact(session, actor=ae, account_id=account.id, email="one@x.example")
    second = factories.contact(session, actor=ae, account_id=account.id, email="two@x.example")
    session.commit()
    with pytest.raises(Conflict):
        contacts.update_contact(
            session, actor=ae, contact=second, data=ContactPatch(email="one@x.example", title="new")
        )
    session.rollback()
    stored = session.get(Contact, second.id)
    assert stored.email == "two@x.example"
    assert stored.title is None


def test_default_bant_gate_names_what_is_missing(session):
    ae = factories.user(session, role=Role.AE)
    lead = factories.contact(session, actor=ae)
    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=ae, contact=lead, to_stage=stage)
    with pytest.raises(RuleViolation) as info:
        contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    unmet = info.value.extra["unmet"]
    assert [u["key"] for u in unmet] == ["bant_complete"]
    assert unmet[0]["hint"] == "rate Budget, Authority, Need, Timeline as validated"
    factories.qualify(session, actor=ae, contact=lead)
    contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    assert lead.lifecycle_stage is LifecycleStage.SQL

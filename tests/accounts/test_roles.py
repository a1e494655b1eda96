"""The role rules (who may upload, approve and lock) and who acts (an account, an operator)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from accounts import roles, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage.engine import transaction
from indicators.storage.schema import User, UserService

KNOWN = {"SIS", "SBAS-VIC", "SAD"}


@pytest.mark.parametrize(
    ("role", "upload", "approve", "lock"),
    [
        ("director", True, True, True),
        ("tecnic", True, False, False),
        ("consulta", False, False, False),
        ("admin", False, False, False),  # no such role: no rights
    ],
)
def test_each_role_has_exactly_its_rights(
    role: str, upload: bool, approve: bool, lock: bool
) -> None:
    actor = Actor("someone", role)
    assert (roles.can_upload(actor), roles.can_approve(actor), roles.can_lock(actor)) == (
        upload,
        approve,
        lock,
    )


def test_services_and_allowed_services(engine: Engine) -> None:
    tec = users.create_user(engine, "tec", "longenough", "tecnic", ["SIS"])
    boss = users.create_user(engine, "boss", "longenough", "director")
    ro = users.create_user(engine, "ro", "longenough", "consulta")
    assert roles.allowed_services(tec, KNOWN) == {"SIS"}
    assert roles.allowed_services(boss, KNOWN) == KNOWN
    assert roles.allowed_services(ro, KNOWN) == set()
    users.set_services(engine, "tec", ["SAD", "SIS"], known_services=KNOWN, by="boss")
    user = users.get_user(engine, "tec")
    assert user is not None and user.services == ("SAD", "SIS")
    with pytest.raises(AccountError):
        users.set_services(engine, "tec", ["ZZZ"], known_services=KNOWN)


def test_an_account_uploads_by_the_same_rule(engine: Engine) -> None:
    for name, role in (("boss", "director"), ("tec", "tecnic"), ("ro", "consulta")):
        info = users.create_user(engine, name, "longenough", role)
        assert info.can_upload is roles.can_upload(info) is (role != "consulta")
        assert info.is_director is roles.can_approve(info) is (role == "director")


def test_a_read_only_account_with_services_still_uploads_nothing(engine: Engine) -> None:
    """A reader is never assigned services (refused inside the domain); one that has them
    anyway (data from before the rule) still uploads nothing."""
    with pytest.raises(AccountError):
        users.create_user(engine, "ro", "longenough", "consulta", ["SIS"])
    users.create_user(engine, "ro", "longenough", "consulta")
    with transaction(engine) as session:  # an assignment written before the rule
        user = session.scalars(select(User).where(User.username == "ro")).one()
        user.services = [UserService(service="SIS")]
    ro = users.get_user(engine, "ro")
    assert ro is not None and ro.services == ("SIS",)
    assert roles.allowed_services(ro, KNOWN) == set()


def test_the_operator_acts_with_a_directors_rights_under_its_name() -> None:
    operator = Actor.operator("  maria ")
    assert (operator.name, operator.role, operator.is_operator) == ("maria", "director", True)
    assert roles.can_approve(operator) and roles.can_lock(operator)
    assert operator.audit_details() == {"operator": True, "rights": "director"}
    assert Actor("boss", "director").audit_details() == {}
    assert len(Actor.operator("x" * 100).name) == 64  # the audit log's column
    with pytest.raises(AccountError) as refused:
        Actor.operator("  ")
    assert refused.value.message() == "Cal el nom de l'operador (--user NOM)."


@pytest.mark.parametrize("role", ["tecnic", "consulta"])
def test_require_refuses_a_non_director_in_catalan(role: str) -> None:
    actor = Actor("anna", role)
    with pytest.raises(PermissionDenied) as approving:
        roles.require_approver(actor)
    assert approving.value.message() == "Només un director pot aprovar un lliurament (anna no pot)."
    assert approving.value.message("es").startswith("Solo un director puede aprobar")
    with pytest.raises(PermissionDenied) as locking:
        roles.require_locker(actor)
    assert "tancar o tornar a obrir" in locking.value.message()
    roles.require_approver(Actor("boss", "director"))
    roles.require_locker(Actor("boss", "director"))


def test_check_role() -> None:
    for role in roles.ROLES:
        roles.check_role(role)
    with pytest.raises(AccountError, match="Unknown role"):
        roles.check_role("admin")
    assert set(roles.ROLE_LABELS) == set(roles.ROLES)

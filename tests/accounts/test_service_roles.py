"""Who is assigned services (one rule, ``accounts.roles.takes_services``): technicians and
service heads, refused inside the domain for a director or a reader, on SQLite and
PostgreSQL; the command line says so in the same words."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accounts import roles, users
from accounts.errors import AccountError

PASSWORD = "una-contrasenya-llarga"


def test_the_rule() -> None:
    assert roles.takes_services(roles.TECHNICIAN) and roles.takes_services(roles.HEAD)
    assert not roles.takes_services(roles.DIRECTOR)
    assert not roles.takes_services(roles.READ_ONLY)


def test_a_head_is_assigned_services(engine: Engine) -> None:
    users.create_user(engine, "cap-sis", PASSWORD, roles.HEAD, ["SIS"])
    users.set_services(engine, "cap-sis", ["SIS", "SAD"])
    info = users.get_user(engine, "cap-sis")
    assert info is not None and set(info.services) == {"SIS", "SAD"}


@pytest.mark.parametrize("role", [roles.DIRECTOR, roles.READ_ONLY])
def test_no_services_for_a_director_or_a_reader(engine: Engine, role: str) -> None:
    with pytest.raises(AccountError) as created:
        users.create_user(engine, f"x-{role}", PASSWORD, role, ["SIS"])
    assert created.value.msgid == roles.SERVICES_REFUSED
    users.create_user(engine, f"y-{role}", PASSWORD, role)
    with pytest.raises(AccountError):
        users.set_services(engine, f"y-{role}", ["SIS"])
    users.set_services(engine, f"y-{role}", [])  # clearing is always allowed
    info = users.get_user(engine, f"y-{role}")
    assert info is not None and info.services == ()

"""Personal API tokens (issue 19): the hash stored and never the secret, the token shown once,
expiry, revoking (owner or director), a disabled account's tokens, scopes, last use at most
once a minute, and the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts import audit, tokens, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage import tokens as stored
from indicators.storage.schema import ApiToken, AuditEvent

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def _accounts(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "tec", "longenough", "tecnic", ["SIS"])
    users.create_user(engine, "other", "longenough", "tecnic", ["SAD"])
    users.create_user(engine, "guest", "longenough", "consulta")


def _make(
    engine: Engine, user: str = "tec", scope: str = tokens.SUBMIT, days: int = 30
) -> tokens.NewToken:
    return tokens.create_token(
        engine, user=user, name="Export SIS", scope=scope, days=days, by=user, at=T0
    )


def _events(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    prefix, secret = tokens.parse_token(new.token) or ("", "")
    assert new.token.startswith("sdp_") and len(new.token) == tokens.TOKEN_LENGTH
    assert prefix == new.info.prefix and len(secret) == 43
    with Session(engine) as session:
        row = session.scalars(select(ApiToken)).one()
        stored_text = " ".join(str(getattr(row, c.key)) for c in ApiToken.__table__.columns)
    assert row.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored_text and new.token not in stored_text
    # the lists never carry the secret nor the hash
    listed = tokens.visible_tokens(engine, viewer="tec")
    assert [t.id for t in listed] == [new.info.id]
    assert secret not in repr(listed) and row.hash not in repr(listed)
    assert set(listed[0].to_json()) >= {"name", "prefix", "scope", "expires_at", "last_used_at"}
    # two tokens never share a secret or a prefix
    again = _make(engine)
    assert again.token != new.token and again.info.prefix != new.info.prefix


def test_a_valid_token_names_its_account_and_scope(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    owner = tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(minutes=5))
    assert (owner.username, owner.role, owner.services) == ("tec", "tecnic", ("SIS",))
    assert owner.scope == tokens.SUBMIT and owner.token_id == new.info.id and owner.may_submit


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "sdp_",
        "Bearer sdp_x",
        "sdp_" + "g" * 12 + "_" + "a" * 43,  # not hex
        "sdp_" + "a" * 12 + "_" + "a" * 42,  # one short
        "sdp_" + "a" * 12 + "_" + "a" * 43 + "\n",
        "sdp_" + "a" * 12 + "_" + "é" * 43,
        "x" * 10_000,
        "\x00" * 60,
    ],
)
def test_malformed_tokens_are_refused(engine: Engine, garbage: str) -> None:
    _accounts(engine)
    with pytest.raises(tokens.TokenError) as refused:
        tokens.authenticate(engine, garbage, at=T0)
    assert refused.value.reason == tokens.MALFORMED


def test_an_unknown_or_altered_token_is_refused(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    altered = new.token[:-1] + ("A" if new.token[-1] != "A" else "B")
    for token in (altered, "sdp_" + "0" * 12 + "_" + "a" * 43):
        with pytest.raises(tokens.TokenError) as refused:
            tokens.authenticate(engine, token, at=T0)
        assert refused.value.reason == tokens.UNKNOWN


def test_a_token_expires(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine, days=2)
    assert new.info.expires_at == T0 + dt.timedelta(days=2)
    tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(days=2, seconds=-1))
    with pytest.raises(tokens.TokenError) as refused:
        tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(days=2))
    assert refused.value.reason == tokens.EXPIRED


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_expiry_is_required_and_at_most_a_year(engine: Engine, days: int) -> None:
    _accounts(engine)
    with pytest.raises(AccountError) as refused:
        _make(engine, days=days)
    assert "365" in refused.value.message("ca")
    assert tokens.visible_tokens(engine, viewer="boss") == []


def test_the_owner_or_a_director_revokes_and_it_stops_working(engine: Engine) -> None:
    _accounts(engine)
    first, second = _make(engine), _make(engine)
    with pytest.raises(AccountError):  # someone else's token: "no such token"
        tokens.revoke_token(engine, first.info.id, by="other")
    revoked = tokens.revoke_token(engine, first.info.id, by="tec", at=T0)
    assert revoked is not None and revoked.revoked_by == "tec" and revoked.revoked_at == T0
    assert tokens.revoke_token(engine, first.info.id, by="tec") is None  # nothing changes
    by_director = tokens.revoke_token(engine, second.info.id, by="boss", at=T0)
    assert by_director is not None and by_director.revoked_by == "boss"
    for new in (first, second):
        with pytest.raises(tokens.TokenError) as refused:
            tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(seconds=1))
        assert refused.value.reason == tokens.REVOKED
    assert len(_events(engine, tokens.ACTION_TOKEN_REVOKE)) == 2
    with pytest.raises(AccountError):
        tokens.revoke_token(engine, 999_999, by="boss")


def test_a_disabled_accounts_tokens_stop_working(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    users.disable_user(engine, "tec", by="boss")
    with pytest.raises(tokens.TokenError) as refused:
        tokens.authenticate(engine, new.token, at=T0)
    assert refused.value.reason == tokens.DISABLED
    users.enable_user(engine, "tec", by="boss")
    assert tokens.authenticate(engine, new.token, at=T0).username == "tec"
    users.disable_user(engine, "tec", by="boss")
    with pytest.raises(AccountError):  # nor can one be made for it
        tokens.create_token(engine, user="tec", name="x", scope="read", days=1, by="boss")


def test_a_submit_token_only_for_accounts_that_may_upload(engine: Engine) -> None:
    _accounts(engine)
    with pytest.raises(PermissionDenied):
        _make(engine, user="guest", scope=tokens.SUBMIT)
    read = _make(engine, user="guest", scope=tokens.READ)
    owner = tokens.authenticate(engine, read.token, at=T0)
    assert owner.scope == tokens.READ and not owner.may_submit
    assert _make(engine, user="boss").info.scope == tokens.SUBMIT
    # a reader's token, whatever its scope, never submits; a read token never does
    assert not tokens.authenticate(engine, _make(engine, scope=tokens.READ).token).may_submit


@pytest.mark.parametrize("scope", ["write", "", "READ", "submit "])
def test_unknown_scopes_and_bad_names_are_refused(engine: Engine, scope: str) -> None:
    _accounts(engine)
    with pytest.raises(AccountError):
        _make(engine, scope=scope)
    for name in ("", "   ", "x" * 101):
        with pytest.raises(AccountError):
            tokens.create_token(engine, user="tec", name=name, scope="read", days=1, by="tec")


def test_only_the_account_or_a_director_makes_and_sees_its_tokens(engine: Engine) -> None:
    _accounts(engine)
    with pytest.raises(PermissionDenied):
        tokens.create_token(engine, user="tec", name="x", scope="read", days=1, by="other")
    mine = _make(engine)
    theirs = _make(engine, user="other")
    by_boss = tokens.create_token(engine, user="tec", name="y", scope="read", days=1, by="boss")
    assert by_boss.info.username == "tec"
    assert {t.id for t in tokens.visible_tokens(engine, viewer="tec")} == {
        mine.info.id,
        by_boss.info.id,
    }
    # a non-director asking for someone else's sees their own only
    assert {t.id for t in tokens.visible_tokens(engine, viewer="other", user="tec")} == {
        theirs.info.id
    }
    everyone = tokens.visible_tokens(engine, viewer="boss")
    assert {t.id for t in everyone} == {mine.info.id, theirs.info.id, by_boss.info.id}
    assert [t.id for t in tokens.visible_tokens(engine, viewer=Actor.operator("op"), user="other")]
    with pytest.raises(AccountError):
        tokens.create_token(engine, user="nobody", name="x", scope="read", days=1, by="boss")


def test_last_use_is_written_at_most_once_a_minute(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    assert new.info.last_used_at is None
    tokens.authenticate(engine, new.token, at=T0)
    tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(seconds=30))
    assert stored.get_token(engine, new.info.id).last_used_at == T0  # type: ignore[union-attr]
    tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(seconds=61))
    info = stored.get_token(engine, new.info.id)
    assert info is not None and info.last_used_at == T0 + dt.timedelta(seconds=61)


def test_create_revoke_and_refused_uses_are_audited_without_the_secret(engine: Engine) -> None:
    _accounts(engine)
    new = _make(engine)
    tokens.revoke_token(engine, new.info.id, by="boss", at=T0)
    for second in (1, 2, 3):  # a script looping with a dead token: one event a minute
        with pytest.raises(tokens.TokenError):
            tokens.authenticate(
                engine, new.token, address="10.0.0.9", at=T0 + dt.timedelta(seconds=second)
            )
    with pytest.raises(tokens.TokenError):
        tokens.authenticate(engine, new.token, at=T0 + dt.timedelta(minutes=2))
    with pytest.raises(tokens.TokenError):
        tokens.authenticate(engine, "garbage", at=T0)
    created = _events(engine, tokens.ACTION_TOKEN_CREATE)
    revoked = _events(engine, tokens.ACTION_TOKEN_REVOKE)
    refused = _events(engine, tokens.ACTION_TOKEN_REFUSED)
    assert [(e.username, e.target) for e in created] == [("tec", f"token:{new.info.id}")]
    assert created[0].details is not None and created[0].details["scope"] == "submit"
    assert [e.username for e in revoked] == ["boss"]
    assert [(e.username, (e.details or {}).get("reason")) for e in refused] == [
        ("tec", "revoked"),
        ("tec", "revoked"),
        (None, "malformed"),
    ]
    assert (refused[0].details or {}).get("ip") == "10.0.0.9"
    frame = audit.audit_frame(engine, limit=None)
    _prefix, secret = tokens.parse_token(new.token) or ("", "")
    assert secret not in frame.to_string() and secret not in str(list(frame["details"]))

"""Two-factor login (TOTP, RFC 6238): setup, the ±1 step window, the replay guard, recovery codes, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.core.cache import cache

from spona.core import selectors, services, throttle
from spona.core.errors import StateError, ValidationFailed
from spona.core.models import AuditEntry, RecoveryCode, TwoFactor
from tests.factories import PASSWORD, member

NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_cache(db):
    # Wrong codes are counted in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _code(secret, at):
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def enabled(company, clock):
    """A staff user with two-factor login on, enabled with the code of the step before NOW."""
    user = member(company, "sales")
    setup = services.totp_setup_start(actor=user)
    codes = services.totp_enable(actor=user, code=_code(setup.secret, NOW - timedelta(seconds=30)))
    return user, setup.secret, codes


def test_the_setup_gives_a_secret_and_an_otpauth_link_and_changes_nothing_until_confirmed(company):
    # given a user without two-factor login
    user = member(company, "support", email="ana@acme.test")
    # when they start the setup
    setup = services.totp_setup_start(actor=user)
    # then they get a base32 secret and a link authenticator apps read, and login does not ask for a code yet
    assert len(setup.secret) == 32 and setup.secret.isalnum()
    assert setup.uri.startswith("otpauth://totp/Spona:ana%40acme.test?secret=" + setup.secret)
    assert setup.grouped().replace(" ", "") == setup.secret
    assert not selectors.two_factor_enabled(user)
    assert selectors.totp_pending_setup(user) == setup


def test_confirming_with_a_wrong_code_keeps_it_off(company, clock):
    user = member(company, "sales")
    setup = services.totp_setup_start(actor=user)
    wrong = "000000" if _code(setup.secret, NOW) != "000000" else "111111"
    with pytest.raises(services.CodeInvalid) as caught:
        services.totp_enable(actor=user, code=wrong)
    assert caught.value.field_errors["code"]
    assert not selectors.two_factor_enabled(user)


def test_enabling_gives_ten_single_use_recovery_codes_stored_as_hashes(enabled):
    user, _secret, codes = enabled
    assert selectors.two_factor_enabled(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(two_factor__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert AuditEntry.objects.filter(action="two_factor_enabled", target_id=str(user.pk)).count() == 1


@pytest.mark.parametrize(("offset", "accepted"), [(-60, False), (0, True), (30, True), (60, False)])
def test_a_code_is_accepted_one_step_either_side_of_now(enabled, offset, accepted):
    # given two-factor login enabled with the previous step's code (so the previous step is spent)
    user, secret, _codes = enabled
    # when the user types the code of a step ``offset`` seconds from now
    code = _code(secret, NOW + timedelta(seconds=offset))
    # then only the current and the next step pass (the step before is already used, two before is outside the window)
    if accepted:
        assert services.login_code_verify(user=user, code=code) == "totp"
    else:
        with pytest.raises(services.CodeInvalid):
            services.login_code_verify(user=user, code=code)


def test_a_code_is_accepted_one_step_back_when_that_step_is_unused(company, clock):
    user = member(company, "sales")
    setup = services.totp_setup_start(actor=user)
    # given it was enabled a minute ago
    clock.move_to(NOW - timedelta(seconds=60))
    services.totp_enable(actor=user, code=_code(setup.secret, NOW - timedelta(seconds=60)))
    clock.move_to(NOW)
    # the app lags 30 s behind the server: its code is still good
    assert services.login_code_verify(user=user, code=_code(setup.secret, NOW - timedelta(seconds=30))) == "totp"


def test_a_code_cannot_be_replayed_nor_an_older_one_used_after_a_newer(enabled):
    user, secret, _codes = enabled
    current = _code(secret, NOW)
    # given the current code was used to log in
    assert services.login_code_verify(user=user, code=f"{current[:3]} {current[3:]}") == "totp"
    # then the same code a second later is refused
    with pytest.raises(services.CodeInvalid):
        services.login_code_verify(user=user, code=current)
    # and after the next step's code is used, nothing older works either
    assert services.login_code_verify(user=user, code=_code(secret, NOW + timedelta(seconds=30))) == "totp"
    assert TwoFactor.objects.get(user=user).last_step == pyotp.TOTP(secret).timecode(NOW) + 1


def test_a_recovery_code_works_once_whatever_its_spelling(enabled):
    user, _secret, codes = enabled
    assert services.login_code_verify(user=user, code=codes[0].upper().replace("-", " ")) == "recovery"
    assert selectors.recovery_codes_left(user) == 9
    with pytest.raises(services.CodeInvalid):
        services.login_code_verify(user=user, code=codes[0])


def test_wrong_codes_lock_the_second_step_even_for_the_right_code(enabled, settings):
    # given the limit of wrong attempts
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    user, secret, _codes = enabled
    # when someone types wrong codes that many times
    for guess in ("123456", "654321", "999999"):
        with pytest.raises(services.CodeInvalid):
            services.login_code_verify(user=user, code=guess if guess != _code(secret, NOW) else "000001")
    # then the right code is refused too, with the wait time
    with pytest.raises(throttle.LoginThrottled):
        services.login_code_verify(user=user, code=_code(secret, NOW))
    assert TwoFactor.objects.get(user=user).last_step == pyotp.TOTP(secret).timecode(NOW) - 1


def test_turning_off_and_renewing_codes_need_the_password(enabled):
    user, _secret, codes = enabled
    with pytest.raises(ValidationFailed) as caught:
        services.totp_disable(actor=user, password="wrong-password")
    assert "password" in caught.value.field_errors
    renewed = services.recovery_codes_renew(actor=user, password=PASSWORD)
    assert set(renewed).isdisjoint(codes)
    with pytest.raises(services.CodeInvalid):
        services.login_code_verify(user=user, code=codes[1])
    services.totp_disable(actor=user, password=PASSWORD)
    assert not selectors.two_factor_enabled(user) and not RecoveryCode.objects.exists()
    with pytest.raises(StateError):
        services.totp_disable(actor=user, password=PASSWORD)


def test_starting_a_setup_while_it_is_on_is_refused(enabled):
    user, _secret, _codes = enabled
    with pytest.raises(StateError):
        services.totp_setup_start(actor=user)

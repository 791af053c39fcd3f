import base64

import bcrypt
import pytest

from services.dashboard.auth import BasicAuth, parse_users

HASH = bcrypt.hashpw(b"mat-khau", bcrypt.gensalt(rounds=4)).decode()


def _header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_users_are_name_and_bcrypt_hash_pairs_separated_by_commas_or_spaces():
    users = parse_users(f"vanphong:{HASH}, tobientap:{HASH}\n")
    assert sorted(users) == ["tobientap", "vanphong"]


def test_an_entry_without_a_bcrypt_hash_is_refused_at_start():
    with pytest.raises(ValueError):
        parse_users("vanphong:plain-password")


async def test_the_right_password_lets_in_and_a_wrong_one_does_not():
    auth = BasicAuth(parse_users(f"vanphong:{HASH}"))
    assert await auth.user(_header("vanphong", "mat-khau")) == "vanphong"
    assert await auth.user(_header("vanphong", "sai")) is None
    assert await auth.user(_header("khach", "mat-khau")) is None
    assert await auth.user("Basic !!!") is None
    assert await auth.user(None) is None

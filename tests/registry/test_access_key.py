"""registry.access.scope_key: what is kept per process for a scope (the group list's compiled SQL)
is kept under it, so it must hold every attribute of a user that the access rules read."""

import ast
from pathlib import Path

from registry import access
from registry.models import User

KEYED = {"is_authenticated", "is_active", "peran", "wilayah_id"}
# Read, and following from what is keyed: the area (and its level and place) from its code.
FOLLOWING = {"wilayah"}


def test_the_rules_read_no_user_attribute_the_key_lacks():
    tree = ast.parse(Path(access.__file__).read_text())
    read = {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "user"}
    assert read  # the rules are found at all
    assert read <= KEYED | FOLLOWING, sorted(read - KEYED - FOLLOWING)


def test_users_who_differ_in_what_the_rules_read_have_other_keys(db):
    base = {"peran": "staf", "wilayah_id": "32.77", "is_active": True}
    keys = {access.scope_key(User(**{**base, **change})) for change in (
        {}, {"peran": "pengamat"}, {"wilayah_id": "32.73"}, {"is_active": False},
    )}
    assert len(keys) == 4
    assert access.scope_key(User(**base)) == access.scope_key(User(username="other", **base))

"""Primed values are kept without a future until they are loaded: peek, load,
clear and a primed failure behave as aiodataloader's own priming does."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.loaders import UserByIdLoader
from tests.factories import create_user


async def test_primed_values_answer_peek_and_load_without_a_query(
    db: AsyncSession,
) -> None:
    caller = await create_user(db)
    other = await create_user(db)
    loader = UserByIdLoader(db, caller)
    missing = uuid.uuid4()

    loader.prime(other.id, other)
    loader.prime(missing, None)
    # the first value primed stays, as with DataLoader.prime
    loader.prime(other.id, caller)

    assert loader.peek(other.id) == (True, other)
    assert loader.peek(missing) == (True, None)
    assert loader.peek(uuid.uuid4()) == (False, None)
    assert await loader.load(other.id) is other
    assert await loader.load(missing) is None
    assert loader.peek(other.id) == (True, other)


async def test_loaded_values_are_not_replaced_by_a_later_prime(
    db: AsyncSession,
) -> None:
    caller = await create_user(db)
    loader = UserByIdLoader(db, caller)
    loaded = await loader.load(caller.id)
    assert loaded is not None

    loader.prime(caller.id, None)

    assert loader.peek(caller.id) == (True, loaded)
    assert await loader.load(caller.id) is loaded


async def test_clear_forgets_a_primed_value_and_a_primed_failure_fails(
    db: AsyncSession,
) -> None:
    caller = await create_user(db)
    loader = UserByIdLoader(db, caller)
    stranger = uuid.uuid4()

    loader.prime(caller.id, None)
    loader.clear(caller.id)
    # loaded afresh, under the caller's own scoping
    assert loader.peek(caller.id) == (False, None)
    assert await loader.load(caller.id) is not None

    loader.prime(stranger, None)
    loader.clear_all()
    assert loader.peek(stranger) == (False, None)

    failing = uuid.uuid4()
    loader.prime(failing, ValueError("refused"))
    assert loader.peek(failing) == (False, None)
    with pytest.raises(ValueError, match="refused"):
        await loader.load(failing)

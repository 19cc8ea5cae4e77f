"""Schema extensions: one commit per request, with the audit events."""

from __future__ import annotations

import logging
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.context import Context
from services.audit import write_events

log = logging.getLogger("therapybridge.uow")


class UnitOfWork(SchemaExtension):
    """Commit the request's session once, after the operation.

    An operation with any error is rolled back whole, so nothing is
    half-written; its audit events are then written in a fresh transaction.
    Callbacks registered with ``ctx.after_commit`` run after a successful
    commit only.
    """

    async def on_operation(self) -> Any:
        try:
            yield
        except BaseException:
            # an operation that raised (timeout, cancelled, a failing hook)
            # leaves nothing behind: roll back, give the connection back
            await _abandon(self.execution_context.context)
            raise
        ec = self.execution_context
        ctx = ec.context
        if ec.operation_type is OperationType.SUBSCRIPTION:
            return
        result = ec.result
        # any error rolls back (a read whose SQL failed has an aborted
        # transaction); the audit of what was read is then written afresh
        rolled_back = bool(result and result.errors)
        try:
            if ctx.has_db:
                await _finish(ctx, rolled_back)
        except BaseException:
            ctx.after_commit_callbacks.clear()
            raise
        finally:
            ctx.audit_events.clear()
            await ctx.close()
        await run_after_commit(ctx, committed=not rolled_back)


async def _abandon(ctx: Context | None) -> None:
    if ctx is None:
        return
    ctx.audit_events.clear()
    ctx.after_commit_callbacks.clear()
    try:
        if ctx.has_db:
            await ctx.db.rollback()
    finally:
        await ctx.close()


async def _finish(ctx: Context, rolled_back: bool) -> None:
    if rolled_back:
        await ctx.db.rollback()
        # keep the audit of what was read and of the failed attempt
        if ctx.audit_events:
            await write_events(ctx.db, ctx.audit_events)
            await ctx.db.commit()
    else:
        await write_events(ctx.db, ctx.audit_events)
        await ctx.db.commit()


async def run_after_commit(ctx: Context, committed: bool) -> None:
    """Run (or, after a rollback, drop) the request's after-commit callbacks."""
    callbacks = list(ctx.after_commit_callbacks)
    ctx.after_commit_callbacks.clear()
    if not committed:
        return
    for fn in callbacks:
        try:
            await fn()
        except Exception as exc:
            # the data is committed; a failed side effect must not fail the request
            log.error(
                "after-commit callback failed: %s",
                type(exc).__name__,
                extra={"request_id": ctx.request_id},
            )

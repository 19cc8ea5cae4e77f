"""Schema extensions: one commit per request, with the audit events."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from services.audit import write_events


class UnitOfWork(SchemaExtension):
    """Commit the request's session once, after the operation.

    A mutation with any error is rolled back whole, so nothing is half-written.
    Reads still commit, because they append audit events.
    """

    async def on_operation(self) -> Any:
        try:
            yield
        except BaseException:
            # an operation that raised (timeout, cancelled, a failing hook)
            # leaves nothing behind: roll back, give the connection back
            await self._abandon()
            raise
        ec = self.execution_context
        ctx = ec.context
        if ec.operation_type is OperationType.SUBSCRIPTION or not ctx.has_session:
            return
        result = ec.result
        failed = bool(result and result.errors)
        try:
            if failed and ec.operation_type is OperationType.MUTATION:
                await ctx.session.rollback()
                # keep the audit of what was read and of the failed attempt
                if ctx.audit_events:
                    await write_events(ctx.session, ctx.audit_events)
                    await ctx.session.commit()
            else:
                await write_events(ctx.session, ctx.audit_events)
                await ctx.session.commit()
        finally:
            ctx.audit_events.clear()
            await ctx.close()

    async def _abandon(self) -> None:
        ctx = self.execution_context.context
        if ctx is None or not ctx.has_session:
            return
        ctx.audit_events.clear()
        try:
            await ctx.session.rollback()
        finally:
            await ctx.close()

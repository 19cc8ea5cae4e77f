"""The execution context of the fast path: graphql-core's, with objects whose
selection has a plan (plans.py) completed in one step by a completer
(completers.py). The package docstring says when, and what it relies on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
)
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetailsList,
    GroupedFieldSet,
)
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.fastexec.completers import complete_list, completer, raw_completer
from schema.fastexec.plans import (
    NO_PLAN,
    Child,
    Fallback,
    Plan,
    make_plan,
    partial_plan,
)
from schema.fastexec.records import RawRecords


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # keyed by the identity of graphql-core's memoised grouped field sets,
        # which this execution keeps alive
        self._leaf_plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}
        self._partial_plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}
        # one resolve info per planned child field and execution (kept with
        # the child, so its id stays its own)
        self._child_infos: dict[int, tuple[Child, GraphQLResolveInfo[Any]]] = {}

    def shared_info(self, child: Child) -> GraphQLResolveInfo[Any]:
        """The resolve info every source of ``child`` is read and checked
        with in this execution. Its path names the field, not each object:
        a read that fails hands the object to graphql-core, which reports
        the error at its own path."""
        found = self._child_infos.get(id(child))
        if found is None:
            info = self.build_resolve_info(
                child.field,
                [d.node for d in child.details],
                child.parent_type,
                Path(None, child.key, child.parent_type.name),
            )
            found = (child, info)
            self._child_infos[id(child)] = found
        return found[1]

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path,
        grouped_field_set: GroupedFieldSet,
        new_defer_usages: Sequence[DeferUsage],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = None if new_defer_usages else self._plan(parent_type, grouped_field_set)
        if plan:
            try:
                return completer(parent_type, plan)(source_value, self)
            except Fallback:
                pass
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            position_context,
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type: Any = (
            item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        )
        if (
            isinstance(object_type, GraphQLObjectType)
            and isinstance(items, list | tuple | RawRecords)
            and not self.get_stream_usage(field_details_list, path)
        ):
            grouped, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            plan = None if new_defer_usages else self._plan(object_type, grouped)
            if plan and isinstance(items, RawRecords):
                raw = raw_completer(object_type, plan)
                if raw is not None and object_type.is_type_of is None:
                    try:
                        return [raw(record, self) for record in items.records]
                    except Fallback:
                        pass
                items = list(items)
            if plan:
                try:
                    return complete_list(plan, object_type, items, non_null, info, self)
                except Fallback:
                    pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's, with the object's leaves (if any) read in one step
        first; the other fields are executed as graphql-core does, in order."""
        partial = self._partial(parent_type, grouped_field_set)
        leaves = None
        if partial is not None:
            try:
                leaves = completer(parent_type, partial)(source_value, self)
            except Fallback:
                pass
        if leaves is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                if response_name in leaves:
                    results[response_name] = leaves[response_name]
                    continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background(
                    [results[field] for field in awaitable_fields]
                )
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(
                    *(results[field] for field in awaitable_fields)
                )
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _partial(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        cached = self._partial_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1] or None
        plan = self._shared("partial", partial_plan, parent_type, grouped_field_set)
        self._partial_plans[id(grouped_field_set)] = (grouped_field_set, plan or ())
        return plan

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        cached = self._leaf_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan = self._shared("whole", make_plan, parent_type, grouped_field_set)
        self._leaf_plans[id(grouped_field_set)] = (grouped_field_set, plan or NO_PLAN)
        return plan

    def _shared(
        self,
        kind: str,
        make: Callable[
            [GraphQLObjectType, GroupedFieldSet, FastExecutionContext],
            Plan | None,
        ],
        parent_type: GraphQLObjectType,
        grouped_field_set: GroupedFieldSet,
    ) -> Plan | None:
        """A plan made for the same type and the same field nodes in an earlier
        request (the guard's parse cache gives a document the same nodes every
        time). A plan follows from the type's fields and those nodes alone;
        with a middleware it is made afresh (the middleware decides)."""
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return make(parent_type, grouped_field_set, self)
        nodes = tuple(d.node for ds in grouped_field_set.values() for d in ds)
        key = (
            kind,
            parent_type,
            tuple(grouped_field_set),
            tuple(map(id, nodes)),
            tuple(
                d.defer_usage is not None
                for ds in grouped_field_set.values()
                for d in ds
            ),
        )
        found = _SHARED_PLANS.get(key)
        if found is not None:
            return found[1]
        plan = make(parent_type, grouped_field_set, self)
        if len(_SHARED_PLANS) >= _SHARED_PLANS_MAX:
            _SHARED_PLANS.clear()
        # the nodes are kept with the plan, so their ids cannot be reused
        _SHARED_PLANS[key] = (nodes, plan)
        return plan


_SHARED_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, ...], Plan | None]] = {}
_SHARED_PLANS_MAX = 4096

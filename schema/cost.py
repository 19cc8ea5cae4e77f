"""The cost of an operation, priced the way GitHub prices its GraphQL API.

A field with a selection (an object) costs 1 plus what it selects; scalars cost
nothing (they come with their row); a connection (a type named ``*Connection``)
multiplies the cost of its selection by its ``first``/``last`` (the variables
resolved; the default page size without either; at most MAX_PAGE, because a
larger page is refused by the resolver with a clearer error); ``nodes(ids:)``
multiplies by the number of ids. Fragments are priced once each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from db.queries.pagination import MAX_PAGE


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        default_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = _literal(definition.default_value, {})
        self.default_size = default_size
        self.memo: dict[str, int] = {}
        self.active: set[str] = set()

    def selections(self, node: SelectionSetNode | None, parent: Any) -> int:
        cost = 0
        for sel in node.selections if node else ():
            if isinstance(sel, FieldNode):
                cost += self.field(sel, parent)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                cost += self.selections(sel.selection_set, target)
            elif isinstance(sel, FragmentSpreadNode):
                cost += self.fragment(sel.name.value)
        return cost

    def field(self, node: FieldNode, parent: Any) -> int:
        name = node.name.value
        if node.selection_set is None:
            return 0
        if name == "__schema":
            definition: Any = SchemaMetaFieldDef
        elif name == "__type":
            definition = TypeMetaFieldDef
        elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        else:
            definition = None
        if definition is None:
            return 1
        named: GraphQLNamedType = get_named_type(definition.type)
        children = self.selections(node.selection_set, named)
        if named.name.endswith("Connection"):
            return 1 + self.page_size(node) * children
        return 1 + self.id_count(node) * children

    def page_size(self, node: FieldNode) -> int:
        sizes = [
            _literal(arg.value, self.variables)
            for arg in node.arguments or ()
            if arg.name.value in ("first", "last")
        ]
        counted = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool)]
        if not counted:
            return self.default_size
        # a page over MAX_PAGE is refused by the resolver as BAD_USER_INPUT
        # naming the argument, which says more than a cost error would
        return min(max(0, *counted), MAX_PAGE)

    def id_count(self, node: FieldNode) -> int:
        # nodes(ids: [...]) resolves one object per id
        for arg in node.arguments or ():
            if arg.name.value == "ids":
                value = _literal(arg.value, self.variables)
                if isinstance(value, list):
                    return max(1, len(value))
        return 1

    def fragment(self, name: str) -> int:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0
        self.active.add(name)
        target = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selections(definition.selection_set, target)
        self.active.discard(name)
        self.memo[name] = cost
        return cost


def _literal(value: Node, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, ListValueNode):
        return list(value.values)
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    return None


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    default_size: int,
) -> int:
    """The operation's cost: fields, each connection multiplied by its page size."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    walker = _CostWalker(schema, document, operation, variables or {}, default_size)
    return walker.selections(operation.selection_set, root)

"""Helpers to build NLU components the way Rasa's graph does."""

from __future__ import annotations

from collections.abc import Callable

from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode

# create_component(component_class, config=None, resource_name="component", load=False)
ComponentFactory = Callable[..., GraphComponent]


def execution_context(component_class: type[GraphComponent], node_name: str) -> ExecutionContext:
    """A context whose schema holds the one node, as during `rasa train`."""
    schema = GraphSchema(
        {
            node_name: SchemaNode(
                needs={}, uses=component_class, constructor_name="create", fn="train", config={}
            )
        }
    )
    return ExecutionContext(graph_schema=schema, model_id="test-model", node_name=node_name)

"""Fixtures that build NLU components through Rasa's model storage, resources and execution context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import GraphComponent
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from tests.nlu.rasa_graph import ComponentFactory, execution_context


@pytest.fixture
def model_storage(tmp_path: Path) -> ModelStorage:
    return LocalModelStorage.create(tmp_path)


@pytest.fixture
def create_component(model_storage: ModelStorage) -> ComponentFactory:
    """Create (or load) a component from its default config merged with `config`, like a `GraphNode`."""

    def create(
        component_class: type[GraphComponent],
        config: dict[str, Any] | None = None,
        resource_name: str = "component",
        load: bool = False,
    ) -> GraphComponent:
        merged = {**component_class.get_default_config(), **(config or {})}
        context = execution_context(component_class, resource_name)
        constructor = component_class.load if load else component_class.create
        return constructor(merged, model_storage, Resource(resource_name), context)

    return create

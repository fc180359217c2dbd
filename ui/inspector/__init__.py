"""The inspector: a form generated from the selected nodes' pydantic fields."""

"""The project's own error types: every user-facing failure names the file, the field and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, field path) and what."""

    path: str
    """Field path such as ``nodes[3].capacity_kw``; empty for the whole file."""
    message: str
    file: str = ""
    label: str = ""
    """The path as people read it, naming the item: ``nodes[3].capacity_kw (id "rack-a")``."""

    @property
    def where(self) -> str:
        """The field as shown to a user: its label, else its path."""
        return self.label or self.path

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.where) if part)
        return f"{where}: {self.message}" if where else self.message


def plain_message(message: str) -> str:
    """Pydantic's wording made plain: no "Value error, " prefix; "must be" for "Input should be"."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return message


class TwinError(Exception):
    """Base of every error the project raises on purpose."""


class ScenarioError(TwinError):
    """A scenario file or object is invalid; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid scenario")

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # Pickle would replay the message string into the constructor; replay the problems,
        # so the error crosses a process boundary (file-open worker, study runs) whole.
        return type(self), (self.problems,)


class UsageError(TwinError):
    """A command-line option or argument is wrong."""

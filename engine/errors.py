"""One error hierarchy for everything a pack author or an embedding CRM can cause.

Every error carries structured data (position, offending value, suggestion), not only a
message, so the CLI can print it in one line and a CRM can log it as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    """A place in a pack file; line and column are 1-based."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One authoring mistake in a pack: where, what, and the nearest valid name."""

    position: Position
    message: str
    suggestion: str | None = None
    code: str = "E000"

    def __str__(self) -> str:
        text = f"{self.position}: {self.message}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.position.path,
            "line": self.position.line,
            "column": self.position.column,
            "code": self.code,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class PlaybookError(Exception):
    """Root of every error the engine raises on purpose."""


class PackError(PlaybookError):
    """A pack could not be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(
            problems, key=lambda p: (p.position.path, p.position.line, p.position.column)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class PackNotFoundError(PlaybookError):
    """Neither a shipped pack of that name nor a pack folder at that path."""

    def __init__(self, name: str, known: list[str], suggestion: str | None) -> None:
        self.name = name
        self.known = known
        self.suggestion = suggestion
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        super().__init__(
            f"no pack '{name}': not a shipped pack nor a folder with pack.yaml{hint}; "
            f"shipped packs: {', '.join(known) or 'none'}"
        )


class InputError(PlaybookError):
    """Bad input to the engine at run time (a conversation file, a deal, a snapshot)."""

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class MatcherError(PlaybookError):
    """durable_rules failed on a rule; names the pack rule it came from."""


@dataclass
class ProblemLog:
    """Collects problems while a pack is read, so one run reports all of them."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        position: Position,
        message: str,
        suggestion: str | None = None,
        code: str = "E000",
    ) -> None:
        self.problems.append(Problem(position, message, suggestion, code))

    def raise_if_any(self) -> None:
        if self.problems:
            raise PackError(self.problems)


class TestFileError(PackError):
    """A pack's test file is malformed or names things the pack does not have."""

    __test__ = False  # not a pytest test class, despite the name

"""One error hierarchy. Validation errors carry the record and the field, so the CLI and the API can say
exactly what is wrong with the same structure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: which record, which field, and why."""

    message: str
    record: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"record": self.record, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = " ".join(p for p in (f"record {self.record}" if self.record else "",
                                     f"field {self.field}" if self.field else "") if p)
        return f"{where}: {self.message}" if where else self.message


class SuloError(Exception):
    """Base of every error sulo raises on purpose."""

    kind = "error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.kind, "message": self.message, "problems": []}


class ValidationError(SuloError):
    """Bad input. Holds every problem found, each naming its record and field."""

    kind = "validation"
    http_status = 422

    def __init__(self, problems: list[Problem] | Problem, message: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        summary = message or "; ".join(str(p) for p in self.problems[:5])
        if len(self.problems) > 5:
            summary += f" (and {len(self.problems) - 5} more)"
        super().__init__(summary)

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.kind, "message": self.message, "problems": [p.as_dict() for p in self.problems]}


class NotFoundError(SuloError):
    kind = "not_found"
    http_status = 404


class ForbiddenError(SuloError):
    kind = "forbidden"
    http_status = 403


class ConflictError(SuloError):
    kind = "conflict"
    http_status = 409


class ConfigError(SuloError):
    """A rule or settings file is broken: names the file and the key, raised at start-up."""

    kind = "config"
    http_status = 500

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key = file, key
        super().__init__(f"{file}: {key}: {message}")

"""Types every payload shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.text import nfc


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs an offset, e.g. 2023-05-14T16:30:00+07:00")
    return value


class Strict(BaseModel):
    """Base of every contract model: unknown fields are an error (nothing a client sends becomes a key)."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_max_length=200_000)


UnitId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Text = Annotated[str, AfterValidator(nfc)]
ShortText = Annotated[str, StringConstraints(max_length=1000), AfterValidator(nfc)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(nfc)]
YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s<>,;]{1,64}@[^@\s<>,;]{1,255}$", max_length=320)]
Timestamp = Annotated[datetime, AfterValidator(_aware)]
Count = Annotated[int, Field(ge=0)]


class Period(Strict):
    start: YearMonth
    end: YearMonth


class Person(Strict):
    name: Name
    email: Email | None = None


class ErrorItem(Strict):
    code: str
    field: str | None = None
    message: Text

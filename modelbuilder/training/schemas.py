"""The run config, one pydantic model for the API and the service."""

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modelbuilder.core.errors import ApplicationError

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam", "adamax", "adadelta")


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    loss: str = Field("categorical_crossentropy", max_length=64)
    optimizer: Literal[OPTIMIZERS] = "adam"  # type: ignore[valid-type]
    learning_rate: float = Field(1e-3, gt=0, le=100)
    epochs: int = Field(10, ge=1, le=10000)
    batch_size: int = Field(32, ge=1, le=1_000_000)
    validation_split: float = Field(0.2, ge=0, lt=1)
    metrics: list[str] = Field(default_factory=lambda: ["accuracy"], max_length=8)
    seed: int | None = Field(None, ge=0, le=2**32 - 1)
    standardize: bool = False
    device: Literal["auto", "cpu", "gpu"] = "auto"

    @field_validator("learning_rate", "validation_split")
    @classmethod
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("metrics")
    @classmethod
    def metric_names(cls, value: list[str]) -> list[str]:
        if any(not m or len(m) > 64 for m in value):
            raise ValueError("metric names are 1 to 64 characters")
        return value


def config_parse(raw: dict) -> RunConfig:
    """Validate a config dict for the service (the API validated it already, scripts may not)."""
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        first = errors[0]
        raise ApplicationError(
            f"config.{'.'.join(first['loc'])}: {first['msg']}",
            code="invalid_config",
            details={"errors": errors},
        ) from None

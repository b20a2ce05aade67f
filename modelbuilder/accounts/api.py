"""Token endpoints for the SPA and scripts: list, create (raw token shown once), revoke."""

from datetime import datetime

from ninja import Router, Schema, Status

from modelbuilder.accounts import selectors, services

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    is_staff: bool


class TokenIn(Schema):
    name: str = ""


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/me", response=MeOut)
def me(request):
    return request.auth


@router.get("/tokens", response=list[TokenOut])
def token_list(request):
    return list(selectors.token_list(user=request.auth))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request, payload: TokenIn):
    token, raw = services.token_create(user=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request, token_id: int):
    services.token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)

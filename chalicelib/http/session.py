"""The signed-in caller as the API sees them: lets the app choose which screens to show."""

from chalicelib.domain.model import Model
from chalicelib.http.api import ANY_ROLE, Router
from chalicelib.auth import Caller, Role

router = Router(__name__, tag="session")


class Session(Model):
    user_id: str
    username: str
    roles: list[Role]


@router.route("/v1/session", "GET", roles=ANY_ROLE, response=Session, summary="Who the access token belongs to, and their roles")
def session(caller: Caller) -> Session:
    return Session(user_id=caller.user_id, username=caller.username, roles=sorted(caller.roles))

"""The base of the service's pydantic models (the domain's and the API's).

`defer_build`: a model's validator and serializer are built the first time it validates or serializes, not when its
module is imported. A Lambda cold start imports every route but answers one: it builds only that route's models
(issue 17 item 6: `bench/cold_start.py`, docs/evidence.md "Cold start")."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)

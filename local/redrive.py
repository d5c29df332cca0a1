"""`make redrive`: relay again what the outbox stream's mapping dead-lettered, as the `redrive_relay` function does in
AWS (docs/architecture.md), against the local stack."""

import json
import os

from local.aws import StackState, stage_environment


def main() -> None:
    state = StackState.load()
    os.environ.update({**state.service_environment(), **stage_environment("local")})
    from chalicelib.services import relay  # after the environment: settings are read on first use

    print(json.dumps(relay.redrive(state.now()), indent=2))


if __name__ == "__main__":
    main()

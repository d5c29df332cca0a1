"""PTI Migrante API: routes and wiring only; rules live in chalicelib/."""

import os

from chalice import Chalice

from chalicelib import wiring
from chalicelib.http import members, middleware, payments, quotes, session, system

app = Chalice(app_name="pti-migrante", configure_logs=False)
app.register_middleware(middleware.observe_request, "http")
app.register_blueprint(system.router.blueprint)
app.register_blueprint(session.router.blueprint)
app.register_blueprint(members.router.blueprint)
app.register_blueprint(quotes.router.blueprint)
app.register_blueprint(payments.router.blueprint)

if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    # Lambda cold start: a bad environment fails here, before the first request, with the list of bad variables.
    wiring.settings()

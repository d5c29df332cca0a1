"""PTI Migrante API: routes and wiring only; rules live in chalicelib/."""

import os

from datetime import datetime, timezone

from chalice import Chalice, Cron, Rate

from chalicelib import logs, wiring
from chalicelib.services import jobs
from chalicelib.http import (
    cors, identity, members, middleware, operators, payments, quotes, records, session, system, teleconsult, webhooks,
)

app = Chalice(app_name="pti-migrante", configure_logs=False)
app.api.cors = cors.console_cors()  # before the blueprints: each route takes it when registered


@app.middleware("all")
def name_the_invocation(event, get_response):
    """Every log line of a request, schedule or trigger names its Lambda invocation and whether it was a cold start."""
    # A schedule's or a trigger's event carries its Lambda context; an HTTP request's `context` is API Gateway's
    # request context, and its Lambda context is the app's for the invocation.
    context = getattr(event, "context", None)
    if context is None or isinstance(context, dict):
        context = getattr(app, "lambda_context", None)
    logs.start_invocation(getattr(context, "aws_request_id", None))
    return get_response(event)


app.register_middleware(middleware.observe_request, "http")
app.register_blueprint(system.router.blueprint)
app.register_blueprint(session.router.blueprint)
app.register_blueprint(members.router.blueprint)
app.register_blueprint(identity.router.blueprint)
app.register_blueprint(quotes.router.blueprint)
app.register_blueprint(payments.router.blueprint)
app.register_blueprint(webhooks.router.blueprint)
app.register_blueprint(operators.router.blueprint)
app.register_blueprint(teleconsult.router.blueprint)
app.register_blueprint(records.router.blueprint)


@app.schedule(Cron(0, 7, "*", "*", "?", "*"), name="daily_jobs")
def daily_jobs(event) -> dict:
    """01:00 in Mexico City (UTC-6, no daylight saving since 2022): renewals, lapses, reminders, notifications."""
    return jobs.run_daily(datetime.now(timezone.utc)).__dict__


@app.schedule(Rate(5, unit=Rate.MINUTES), name="relay_notifications")
def relay_notifications(event) -> int:
    """Notifications written by requests (payments applied, reversed) reach SNS within minutes."""
    return jobs.relay_notifications(datetime.now(timezone.utc))


@app.schedule(Rate(15, unit=Rate.MINUTES), name="consult_reminders")
def consult_reminders(event) -> dict:
    """Teleconsult reminders 24 h and 1 h ahead, relayed to SNS straight away."""
    return jobs.run_consult_reminders(datetime.now(timezone.utc)).__dict__


@app.lambda_function(name="post_confirmation")
def post_confirmation(event, context) -> dict:
    """Cognito's PostConfirmation trigger: a member who confirmed their sign-up joins the `members` group."""
    from chalicelib.services import signup  # boto3's Cognito client loads only in this function

    return signup.on_post_confirmation(event)


if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    # Lambda cold start: a bad environment fails here, before the first request, with the list of bad variables.
    wiring.settings()

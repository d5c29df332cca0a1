"""PTI Migrante API: routes and wiring only; rules live in chalicelib/."""

import gc
import os

from datetime import datetime, timezone

gc.disable()  # cold start: what the import builds lives as long as the process, so collecting meanwhile is wasted work

from chalice import Chalice, Cron, Rate  # noqa: E402

from chalicelib import logs, wiring  # noqa: E402
from chalicelib.http import (  # noqa: E402
    cors, documents, identity, members, middleware, notifications, operators, payments, privacy, quotes, records, session,
    system, teleconsult, webhooks,
)

JOBS_QUEUE = "pti-migrante-jobs"  # infra/template.json's JobsQueue
# docs/capacity.md: each renewal rewrites its profile's `by_coverage_end` entry, so 32 consumers would push a shard's
# index key past 1,000 WCU; 16 keep x1.1 or more and issue 12 million members' renewals in about 3 hours.
JOBS_CONCURRENCY = 16
OUTBOX_STREAM_PLACEHOLDER = "arn:aws:dynamodb:us-east-1:000000000000:table/outbox/stream/set-by-infra"

app = Chalice(app_name="pti-migrante", configure_logs=False)
app.api.cors = cors.console_cors()  # before the blueprints: each route takes it when registered
app.api.binary_types.append(documents.PDF)  # receipts and certificates: sent as bytes (binaryMediaTypes in AWS)


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
app.register_blueprint(notifications.router.blueprint)
app.register_blueprint(documents.router.blueprint)
# Last: an account's closure ends what the routes before it do (tests/api/test_authorization_matrix.py runs the
# routes in this order against one member A).
app.register_blueprint(privacy.router.blueprint)


@app.schedule(Cron(0, 7, "*", "*", "?", "*"), name="daily_jobs")
def daily_jobs(event) -> int:
    """01:00 in Mexico City (UTC-6, no daylight saving since 2022): the day's renewals, lapses, deadline reminders and
    horizon rolls, cut into pieces on the jobs queue."""
    from chalicelib.services import jobs  # the scheduled functions' code loads in their own invocations only

    return jobs.dispatch_daily(datetime.now(timezone.utc), event.context.aws_request_id)


# One piece per message, so a piece's failure returns only itself to the queue; the event source's maximum
# concurrency (infra/template.json) keeps the month's renewals within the tables' write budget.
@app.on_sqs_message(queue=JOBS_QUEUE, batch_size=1, maximum_concurrency=JOBS_CONCURRENCY, name="do_job_pieces")
def do_job_pieces(event) -> dict:
    """The jobs queue's consumer: each message one piece of the day's work (services/jobs.py)."""
    from chalicelib.services import jobs

    return jobs.run_pieces([(record.to_dict()["messageId"], record.body) for record in event])


# infra/template.json points the mapping at the outbox table's stream (its ARN exists only once deployed), filters it
# to inserts, and adds bisection, retries and the dead-letter queue.
@app.on_dynamodb_record(stream_arn=OUTBOX_STREAM_PLACEHOLDER, batch_size=100, starting_position="TRIM_HORIZON",
                        name="relay_outbox")
def relay_outbox(event) -> dict:
    """Notifications written to the outbox reach SNS within seconds of their transaction (services/relay.py)."""
    from chalicelib.services import relay

    return relay.relay_records(event.to_dict()["Records"], datetime.now(timezone.utc))


@app.lambda_function(name="redrive_relay")
def redrive_relay(event, context) -> dict:
    """Run by an operator once the cause is fixed (`aws lambda invoke`; locally `make redrive`): what the relay
    dead-lettered is read back from the stream and relayed."""
    from chalicelib.services import relay

    return relay.redrive(datetime.now(timezone.utc))


@app.schedule(Rate(15, unit=Rate.MINUTES), name="consult_reminders")
def consult_reminders(event) -> int:
    """Teleconsult reminders 24 h and 1 h ahead (relayed from the outbox's stream)."""
    from chalicelib.services import jobs

    return jobs.remind_consults(datetime.now(timezone.utc))


@app.schedule(Cron(30, "18,23", "*", "*", "?", "*"), name="fetch_exchange_rate")
def fetch_exchange_rate(event) -> dict:
    """Banco de México's FIX: published each banking day at about 12:00 Mexico City (UTC-6), fetched at 12:30, and
    again at 17:30 in case it came late or SIE was down at 12:30 (services/exchange_rates.py; a re-run is harmless).
    Every day, weekends too, so the staleness alarm always has its daily figure."""
    from chalicelib.services import exchange_rates

    return exchange_rates.fetch_fix(datetime.now(timezone.utc))


@app.lambda_function(name="post_confirmation")
def post_confirmation(event, context) -> dict:
    """Cognito's PostConfirmation trigger: a member who confirmed their sign-up joins the `members` group."""
    from chalicelib.services import signup  # boto3's Cognito client loads only in this function

    return signup.on_post_confirmation(event)


if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    # Lambda cold start: a bad environment fails here, before the first request, with the list of bad variables.
    wiring.settings()

gc.enable()
gc.freeze()  # later collections skip what the import built

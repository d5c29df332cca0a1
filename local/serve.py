"""`chalice local` for this project, closer to API Gateway in three ways, after validating settings first.

- In AWS an unknown route never reaches the Lambda: API Gateway answers it, and infra/template.json turns that answer
  into a 404 problem. `chalice local` answers 403 "Missing Authentication Token"; here the same 404 problem is
  rendered through the service's own renderer.
- API Gateway takes bursts of connections; chalice's server keeps socketserver's listen backlog of 5, so a burst of
  parallel clients (the concurrency tests) would see connection resets. The backlog is raised.
- In AWS each concurrent request has a Lambda of its own; `chalice local` is one Python process, whose one GIL made a
  load run measure the dev server rather than the service (issue 17). Here one worker process per core (or
  PTI_API_WORKERS) serves the same listening socket, pre-forked after the app is imported: the kernel hands each
  connection to whichever worker accepts it first. This process supervises them: SIGTERM or SIGINT stops them all,
  and a worker that dies stops the rest (the caller sees the API exit, as it would with one process). Each worker
  keeps chalice's thread per connection.
And one local convenience: `make run AT=…` sets LOCAL_CLOCK_OFFSET_SECONDS, and the request clock runs that far
ahead of the machine's (to try a consult inside programme hours at any hour). Deployed code never sees it.
Everything else is plain `chalice local` (the same request handler, LocalGateway and event conversion).
"""

import logging
import os
import signal
import sys
import uuid
from datetime import datetime, timedelta, timezone

from chalice.cli import create_local_server
from chalice.cli.factory import CLIFactory
from chalice.local import LocalGateway, ThreadedHTTPServer

from chalicelib.errors import NotFound
from chalicelib.http import api
from chalicelib.http.cors import console_cors
from chalicelib.http.problems import problem_response
from chalicelib.i18n import negotiate
from chalicelib.settings import SettingsError, load_settings
from local.aws import PROJECT, stage_environment

HOST = "127.0.0.1"
_original_handle_request = LocalGateway.handle_request


def _handle_request(self, method, path, headers, body):
    try:
        self.event_converter._route_matcher.match_route(path)
    except ValueError:
        language = negotiate(headers.get("accept-language") or headers.get("Accept-Language"))
        correlation_id = str(uuid.uuid4())
        response = problem_response(
            NotFound(path=path.split("?")[0]), language, instance=path.split("?")[0], correlation_id=correlation_id
        )
        response.headers["X-Correlation-Id"] = correlation_id
        allowed = console_cors()
        if allowed is not None:  # the console reads this 404 too
            response.headers.update(allowed.get_access_control_headers())
        return response.to_dict()
    return _original_handle_request(self, method, path, headers, body)


def worker_count() -> int:
    configured = os.environ.get("PTI_API_WORKERS")
    if configured:
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _die_with_parent() -> None:
    """Linux: the kernel sends this worker SIGTERM if the supervisor dies without stopping it (SIGKILL), so no
    orphan keeps the port. Elsewhere the supervisor's own stop is all there is."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve_in_worker(server) -> None:
    """A forked worker: serve until SIGTERM. Ctrl-C reaches the whole process group; the supervisor handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _die_with_parent()
    try:
        server.server.serve_forever()
    finally:
        os._exit(0)


def supervise(server, workers: int) -> int:
    """Fork the workers on the bound socket; return when one exits or this process is told to stop."""
    # Several processes wait on one listening socket: a non-blocking accept lets the ones that lose a connection to
    # another worker go back to waiting instead of blocking in accept() (socketserver drops the OSError).
    server.server.socket.setblocking(False)
    children: set[int] = set()
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            _serve_in_worker(server)
        children.add(pid)
    server.server.socket.close()  # the workers hold it now
    stopping = {"signal": None}

    def stop(signum, _frame) -> None:
        stopping["signal"] = signum
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        pid, status = os.wait()
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status) or 1
        print(f"API worker {pid} exited ({code}); stopping the others", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return code


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    try:
        load_settings({**os.environ, **stage_environment("local")})
    except SettingsError as error:
        sys.exit(str(error))
    LocalGateway.handle_request = _handle_request
    offset = timedelta(seconds=int(os.environ.get("LOCAL_CLOCK_OFFSET_SECONDS") or 0))
    if offset:
        api.utc_now = lambda: datetime.now(timezone.utc) + offset
    ThreadedHTTPServer.request_queue_size = 256
    # What `chalice --project-dir … local --stage local --no-autoreload` does, up to serving: stdout logging as in
    # Lambda, the stage's config and environment, the app imported, routes validated, the socket bound.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    factory = CLIFactory(project_dir=str(PROJECT), environ=os.environ)
    server = create_local_server(factory, HOST, port, "local")
    workers = worker_count()
    print(f"Serving on http://{HOST}:{port} ({workers} worker process{'es' if workers > 1 else ''})", flush=True)
    if workers == 1:
        try:
            server.server.serve_forever()
        except KeyboardInterrupt:
            pass
        return
    sys.exit(supervise(server, workers))


if __name__ == "__main__":
    main()

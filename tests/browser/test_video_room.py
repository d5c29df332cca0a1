"""The consult's video room, in Chromium with its fake camera and microphone, on a stack standing at 09:52 Mexico City
(the 10:00 consult's join window is open). With the local provider (the stack's): the nurse joins, her camera's
preview plays, the camera and microphone toggles act on the real tracks, leaving and navigating away release them,
and the Chime SDK's chunk is never fetched. With an answer shaped as Chime's (the join answer rewritten in the
browser, the signalling WebSocket answered by Playwright): the SDK is loaded from its own chunk, connects to the
signalling URL of the meeting the API gave (so the snake_case → PascalCase mapping reached the SDK) and, told the
meeting ended, says so in her language."""

import json
import re
from datetime import date

import pytest
from playwright.sync_api import Page, Route, WebSocketRoute, expect

from chalicelib.adapters.video_rooms import from_chime
from local.aws import StackState
from local.console import DIST
from local.users import LOCAL_PASSWORD
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_nurse_console import _invite
from tests.browser.test_nurse_consult import (
    _member1_books_her_ten_oclock,
    _on_the_stacks_clock,
    _stack_day,
    stack,  # noqa: F401 - the module's stack, at 09:52 Mexico City a few days ahead
)

JOIN = re.compile(r"/v1/teleconsult/appointments/[^/]+/join$")
PREVIEW = "#video-title ~ .video-stage video"
# The preview's state, waited for in the page (an evaluate, since wait_for_function needs the 'unsafe-eval' the CSP
# forbids): resolves once the <video> has a frame to show and is playing (autoplay starts it a moment later).
PLAYING = """(selector) => new Promise((resolve, reject) => {
  const until = performance.now() + 10000;
  const check = () => {
    const video = document.querySelector(selector);
    if (video && video.readyState >= 2 && video.videoWidth > 0 && !video.paused) {
      resolve({readyState: video.readyState, width: video.videoWidth, paused: video.paused});
    } else if (performance.now() > until) {
      reject(new Error("the preview did not play within 10 s"));
    } else {
      setTimeout(check, 50);
    }
  };
  check();
})"""
# Keeps the preview's current tracks in the page, to ask later whether they were stopped.
KEEP_TRACKS = """(selector) => {
  const tracks = document.querySelector(selector).srcObject.getTracks();
  window.__roomTracks = [...(window.__roomTracks || []), ...tracks];
  return tracks.map((track) => ({kind: track.kind, state: track.readyState, enabled: track.enabled}));
}"""
KEPT_STATES = "() => window.__roomTracks.map((track) => [track.kind, track.readyState])"


@pytest.fixture(scope="module")
def her_consult(stack) -> tuple[str, date, str]:  # noqa: F811 - the fixture imported above
    """An invited nurse with her own password (set as Cognito would after her first sign-in, which
    test_nurse_console walks), her mornings published through the API on the stack's day, and member1's 10:00
    consult with her: (username, day, appointment id)."""
    nurse, day = _invite(stack), _stack_day(stack)
    state = StackState.load(stack.state_dir / "stack.json")
    state.endpoints.client("cognito-idp").admin_set_user_password(
        UserPoolId=state.user_pool_id, Username=nurse, Password=LOCAL_PASSWORD, Permanent=True)
    mornings = {"windows": [{"weekday": day.weekday(), "start": "09:00", "end": "12:00"}], "slot_minutes": 20,
                "buffer_minutes": 0, "lead_minutes": 0, "horizon_weeks": 1}
    published = stack.request("PUT", "/v1/nurse/availability", headers=stack.signed_in("nurse", nurse),
                              json_body=mornings)
    assert published.status == 200, published.body
    return nurse, day, _member1_books_her_ten_oclock(stack, nurse, day)["appointment"]["appointment_id"]


def _at_her_consult(stack, page: Page, her_consult: tuple[str, date, str]) -> None:  # noqa: F811
    """Signed in on the stack's clock (the page judges the join window by it), on the consult's page."""
    nurse, day, appointment = her_consult
    _on_the_stacks_clock(stack, page)
    page.get_by_label("Usuario").fill(nurse)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mi agenda")).to_be_visible()
    page.goto(f"{page.url.split('#')[0]}#consult/{day}/{appointment}")
    expect(page.get_by_role("heading", name=re.compile("^Consulta"))).to_be_visible()
    expect(page.get_by_role("heading", name="Videollamada")).to_be_visible()


def _imports_of(name: str) -> tuple[set[str], set[str]]:
    """The chunks a built script imports before it runs (`from"./x.js"`) and those it imports on demand
    (`import("./x.js")`)."""
    text = (DIST / "assets" / name).read_text()
    static = set(re.findall(r'(?:from|import)\s*["\']\./([\w.-]+\.js)["\']', text))
    lazy = set(re.findall(r'import\(\s*[`"\']\./([\w.-]+\.js)[`"\']\s*\)', text))
    return static, lazy


def test_the_chime_sdk_is_a_chunk_of_its_own_loaded_on_demand():
    (sdk,) = [p.name for p in (DIST / "assets").glob("chime-sdk-*.js")]
    index = (DIST / "index.html").read_text()
    (entry,) = re.findall(r'<script type="module"[^>]* src="/assets/([^"]+\.js)"', index)
    assert "chime-sdk" not in index  # neither the entry nor a modulepreload
    static, lazy = _imports_of(entry)
    assert sdk in lazy and sdk not in static
    assert "DefaultMeetingSession" in (DIST / "assets" / sdk).read_text()
    assert "class DefaultMeetingSession" not in (DIST / "assets" / entry).read_text()


def test_a_nurse_tries_her_camera_in_the_local_room(stack, console, her_consult):  # noqa: F811
    page = console
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    _at_her_consult(stack, page, her_consult)

    page.get_by_role("button", name="Entrar a la videollamada").click()
    expect(page.get_by_text("Sala local (entorno de desarrollo): aquí no hay otra persona")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Tu cámara y tu micrófono")).to_be_focused()
    playing = page.evaluate(PLAYING, PREVIEW)
    assert playing["readyState"] >= 2 and playing["width"] > 0 and not playing["paused"]
    preview = page.locator(PREVIEW)
    expect(preview).to_have_attribute("aria-label", "Tu cámara (vista previa)")
    assert preview.evaluate("(video) => video.muted && video.playsInline")
    tracks = page.evaluate(KEEP_TRACKS, PREVIEW)
    assert sorted((t["kind"], t["state"]) for t in tracks) == [("audio", "live"), ("video", "live")]
    controls = page.get_by_role("group", name="Controles de la videollamada")
    mute = controls.get_by_role("button", name="Silenciar micrófono")
    camera = controls.get_by_role("button", name="Apagar cámara")
    expect(mute).to_have_attribute("aria-pressed", "false")
    expect(camera).to_have_attribute("aria-pressed", "false")
    assert accessibility_violations(page) == []
    screenshot(page, "13-video-room")

    # The camera off stops its track (its light goes out); the microphone muted is disabled, not released.
    camera.click()
    expect(camera).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Cámara apagada.", exact=True)).to_be_visible()  # said in the live region
    assert sorted(page.evaluate(KEPT_STATES)) == [["audio", "live"], ["video", "ended"]]
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.__roomTracks.filter((t) => t.kind === 'audio').map((t) => t.enabled)") == [
        False]
    assert accessibility_violations(page) == []

    camera.click()  # on again: a new track, playing
    expect(camera).to_have_attribute("aria-pressed", "false")
    page.evaluate(PLAYING, PREVIEW)
    page.evaluate(KEEP_TRACKS, PREVIEW)

    # At 768 px the room and its controls fit, without scrolling sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(controls.get_by_role("button", name="Salir de la videollamada")).to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768

    # Leaving releases the camera and microphone.
    controls.get_by_role("button", name="Salir de la videollamada").click()
    expect(page.get_by_text("Saliste de la videollamada.")).to_be_focused()
    assert {state for _, state in page.evaluate(KEPT_STATES)} == {"ended"}
    expect(page.locator("video")).to_have_count(0)

    # In English, again; then going back to the agenda releases them too.
    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("button", name="Join again").click()
    expect(page.get_by_text("Local room (development setup): nobody else is here")).to_be_visible()
    page.evaluate(PLAYING, PREVIEW)
    page.evaluate("() => { window.__roomTracks = []; }")
    page.evaluate(KEEP_TRACKS, PREVIEW)
    english = page.get_by_role("group", name="Video call controls")
    for name in ("Mute microphone", "Turn camera off", "Leave the video call"):
        expect(english.get_by_role("button", name=name)).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name=re.compile("agenda", re.IGNORECASE)).first.click()
    expect(page.locator("video")).to_have_count(0)
    assert {state for _, state in page.evaluate(KEPT_STATES)} == {"ended"}

    assert not [url for url in fetched if "chime-sdk" in url]  # the local room never loads the Chime SDK


def _a_chime_meeting(joined: dict) -> dict:
    """The join answer as the API gives it with VIDEO_PROVIDER=chime: CreateMeeting's Meeting (PascalCase, as boto3
    returns it) through the API's own mapping, so snake_case and with nulls where Chime gave nothing."""
    region = "us-east-1"
    meeting = from_chime({
        "MeetingId": joined["meeting_id"],
        "ExternalMeetingId": joined["appointment_id"],
        "MediaRegion": region,
        "MediaPlacement": {
            "AudioHostUrl": "0a1b2c3d.k.m3.ue1.app.chime.aws:3478",
            "AudioFallbackUrl": "wss://haxrp.m3.ue1.app.chime.aws:443/calls/0a1b2c3d",
            "SignalingUrl": "wss://signal.m3.ue1.app.chime.aws/control/0a1b2c3d",
            "TurnControlUrl": "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
            "ScreenDataUrl": "wss://bitpw.m3.ue1.app.chime.aws:443/v2/screen/0a1b2c3d",
            "ScreenViewingUrl": "wss://bitpw.m3.ue1.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=0a1b2c3d",
            "ScreenSharingUrl": "wss://bitpw.m3.ue1.app.chime.aws:443/v2/screen/0a1b2c3d",
        },
        "MeetingFeatures": {"Audio": {"EchoReduction": "AVAILABLE"}},  # no Video, no Content: nulls in the answer
        "MeetingArn": f"arn:aws:chime:{region}:111122223333:meeting/{joined['meeting_id']}",
    })
    answer = {**joined, "provider": "chime", "meeting": meeting.model_dump(mode="json")}
    assert answer["meeting"]["meeting_features"]["video"] is None  # what the console must leave out for the SDK
    return answer


def test_with_chime_the_sdk_loads_on_demand_and_connects_to_the_meetings_signalling(stack, console, her_consult):  # noqa: F811
    page = console
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    signalling: list[str] = []

    def as_chime(route: Route) -> None:
        answer = route.fetch()  # the local stack's own join (CORS headers and all), its body made Chime's
        route.fulfill(response=answer, body=json.dumps(_a_chime_meeting(answer.json())))

    def meeting_ended(socket: WebSocketRoute) -> None:
        """Chime's signalling, for a meeting that is over: the SDK's first frame (its join) is answered by closing
        with Chime's code for that."""
        signalling.append(socket.url)
        socket.on_message(lambda _frame: socket.close(code=4410, reason="meeting ended"))

    page.route(JOIN, as_chime)
    page.route(re.compile(r"^https://[\w.-]+\.chime\.aws/"),
               lambda route: route.fulfill(status=204, headers={"Access-Control-Allow-Origin": "*"}))
    page.route_web_socket(re.compile(r"^wss://signal\.m3\.ue1\.app\.chime\.aws/"), meeting_ended)
    _at_her_consult(stack, page, her_consult)
    assert not [url for url in fetched if "chime-sdk" in url]

    page.get_by_role("button", name="Entrar a la videollamada").click()
    expect(page.get_by_role("alert").filter(has_text="La videollamada ya terminó.")).to_be_visible(timeout=20_000)
    assert [url for url in fetched if re.search(r"/assets/chime-sdk-[\w-]+\.js$", url)]
    (url,) = signalling
    assert url.startswith("wss://signal.m3.ue1.app.chime.aws/control/0a1b2c3d?")
    controls = page.get_by_role("group", name="Controles de la videollamada")
    expect(controls.get_by_role("button", name="Silenciar micrófono")).to_be_disabled()
    assert accessibility_violations(page) == []
    # The page's policy lets it reach Chime over HTTPS (TURN control, event ingestion): the request passes the CSP
    # and is answered here, since the browser checks the policy before Playwright sees the request.
    turn = "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions"
    assert page.evaluate("(url) => fetch(url, {method: 'POST'}).then((answer) => answer.status)", turn) == 204
    controls.get_by_role("button", name="Salir de la videollamada").click()
    expect(page.get_by_text("Saliste de la videollamada.")).to_be_visible()

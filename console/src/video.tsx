// The consult's video room on the nurse's consult page. She joins through the API (POST …/join, inside the consult's
// join window: the API decides again) and the provider it names runs the call:
// - `chime`: an Amazon Chime SDK meeting through amazon-chime-sdk-js, imported only when she joins such a room (a
//   chunk of its own, outside the main bundle and its budget);
// - `local` (development and the browser tests): her own camera's preview and nobody else, so the whole path can be
//   tried without AWS.
// Her camera and microphone are released (every track stopped) when she leaves and when the page goes away: leaving
// unmounts the room, and the room's effect cleans up.
import type { AudioVideoFacade, AudioVideoObserver, VideoTileState } from "amazon-chime-sdk-js";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "./client";
import type { Texts } from "./i18n";
import { formatTime, joinWindow } from "./time";
import { ProblemView, useFocusFirstInvalid, useFocusOnMount, useSubmission, useTexts } from "./ui";
import "./video.css";

type Appointment = Schemas["AppointmentWithReason"];
type Joined = Schemas["JoinOut"];

/** What can stop the room, each told to her in her language. */
type RoomProblem =
  | "permission"
  | "no-device"
  | "device-busy"
  | "unsupported"
  | "device-failed"
  | "load"
  | "connection"
  | "ended";

class RoomFailure extends Error {
  constructor(readonly problem: RoomProblem) {
    super(problem);
  }
}

/** A failure as one of the room's problems: getUserMedia's error names (which the Chime SDK's device errors keep), or
 * `otherwise`. */
function problemOf(thrown: unknown, otherwise: RoomProblem = "device-failed"): RoomProblem {
  if (thrown instanceof RoomFailure) {
    return thrown.problem;
  }
  switch ((thrown as { name?: unknown } | null)?.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return "permission";
    case "NotFoundError":
    case "OverconstrainedError":
      return "no-device";
    case "NotReadableError":
    case "AbortError":
      return "device-busy";
    default:
      return otherwise;
  }
}

function problemText(problem: RoomProblem, t: Texts): string {
  const texts: Record<RoomProblem, string> = {
    permission: t.videoPermissionDenied,
    "no-device": t.videoNoDevice,
    "device-busy": t.videoDeviceBusy,
    unsupported: t.videoUnsupported,
    "device-failed": t.videoDeviceFailed,
    load: t.videoLoadFailed,
    connection: t.videoConnectionFailed,
    ended: t.videoMeetingEnded,
  };
  return texts[problem];
}

function userMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new RoomFailure("unsupported"); // an insecure origin or an old browser
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** Her microphone and camera; the microphone alone when there is no camera (a consult can go on by voice). */
async function openDevices(): Promise<MediaStream> {
  try {
    return await userMedia({ audio: true, video: true });
  } catch (thrown) {
    if (problemOf(thrown) !== "no-device") {
      throw thrown;
    }
    return userMedia({ audio: true });
  }
}

function stopTracks(media: MediaStream | null): void {
  media?.getTracks().forEach((track) => track.stop());
}

/** `media` without its camera, whose tracks are stopped (the camera's light goes out). */
function withoutCamera(media: MediaStream): MediaStream {
  media.getVideoTracks().forEach((track) => track.stop());
  return new MediaStream(media.getAudioTracks());
}

/** A snake_case key as Chime spells it: media_placement → MediaPlacement, audio_host_url → AudioHostUrl. */
function pascalKey(key: string): string {
  return key
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** The API's snake_case value with Chime's PascalCase keys and without its nulls, as the API's `to_chime` maps it
 * (amazon-chime-sdk-js would read a null `MeetingFeatures.Video` as present). */
function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(pascalKeys);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== null && item !== undefined)
        .map(([key, item]) => [pascalKey(key), pascalKeys(item)]),
    );
  }
  return value;
}

/** The two arguments of amazon-chime-sdk-js's `MeetingSessionConfiguration`: CreateMeeting's and CreateAttendee's
 * answers as Chime gives them (PascalCase), rebuilt from the API's join answer. */
function chimeConfigurationOf(
  joined: Joined,
): [{ Meeting: unknown }, { Attendee: { AttendeeId: string; JoinToken: string } }] {
  return [
    { Meeting: pascalKeys(joined.meeting) },
    { Attendee: { AttendeeId: joined.attendee_id, JoinToken: joined.join_token } },
  ];
}

type Room = { status: "out" } | { status: "in"; joined: Joined } | { status: "left" };

/** The video room's card: the join button inside the consult's join window, then the room its provider runs. */
export function VideoRoom({ api, item, now }: { api: Api; item: Appointment; now: Date }) {
  const { lang, t } = useTexts();
  const [room, setRoom] = useState<Room>({ status: "out" });
  const { busy, problem, failures, run } = useSubmission();
  const section = useRef<HTMLElement>(null);
  useFocusFirstInvalid(section, failures); // a refused join: her focus goes to the API's problem
  const join = joinWindow(new Date(item.join_opens_at), new Date(item.end), now);
  const joinable = item.status === "booked" || item.status === "arrived"; // the API's rule for joining

  if (room.status !== "in" && !joinable) {
    return null; // the consult is over, cancelled or missed, and she is not in its room
  }

  const enter = () =>
    run(async () => {
      const joined = await call(
        api.POST("/v1/teleconsult/appointments/{appointment_id}/join", {
          params: { path: { appointment_id: item.appointment_id } },
        }),
      );
      setRoom({ status: "in", joined });
    });
  const leave = () => setRoom({ status: "left" });

  return (
    <section ref={section} class="card video-room" aria-labelledby="video-title">
      <h2 id="video-title">{t.videoTitle}</h2>
      {room.status === "in" ? (
        room.joined.provider === "chime" ? (
          <ChimeRoom joined={room.joined} onLeave={leave} />
        ) : room.joined.provider === "local" ? (
          <LocalRoom onLeave={leave} />
        ) : (
          <>
            <p class="problem" role="alert">
              {t.videoUnknownProvider(room.joined.provider)}
            </p>
            <button type="button" onClick={leave}>
              {t.goBack}
            </button>
          </>
        )
      ) : join.state === "open" ? (
        <>
          {room.status === "left" && <Left />}
          <p class="note">{t.videoJoinHint}</p>
          <button type="button" class="primary video-join" disabled={busy} onClick={() => void enter()}>
            {busy ? t.videoJoining : room.status === "left" ? t.videoRejoin : t.videoJoin}
          </button>
          {problem && <ProblemView shown={problem} />}
        </>
      ) : (
        <>
          {room.status === "left" && <Left />}
          <p class="note">
            {join.state === "not-yet"
              ? t.videoJoinFrom(formatTime(join.opens, lang), formatTime(join.closes, lang))
              : t.videoJoinClosed}
          </p>
        </>
      )}
    </section>
  );
}

/** Said once she has left, where the room was (and focused, since the button she pressed is gone). */
function Left() {
  const { t } = useTexts();
  const said = useFocusOnMount<HTMLParagraphElement>();
  return (
    <p class="notice notice-ok" role="status" tabIndex={-1} ref={said}>
      {t.videoLeft}
    </p>
  );
}

interface ControlsProps {
  ready: boolean;
  micMuted: boolean;
  cameraOff: boolean;
  switching: boolean;
  onMic: () => void;
  onCamera: () => void;
  onLeave: () => void;
}

/** Mute and camera as toggle buttons (aria-pressed), and leave; what changed is said in a live region once it has. */
function Controls(props: ControlsProps) {
  const { t } = useTexts();
  const { micMuted, cameraOff } = props;
  const [said, setSaid] = useState("");
  const before = useRef({ micMuted, cameraOff });
  useEffect(() => {
    if (before.current.micMuted !== micMuted) {
      setSaid(micMuted ? t.videoMicMutedNow : t.videoMicOnNow);
    } else if (before.current.cameraOff !== cameraOff) {
      setSaid(cameraOff ? t.videoCameraOffNow : t.videoCameraOnNow);
    }
    before.current = { micMuted, cameraOff };
  }, [micMuted, cameraOff]); // eslint-disable-line react-hooks/exhaustive-deps -- said when the state changes
  return (
    <>
      <div class="video-controls" role="group" aria-label={t.videoControls}>
        <button type="button" aria-pressed={micMuted} disabled={!props.ready} onClick={props.onMic}>
          {t.videoMute}
        </button>
        <button
          type="button"
          aria-pressed={cameraOff}
          disabled={!props.ready || props.switching}
          onClick={props.onCamera}
        >
          {t.videoCameraOff}
        </button>
        <button type="button" class="video-leave" onClick={props.onLeave}>
          {t.videoLeave}
        </button>
      </div>
      <p class="muted video-said" aria-live="polite">
        {said}
      </p>
    </>
  );
}

/** Her own camera, or the words that it is off. */
function OwnVideo({ video, cameraOff }: { video: { current: HTMLVideoElement | null }; cameraOff: boolean }) {
  const { t } = useTexts();
  return (
    <figure class="video-tile video-own">
      <video ref={video} hidden={cameraOff} autoPlay muted playsInline aria-label={t.videoOwnCamera} />
      {cameraOff && <p class="video-off">{t.videoCameraIsOff}</p>}
      <figcaption>{t.videoOwnCamera}</figcaption>
    </figure>
  );
}

/** A line that says where the room stands (focused when the room opens: the join button she pressed is gone). */
function RoomStatus({ text, problem, audioOnly }: { text: string; problem: RoomProblem | null; audioOnly: boolean }) {
  const { t } = useTexts();
  const status = useFocusOnMount<HTMLParagraphElement>();
  return (
    <>
      <p class="video-status" role="status" tabIndex={-1} ref={status}>
        {text}
      </p>
      {audioOnly && <p class="note">{t.videoNoCamera}</p>}
      {problem && (
        <p class="problem" role="alert">
          {problemText(problem, t)}
        </p>
      )}
    </>
  );
}

/** The local provider's room: her camera's preview through getUserMedia, with nobody at the other end. */
function LocalRoom({ onLeave }: { onLeave: () => void }) {
  const { t } = useTexts();
  const video = useRef<HTMLVideoElement>(null);
  const media = useRef<MediaStream | null>(null);
  const [ready, setReady] = useState(false);
  const [problem, setProblem] = useState<RoomProblem | null>(null);
  const [micMuted, setMicMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [audioOnly, setAudioOnly] = useState(false);

  const show = (stream: MediaStream) => {
    media.current = stream;
    if (video.current) {
      video.current.srcObject = stream;
    }
  };

  useEffect(() => {
    let gone = false;
    openDevices()
      .then((stream) => {
        if (gone) {
          stopTracks(stream);
          return;
        }
        show(stream);
        setAudioOnly(stream.getVideoTracks().length === 0);
        setCameraOff(stream.getVideoTracks().length === 0);
        setReady(true);
      })
      .catch((thrown: unknown) => !gone && setProblem(problemOf(thrown)));
    return () => {
      gone = true;
      stopTracks(media.current);
      media.current = null;
    };
  }, []);

  const toggleMic = () => {
    const muting = !micMuted;
    media.current?.getAudioTracks().forEach((track) => {
      track.enabled = !muting; // muted, not released: she gets it back at once
    });
    setMicMuted(muting);
  };

  const toggleCamera = async () => {
    const current = media.current;
    if (!current) {
      return;
    }
    if (!cameraOff) {
      show(withoutCamera(current));
      setCameraOff(true);
      return;
    }
    setSwitching(true);
    try {
      const camera = await userMedia({ video: true });
      if (media.current !== current) {
        stopTracks(camera); // she left meanwhile
        return;
      }
      show(new MediaStream([...current.getAudioTracks(), ...camera.getVideoTracks()]));
      setCameraOff(false);
      setAudioOnly(false);
      setProblem(null);
    } catch (thrown) {
      setProblem(problemOf(thrown));
    } finally {
      setSwitching(false);
    }
  };

  return (
    <>
      <p class="notice">{t.videoLocalNotice}</p>
      <RoomStatus text={ready ? t.videoPreviewReady : t.videoOpening} problem={problem} audioOnly={audioOnly} />
      <div class="video-stage">
        <OwnVideo video={video} cameraOff={cameraOff} />
      </div>
      <Controls
        ready={ready}
        micMuted={micMuted}
        cameraOff={cameraOff}
        switching={switching}
        onMic={toggleMic}
        onCamera={() => void toggleCamera()}
        onLeave={onLeave}
      />
    </>
  );
}

type ChimePhase = "loading" | "connecting" | "waiting" | "connected";

/** An Amazon Chime SDK meeting: the SDK loaded on first use, her devices handed to it, her tile and the patient's
 * bound to their video elements, the patient's sound to an audio element. */
function ChimeRoom({ joined, onLeave }: { joined: Joined; onLeave: () => void }) {
  const { t } = useTexts();
  const own = useRef<HTMLVideoElement>(null);
  const patient = useRef<HTMLVideoElement>(null);
  const sound = useRef<HTMLAudioElement>(null);
  const session = useRef<AudioVideoFacade | null>(null);
  const media = useRef<MediaStream | null>(null);
  const [phase, setPhase] = useState<ChimePhase>("loading");
  const [patientTile, setPatientTile] = useState<number | null>(null);
  const [problem, setProblem] = useState<RoomProblem | null>(null);
  const [micMuted, setMicMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [audioOnly, setAudioOnly] = useState(false);

  useEffect(() => {
    let gone = false;
    const end = () => {
      const audioVideo = session.current;
      session.current = null;
      try {
        if (audioVideo) {
          audioVideo.stopLocalVideoTile();
          audioVideo.unbindAudioElement();
          audioVideo.stop();
          void audioVideo.stopVideoInput();
          void audioVideo.stopAudioInput();
        }
      } finally {
        stopTracks(media.current); // her devices are released whatever the SDK does
        media.current = null;
      }
    };

    const start = async () => {
      const chime = await import("amazon-chime-sdk-js").catch(() => {
        throw new RoomFailure("load");
      });
      const stream = await openDevices();
      media.current = stream;
      if (gone) {
        end();
        return;
      }
      const logger = new chime.ConsoleLogger("video-room", chime.LogLevel.WARN);
      const configuration = new chime.MeetingSessionConfiguration(...chimeConfigurationOf(joined));
      const meeting = new chime.DefaultMeetingSession(configuration, logger, new chime.DefaultDeviceController(logger));
      const audioVideo = meeting.audioVideo;
      session.current = audioVideo;
      const present = new Set<string>();
      audioVideo.realtimeSubscribeToAttendeeIdPresence((attendeeId, isPresent) => {
        if (attendeeId === joined.attendee_id || attendeeId.includes("#content")) {
          return; // herself, or a screen share
        }
        if (isPresent) {
          present.add(attendeeId);
        } else {
          present.delete(attendeeId);
        }
        setPhase(present.size > 0 ? "connected" : "waiting");
      });
      const observer: AudioVideoObserver = {
        audioVideoDidStart: () => setPhase(present.size > 0 ? "connected" : "waiting"),
        audioVideoDidStop: (status) => {
          if (!gone) {
            end();
            setProblem(status.statusCode() === chime.MeetingSessionStatusCode.MeetingEnded ? "ended" : "connection");
          }
        },
        videoTileDidUpdate: (tile: VideoTileState) => {
          if (tile.tileId === null || tile.isContent || session.current !== audioVideo) {
            return; // a screen share, or a late update from a session she has left
          }
          const element = tile.localTile ? own.current : patient.current;
          if (element) {
            audioVideo.bindVideoElement(tile.tileId, element);
          }
          if (!tile.localTile) {
            setPatientTile(tile.tileId);
          }
        },
        videoTileWasRemoved: (tileId) => setPatientTile((shown) => (shown === tileId ? null : shown)),
      };
      audioVideo.addObserver(observer);
      const [microphone] = stream.getAudioTracks();
      if (microphone) {
        await audioVideo.startAudioInput(new MediaStream([microphone]));
      }
      const camera = stream.getVideoTracks();
      if (camera.length > 0) {
        await audioVideo.startVideoInput(new MediaStream(camera));
      }
      if (sound.current) {
        await audioVideo.bindAudioElement(sound.current);
      }
      if (gone) {
        end();
        return;
      }
      setAudioOnly(camera.length === 0);
      setCameraOff(camera.length === 0);
      setPhase("connecting");
      audioVideo.start();
      if (camera.length > 0) {
        audioVideo.startLocalVideoTile();
      }
    };

    start().catch((thrown: unknown) => {
      end();
      if (!gone) {
        setProblem(problemOf(thrown, "connection")); // anything but her devices: the SDK could not join
      }
    });
    return () => {
      gone = true;
      end();
    };
  }, [joined]);

  const toggleMic = () => {
    const audioVideo = session.current;
    if (audioVideo) {
      if (micMuted) {
        audioVideo.realtimeUnmuteLocalAudio();
      } else {
        audioVideo.realtimeMuteLocalAudio();
      }
      setMicMuted(!micMuted);
    }
  };

  const toggleCamera = async () => {
    const audioVideo = session.current;
    const current = media.current;
    if (!audioVideo || !current) {
      return;
    }
    setSwitching(true);
    try {
      if (!cameraOff) {
        audioVideo.stopLocalVideoTile();
        await audioVideo.stopVideoInput();
        media.current = withoutCamera(current);
        setCameraOff(true);
      } else {
        const camera = await userMedia({ video: true });
        if (session.current !== audioVideo) {
          stopTracks(camera); // she left meanwhile
          return;
        }
        media.current = new MediaStream([...current.getAudioTracks(), ...camera.getVideoTracks()]);
        await audioVideo.startVideoInput(camera);
        audioVideo.startLocalVideoTile();
        setCameraOff(false);
        setAudioOnly(false);
        setProblem(null);
      }
    } catch (thrown) {
      setProblem(problemOf(thrown));
    } finally {
      setSwitching(false);
    }
  };

  const statusText: Record<ChimePhase, string> = {
    loading: t.videoLoading,
    connecting: t.videoConnecting,
    waiting: t.videoWaiting,
    connected: t.videoConnected,
  };
  return (
    <>
      <RoomStatus text={statusText[phase]} problem={problem} audioOnly={audioOnly} />
      <div class="video-stage video-stage-call">
        <figure class="video-tile video-patient" hidden={patientTile === null}>
          <video ref={patient} autoPlay playsInline aria-label={t.videoPatientCamera} />
          <figcaption>{t.videoPatientCamera}</figcaption>
        </figure>
        <OwnVideo video={own} cameraOff={cameraOff} />
        <audio ref={sound} />
      </div>
      <Controls
        ready={phase !== "loading" && problem === null}
        micMuted={micMuted}
        cameraOff={cameraOff}
        switching={switching}
        onMic={toggleMic}
        onCamera={() => void toggleCamera()}
        onLeave={onLeave}
      />
    </>
  );
}

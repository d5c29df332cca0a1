// Sign-in: username and password (SRP), then, for an invited nurse's first sign-in, her own password.
import { useEffect, useRef, useState } from "preact/hooks";
import { AuthError, type Auth, type Identity, type SignInStep } from "./auth";
import type { Texts } from "./i18n";
import { Field, useTexts } from "./ui";

export type Notice = "session-ended" | "signed-out";

const MIN_PASSWORD = 12; // the pool's policy (infra/template.json: PasswordPolicy.MinimumLength)

/** The message for a Cognito failure, and whether it belongs to the new password field. */
function authMessage(error: unknown, t: Texts): { message: string; onNewPassword: boolean } {
  const code = error instanceof AuthError ? error.code : "Unknown";
  switch (code) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      return { message: t.authWrongCredentials, onNewPassword: false };
    case "PasswordResetRequiredException":
      return { message: t.authResetRequired, onNewPassword: false };
    case "UserNotConfirmedException":
      return { message: t.authNotConfirmed, onNewPassword: false };
    case "InvalidPasswordException":
    case "InvalidParameterException":
      return { message: t.authInvalidPassword, onNewPassword: true };
    case "TooManyRequestsException":
    case "TooManyFailedAttemptsException":
    case "LimitExceededException":
      return { message: t.authTooMany, onNewPassword: false };
    case "NetworkError":
      return { message: t.authNetwork, onNewPassword: false };
    case "ChallengeUnsupported":
      return { message: t.authChallengeUnsupported((error as AuthError).message), onNewPassword: false };
    default:
      return { message: t.authOther(code), onNewPassword: false };
  }
}

export function SignIn({ auth, notice, onSignedIn }: { auth: Auth; notice: Notice | null; onSignedIn: (identity: Identity) => void }) {
  const [challenge, setChallenge] = useState<Extract<SignInStep, { kind: "new-password" }> | null>(null);

  const advance = (step: SignInStep) => {
    if (step.kind === "signed-in") {
      onSignedIn(step.identity);
    } else {
      setChallenge(step);
    }
  };

  return challenge ? (
    <NewPassword challenge={challenge} onStep={advance} />
  ) : (
    <Credentials auth={auth} notice={notice} onStep={advance} />
  );
}

function Credentials({ auth, notice, onStep }: { auth: Auth; notice: Notice | null; onStep: (step: SignInStep) => void }) {
  const { t } = useTexts();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ username: boolean; password: boolean }>({ username: false, password: false });
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const empty = { username: !username.trim(), password: !password };
    setMissing(empty);
    setFailure(null);
    if (empty.username || empty.password) {
      return;
    }
    setBusy(true);
    try {
      onStep(await auth.signIn(username.trim(), password));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t.signInTitle}</h1>
      <p>{t.signInIntro}</p>
      {notice && (
        <p class={notice === "session-ended" ? "notice notice-warning" : "notice"} role="status">
          {notice === "session-ended" ? t.sessionEnded : t.signedOut}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <Field
          id="username"
          label={t.username}
          value={username}
          onInput={setUsername}
          autoComplete="username"
          required
          inputRef={first}
          errors={missing.username ? [t.required] : []}
        />
        <Field
          id="password"
          label={t.password}
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="current-password"
          required
          errors={missing.password ? [t.required] : []}
        />
        {failure !== null && (
          <p class="problem problem-title" role="alert">
            {authMessage(failure, t).message}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
      </form>
    </section>
  );
}

function NewPassword({
  challenge,
  onStep,
}: {
  challenge: Extract<SignInStep, { kind: "new-password" }>;
  onStep: (step: SignInStep) => void;
}) {
  const { t } = useTexts();
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  // What is wrong, kept as facts and worded at render time, so the messages follow a language switch.
  const [local, setLocal] = useState<{ password: "required" | "short" | null; confirmation: "required" | "differs" | null }>(
    { password: null, confirmation: null },
  );
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = {
      password: !password ? ("required" as const) : password.length < MIN_PASSWORD ? ("short" as const) : null,
      confirmation: !confirmation ? ("required" as const) : confirmation !== password ? ("differs" as const) : null,
    };
    setLocal(found);
    setFailure(null);
    if (found.password || found.confirmation) {
      return;
    }
    setBusy(true);
    try {
      onStep(await challenge.complete(password));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };

  const cognito = failure === null ? null : authMessage(failure, t);
  const passwordErrors = [
    ...(local.password === "required" ? [t.required] : local.password === "short" ? [t.passwordTooShort] : []),
    ...(cognito?.onNewPassword ? [cognito.message] : []),
  ];
  const confirmationErrors =
    local.confirmation === "required" ? [t.required] : local.confirmation === "differs" ? [t.passwordsDiffer] : [];

  return (
    <section class="card narrow" aria-labelledby="new-password-title">
      <h1 id="new-password-title" tabIndex={-1} ref={heading}>
        {t.newPasswordTitle}
      </h1>
      <p>{t.newPasswordIntro}</p>
      <form onSubmit={submit} noValidate>
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={challenge.username} readOnly hidden />
        <Field
          id="new-password"
          label={t.newPassword}
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="new-password"
          hint={t.newPasswordHint}
          required
          errors={passwordErrors}
        />
        <Field
          id="confirm-password"
          label={t.confirmPassword}
          type="password"
          value={confirmation}
          onInput={setConfirmation}
          autoComplete="new-password"
          required
          errors={confirmationErrors}
        />
        {cognito && !cognito.onNewPassword && (
          <p class="problem problem-title" role="alert">
            {cognito.message}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.signingIn : t.saveAndSignIn}
        </button>
      </form>
    </section>
  );
}

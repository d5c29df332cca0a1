// Sign-in with Cognito (SRP, the library's default: the production app client allows only USER_SRP_AUTH and refresh),
// the invited user's first sign-in (NEW_PASSWORD_REQUIRED), renewal with the refresh token, and sign-out.
// Tokens live in memory only: the pool gets a Map-backed storage, so nothing reaches localStorage or cookies, and a
// reload signs the user out.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { components } from "./api";
import type { Config } from "./config";

export type Role = components["schemas"]["Role"];

// The Cognito group that grants each role (chalicelib/auth.py: Role.group); Record<Role, …> keeps this complete
// whenever the API's Role enum changes.
const GROUP_OF: Record<Role, string> = { member: "members", nurse: "nurses", operator: "operators" };

/** Renew this long before the access token expires. */
const RENEW_BEFORE_MS = 2 * 60_000;
/** After a failed renewal that may be transient (network), try again this much later while the token still holds. */
const RETRY_MS = 15_000;

class MemoryStorage implements ICognitoStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

/** A Cognito error, by its code (`NotAuthorizedException`, `InvalidPasswordException`, `NetworkError`, ...). */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SessionEnded extends Error {}

export interface Identity {
  username: string;
  roles: Role[];
}

export type SignInStep =
  | { kind: "signed-in"; identity: Identity }
  | { kind: "new-password"; username: string; complete: (newPassword: string) => Promise<SignInStep> };

interface CognitoFailure {
  code?: string;
  name?: string;
  message?: string;
}

function authError(raw: unknown): AuthError {
  const failure = (raw ?? {}) as CognitoFailure;
  return new AuthError(failure.code || failure.name || "Unknown", failure.message || String(raw));
}

export function rolesOf(groups: unknown): Role[] {
  const list = Array.isArray(groups) ? groups : [];
  return (Object.keys(GROUP_OF) as Role[]).filter((role) => list.includes(GROUP_OF[role]));
}

export class Auth {
  private readonly pool: CognitoUserPool;
  private user: CognitoUser | null = null;
  private session: CognitoUserSession | null = null;
  /** Local clock minus the token's issue time, in ms, so expiry is judged on this machine's clock. */
  private drift = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> | null = null;

  /** `onEnded` is called when the session ends by itself (renewal failed, token refused), not on sign-out. */
  constructor(
    config: Config["cognito"],
    private readonly onEnded: () => void,
  ) {
    this.pool = new CognitoUserPool({
      UserPoolId: config.user_pool_id,
      ClientId: config.client_id,
      Storage: new MemoryStorage(),
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    });
  }

  signIn(username: string, password: string): Promise<SignInStep> {
    this.stop();
    const user = new CognitoUser({ Username: username, Pool: this.pool, Storage: new MemoryStorage() });
    const details = new AuthenticationDetails({ Username: username, Password: password });
    return new Promise((resolve, reject) => user.authenticateUser(details, this.callbacks(user, username, resolve, reject)));
  }

  private callbacks(
    user: CognitoUser,
    username: string,
    resolve: (step: SignInStep) => void,
    reject: (error: AuthError) => void,
  ) {
    const unsupported = (name: string) => () => reject(new AuthError("ChallengeUnsupported", name));
    return {
      onSuccess: (session: CognitoUserSession) => resolve({ kind: "signed-in", identity: this.started(user, session) }),
      onFailure: (error: unknown) => reject(authError(error)),
      newPasswordRequired: () =>
        resolve({
          kind: "new-password",
          username,
          complete: (newPassword: string) =>
            new Promise<SignInStep>((done, fail) =>
              user.completeNewPasswordChallenge(newPassword, {}, this.callbacks(user, username, done, fail)),
            ),
        }),
      mfaRequired: unsupported("SMS_MFA"),
      totpRequired: unsupported("SOFTWARE_TOKEN_MFA"),
      mfaSetup: unsupported("MFA_SETUP"),
      selectMFAType: unsupported("SELECT_MFA_TYPE"),
      customChallenge: unsupported("CUSTOM_CHALLENGE"),
    };
  }

  private started(user: CognitoUser, session: CognitoUserSession): Identity {
    this.user = user;
    this.keep(session);
    const payload = session.getAccessToken().decodePayload();
    return { username: String(payload.username ?? user.getUsername()), roles: rolesOf(payload["cognito:groups"]) };
  }

  private keep(session: CognitoUserSession): void {
    this.session = session;
    this.drift = Date.now() - session.getAccessToken().getIssuedAt() * 1000;
    this.schedule(this.expiresAt() - RENEW_BEFORE_MS - Date.now());
  }

  /** When the access token expires, on this machine's clock (ms). */
  private expiresAt(): number {
    return this.session ? this.session.getAccessToken().getExpiration() * 1000 + this.drift : 0;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew().catch(() => undefined), Math.max(0, delay));
  }

  /** Trade the refresh token for new tokens; on failure, retry while the token holds, else end the session. */
  renew(): Promise<void> {
    if (!this.renewing) {
      this.renewing = this.refresh().finally(() => {
        this.renewing = null;
      });
    }
    return this.renewing;
  }

  private refresh(): Promise<void> {
    const user = this.user;
    const session = this.session;
    if (!user || !session) {
      return Promise.reject(new SessionEnded());
    }
    return new Promise((resolve, reject) =>
      user.refreshSession(session.getRefreshToken(), (error: unknown, renewed: CognitoUserSession | null) => {
        if (this.user !== user) {
          reject(new SessionEnded()); // signed out meanwhile
        } else if (!error && renewed) {
          this.keep(renewed);
          resolve();
        } else if (authError(error).code === "NetworkError" && this.expiresAt() - Date.now() > RETRY_MS + 5_000) {
          this.schedule(RETRY_MS);
          reject(authError(error));
        } else {
          this.end();
          reject(new SessionEnded());
        }
      }),
    );
  }

  /** A valid access token for an API call: renewed first when it expires within a minute. */
  async accessToken(): Promise<string> {
    if (!this.session) {
      throw new SessionEnded();
    }
    if (this.expiresAt() - Date.now() < 60_000) {
      await this.renew();
    }
    if (!this.session) {
      throw new SessionEnded();
    }
    return this.session.getAccessToken().getJwtToken();
  }

  /** The session cannot go on (renewal failed, or the API refused the token): back to sign-in with a message. */
  end(): void {
    const wasSignedIn = this.user !== null;
    this.stop();
    if (wasSignedIn) {
      this.onEnded();
    }
  }

  /** Sign out: forget the tokens (and, where the token allows it, revoke the refresh token at Cognito). */
  signOut(): void {
    const user = this.user;
    this.stop();
    user?.signOut();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.user = null;
    this.session = null;
  }
}

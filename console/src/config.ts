// Where the API and the Cognito user pool are: read at start-up from /config.json, served next to the app (by
// `make run` locally; written beside the app in AWS), so one build serves every stage.

export interface Config {
  /** The API's base URL, without a trailing slash. */
  api: string;
  cognito: {
    /** Cognito's endpoint when it is not AWS's (the local moto server); null in AWS. */
    endpoint: string | null;
    region: string;
    user_pool_id: string;
    client_id: string;
  };
}

export class ConfigError extends Error {}

function isString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

export function parseConfig(raw: unknown): Config {
  const value = raw as Partial<Config> | null;
  const cognito = value?.cognito as Partial<Config["cognito"]> | undefined;
  if (
    !value ||
    !isString(value.api) ||
    !cognito ||
    !isString(cognito.region) ||
    !isString(cognito.user_pool_id) ||
    !isString(cognito.client_id) ||
    !(cognito.endpoint === null || cognito.endpoint === undefined || isString(cognito.endpoint))
  ) {
    throw new ConfigError("config.json lacks api or cognito.{region, user_pool_id, client_id}");
  }
  return {
    api: value.api.replace(/\/+$/, ""),
    cognito: {
      endpoint: cognito.endpoint ?? null,
      region: cognito.region,
      user_pool_id: cognito.user_pool_id,
      client_id: cognito.client_id,
    },
  };
}

export async function loadConfig(): Promise<Config> {
  const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
  if (!response.ok) {
    throw new ConfigError(`config.json: HTTP ${response.status}`);
  }
  return parseConfig(await response.json());
}

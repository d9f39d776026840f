import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Everything chainloom reads from the environment, read in one place. */
export interface Config {
  dataDir: string;
  dbPath: string;
  synchronous: 'normal' | 'full';
  actor: string;
  timeZone: string;
  logLevel: string;
  http: { allowPrivate: boolean; allowHosts: string[] };
  shellEnabled: boolean;
  llm: { apiKey: string | undefined; baseURL: string | undefined; model: string; timeoutMs: number };
  retentionDays: number;
  /** SQLite driver: auto (better-sqlite3, else node:sqlite), better-sqlite3 or node:sqlite. */
  sqliteDriver: string | undefined;
  /** Run and scheduler lease length; shorter means faster takeover after a crash (tests use ~2 s). */
  leaseMs: number | undefined;
  /** `serve`: the MCP server and the out-of-band notification channels. */
  serve: {
    httpPort: number;
    /** Bearer token for --http; generated and printed when unset. */
    httpToken: string | undefined;
    /** Browser origins allowed besides loopback ones. */
    allowOrigins: string[];
    /** Push fired notifications into Claude Code sessions (experimental channel). */
    claudeChannel: boolean;
    desktopNotify: boolean;
    webhookUrl: string | undefined;
    webhookToken: string | undefined;
    /** PATH, to find notify-send / osascript / powershell. */
    searchPath: string | undefined;
  };
}

/** The per-user data directory of this platform. */
export function defaultDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env['CHAINLOOM_DATA_DIR']) return env['CHAINLOOM_DATA_DIR'];
  const home = env['HOME'] ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'chainloom');
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'chainloom');
  return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'chainloom');
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = defaultDataDir(env);
  return {
    dataDir,
    dbPath: env['CHAINLOOM_DB'] ?? join(dataDir, 'chainloom.db'),
    synchronous: env['CHAINLOOM_SYNC'] === 'full' ? 'full' : 'normal',
    actor: env['CHAINLOOM_ACTOR'] ?? osUser(),
    // Empty values count as unset: an MCPB host passes "" for settings the user left blank.
    timeZone: env['CHAINLOOM_TZ'] || env['TZ'] || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    logLevel: env['CHAINLOOM_LOG_LEVEL'] ?? 'error',
    http: {
      allowPrivate: truthy(env['CHAINLOOM_HTTP_ALLOW_PRIVATE']),
      allowHosts: (env['CHAINLOOM_HTTP_ALLOW_HOSTS'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== ''),
    },
    shellEnabled: truthy(env['CHAINLOOM_SHELL']),
    llm: {
      apiKey: env['OPENAI_API_KEY'] || undefined,
      baseURL: env['OPENAI_BASE_URL'] || undefined,
      model: env['CHAINLOOM_MODEL'] || env['OPENAI_MODEL'] || 'gpt-4o-mini',
      timeoutMs: Number(env['CHAINLOOM_LLM_TIMEOUT_MS'] ?? 60_000),
    },
    retentionDays: Number(env['CHAINLOOM_RETENTION_DAYS'] ?? 90),
    sqliteDriver: env['CHAINLOOM_SQLITE_DRIVER'],
    leaseMs: env['CHAINLOOM_LEASE_MS'] === undefined ? undefined : Math.max(500, Number(env['CHAINLOOM_LEASE_MS'])),
    serve: {
      httpPort: Number(env['CHAINLOOM_HTTP_PORT'] || 7411),
      httpToken: env['CHAINLOOM_HTTP_TOKEN'] || undefined,
      allowOrigins: (env['CHAINLOOM_HTTP_ALLOW_ORIGINS'] ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
      claudeChannel: truthy(env['CHAINLOOM_CLAUDE_CHANNEL']),
      desktopNotify: env['CHAINLOOM_NOTIFY_DESKTOP'] === undefined || env['CHAINLOOM_NOTIFY_DESKTOP'] === '' || truthy(env['CHAINLOOM_NOTIFY_DESKTOP']),
      webhookUrl: env['CHAINLOOM_WEBHOOK_URL'] || undefined,
      webhookToken: env['CHAINLOOM_WEBHOOK_TOKEN'] || undefined,
      searchPath: env['PATH'] ?? env['Path'],
    },
  };
}

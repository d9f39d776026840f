import pino from 'pino';
import type { Logger } from '../engine/ports.js';

/** pino on stderr: stdout is the MCP wire (serve) or the command's output (CLI). */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { app: 'chainloom' },
      redact: {
        paths: ['apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization', 'authorization', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

import type { Logger } from './ports.js';

/** A logger that drops everything (tests, dry runs). */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppError, ValidationError, errorMessage } from '../domain/errors.js';
import type { Logger } from '../engine/ports.js';
import { notificationsSection } from './text.js';
import { type NotificationView, ProblemViewSchema, problemView } from './views.js';

/** What a tool handler produces before the inbox is appended: readable text plus structured data. */
export interface ToolOutcome {
  text: string;
  structured: Record<string, unknown>;
  isError?: boolean;
}

export const ok = (text: string, structured: Record<string, unknown>): ToolOutcome => ({
  text,
  structured: { ok: true, ...structured },
});

/** An error a handler raises on purpose for bad arguments: always answered with its hint. */
export function badArguments(message: string, hint: string): AppError {
  return new AppError('bad_arguments', message, { hint });
}

// Absolute paths (POSIX home/system roots, Windows drives) never reach a tool result.
const PATH_RE =
  /(?<![\w:/.])(?:[A-Za-z]:\\[^\s"'`]+|\/(?:home|Users|tmp|var|usr|opt|etc|root|private|mnt|srv|work|app|proc|Library|Applications|nix|snap|run)\/[^\s"'`]*)/g;
const STACK_RE = /\n\s+at .*/g;

/** Removes file paths and stack frames from text that is about to leave the process. */
export function scrub(text: string): string {
  return text.replace(STACK_RE, '').replace(PATH_RE, '<path>');
}

/**
 * The one place that turns a thrown value into a tool result. Known errors say what was wrong and
 * what to do next; validation errors list every problem; zod errors are prettified; anything else
 * is logged here and answered with a short generic message (never a stack trace or a path).
 */
export function toolError(
  err: unknown,
  log: Logger,
  where: { tool: string; operation?: string | undefined },
): ToolOutcome {
  const structured = (
    code: string,
    message: string,
    hint?: string,
    problems?: z.infer<typeof ProblemViewSchema>[],
  ): Record<string, unknown> => ({
    ok: false,
    ...(where.operation !== undefined ? { operation: where.operation } : {}),
    message,
    error: { code, message, ...(hint !== undefined ? { hint } : {}) },
    ...(problems !== undefined ? { problems } : {}),
  });
  if (err instanceof ValidationError) {
    const problems = err.problems.map(problemView);
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warning');
    const head = scrub(err.message.split('\n')[0] ?? err.message);
    const lines = [
      `Error: ${head}`,
      ...errors.slice(0, 50).map((p) => `- ${p.path}: ${scrub(p.message)}`),
      ...(errors.length > 50 ? [`- … and ${errors.length - 50} more`] : []),
      ...(warnings.length > 0
        ? ['Warnings:', ...warnings.slice(0, 20).map((p) => `- ${p.path}: ${scrub(p.message)}`)]
        : []),
      `Fix: ${err.hint ?? 'correct the listed fields and call again; nothing was saved.'}`,
    ];
    return {
      text: lines.join('\n'),
      structured: structured(err.code, head, err.hint, problems),
      isError: true,
    };
  }
  if (err instanceof AppError) {
    const message = scrub(err.message);
    const hint = err.hint === undefined ? undefined : scrub(err.hint);
    return {
      text: `Error: ${message}${hint !== undefined ? `\nFix: ${hint}` : ''}`,
      structured: structured(err.code, message, hint),
      isError: true,
    };
  }
  if (err instanceof z.ZodError) {
    const pretty = scrub(z.prettifyError(err));
    return {
      text: `Error: the arguments are not valid:\n${pretty}\nFix: correct them and call again; nothing was changed.`,
      structured: structured('bad_arguments', 'the arguments are not valid', 'Correct them and call again.'),
      isError: true,
    };
  }
  log.error(
    {
      tool: where.tool,
      operation: where.operation,
      err: errorMessage(err),
      stack: err instanceof Error ? err.stack : undefined,
    },
    'tool call failed unexpectedly',
  );
  const message =
    'chainloom hit an unexpected internal error while handling this request (details are in the server log).';
  return {
    text: `Error: ${message}\nFix: try again; check history to see whether anything was started. If it keeps happening, report it with the server log.`,
    structured: structured(
      'internal_error',
      message,
      'Try again; if it keeps happening, report it with the server log.',
    ),
    isError: true,
  };
}

/** The MCP result: the outcome's text and data, with undelivered notifications appended to both. */
export function toCallToolResult(outcome: ToolOutcome, notifications: NotificationView[]): CallToolResult {
  const structured = notifications.length > 0 ? { ...outcome.structured, notifications } : outcome.structured;
  return {
    content: [{ type: 'text', text: `${outcome.text}${notificationsSection(notifications)}` }],
    structuredContent: structured,
    ...(outcome.isError === true ? { isError: true } : {}),
  };
}

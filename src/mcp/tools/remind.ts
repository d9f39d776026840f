import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { URI } from '../context.js';
import { ok } from '../result.js';
import type { ToolSpec } from '../tool-spec.js';
import {
  ProblemViewSchema,
  ChainViewSchema,
  ErrorViewSchema,
  NotificationViewSchema,
  ScheduleViewSchema,
  chainView,
  scheduleView,
} from '../views.js';
import { requireScheduling } from './args.js';

const RemindInput = {
  text: z
    .string()
    .trim()
    .min(
      1,
      'text is empty: pass what to remind about and when, e.g. "remind me every Monday at 8 to send the report"',
    )
    .max(500)
    .describe(
      'What to be reminded of and when, in the user\'s own words: "in 20 minutes to call Anna", "every weekday at 7:30 to stretch". Pass the words through; do not compute dates yourself.',
    ),
  timezone: z
    .string()
    .max(64)
    .optional()
    .describe("IANA zone of the user, e.g. Europe/Berlin, when known (default: the server's zone)."),
};
type RemindArgs = z.infer<z.ZodObject<typeof RemindInput>>;

const UnderstoodSchema = z.object({
  kind: z.enum(['once', 'recurring']),
  description: z.string(),
  timezone: z.string(),
  next: z.array(z.string()),
  assumptions: z.array(z.string()),
  task: z.string(),
});

const RemindOutput = {
  ok: z.boolean(),
  status: z.enum(['scheduled', 'needs_clarification']).optional(),
  message: z.string().optional(),
  question: z.string().optional(),
  understood: UnderstoodSchema.optional(),
  chain: ChainViewSchema.optional(),
  schedule: ScheduleViewSchema.optional(),
  error: ErrorViewSchema.optional(),
  operation: z.string().optional(),
  problems: z.array(ProblemViewSchema).optional(),
  notifications: z.array(NotificationViewSchema).optional(),
};

export const remindTool: ToolSpec<typeof RemindInput, RemindArgs> = {
  name: 'remind',
  title: 'Set a reminder',
  description:
    'Creates a reminder from natural language ("tomorrow at 9 to call the dentist", "every Monday at 8 to send the report", "in 3 hours to check the oven"). ' +
    'Answers with what was understood, the next times it fires and any assumptions: repeat those to the user in words. ' +
    'If the time is ambiguous it returns status "needs_clarification" with a question: ask the user instead of guessing. ' +
    'A fired reminder shows up in later tool results and in the inbox tool.',
  inputSchema: RemindInput,
  outputSchema: RemindOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(ctx, args) {
    const scheduling = requireScheduling(ctx.deps.scheduling);
    const res = await scheduling.remind(args.text, { timezone: args.timezone ?? ctx.deps.options.timeZone });
    if (!res.ok) {
      if (res.code === 'needs_clarification') {
        const question = res.question ?? res.message;
        return ok(
          `Not set yet: the time is ambiguous. Ask the user: ${question}\nThen call remind again with the clarified words.`,
          {
            status: 'needs_clarification',
            message: res.message,
            question,
          },
        );
      }
      throw new AppError(res.code, res.message, {
        hint:
          res.question ??
          'Rephrase with a clear time, e.g. "tomorrow at 9am", "in 20 minutes" or "every Monday at 8:00"; nothing was saved.',
      });
    }
    const u = res.understood;
    ctx.changed(URI.chain(res.chain.id));
    const text = [
      `Reminder set${u.task !== '' ? `: "${u.task}"` : ''} — ${u.description}.`,
      u.next.length > 0
        ? `${u.kind === 'once' ? 'It fires at' : 'Next times'}: ${u.next.slice(0, 5).join(', ')} (${u.timezone}).`
        : 'It has no future times.',
      ...(u.assumptions.length > 0 ? [`Assumptions: ${u.assumptions.join('; ')}.`] : []),
      `Schedule id ${res.schedule.id} (cancel it with chain_tool operation 'cancel' and schedule_id).`,
      'Confirm to the user in words what you understood, when it fires next, and the assumptions.',
    ].join('\n');
    return ok(text, {
      status: 'scheduled',
      message: `${u.task !== '' ? `${u.task}: ` : ''}${u.description}`,
      understood: {
        kind: u.kind,
        description: u.description,
        timezone: u.timezone,
        next: u.next,
        assumptions: u.assumptions,
        task: u.task,
      },
      chain: chainView(res.chain),
      schedule: scheduleView(res.schedule),
    });
  },
};

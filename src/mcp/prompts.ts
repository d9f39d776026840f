import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * Conversation starters, as data: the server registers them and manifest.json lists the same
 * names and texts (a test keeps the two equal). `${arguments.x}` is filled from the prompt's
 * arguments, or from the argument's default when the user gives none.
 */
export interface PromptSpec {
  name: string;
  title: string;
  description: string;
  arguments: { name: string; description: string; default: string }[];
  text: string;
}

export const PROMPTS: PromptSpec[] = [
  {
    name: 'daily_briefing_chain',
    title: 'Daily briefing chain',
    description: 'Set up a chain that prepares a short briefing every morning and sends it to you.',
    arguments: [
      { name: 'time', description: 'When, e.g. "7:30" or "weekdays at 7"', default: 'every day at 7:30' },
      {
        name: 'topics',
        description: 'What the briefing covers, e.g. "weather in Berlin, top tech news"',
        default: 'the weather where I live and the main news headlines',
      },
    ],
    text:
      'Help me set up a daily briefing with chainloom. Schedule: ${arguments.time}. Topics: ${arguments.topics}. ' +
      "Draft a chain for chain_tool operation 'create': one step per topic that fetches data (http.request to a public API, or an orchestrated LLM step), " +
      "a step that summarises everything in a few lines, and a final notify.send step. Check it with operation 'validate', dry-run it with 'test', " +
      "save it, then attach the schedule with operation 'schedule'. Confirm the schedule back to me in words with the next run times and any assumptions.",
  },
  {
    name: 'weekly_report',
    title: 'Weekly report',
    description: 'Set up a chain that compiles a weekly report and reminds you to send it.',
    arguments: [
      { name: 'topic', description: 'What the report is about', default: 'what I worked on this week' },
      { name: 'when', description: 'When, e.g. "every Friday at 16:00"', default: 'every Friday at 16:00' },
    ],
    text:
      'Create a weekly report chain with chainloom about: ${arguments.topic}. It should run ${arguments.when}. ' +
      "Use chain_tool operation 'create' with steps that gather the material, an orchestrated LLM step that drafts the report, and a notify.send step " +
      "that puts the draft in my inbox. Validate and dry-run it ('validate', 'test'), save it, attach the schedule with operation 'schedule', " +
      'and tell me in words when it will run next.',
  },
  {
    name: 'review_failed_runs',
    title: 'Review failed runs',
    description: 'Look at recent failed runs, explain why they failed and propose fixes.',
    arguments: [{ name: 'since', description: 'How far back, e.g. "24h", "7d"', default: '7d' }],
    text:
      "Review my failed chainloom runs from the last ${arguments.since}. Call chain_tool with operation 'history', status 'failed' and since '${arguments.since}'. " +
      "For each chain involved, call 'stats' and 'history' with the latest failed run_id to see its steps and errors. " +
      'Explain the likely cause of each failure in plain words and propose a fix (retry_config, error_policy, corrected parameters or inputs). ' +
      "Ask me before changing anything; apply agreed fixes with operation 'update'.",
  },
  {
    name: 'check_inbox',
    title: 'Check reminders and results',
    description: 'Show reminders that fired and runs that finished since you last looked.',
    arguments: [],
    text: 'Check my chainloom inbox with the inbox tool and tell me, briefly, which reminders fired and which runs finished or failed since we last talked.',
  },
];

/** Fills `${arguments.x}` placeholders. */
export function renderPrompt(p: PromptSpec, args: Record<string, string | undefined>): string {
  return p.text.replace(/\$\{arguments\.([a-z_]+)\}/g, (_, name: string) => {
    const given = args[name]?.trim();
    return given !== undefined && given !== ''
      ? given
      : (p.arguments.find((a) => a.name === name)?.default ?? '');
  });
}

export function registerPrompts(server: McpServer): void {
  for (const p of PROMPTS) {
    const shape = Object.fromEntries(
      p.arguments.map((a) => [
        a.name,
        z.string().max(500).optional().describe(`${a.description} (default: ${a.default})`),
      ]),
    );
    server.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: shape },
      (args: Record<string, string | undefined>) => ({
        description: p.description,
        messages: [{ role: 'user', content: { type: 'text', text: renderPrompt(p, args) } }],
      }),
    );
  }
}

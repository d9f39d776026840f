import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NonRetriableError } from '../domain/errors.js';

/**
 * A prompt template read from `prompts/<name>.md`. The file starts with a header between `---`
 * lines (`key: value`; `purpose`, `version` and `variables` are required), then the body, in
 * which `{{variable}}` marks what `renderPrompt` fills in.
 */
export interface Prompt {
  name: string;
  /** The header's version, bumped whenever the wording changes meaningfully. */
  version: string;
  /** `<name>@<version>`: what run records store as the prompt version. */
  id: string;
  purpose: string;
  /** Every variable the body may use, as declared in the header. */
  variables: readonly string[];
  body: string;
  /** First 12 hex digits of the body's SHA-256: shows an edit made without a version bump. */
  hash: string;
}

export type PromptVars = Record<string, string | number | boolean>;

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Reads and checks `<dir>/<name>.md` at run time. The composition root passes `dir`, resolved
 * relative to the installed package, so the prompts ship as plain files that can be read and edited.
 */
export async function loadPrompt(name: string, dir: string): Promise<Prompt> {
  if (!NAME.test(name)) {
    throw new NonRetriableError('invalid_prompt', `"${name}" is not a prompt name`, {
      hint: 'Prompt names use lower-case letters, digits and "-", e.g. "orchestrated-step".',
    });
  }
  let text: string;
  try {
    text = await readFile(join(dir, `${name}.md`), 'utf8');
  } catch (err) {
    throw new NonRetriableError('prompt_not_found', `prompt "${name}" could not be read`, {
      hint: 'The prompts/ folder ships with chainloom; reinstall the package if it is missing.',
      cause: err,
    });
  }
  return parsePrompt(name, text);
}

/** Parses the text of a prompt file; exported for prompts built in memory. */
export function parsePrompt(name: string, text: string): Prompt {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (match === null) throw invalid(name, 'it does not start with a header between "---" lines');
  const header = new Map<string, string>();
  for (const line of (match[1] ?? '').split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid(name, `header line "${line}" is not "key: value"`);
    header.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const version = header.get('version');
  const purpose = header.get('purpose');
  if (!version) throw invalid(name, 'the header has no "version"');
  if (!purpose) throw invalid(name, 'the header has no "purpose"');
  const declared = header.get('name');
  if (declared !== undefined && declared !== name) throw invalid(name, `the header names it "${declared}"`);
  const variables = (header.get('variables') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const body = (match[2] ?? '').trim() + '\n';
  const undeclared = [...new Set(placeholders(body))].filter((v) => !variables.includes(v));
  if (undeclared.length > 0)
    throw invalid(name, `the body uses undeclared variables: ${undeclared.join(', ')}`);
  return {
    name,
    version,
    id: `${name}@${version}`,
    purpose,
    variables,
    body,
    hash: createHash('sha256').update(body).digest('hex').slice(0, 12),
  };
}

/**
 * Fills `{{var}}` placeholders in one pass, so values that themselves contain `{{...}}` are not
 * expanded again. A placeholder without a value, or a value the prompt does not declare, is an error.
 */
export function renderPrompt(prompt: Prompt, vars: PromptVars): string {
  const unknown = Object.keys(vars).filter((k) => !prompt.variables.includes(k));
  if (unknown.length > 0) {
    throw new NonRetriableError(
      'invalid_prompt_vars',
      `prompt "${prompt.id}" has no variables named ${unknown.join(', ')}`,
      {
        hint: `Its variables are: ${prompt.variables.join(', ') || '(none)'}.`,
      },
    );
  }
  const missing = [...new Set(placeholders(prompt.body))].filter((v) => !(v in vars));
  if (missing.length > 0) {
    throw new NonRetriableError(
      'invalid_prompt_vars',
      `prompt "${prompt.id}" needs values for ${missing.join(', ')}`,
    );
  }
  return prompt.body.replace(PLACEHOLDER, (_whole, v: string) => String(vars[v]));
}

function placeholders(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

function invalid(name: string, why: string): NonRetriableError {
  return new NonRetriableError('invalid_prompt', `prompt "${name}" is malformed: ${why}`);
}

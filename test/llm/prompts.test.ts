import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPrompt, parsePrompt, renderPrompt } from '../../src/llm/prompts.js';

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts', import.meta.url));

describe('the shipped prompts', () => {
  it.each([
    ['orchestrated-step', ['chain_name', 'step_name', 'now', 'timezone']],
    ['schedule-extract', ['text', 'now', 'timezone']],
    ['chain-draft', ['request', 'tools', 'now', 'timezone']],
    ['reminder-metadata', ['text']],
  ])('%s loads, declares its variables and renders with them', async (name, variables) => {
    const prompt = await loadPrompt(name, PROMPTS_DIR);
    expect(prompt.name).toBe(name);
    expect(prompt.version).toMatch(/^\d+$/);
    expect(prompt.id).toBe(`${name}@${prompt.version}`);
    expect(prompt.purpose.length).toBeGreaterThan(10);
    expect(prompt.hash).toMatch(/^[0-9a-f]{12}$/);
    expect([...prompt.variables].sort()).toEqual([...variables].sort());
    const vars = Object.fromEntries(variables.map((v) => [v, `<${v}-value>`]));
    const text = renderPrompt(prompt, vars);
    for (const v of variables) expect(text).toContain(`<${v}-value>`);
    expect(text).not.toMatch(/\{\{/);
    expect(text).not.toContain('---\nname:');
  });
});

const SAMPLE = `---
name: greet
version: 3
purpose: Says hello to someone.
variables: who, mood
---
Hello {{who}}, you seem {{ mood }}. Bye {{who}}.
`;

describe('parsePrompt / renderPrompt', () => {
  it('reads the header and fills every placeholder', () => {
    const p = parsePrompt('greet', SAMPLE);
    expect(p).toMatchObject({
      name: 'greet',
      version: '3',
      id: 'greet@3',
      purpose: 'Says hello to someone.',
      variables: ['who', 'mood'],
    });
    expect(renderPrompt(p, { who: 'Ada', mood: 'happy' })).toBe('Hello Ada, you seem happy. Bye Ada.\n');
  });

  it('substitutes in one pass: values are never expanded again', () => {
    const p = parsePrompt('greet', SAMPLE);
    expect(renderPrompt(p, { who: '{{mood}}', mood: 'calm' })).toBe(
      'Hello {{mood}}, you seem calm. Bye {{mood}}.\n',
    );
  });

  it('rejects a variable the prompt does not declare', () => {
    const p = parsePrompt('greet', SAMPLE);
    expect(() => renderPrompt(p, { who: 'Ada', mood: 'ok', colour: 'red' })).toThrow(
      expect.objectContaining({ code: 'invalid_prompt_vars', message: expect.stringContaining('colour') }),
    );
  });

  it('rejects a missing value', () => {
    const p = parsePrompt('greet', SAMPLE);
    expect(() => renderPrompt(p, { who: 'Ada' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('mood') }),
    );
  });

  it('rejects a body that uses an undeclared variable', () => {
    expect(() => parsePrompt('greet', SAMPLE.replace('variables: who, mood', 'variables: who'))).toThrow(
      expect.objectContaining({ code: 'invalid_prompt', message: expect.stringContaining('mood') }),
    );
  });

  it.each([
    ['no header', 'Hello {{who}}'],
    ['no version', '---\npurpose: x\n---\nbody'],
    ['no purpose', '---\nversion: 1\n---\nbody'],
    ['a bad header line', '---\nversion: 1\npurpose: x\njunk\n---\nbody'],
    ['another name', '---\nname: other\nversion: 1\npurpose: x\n---\nbody'],
  ])('rejects a file with %s', (_why, text) => {
    expect(() => parsePrompt('greet', text)).toThrow(expect.objectContaining({ code: 'invalid_prompt' }));
  });
});

describe('loadPrompt', () => {
  it('reads from the directory it is given, at call time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chainloom-prompts-'));
    await writeFile(join(dir, 'greet.md'), SAMPLE);
    expect((await loadPrompt('greet', dir)).version).toBe('3');
    await writeFile(join(dir, 'greet.md'), SAMPLE.replace('version: 3', 'version: 4'));
    expect((await loadPrompt('greet', dir)).version).toBe('4');
  });

  it('reports a missing prompt', async () => {
    await expect(loadPrompt('does-not-exist', PROMPTS_DIR)).rejects.toMatchObject({
      code: 'prompt_not_found',
    });
  });

  it.each(['../package', 'a/b', 'Orchestrated', ''])('refuses the name %j', async (name) => {
    await expect(loadPrompt(name, PROMPTS_DIR)).rejects.toMatchObject({ code: 'invalid_prompt' });
  });
});

import type { ChainDefinition } from './chain.js';

/** What is stored about chains, runs and steps; shared by the engine, the MCP layer and the CLI. */

export type ChainStatus = 'active' | 'paused' | 'archived';

export interface ChainRecord {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  status: ChainStatus;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string | null;
}

export interface ChainVersionRecord {
  chainId: string;
  version: number;
  definition: ChainDefinition;
  contentHash: string;
  createdAt: string;
  createdBy: string;
  note: string | null;
}

export type RunTrigger = 'manual' | 'schedule' | 'event' | 'test' | 'subchain';
export type RunStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
export type RunControl = 'pause' | 'cancel' | null;

export interface RunError {
  message: string;
  code: string;
  stepKey?: string | undefined;
  hint?: string | undefined;
}

export interface RunRecord {
  id: string;
  chainId: string;
  chainName: string;
  version: number;
  trigger: RunTrigger;
  scheduleId: string | null;
  /** The scheduled instant this run is for (ISO), when fired by a schedule. */
  slot: string | null;
  parentRunId: string | null;
  parentStepKey: string | null;
  status: RunStatus;
  control: RunControl;
  inputs: Record<string, unknown>;
  output: unknown;
  error: RunError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export type StepStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'blocked' | 'cancelled';

export interface StepRecord {
  runId: string;
  stepKey: string;
  /** 0 is the step's outcome; loop passes and for-each items are 1, 2, ... */
  iteration: number;
  seq: number;
  tool: string | null;
  status: StepStatus;
  attempt: number;
  inputs: unknown;
  output: unknown;
  error: RunError | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Why it was skipped, which branch was taken, an LLM transcript, ... */
  detail: Record<string, unknown> | null;
}

export interface StepAttemptRecord {
  runId: string;
  stepKey: string;
  iteration: number;
  attempt: number;
  startedAt: string;
  finishedAt: string;
  error: RunError;
}

export interface RunDetail extends RunRecord {
  steps: StepRecord[];
  attempts: StepAttemptRecord[];
}

export type { ChainDefinition };

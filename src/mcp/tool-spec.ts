import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { ZodRawShape } from 'zod';
import type { CallContext } from './context.js';
import type { ToolOutcome } from './result.js';

/** A tool as data: what `tools/list` shows, and the handler `tools/call` runs. */
export interface ToolSpec<S extends ZodRawShape, A> {
  name: string;
  title: string;
  description: string;
  inputSchema: S;
  outputSchema: ZodRawShape;
  annotations: ToolAnnotations;
  /** For error messages and logs: which operation of a multi-operation tool was asked for. */
  operationOf?: (args: A) => string | undefined;
  handle(ctx: CallContext, args: A): ToolOutcome | Promise<ToolOutcome>;
}

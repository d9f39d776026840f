import { z } from 'zod';
import { NonRetriableError } from '../../domain/errors.js';
import type { ToolDefinition, ToolOperation } from '../ports.js';

/** A resolved `tool` + `operation` pair, addressed as "tool.operation". */
export interface ResolvedOperation {
  tool: ToolDefinition;
  operationName: string;
  operation: ToolOperation;
  /** "http.request" */
  qualifiedName: string;
}

/**
 * The tools a chain step may call. Built-ins are registered by the composition root; other code
 * (tests, plugins, the MCP layer) can add more with `register`.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();

  register(tool: ToolDefinition): this {
    if (this.tools.has(tool.name)) {
      throw new NonRetriableError('duplicate_tool', `a tool named "${tool.name}" is already registered`);
    }
    this.tools.set(tool.name, tool);
    return this;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  list(): ToolDefinition[] {
    return [...this.tools.values()];
  }

  /** Every operation as "tool.operation". */
  qualifiedNames(): string[] {
    return this.list().flatMap((t) => Object.keys(t.operations).map((op) => `${t.name}.${op}`));
  }

  /**
   * Finds an operation from a step's `tool` and optional `operation`. Accepts "http" + "request"
   * and "http.request" alone. Returns undefined when nothing matches.
   */
  find(toolRef: string, operationRef?: string): ResolvedOperation | undefined {
    let toolName = toolRef;
    let opName = operationRef;
    if (!this.tools.has(toolName) && opName === undefined) {
      const dot = toolRef.lastIndexOf('.');
      if (dot > 0) {
        toolName = toolRef.slice(0, dot);
        opName = toolRef.slice(dot + 1);
      }
    }
    const tool = this.tools.get(toolName);
    if (tool === undefined) return undefined;
    const name = opName ?? tool.defaultOperation ?? (Object.keys(tool.operations).length === 1 ? Object.keys(tool.operations)[0] : undefined);
    if (name === undefined) return undefined;
    const operation = tool.operations[name];
    if (operation === undefined) return undefined;
    return { tool, operationName: name, operation, qualifiedName: `${tool.name}.${name}` };
  }

  /** Like `find`, but throws a clear error naming what exists. */
  resolve(toolRef: string, operationRef?: string): ResolvedOperation {
    const found = this.find(toolRef, operationRef);
    if (found !== undefined) return found;
    const tool = this.tools.get(toolRef);
    if (tool !== undefined) {
      throw new NonRetriableError(
        'unknown_operation',
        `tool "${toolRef}" has no operation "${operationRef ?? '(none given)'}"`,
        { hint: `Operations of ${toolRef}: ${Object.keys(tool.operations).join(', ')}.` },
      );
    }
    throw new NonRetriableError('unknown_tool', `unknown tool "${toolRef}"`, {
      hint: `Registered tools: ${this.qualifiedNames().join(', ')}.`,
    });
  }

  /** JSON Schema of an operation's parameters, for LLM tool specs and documentation. */
  parametersSchema(op: ResolvedOperation): Record<string, unknown> {
    if (op.operation.parameters === undefined) return { type: 'object', additionalProperties: true };
    const schema = z.toJSONSchema(op.operation.parameters, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete schema['$schema'];
    return schema;
  }
}

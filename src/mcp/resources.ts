import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  McpError,
  type ReadResourceResult,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError, errorMessage } from '../domain/errors.js';
import { type McpDeps, URI } from './context.js';
import { scrub } from './result.js';
import { chainView, notificationView, runView, scheduleView, stepView } from './views.js';
import { chainFlowchart } from './visualize.js';

/** JSON-RPC code the spec uses for an unknown resource. */
const RESOURCE_NOT_FOUND = -32002;

const json = (uri: URL, value: unknown): ReadResourceResult => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

/** Reads through a use case; known errors become "not found"/"invalid" answers without internals. */
function guarded(deps: McpDeps, uri: URL, read: () => unknown): ReadResourceResult {
  try {
    return json(uri, read());
  } catch (err) {
    if (err instanceof AppError)
      throw new McpError(err.code === 'not_found' ? RESOURCE_NOT_FOUND : -32602, scrub(err.message));
    deps.log.error({ uri: uri.href, err: errorMessage(err) }, 'resource read failed');
    throw new McpError(-32603, 'chainloom could not read this resource (details are in the server log)');
  }
}

const one = (v: string | string[] | undefined): string =>
  decodeURIComponent(Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/**
 * chainloom://inbox, chainloom://chains/{id}, chainloom://runs/{id}, with subscribe support.
 * Returns the set of subscribed URIs; `resources/updated` is sent only for those.
 */
export function registerResources(server: McpServer, deps: McpDeps): Set<string> {
  const { services } = deps;
  const subscriptions = new Set<string>();

  server.registerResource(
    'inbox',
    URI.inbox,
    {
      title: 'Inbox',
      description:
        'Unread notifications: fired reminders, finished and failed runs. Updated when something arrives.',
      mimeType: 'application/json',
    },
    (uri) =>
      guarded(deps, uri, () => {
        const unread = services.inbox.list(true, 100).map(notificationView);
        return { unread_count: unread.length, unread };
      }),
  );

  server.registerResource(
    'chain',
    new ResourceTemplate('chainloom://chains/{id}', {
      list: () => ({
        resources: services.listChains({ limit: 100 }).map((c) => ({
          uri: URI.chain(c.id),
          name: c.name,
          title: c.name,
          mimeType: 'application/json',
          description: c.description ?? undefined,
        })),
      }),
      complete: { id: (value) => services.listChains({ text: value, limit: 20 }).map((c) => c.id) },
    }),
    {
      title: 'Chain',
      description: 'A chain: its record, current definition and schedules.',
      mimeType: 'application/json',
    },
    (uri, vars) =>
      guarded(deps, uri, () => {
        const got = services.getChain(one(vars['id']));
        const schedules =
          deps.scheduling?.list({ chain: got.chain.id, includeDisabled: true }).map(scheduleView) ?? [];
        return { chain: chainView(got.chain), definition: got.definition, schedules };
      }),
  );

  server.registerResource(
    'run',
    new ResourceTemplate('chainloom://runs/{id}', {
      list: () => ({
        resources: services.history({ limit: 20 }).map((r) => ({
          uri: URI.run(r.id),
          name: `${r.chainName} ${r.status} ${r.createdAt}`,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Run',
      description: "A run with each step's status, output and error, and a Mermaid flowchart.",
      mimeType: 'application/json',
    },
    (uri, vars) =>
      guarded(deps, uri, () => {
        const d = services.getRun(one(vars['id']));
        let mermaid: string | undefined;
        try {
          const def = deps.definitionAt?.(d.chainId, d.version) ?? services.getChain(d.chainId).definition;
          const statuses = new Map(
            d.steps
              .filter((s) => s.iteration === 0)
              .map((s) => [s.stepKey, { status: s.status, durationMs: s.durationMs }]),
          );
          mermaid = chainFlowchart(def, statuses, d.status);
        } catch {
          mermaid = undefined; // the chain may have been deleted; the run record still stands
        }
        return {
          run: runView(d, { withData: true }),
          steps: d.steps.map(stepView),
          ...(mermaid !== undefined ? { mermaid } : {}),
        };
      }),
  );

  server.server.setRequestHandler(SubscribeRequestSchema, (req) => {
    subscriptions.add(req.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
    subscriptions.delete(req.params.uri);
    return {};
  });
  return subscriptions;
}

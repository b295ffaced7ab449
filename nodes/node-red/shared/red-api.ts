import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The slice of Node-RED's runtime API these nodes use, typed here because Node-RED ships no types of its own
 * and the pack must not depend on Node-RED (it is the host, not a library).
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  payload?: unknown;
  [key: string]: unknown;
}

export type SendFn = (msg: NodeMessage | null | Array<NodeMessage | null>) => void;
export type DoneFn = (err?: Error) => void;

export interface RuntimeNode {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', listener: (() => void) | ((done: () => void) => void) | ((removed: boolean, done: () => void) => void)): void;
  send(msg: NodeMessage | null): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(msg: unknown, originalMsg?: NodeMessage): void;
}

/** The properties every node definition carries in the flow JSON. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export type HttpHandler = (req: IncomingMessage & { body?: unknown; _body?: boolean }, res: ServerResponse) => void;

/** A route layer as express 4 (Node-RED 4/5) and express 5 keep them: enough to find and remove ours. */
export interface RouteLayer {
  route?: { path?: string; stack?: Array<{ handle?: unknown }> };
}

/** `RED.httpNode`: the express app serving flow endpoints (mounted at `httpNodeRoot`). */
export interface HttpNodeApp {
  post(path: string, ...handlers: HttpHandler[]): unknown;
  _router?: { stack: RouteLayer[] };
  router?: { stack: RouteLayer[] };
}

/** An express middleware: Node-RED's permission checks are these. */
export type Middleware = (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: (err?: unknown) => void) => void;

/** `RED.httpAdmin`: the editor's own express app (JSON bodies parsed), which a dialog asks the runtime through. */
export interface HttpAdminApp {
  post(path: string, ...handlers: Array<HttpHandler | Middleware>): unknown;
}

export interface CredentialsDefinition {
  [field: string]: { type: 'text' | 'password' };
}

export interface NodeRedApi {
  nodes: {
    createNode(node: RuntimeNode, def: NodeDef): void;
    registerType<T extends RuntimeNode>(
      type: string,
      constructor: (this: T, def: NodeDef) => void,
      options?: { credentials?: CredentialsDefinition },
    ): void;
    getNode(id: string): RuntimeNode | null;
  };
  httpNode: HttpNodeApp;
  httpAdmin: HttpAdminApp;
  /** `RED.auth.needsPermission("<type>.read")`: with adminAuth set, the route asks for that permission. */
  auth: { needsPermission(permission: string): Middleware };
  /** Node-RED's settings; `httpNodeRoot` is where flow endpoints are mounted ("/" unless changed, false if off). */
  settings: { httpNodeRoot?: string | false };
  /**
   * A text from this node set's message catalog (locales/<language>/<set>.json), in the runtime's language:
   * "<type>.status.x", with each `__name__` in it filled from `vars`.
   */
  _(key: string, vars?: Record<string, string | number>): string;
}

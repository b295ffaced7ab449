import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readStream } from './raw-body';
import type { HttpNodeApp, NodeRedApi, RouteLayer } from './red-api';
import { reply } from './reply';

type Middleware = (req: IncomingMessage & { body?: unknown; _body?: boolean }, res: ServerResponse, next: (err?: unknown) => void) => void;

interface Capture {
  /** Full request paths (httpNodeRoot included, lower case) → how many triggers claim each. */
  paths: Map<string, number>;
}

interface MountedApp extends HttpNodeApp {
  parent?: MountedApp;
  use(fn: Middleware): unknown;
}

// Symbol.for: one capture per server even if two copies of this package are loaded.
const CAPTURE = Symbol.for('terminal-crm.node-red.raw-capture');

function rootOf(app: MountedApp): MountedApp {
  return app.parent ? rootOf(app.parent) : app;
}

function stackOf(app: MountedApp): RouteLayer[] | undefined {
  return (app as { _router?: { stack: RouteLayer[] } })._router?.stack;
}

export function fullPath(RED: NodeRedApi, path: string): string {
  const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot : '/';
  return `${root.replace(/\/+$/, '')}${path}`.toLowerCase();
}

/**
 * Node-RED serves its editor API and flow endpoints from one server, and the editor API's JSON parser sits in front
 * of every request when both live at "/" (the default). A trigger needs the bytes Stripe signed, so for the paths
 * of deployed triggers the body is read here, at the very front of the server, before anything parses it; the
 * JSON parsers then skip the request because its body is already read. Node-RED's own http-in node does the same
 * for its raw-body option. Returns the function that releases the claim (a path no trigger claims is left alone).
 */
export function claimRawBody(RED: NodeRedApi, path: string): () => void {
  const root = rootOf(RED.httpNode as MountedApp) as MountedApp & { [CAPTURE]?: Capture };
  let capture = root[CAPTURE];
  if (!capture) {
    const paths = new Map<string, number>();
    capture = { paths };
    root[CAPTURE] = capture;
    const middleware: Middleware = (req, res, next) => {
      if (req.method !== 'POST' || req._body || paths.size === 0) return next();
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '').toLowerCase();
      if (!paths.has(pathname)) return next();
      readStream(req).then(
        (body) => {
          req.body = body;
          req._body = true;
          next();
        },
        (err: unknown) => {
          if (err instanceof BodyTooLargeError) return reply(res, 413, `rejected: ${err.message}`, { connection: 'close' });
          next(err);
        },
      );
    };
    root.use(middleware);
    const stack = stackOf(root);
    const at = stack?.findIndex((layer) => (layer as { handle?: unknown }).handle === middleware) ?? -1;
    if (stack && at > 0) stack.unshift(...stack.splice(at, 1));
  }
  const key = fullPath(RED, path);
  capture.paths.set(key, (capture.paths.get(key) ?? 0) + 1);
  let released = false;
  const paths = capture.paths;
  return () => {
    if (released) return;
    released = true;
    const n = (paths.get(key) ?? 1) - 1;
    if (n > 0) paths.set(key, n);
    else paths.delete(key);
  };
}

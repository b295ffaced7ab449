import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { resolve } from 'node:path';
import type { NodeDef, NodeMessage, NodeRedApi, NodeStatus, RouteLayer } from '../../../nodes/node-red/shared/red-api';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type Layer = RouteLayer & { handle?: Handler };

/**
 * Just enough of an express app to host the nodes outside Node-RED: middleware and POST routes in one stack,
 * mounted apps with `parent`, as express 4 keeps them. The e2e test runs the same code in a real Node-RED.
 */
export class FakeApp {
  readonly _router: { stack: Layer[] } = { stack: [] };
  parent?: FakeApp;

  /** A mounted app sees request paths without its mount path, as in express. */
  use(handle: Handler | FakeApp, mountPath = ''): void {
    if (handle instanceof FakeApp) {
      handle.parent = this;
      const prefix = mountPath.replace(/\/+$/, '');
      this._router.stack.push({
        handle: (req, res, next) => {
          const url = req.url ?? '/';
          if (prefix && !url.startsWith(`${prefix}/`)) return next();
          req.url = url.slice(prefix.length);
          handle.dispatch(req, res, (err) => {
            req.url = url;
            next(err);
          });
        },
      });
    } else {
      this._router.stack.push({ handle });
    }
  }

  post(path: string, ...handlers: Handler[]): void {
    this._router.stack.push({ route: { path, stack: handlers.map((handle) => ({ handle })) } });
  }

  dispatch(req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void): void {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const layers = [...this._router.stack];
    const next = (err?: unknown): void => {
      if (err) return done(err);
      const layer = layers.shift();
      if (!layer) return done();
      if (!layer.route) return layer.handle!(req, res, next);
      if (req.method !== 'POST' || layer.route.path !== pathname) return next();
      // A route's handlers in turn (a permission check, then the handler), each passing on with next().
      const handlers = (layer.route.stack ?? []).map((h) => h.handle as Handler);
      const step = (err?: unknown): void => {
        if (err) return done(err);
        const handler = handlers.shift();
        return handler ? handler(req, res, step) : next();
      };
      step();
    };
    next();
  }
}

export class FakeNode {
  id = '';
  type = '';
  credentials: Record<string, string | undefined> = {};
  readonly sent: NodeMessage[] = [];
  readonly statuses: NodeStatus[] = [];
  readonly warnings: unknown[] = [];
  readonly errors: unknown[] = [];
  readonly closers: Array<() => void> = [];
  input?: (msg: NodeMessage, send: (m: NodeMessage) => void, done: (err?: Error) => void) => void;

  on(event: string, listener: (...args: never[]) => void): void {
    if (event === 'input') this.input = listener as FakeNode['input'];
    if (event === 'close') this.closers.push(listener as () => void);
  }
  send(msg: NodeMessage): void {
    this.sent.push(msg);
  }
  status(s: NodeStatus): void {
    this.statuses.push(s);
  }
  log(): void {}
  warn(msg: unknown): void {
    this.warnings.push(msg);
  }
  error(msg: unknown): void {
    this.errors.push(msg);
  }
  close(): void {
    for (const c of this.closers) c();
  }
  lastStatus(): string | undefined {
    return this.statuses.at(-1)?.text;
  }
  /** Feeds one message in, as Node-RED would; resolves with what was sent on and the error given to done(). */
  receive(payload: unknown, other: NodeMessage = {}): Promise<{ sent?: NodeMessage; error?: Error }> {
    return new Promise((resolve) => {
      let sent: NodeMessage | undefined;
      this.input!({ ...other, payload }, (m) => (sent = m), (error) => resolve({ sent, error }));
    });
  }
}

const LOCALES = resolve(__dirname, '../../../../nodes/node-red/locales/en-US');

/**
 * `RED._` as Node-RED answers it in en-US: the key's first part names the node set (one type per set here), whose
 * locales/en-US/<set>.json holds the text; `__name__` is filled from `vars`. A missing key answers the key, as i18next does.
 */
function catalogText(key: string, vars: Record<string, string | number> = {}): string {
  let text: unknown = JSON.parse(readFileSync(resolve(LOCALES, `${key.split('.')[0]}.json`), 'utf8'));
  for (const part of key.split('.')) text = (text as Record<string, unknown> | undefined)?.[part];
  return typeof text === 'string' ? text.replace(/__(\w+?)__/g, (_m, name: string) => String(vars[name] ?? '')) : key;
}

/** A RED object with Node-RED's default layout: the editor API (with its JSON parser) and flow endpoints both at "/". */
export function fakeRed(httpNodeRoot = '/') {
  const server = new FakeApp();
  const editorApi = new FakeApp();
  const httpNode = new FakeApp();
  editorApi.use((req, _res, next) => {
    if (req.method !== 'POST' || (req as { _body?: boolean })._body) return next();
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      Object.assign(req, { _body: true, body: text ? JSON.parse(text) : {} });
      next();
    });
  });
  server.use(editorApi);
  server.use(httpNode, httpNodeRoot);
  const types = new Map<string, (this: FakeNode, def: NodeDef) => void>();
  const nodes = new Map<string, FakeNode>();
  const credentials = new Map<string, Record<string, string>>();
  /** Each admin route's permission, as RED.auth.needsPermission was asked for it (no adminAuth: it lets all through). */
  const permissions: string[] = [];
  const RED = {
    nodes: {
      createNode(node: FakeNode, def: NodeDef) {
        node.id = def.id;
        node.type = def.type;
        node.credentials = { ...credentials.get(def.id) };
        nodes.set(def.id, node);
      },
      registerType(type: string, ctor: (this: FakeNode, def: NodeDef) => void) {
        types.set(type, ctor);
      },
      getNode: (id: string) => nodes.get(id) ?? null,
    },
    httpNode,
    httpAdmin: editorApi,
    auth: {
      needsPermission(permission: string) {
        permissions.push(permission);
        return (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next();
      },
    },
    settings: { httpNodeRoot },
    _: catalogText,
  };
  return {
    RED: RED as unknown as NodeRedApi,
    server,
    permissions,
    /** Creates a node of a registered type, as a deploy does. */
    create(type: string, def: Record<string, unknown> & { id: string }, creds?: Record<string, string>): FakeNode {
      if (creds) credentials.set(def.id, creds);
      const node = new FakeNode();
      types.get(type)!.call(node, { type, ...def });
      return node;
    },
  };
}

/**
 * In the describe that calls it: a loopback HTTP server in front of the stand-in's apps, as Node-RED's own server is
 * (`current()` is read per request, since a test may make a new RED for each test), started before the first test
 * and closed after the last. `base()` is its URL once started.
 */
export function serveFakeRed(current: () => FakeApp): { base(): string } {
  const server = createServer((req, res) =>
    current().dispatch(req, res, (err) => {
      res.statusCode = err ? 500 : 404;
      res.end();
    }),
  );
  let url = '';
  before(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));
  return { base: () => url };
}

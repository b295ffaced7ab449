import { InputError } from '../../core/errors';
import type { HttpHandler, HttpNodeApp, RouteLayer } from './red-api';

/**
 * The characters a trigger's Path may have: letters, digits and . _ ~ / -, which Express matches as they are. A ':',
 * '*', '(', '?' or '+' makes a pattern that catches other URLs too (/hooks/:id takes every /hooks/…), and a space or
 * '%' a path no processor's URL reaches. The Node-RED dialog marks the same (resources/editor-core.js).
 */
export const TRIGGER_PATH = /^\/?[A-Za-z0-9._~/-]+$/;

/** A trigger's Path as the node reads it: trimmed, empty /terminal-crm/<source>, one with other characters refused. */
export function triggerPath(given: unknown, source: string): string {
  const typed = typeof given === 'string' ? given.trim() : '';
  if (typed && !TRIGGER_PATH.test(typed)) {
    throw new InputError('Path', `"${typed}" has characters a webhook path here cannot have`, 'use letters, digits and . _ ~ / - only, such as /terminal-crm/stripe');
  }
  return normalizeRoutePath(typed || `/terminal-crm/${source}`);
}

/** Leading slash added, trailing slashes removed: "stripe/" and "/stripe" are the same endpoint. */
export function normalizeRoutePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function routeStack(app: HttpNodeApp): RouteLayer[] {
  // Express 4 (Node-RED 4 and 5) creates `_router` with the first route and throws on `app.router`;
  // express 5 keeps the router at `app.router`.
  if (app._router) return app._router.stack;
  try {
    return app.router?.stack ?? [];
  } catch {
    return [];
  }
}

/**
 * Adds a POST route and returns the function that takes it out again. Express has no "remove route", so the
 * layer holding this exact handler is cut from the router's stack; without that every redeploy would leave the
 * old handler in front of the new one.
 */
export function addPostRoute(app: HttpNodeApp, path: string, handler: HttpHandler): () => void {
  app.post(path, handler);
  return () => {
    const stack = routeStack(app);
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i]!.route?.stack?.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
  };
}

/** How many routes (any method) the app has at `path`: two triggers on one path would shadow each other. */
export function countRoutes(app: HttpNodeApp, path: string): number {
  return routeStack(app).filter((layer) => layer.route?.path === path).length;
}

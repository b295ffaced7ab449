import type { HttpHandler, HttpNodeApp, RouteLayer } from './red-api';

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

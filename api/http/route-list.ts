import type { Router } from 'express';

export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: unknown; methods?: Record<string, boolean> };
  handle?: unknown;
}

const isRouter = (handle: unknown): handle is { stack: Layer[] } =>
  typeof handle === 'function' && 'stack' in handle && Array.isArray(handle.stack);

/**
 * The routes an express router answers, walking mounted routers (all mounted
 * at the root here), so a test can hold the OpenAPI document to them.
 */
export function listRoutes(router: Router): RouteInfo[] {
  const found: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const [method, on] of Object.entries(layer.route.methods ?? {})) {
          if (on && method !== '_all') found.push({ method, path: layer.route.path });
        }
      } else if (isRouter(layer.handle)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack);
  return found;
}

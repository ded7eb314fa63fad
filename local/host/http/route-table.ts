/**
 * The HTTP-triggered functions as routes: `{routePrefix}/{route ?? function name}`, methods (all when none are
 * given) and authLevel (Azure's default is `function`), ordered by route precedence.
 */
import type { FunctionBinding, RegisteredFunction } from '../contracts';
import { resolveSettingReferences } from '../config';
import { compareRouteEntries, compileRouteTemplate, type CompiledRoute } from './route-template';

export interface HttpRoute {
  fn: RegisteredFunction;
  trigger: FunctionBinding;
  template: string;
  compiled: CompiledRoute;
  methods: string[] | undefined;
  authLevel: string;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

export function buildRouteTable(functions: RegisteredFunction[], routePrefix: string, env: NodeJS.ProcessEnv): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    if (fn.triggerType.toLowerCase() !== 'httptrigger') continue;
    const trigger = fn.bindings[fn.triggerBindingName] as FunctionBinding;
    const rawRoute = typeof trigger.route === 'string' && trigger.route !== '' ? trigger.route : fn.name;
    const route = resolveSettingReferences(rawRoute, env, `The route of function '${fn.name}'`).replace(/^\/+/, '');
    const template = routePrefix === '' ? route : `${routePrefix}/${route}`;
    const methods = Array.isArray(trigger.methods) && trigger.methods.length > 0 ? trigger.methods.map((m) => String(m).toUpperCase()) : undefined;
    const authLevel = typeof trigger.authLevel === 'string' ? trigger.authLevel.toLowerCase() : 'function';
    routes.push({ fn, trigger, template, compiled: compileRouteTemplate(template), methods, authLevel });
  }
  return routes.sort((a, b) => compareRouteEntries(a.compiled, b.compiled));
}

/** First route, by precedence, whose template and method both match; Azure answers 404 otherwise. */
export function matchRoute(routes: HttpRoute[], method: string, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.methods !== undefined && !route.methods.includes(method.toUpperCase())) continue;
    const params = route.compiled.match(path);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}

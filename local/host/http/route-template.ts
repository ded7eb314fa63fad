/**
 * ASP.NET-style route templates as Azure Functions HTTP triggers use them: `{name}`, optional `{name?}`,
 * defaults `{name=value}`, catch-all `{*rest}`, and inline constraints `{id:int}`, `{slug:alpha:maxlength(8)}`,
 * `{n:range(1,9)}`, `{x:regex(^a.+$)}`. Literals match case-insensitively, as on Azure.
 */
import { LocalHostError } from '../errors';

interface RouteParameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue: string | undefined;
  constraints: Array<(value: string) => boolean>;
}

export interface CompiledRoute {
  template: string;
  /** Ordering key: lower sorts first (literal segments beat parameters beat catch-alls). */
  precedence: number[];
  match(path: string): Record<string, string> | undefined;
}

const numberPattern = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function constraintFor(spec: string, where: string): (value: string) => boolean {
  const match = /^([a-zA-Z]+)(?:\((.*)\))?$/.exec(spec);
  const name = match?.[1]?.toLowerCase();
  const args = match?.[2] ?? '';
  const numbers = args.split(',').map((arg) => Number(arg.trim()));
  const [a = Number.NaN, b = Number.NaN] = numbers;
  switch (name) {
    case 'int':
      return (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2_147_483_648 && Number(v) <= 2_147_483_647;
    case 'long':
      return (v) => /^-?\d+$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n && BigInt(v) >= -9_223_372_036_854_775_808n;
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'guid':
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return (v) => numberPattern.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength':
      return (v) => v.length >= a;
    case 'maxlength':
      return (v) => v.length <= a;
    case 'length':
      return numbers.length === 2 ? (v) => v.length >= a && v.length <= b : (v) => v.length === a;
    case 'min':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= a;
    case 'max':
      return (v) => /^-?\d+$/.test(v) && Number(v) <= a;
    case 'range':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= a && Number(v) <= b;
    case 'regex': {
      const pattern = new RegExp(args, 'i');
      return (v) => pattern.test(v);
    }
    default:
      throw new LocalHostError(
        'ConfigInvalid',
        `Route ${where} uses the unknown constraint "${spec}". To fix: use int, long, bool, alpha, guid, decimal, double, float, datetime, minlength, maxlength, length, min, max, range or regex.`,
      );
  }
}

function parseParameter(body: string, where: string): RouteParameter {
  let text = body;
  const catchAll = text.startsWith('*');
  if (catchAll) text = text.replace(/^\*+/, '');
  let defaultValue: string | undefined;
  const equals = text.indexOf('=');
  if (equals >= 0) {
    defaultValue = text.slice(equals + 1);
    text = text.slice(0, equals);
  }
  const optional = text.endsWith('?');
  if (optional) text = text.slice(0, -1);
  // Constraints are separated by ':' outside parentheses (regex arguments may contain ':').
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  const [name = '', ...specs] = parts;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new LocalHostError('ConfigInvalid', `Route ${where} has an invalid parameter "{${body}}". To fix: use {name}, {name?} or {name:constraint}.`);
  }
  return { name, optional, catchAll, defaultValue, constraints: specs.map((spec) => constraintFor(spec, where)) };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileRouteTemplate(template: string): CompiledRoute {
  const where = `"${template}"`;
  const segments = template.replace(/^\/+|\/+$/g, '').split('/').filter((segment, index, all) => segment !== '' || all.length === 1);
  const parameters: RouteParameter[] = [];
  const precedence: number[] = [];
  let pattern = '^';
  for (const segment of segments) {
    const pieces = segment.split(/(\{[^{}]*(?:\([^)]*\))?[^{}]*\})/).filter((piece) => piece !== '');
    const params = pieces.filter((piece) => piece.startsWith('{'));
    if (params.length === 0) {
      pattern += `/${escapeRegExp(segment)}`;
      precedence.push(1);
      continue;
    }
    let segmentPattern = '';
    let onlyOptionalParam = false;
    for (const piece of pieces) {
      if (!piece.startsWith('{')) {
        segmentPattern += escapeRegExp(piece);
        continue;
      }
      const parameter = parseParameter(piece.slice(1, -1), where);
      parameters.push(parameter);
      segmentPattern += parameter.catchAll ? '(.*)' : '([^/]+)';
      onlyOptionalParam = pieces.length === 1 && (parameter.optional || parameter.defaultValue !== undefined || parameter.catchAll);
      precedence.push(parameter.catchAll ? 5 : pieces.length > 1 ? 2 : parameter.optional ? 4 : parameter.constraints.length > 0 ? 2.5 : 3);
    }
    pattern += onlyOptionalParam ? `(?:/${segmentPattern})?` : `/${segmentPattern}`;
  }
  const regex = new RegExp(`${pattern === '^' ? '^/?' : pattern}/?$`, 'i');
  return {
    template,
    precedence,
    match(path) {
      const found = regex.exec(path);
      if (found === null) return undefined;
      const values: Record<string, string> = {};
      for (const [index, parameter] of parameters.entries()) {
        const raw = found[index + 1];
        const value = raw === undefined || raw === '' ? parameter.defaultValue : safeDecode(raw, parameter.catchAll);
        if (value === undefined) {
          if (parameter.optional || parameter.catchAll) continue;
          return undefined;
        }
        if (!parameter.constraints.every((accepts) => accepts(value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

function safeDecode(raw: string, keepSlashes: boolean): string {
  try {
    return keepSlashes ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function comparePrecedence(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const left = a[i] ?? 0;
    const right = b[i] ?? 0;
    if (left !== right) return left - right;
  }
  return 0;
}

/** Precedence first, then the template text, so equal-precedence routes keep a stable order. */
export function compareRouteEntries(a: CompiledRoute, b: CompiledRoute): number {
  return comparePrecedence(a.precedence, b.precedence) || a.template.localeCompare(b.template);
}

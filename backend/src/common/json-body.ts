import type { NextFunction, Request, Response } from 'express';
import { type FieldIssue, formatPath, ValidationFailed } from './errors';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Zone files may also come as the body itself, in one of these types. */
export const ZONE_FILE_TYPES = ['text/plain', 'text/dns'];
/** The one route that takes a zone file; also the largest bodies (a zone of a million records). */
export const IMPORT_ROUTE = '/v2/zones/:zone/import';
export const IMPORT_BODY_LIMIT = '256mb';
const IMPORT_PATH = /^\/v2\/zones\/[^/]+\/import\/?$/;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * Request bodies are JSON. A body of another type (a form, plain text) would otherwise be parsed
 * as a form or silently ignored, so it is refused before any parser runs, in the API's 400 shape.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!WITH_BODY.has(req.method) || !hasBody(req) || req.is('application/json')) return next();
  if (IMPORT_PATH.test(req.path) && req.is(ZONE_FILE_TYPES)) return next();
  const reason = IMPORT_PATH.test(req.path)
    ? `must be a zone file (Content-Type: ${ZONE_FILE_TYPES.join(' or ')}) or JSON {"content": "..."}`
    : 'must be JSON, sent with Content-Type: application/json';
  res.status(400).json({ error: `request body ${reason}`, details: [{ field: '(body)', reason }] });
}

/**
 * Names the validation pipe deletes from every object of a body, before the schema sees it, to
 * stop prototype pollution: a field so named vanished and the request succeeded without it.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Enough to say what is wrong; a body could hold millions. */
const MAX_RESERVED_REPORTED = 20;

/** Every field of a parsed JSON body named `__proto__`, `constructor` or `prototype`, at any depth. */
export function reservedKeyIssues(body: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0 && issues.length < MAX_RESERVED_REPORTED) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    // Own keys only: JSON.parse makes `__proto__` an ordinary own property, listed like any other.
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && RESERVED_KEYS.has(key)) {
        issues.push({ field: formatPath([...path, key]), reason: 'is a reserved name and cannot be a field' });
      } else if (typeof child === 'object' && child !== null) stack.push({ value: child, path: [...path, key] });
    }
  }
  return issues.slice(0, MAX_RESERVED_REPORTED);
}

/** Refuses a JSON body or query with a reserved field name (see RESERVED_KEYS) in the API's 400 shape, for every route. */
export function refuseReservedKeys(req: Request, _res: Response, next: NextFunction): void {
  // Query parameters too: the pipe deletes them from the parsed query alike.
  const issues = [...reservedKeyIssues(req.query), ...reservedKeyIssues(req.body)].slice(0, MAX_RESERVED_REPORTED);
  next(issues.length === 0 ? undefined : new ValidationFailed(issues));
}

import { BadRequestException, ForbiddenException, HttpException, HttpStatus } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** One problem with one field of a request: `{"field": "resource_records[0].content[0]", "reason": "..."}`. */
export interface FieldIssue {
  field: string;
  reason: string;
}

type PathSegment = PropertyKey | { key: PropertyKey };

/** `['resource_records', 0, 'content']` → `resource_records[0].content`. */
export function formatPath(path: readonly PathSegment[] | undefined, root = ''): string {
  let out = root;
  for (const seg of path ?? []) {
    const key = typeof seg === 'object' && seg !== null ? seg.key : seg;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** 400 with the JSON error shape of the API and one detail per field. */
export class ValidationFailed extends BadRequestException {
  constructor(details: FieldIssue[]) {
    const first = details[0];
    const summary = first ? `${first.field}: ${first.reason}` : 'invalid request';
    super({ error: details.length > 1 ? `${summary} (and ${details.length - 1} more)` : summary, details });
  }
}

export function issuesToValidationFailed(issues: readonly StandardSchemaV1.Issue[], root = ''): ValidationFailed {
  return new ValidationFailed(issues.flatMap((i) => issueToFields(i, root)));
}

/**
 * One detail per bad field. An unknown property is reported by zod on the object that holds it;
 * the detail names the property itself, so `{"foo": 1}` gives `foo`, not `(body)`.
 */
function issueToFields(issue: StandardSchemaV1.Issue, root: string): FieldIssue[] {
  const { code, keys } = issue as StandardSchemaV1.Issue & { code?: unknown; keys?: unknown };
  if (code === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
    return keys.map((key) => ({ field: formatPath([...(issue.path ?? []), String(key)], root), reason: 'is not a known field' }));
  }
  return [{ field: formatPath(issue.path, root), reason: issue.message }];
}

/** An HTTP error with the API's `{"error": ...}` body. */
export function apiError(status: HttpStatus, error: string, extra: Record<string, unknown> = {}): HttpException {
  return new HttpException({ error, ...extra }, status);
}

export const notFound = (what: string) => apiError(HttpStatus.NOT_FOUND, `${what} not found`);
export const conflict = (error: string) => apiError(HttpStatus.CONFLICT, error);
export const forbidden = (error: string) => new ForbiddenException({ error });

/** 429 in the API's shape; the exception filter sends `Retry-After` (whole seconds, at least 1) with it. */
export class TooManyRequests extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(error: string, retryAfterSeconds: number) {
    super({ error }, HttpStatus.TOO_MANY_REQUESTS);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

import { compileRegexp, type CompiledRegexp } from '@vigil/contract';

export type MatchResult = { matched: boolean } | { error: string };

/**
 * Matches customers' regexps against an HTTP body or a TCP/UDP reply, with RE2 (the engine the
 * API validates them with): its time is linear in the text whatever the pattern, so no pattern
 * can stall the event loop that runs every customer's checks, and a match runs inline.
 */
export class BodyMatcher {
  private readonly compiled = new Map<string, CompiledRegexp | string>();

  /** Tests `pattern` against `text`; an error when RE2 cannot compile it (a check stored before the API used RE2). */
  match(pattern: string, text: string): MatchResult {
    const re = this.compile(pattern);
    if (typeof re === 'string') return { error: `invalid regexp: ${re}` };
    return { matched: re.test(text) };
  }

  private compile(pattern: string): CompiledRegexp | string {
    const cached = this.compiled.get(pattern);
    if (cached !== undefined) return cached;
    const r = compileRegexp(pattern);
    const re = r.ok ? r.regexp : r.error;
    // Patterns change rarely; a crude bound keeps a flood of distinct ones from growing memory.
    if (this.compiled.size >= 5000) this.compiled.clear();
    this.compiled.set(pattern, re);
    return re;
  }
}

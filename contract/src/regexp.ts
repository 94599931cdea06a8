/**
 * The engine for customers' regexps (a check's `regexp`): RE2, which matches in time linear in
 * the input whatever the pattern, so no pattern can stall a probe whose event loop runs every
 * customer's checks. The API validates with this same function, so a pattern it accepts is one
 * the probes can run; RE2 has no back-references or lookaround, and refuses them.
 */
export interface CompiledRegexp {
  test(text: string): boolean;
}

export type RegexpCompilation = { ok: true; regexp: CompiledRegexp } | { ok: false; error: string };

type Re2Constructor = new (pattern: string) => CompiledRegexp;
interface NodeModuleBuiltin {
  createRequire(from: string): (id: string) => unknown;
}

// The panel compiles this file for the browser, without Node's types or a require(), and re2 is a
// native addon a bundle cannot hold: Node's module loader is reached through `process`, and the
// addon is loaded on first use, only where there is a Node.
declare const __filename: string;
const RE2_PACKAGE = 're2';

let re2: Re2Constructor | null | undefined;

function engine(): Re2Constructor | null {
  if (re2 !== undefined) return re2;
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const loader = nodeProcess?.getBuiltinModule?.('node:module') as NodeModuleBuiltin | undefined;
  // In Node a missing or broken re2 throws here: a probe must not fall back to a backtracking engine.
  re2 = loader ? (loader.createRequire(__filename)(RE2_PACKAGE) as Re2Constructor) : null;
  return re2;
}

/** Which engine compileRegexp uses here: RE2 in Node; in a browser (the panel) its own RegExp. */
export const regexpEngineName = (): 'RE2' | 'browser' => (engine() ? 'RE2' : 'browser');

/**
 * Compiles a customer's pattern. In a browser (the panel checking a form before sending it) the
 * browser's RegExp stands in: it catches typing mistakes, and the api answers for the rest.
 */
export function compileRegexp(pattern: string): RegexpCompilation {
  const RE2 = engine();
  try {
    return { ok: true, regexp: RE2 ? new RE2(pattern) : new RegExp(pattern) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// The record set's pickers in the editor: every type the API takes, in order, each with its
// limit and strict flag, and whatever else the API returned on it kept for the save.
import { HEALTH_PICKERS, PICKER_TYPES } from '@vigil/contract';

export interface PickerDraft {
  key: string;
  type: string;
  /** '' = no limit (absent, or 0 when the API returned 0). */
  limit: string;
  strict: boolean;
  /** geodistance's `rtt` (Vigil's own): rank by the RTT the probes of the client's nearest site measure. */
  rtt: boolean;
  /** The picker as the API returned it: fields the editor does not show, and whether strict and limit were there. */
  orig: Record<string, unknown>;
}

/** What a record needs for a picker, so the record editor shows those fields. */
export type RecordNeed = 'geo' | 'default' | 'ip' | 'asn' | 'latlong' | 'weight';

export interface PickerInfo {
  label: string;
  description: string;
  /** Whether `strict` changes anything (answer nothing rather than everything when nothing matches). */
  strict: boolean;
  /** Whether it takes Vigil's own `rtt` option. */
  rtt?: true;
  needs: RecordNeed[];
}

const INFO: Record<string, PickerInfo> = {
  healthcheck: {
    label: 'Healthy only',
    description: 'The health filter here rather than first: addresses failover finds down are left out (never all of them)',
    strict: false,
    needs: [],
  },
  is_healthy: {
    label: 'Healthy only (is_healthy)',
    description: 'The health filter here rather than first, under the name Terraform uses',
    strict: false,
    needs: [],
  },
  geodns: {
    label: 'Geo (country, continent)',
    description: "Records for the client's country, else its continent; else the default records",
    strict: true,
    needs: ['geo', 'default'],
  },
  ip: {
    label: 'By client network',
    description: "Records whose networks hold the client's address; else the default records",
    strict: true,
    needs: ['ip', 'default'],
  },
  asn: {
    label: 'By AS number',
    description: "Records listing the client's autonomous system; else the default records",
    strict: true,
    needs: ['asn', 'default'],
  },
  geodistance: {
    label: 'Nearest first',
    description: "Every record, nearest to the client first by each one's latitude and longitude",
    strict: false,
    rtt: true,
    needs: ['latlong'],
  },
  weighted_shuffle: { label: 'Weighted', description: "Shuffled by each record's weight", strict: false, needs: ['weight'] },
  first_n: { label: 'First N', description: 'Only the first N records of what is left', strict: false, needs: [] },
  default: {
    label: 'Default records',
    description: 'Only the records marked default (all when none is)',
    strict: true,
    needs: ['default'],
  },
};

/** A picker type's label and needs; a type this panel does not know yet is shown by its name and kept as it is. */
export function pickerInfo(type: string): PickerInfo {
  return INFO[type] ?? { label: type, description: 'A picker this panel does not describe yet; saved as it is', strict: true, needs: [] };
}

/** The types the API takes, in the contract's order. */
export const PICKER_OPTIONS: readonly string[] = PICKER_TYPES;

const step = (type: string) => ((HEALTH_PICKERS as readonly string[]).includes(type) ? 'healthcheck' : type);

/** The types that can still be added: each step once (the two health filter names are one step). */
export function addablePickers(pickers: readonly PickerDraft[]): string[] {
  const taken = new Set(pickers.map((p) => step(p.type)));
  return PICKER_OPTIONS.filter((t) => t !== 'is_healthy' && !taken.has(step(t)));
}

/** Whether a record field is needed by one of the pickers. */
export function needs(pickers: readonly PickerDraft[], need: RecordNeed): boolean {
  return pickers.some((p) => pickerInfo(p.type).needs.includes(need));
}

let seq = 0;

export function newPicker(type: string): PickerDraft {
  return { key: `p${++seq}`, type, limit: '', strict: false, rtt: false, orig: {} };
}

/** The API's pickers → drafts. */
export function pickerDrafts(pickers: readonly Record<string, unknown>[]): PickerDraft[] {
  return pickers.map((p) => ({
    ...newPicker(String(p.type)),
    limit: typeof p.limit === 'number' && p.limit > 0 ? String(p.limit) : '',
    strict: p.strict === true,
    rtt: p.rtt === true,
    orig: { ...p },
  }));
}

/** A number field: an integer becomes a number, anything else stays text for validation to name. */
const int = (v: string): number | string => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());

/**
 * Drafts → the API's pickers: each as it came, with the fields the editor shows set from the draft
 * (strict only when on or sent before; a limit of 0 stays 0, no limit stays absent).
 */
export function buildPickerList(pickers: readonly PickerDraft[]): Record<string, unknown>[] {
  return pickers.map((p) => {
    const out: Record<string, unknown> = { ...p.orig, type: p.type };
    if (p.limit.trim() !== '') out.limit = int(p.limit);
    else if (out.limit !== 0) delete out.limit;
    if (p.strict || 'strict' in p.orig) out.strict = p.strict;
    // Sent only when on or sent before, so a Gcore-shaped picker reads back as it was.
    if (pickerInfo(p.type).rtt && (p.rtt || 'rtt' in p.orig)) out.rtt = p.rtt;
    return out;
  });
}

/** The panel's own rule: "first N" without N passes everything, which nobody means. */
export function pickerIssues(pickers: readonly PickerDraft[]): [path: string, reason: string][] {
  return pickers.flatMap((p, i): [string, string][] =>
    p.type === 'first_n' && p.limit.trim() === '' && !('limit' in p.orig)
      ? [[`pickers[${i}].limit`, 'needs N, the number of records to answer with (1–100)']]
      : [],
  );
}

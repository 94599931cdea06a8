import { type Content, svcParamText } from '@vigil/contract';
import type { Rrset } from '../api/types';

/** One record's content in zone-file style: `10 mail.example.com`, `"v=spf1 -all"`, `0 issue "ca.example"`, `1 . alpn=h2`. */
export function contentText(type: string, content: Content): string {
  if (type === 'TXT') return content.map((s) => JSON.stringify(String(s))).join(' ');
  if (type === 'CAA') return `${content[0]} ${content[1]} ${JSON.stringify(String(content[2] ?? ''))}`;
  if (type === 'SVCB' || type === 'HTTPS') return content.map((p) => (Array.isArray(p) ? svcParamText(p) : String(p))).join(' ');
  return content.map(String).join(' ');
}

type Pickers = { type: string; strict?: boolean; limit?: number }[];

export function balancingText(r: Pick<Rrset, 'pickers'>): string {
  const pickers = r.pickers as Pickers;
  if (pickers.length === 0) return 'Round robin';
  return pickers
    .map((p) => {
      if (p.type === 'geodns') return p.strict ? 'Geo (strict)' : 'Geo';
      if (p.type === 'ip') return p.strict ? 'By network (strict)' : 'By network';
      if (p.type === 'asn') return p.strict ? 'By AS number (strict)' : 'By AS number';
      if (p.type === 'geodistance') return p.limit ? `Nearest ${p.limit}` : 'Nearest first';
      if (p.type === 'weighted_shuffle') return 'Weighted';
      if (p.type === 'first_n') return p.limit ? `First ${p.limit}` : 'All';
      if (p.type === 'healthcheck' || p.type === 'is_healthy') return 'Healthy only';
      if (p.type === 'default') return p.strict ? 'Default records (strict)' : 'Default records';
      // A picker type this panel does not describe yet: by its name.
      return p.type;
    })
    .join(' → ');
}

export interface FailoverView {
  protocol: string;
  port?: number;
  frequency: number;
  timeout: number;
  url?: string;
}

export function failoverOf(r: Pick<Rrset, 'meta'>): FailoverView | null {
  const f = (r.meta as { failover?: FailoverView | null }).failover;
  return f ?? null;
}

/** What a check probes: `HTTP :80/health`, `TCP :25`, `ping`. */
export function failoverTarget(f: FailoverView): string {
  return f.protocol === 'ICMP' ? 'ICMP ping' : `${f.protocol} :${f.port ?? ''}${f.url && f.url !== '/' ? f.url : ''}`;
}

// named-checkzone (BIND's own zone loader) as the judge of the zone files Vigil writes.
import { commandProblem, prerequisite } from '@vigil/stack';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasCheckzone = prerequisite('named-checkzone (Debian: bind9-utils)', commandProblem('named-checkzone', ['-v']));

/** named-checkzone's verdict on a zone file: its exit status and what it printed (`args` before the zone, e.g. -D -o -). */
export function checkzone(zone: string, text: string, args: string[] = []): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-checkzone-'));
  try {
    writeFileSync(join(dir, 'zone'), text);
    const r = spawnSync('named-checkzone', [...args, zone, join(dir, 'zone')], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

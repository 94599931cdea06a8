// named-checkzone (BIND's own zone loader) and kzonecheck (Knot's) as the judges of the zone files
// Vigil writes.
import { commandProblem, prerequisite } from '@vigil/stack';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasCheckzone = prerequisite('named-checkzone (Debian: bind9-utils)', commandProblem('named-checkzone', ['-v']));
export const hasKzonecheck = prerequisite('kzonecheck (Debian: knot-dnssecutils)', commandProblem('kzonecheck', ['-V']));

/** named-checkzone's verdict on a zone file: its exit status and what it printed (`args` before the zone, e.g. -D -o -). */
export function checkzone(zone: string, text: string, args: string[] = []): { status: number | null; output: string } {
  return judge(text, (file) => spawnSync('named-checkzone', [...args, zone, file], { encoding: 'utf8' }));
}

/** kzonecheck's verdict on a zone file: its exit status and what it printed. */
export function kzonecheck(zone: string, text: string): { status: number | null; output: string } {
  return judge(text, (file) => spawnSync('kzonecheck', ['-o', zone, file], { encoding: 'utf8' }));
}

function judge(text: string, run: (file: string) => { status: number | null; stdout: string; stderr: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-checkzone-'));
  try {
    writeFileSync(join(dir, 'zone'), text);
    const r = run(join(dir, 'zone'));
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

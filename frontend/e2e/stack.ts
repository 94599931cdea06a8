// Where the browser tests' stack keeps its logs; @vigil/stack starts and stops the processes.
import { join } from 'node:path';
import { FRONTEND, ROOT } from '@vigil/stack';

export { FRONTEND, ROOT };
export const LOG_DIR = join(FRONTEND, 'test-results', 'stack-logs');

// Starting and stopping Vigil's processes, for npm start, the system tests, the Playwright stack,
// the workers' process-level tests and the benchmarks.
export * from './dns-client';
export * from './dns-corpus';
export * from './knot';
export * from './netns';
export * from './postgres';
export * from './prerequisite';
export * from './processes';
export * from './redis';
export * from './sites';
export * from './spawn';
export * from './stack';
export * from './wait';

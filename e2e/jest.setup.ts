// Whole-system tests start real processes; their hooks and tests get minutes, not seconds.
jest.setTimeout(180_000);

// The Redis side of the contract: how keys are prefixed, how changes reach the change feed, and
// how a consumer group is read. Processes and tests use these, never their own copies.
export * from './keys';
export * from './feed';
export * from './zones';
export * from './consumer-group';

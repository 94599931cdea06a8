// Lets `node -r ./ts-hook.js src/dns/main.ts` run the TypeScript sources directly (compiled by
// SWC on require), so process-level tests exercise the current code without a build step.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const contractSrc = path.resolve(__dirname, '../../../../contract/src/index.ts');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  // Same mapping as jest's moduleNameMapper: the contract from source, not its build.
  if (request === '@vigil/contract') return contractSrc;
  return resolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

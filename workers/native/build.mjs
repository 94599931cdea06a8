#!/usr/bin/env node
// Builds the batched UDP addon at `npm install`. Never fails the install: without a compiler,
// headers or Linux, the DNS server uses Node's dgram instead (DNS_UDP_IO=auto).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const skip = (why) => {
  console.warn(`dns-udp addon not built (${why}); the DNS server will use Node's dgram`);
  process.exit(0);
};

if (process.platform !== 'linux') skip('recvmmsg/sendmmsg are Linux only');
if (!existsSync(join(here, 'src', 'dns_udp.c'))) skip('sources absent');
// Headers of the running node, so node-gyp never fetches them: a distribution's node has them
// under /usr/include/node, an official build under <prefix>/include/node.
const nodedir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) skip(`no node headers under ${nodedir}/include/node`);
// npm names its own node-gyp in npm_config_node_gyp for install scripts; run by hand, the one
// bundled with npm beside this node.
const bundled = join(nodedir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : null);
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...args, 'rebuild', `--nodedir=${nodedir}`], { cwd: here, stdio: 'inherit' });
if (r.status !== 0) skip(r.error ? r.error.message : `node-gyp exited with ${r.status}`);

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The panel talks to the api on its own origin: /v2 (and the API docs under /docs) are
// proxied to API_URL, so the session cookie (SameSite=Strict) stays first-party.
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const port = Number(process.env.PANEL_PORT ?? 5173);
const host = process.env.PANEL_HOST ?? '127.0.0.1';
const proxy = {
  '/v2': { target: apiUrl, changeOrigin: false, xfwd: true },
  '/docs': { target: apiUrl, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The contract's dist is CommonJS; the panel compiles its TypeScript source instead.
    alias: { '@vigil/contract': fileURLToPath(new URL('../contract/src/index.ts', import.meta.url)) },
  },
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1500 },
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is a static single-page app: `npm run build:web` writes web/dist, which the platform serves at /
// (with index.html as the fallback for client-side routes). `npm run dev:web` proxies /api to a running server.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: {
      '/api': process.env.CMP_API_URL ?? 'http://127.0.0.1:8080',
      '/openapi.json': process.env.CMP_API_URL ?? 'http://127.0.0.1:8080',
    },
  },
});

import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiPort = process.env.API_PORT ?? '8080';
// The service answers the API (/v1) and sign-in (/auth). changeOrigin stays false: the service
// sees the browser's own Host, so the Origin of a write from this page counts as same-origin,
// and the session cookie is set for the address the browser shows.
const toService = { target: `http://127.0.0.1:${apiPort}`, changeOrigin: false };

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: { '/v1': toService, '/auth': toService },
  },
});

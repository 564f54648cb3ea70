import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiPort = process.env.API_PORT ?? '8080';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: { '/v1': `http://127.0.0.1:${apiPort}` },
  },
});

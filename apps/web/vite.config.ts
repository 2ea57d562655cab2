import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import solid from 'vite-plugin-solid';

const themeColor = '#0f766e';
const apiProxy = { '/api': { target: 'http://127.0.0.1:8080' } };

export default defineConfig({
  plugins: [
    solid(),
    VitePWA({
      strategies: 'generateSW',
      // The app asks before swapping versions (see src/components/update-prompt.tsx).
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        id: '/',
        name: 'Mesa de ayuda',
        short_name: 'Mesa',
        description: 'Mesa de ayuda: abra tickets y siga sus casos.',
        lang: 'es',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: themeColor,
        background_color: '#ffffff',
        icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any maskable' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        navigateFallback: 'index.html',
        // API calls (and any API-served page) must never get the app shell.
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  server: { proxy: apiProxy },
  preview: { proxy: apiProxy },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});

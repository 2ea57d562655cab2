import { defineConfig } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
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
      includeAssets: ['icon.svg', 'robots.txt'],
      // PNG icons (192, 512, maskable, apple-touch) and favicon generated from the SVG at build time;
      // the plugin adds them to the manifest and the page head.
      pwaAssets: {
        image: 'public/icon.svg',
        preset: 'minimal-2023',
        overrideManifestIcons: true,
        injectThemeColor: false,
      },
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
      },
      workbox: {
        // The plugin precaches the manifest itself; globbing it too makes a conflicting entry that aborts the install.
        globPatterns: ['**/*.{js,css,html,svg,png,ico}'],
        navigateFallback: 'index.html',
        // API calls (and any API-served page) must never get the app shell.
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
      },
    }),
    // Brotli and gzip copies beside each file; the API serves whichever the browser accepts.
    compression({
      algorithms: [defineAlgorithm('brotliCompress'), defineAlgorithm('gzip')],
      include: /\.(js|css|html|svg|webmanifest|json|txt|ico)$/,
      threshold: 512,
    }),
  ],
  server: { proxy: apiProxy },
  preview: { proxy: apiProxy },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});

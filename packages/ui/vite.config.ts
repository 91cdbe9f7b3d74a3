// The UI is built into the daemon package (packages/daemon/dist/ui), which serves it at /ui/.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/ui/',
  build: {
    outDir: fileURLToPath(new URL('../daemon/dist/ui', import.meta.url)),
    emptyOutDir: true,
    // No inline data URLs for assets: everything is a file under /ui/assets/ (CSP: 'self').
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
})

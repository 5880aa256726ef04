import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// The gateway serves dist/ (index.html for every route of the app, hashed assets with
// long caching). No inline script: the Content-Security-Policy forbids it.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", assetsInlineLimit: 0, sourcemap: false, target: "es2020" },
  test: { include: ["tests/**/*.test.ts"], environment: "node" },
});

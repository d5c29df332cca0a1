import { defineConfig } from "vite";

// Preact through the automatic JSX runtime (Vite 8 transforms with Oxc; no plugin needed for a build).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // amazon-cognito-identity-js's dependency `buffer` (v4) reads Node's `global`.
  define: { global: "globalThis" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Everything in files of its own, nothing inlined as data: URLs, so a strict Content-Security-Policy holds.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});

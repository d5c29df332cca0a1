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
    // The video SDK is imported only when a nurse joins a Chime room (src/video.tsx): a chunk of its own, named so that
    // bench/console.py and the browser tests can tell it from the main bundle.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.includes("/node_modules/amazon-chime-sdk-js/")
            ? "assets/chime-sdk-[hash].js"
            : "assets/[name]-[hash].js",
      },
    },
  },
});

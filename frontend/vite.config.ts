/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Django server (make run) listens on 8000; `npm run dev` proxies the API and websockets to it.
const backend = process.env.MODELBUILDER_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  // bundlerTimings: the timing report is noise on a busy 2-core machine.
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500, rolldownOptions: { checks: { bundlerTimings: false } } },
  server: {
    proxy: {
      "/api": backend,
      "/accounts": backend,
      "/admin": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

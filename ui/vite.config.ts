import { defineConfig } from "vite";

// The desktop app embeds ui/dist (tauri.conf.json: frontendDist). WebKitGTK 2.50 handles
// ES2020 without transpiling further.
export default defineConfig({
  clearScreen: false,
  build: { outDir: "dist", target: "es2020", emptyOutDir: true },
});

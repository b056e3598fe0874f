import { defineConfig } from "vite";

// The desktop app loads ui/dist; `npm run dev` serves it for `tauri dev`.
export default defineConfig({
  clearScreen: false,
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
});

import { defineConfig, type Plugin } from "vite";

/**
 * The built page carries its stylesheet and script inline: one request instead of three through
 * the app's asset protocol before the first paint. Tauri's build step still guards them: it adds
 * a nonce (styles) and a hash (scripts) for each inline element to the page's CSP.
 */
function inlineAssets(): Plugin {
  return {
    name: "wpconnect-inline-assets",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const page = bundle["index.html"];
      if (!page || page.type !== "asset") return;
      let html = String(page.source);
      for (const [name, item] of Object.entries(bundle)) {
        const ref = `/${name}`;
        if (item.type === "asset" && name.endsWith(".css") && html.includes(ref)) {
          html = html.replace(new RegExp(`<link[^>]*href="${ref}"[^>]*>`), () => `<style>\n${String(item.source)}</style>`);
          delete bundle[name];
        } else if (item.type === "chunk" && item.isEntry && html.includes(ref)) {
          // Inline module code must not close its own element.
          const code = item.code.replace(/<\/script/gi, "<\\/script");
          html = html.replace(new RegExp(`<script[^>]*src="${ref}"[^>]*></script>`), () => `<script type="module">\n${code}</script>`);
          delete bundle[name];
        }
      }
      page.source = html;
    },
  };
}

// The desktop app loads ui/dist; `npm run dev` serves it for `tauri dev`.
export default defineConfig({
  clearScreen: false,
  plugins: [inlineAssets()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, modulePreload: false },
});

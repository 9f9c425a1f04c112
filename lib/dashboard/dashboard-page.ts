import { UI_ASSETS } from './ui-assets.generated.js';

/** A static answer: body and headers. @internal */
export interface StaticReply {
  status: number;
  contentType: string;
  body: string;
  /** `Cache-Control`. */
  cache: string;
}

/** `&`, `<`, `>`, `"` and `'` escaped for an HTML attribute. */
function attr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page's HTML, the same for every page URL: the page reads its mount path and read-only flag from its meta
 * tags and routes itself. Asset URLs carry a content hash, so they can be cached for good.
 * @param base - the mount path as the browser sees it (`/jobs`, or `` at the root)
 * @param readOnly - hide every action
 * @internal
 */
export function renderPage(base: string, readOnly: boolean): StaticReply {
  const b = attr(base);
  const v = assetVersion();
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="jobcraft-base" content="${b}"><meta name="jobcraft-read-only" content="${readOnly}"><meta name="color-scheme" content="light dark">
<title>jobcraft</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${b}/assets/app.css?v=${v}"></head>
<body><div id="app"></div><script type="module" src="${b}/assets/app.js?v=${v}"></script></body></html>
`;
  return { status: 200, contentType: 'text/html; charset=utf-8', body, cache: 'no-store' };
}

/**
 * One bundled asset, or a 404.
 * @param file - `app.js` or `app.css`
 * @internal
 */
export function assetReply(file: string): StaticReply {
  const asset = Object.hasOwn(UI_ASSETS, file) ? UI_ASSETS[file] : undefined;
  if (!asset) return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found', cache: 'no-store' };
  return { status: 200, contentType: asset.contentType, body: asset.body, cache: 'public, max-age=31536000, immutable' };
}

let version: string | undefined;

/** A short hash of the bundled assets: changes whenever they do. */
function assetVersion(): string {
  if (version === undefined) {
    let h = 0x811c9dc5; // FNV-1a, enough to bust a cache
    for (const file of Object.keys(UI_ASSETS).sort()) {
      const text = UI_ASSETS[file]!.body;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
    version = (h >>> 0).toString(36);
  }
  return version;
}

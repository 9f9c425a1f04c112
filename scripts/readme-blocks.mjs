// Finds the TypeScript code blocks of a Markdown text, for scripts/check-package.mjs, which type-checks each one
// against the packed package. A block is fenced with ```ts or ```typescript; one that is deliberately partial
// (it uses names it does not declare) says so in its info string: ```ts partial. Partial blocks are listed, not
// compiled. Every other block must compile on its own, as a module, in a NestJS 12 ESM app.

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

/**
 * @param {string} markdown
 * @returns {{ blocks: { line: number, code: string }[], partial: number[] }} `line`: the README line (1-based)
 *   of the block's first code line; `partial`: the fence lines of blocks marked partial
 */
export function extractReadmeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  const partial = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, , fence, lang, info] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    if (lang === 'ts' || lang === 'typescript') {
      if (info.split(/\s+/).includes('partial')) partial.push(i + 1);
      else blocks.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return { blocks, partial };
}

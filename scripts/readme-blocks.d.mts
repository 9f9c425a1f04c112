/** A TypeScript block of a Markdown text: its first code line (1-based) and its code. */
export interface ReadmeBlock {
  line: number;
  code: string;
}

/** The TypeScript blocks to compile, and the fence lines of the blocks marked `ts partial`. */
export function extractReadmeBlocks(markdown: string): { blocks: ReadmeBlock[]; partial: number[] };

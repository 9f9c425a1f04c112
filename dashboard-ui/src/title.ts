import { useEffect } from 'preact/hooks';

/**
 * Sets the page's `<title>`, most specific part first: `useTitle(['dead', 'food'])` → "dead · food · jobcraft".
 * @param parts - the parts, most specific first; null leaves the title to a child (e.g. the Not found page)
 */
export function useTitle(parts: readonly string[] | null): void {
  const title = parts && [...parts, 'jobcraft'].join(' · ');
  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);
}

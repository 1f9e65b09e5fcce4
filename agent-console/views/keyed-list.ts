// Live lists redrawn in place: one node per item, kept while the item is unchanged, so that an
// aria-live region announces what changed (a new attempt, an outcome), not the whole list again,
// and keyboard focus is not lost on nodes that did not change.

import { getLang } from '../i18n.js';

/**
 * Puts one node per item in `parent`, in order, reusing the node of the same key: `draw(item,
 * existing)` returns the node to keep (the existing one, updated, or a new one that replaces it).
 * Nodes of items no longer listed are removed.
 */
export function syncKeyed<T>(
  parent: HTMLElement,
  items: readonly T[],
  keyOf: (item: T) => string | number,
  draw: (item: T, existing: HTMLElement | null) => HTMLElement,
): void {
  const children = () => [...parent.children] as HTMLElement[];
  for (const stray of children().filter((n) => !n.dataset.key)) stray.remove();
  const previous = new Map(children().map((node) => [node.dataset.key!, node]));
  // Gone items out first: removed after, they would make every node after them move, and a
  // moved node is announced again.
  const listed = new Set(items.map((item) => String(keyOf(item))));
  for (const [key, node] of previous)
    if (!listed.has(key)) {
      node.remove();
      previous.delete(key);
    }
  items.forEach((item, index) => {
    const key = String(keyOf(item));
    const existing = previous.get(key) ?? null;
    previous.delete(key);
    const node = draw(item, existing);
    node.dataset.key = key;
    if (existing && existing !== node) existing.remove();
    const at = parent.children[index] ?? null;
    if (at !== node) parent.insertBefore(node, at);
  });
  for (const gone of previous.values()) gone.remove();
}

/** `existing` when it shows the same `content` in the same language, else a node from `build()`. */
export function unlessSame(
  existing: HTMLElement | null,
  content: unknown,
  build: () => HTMLElement,
): HTMLElement {
  const signature = `${getLang()}|${JSON.stringify(content)}`;
  if (existing?.dataset.signature === signature) return existing;
  const node = build();
  node.dataset.signature = signature;
  return node;
}

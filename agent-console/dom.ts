// A tiny element builder. Text always goes in as text nodes, never as HTML, so whatever the
// server or a caller sends (SMS bodies, names) cannot inject markup.

type AttributeValue = string | number | boolean | null | undefined;
export type Attributes = Record<
  string,
  AttributeValue | EventListener | DOMStringMap | Record<string, string>
>;
export type Child = Node | string | number | null | undefined | false | Child[];

/**
 * h('button', { type: 'button', class: 'x', onclick: fn }, 'label', child)
 * Attributes starting with "on" become listeners; false/null/undefined attributes are skipped.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset' && typeof value === 'object') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of (children as unknown[]).flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * The element `selector` names, typed by the caller (`$<HTMLInputElement>('#email')`). The pages'
 * markup is ours: a missing element is a bug, said at once rather than as a later "null".
 */
export function $<E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E {
  const found = root.querySelector<E>(selector);
  if (!found) throw new Error(`console: no element matches ${selector}`);
  return found;
}

/** Like $, for an element that may legitimately be absent. */
export const maybe$ = <E extends Element = HTMLElement>(selector: string, root: ParentNode = document) =>
  root.querySelector<E>(selector);

/** Shows an error message in a role="alert" element (or hides it when `error` is null). */
export function showError(
  element: HTMLElement,
  error: { message?: string } | string | null | undefined,
): void {
  element.textContent = error ? (typeof error === 'string' ? error : (error.message ?? String(error))) : '';
  element.hidden = !error;
}

/**
 * Redraws a whole aria-live list without making screen readers read every item again: the
 * region is silenced for the redraw (language change, full reload), then live again.
 */
export function redrawQuietly(list: HTMLElement, children: Node[]): void {
  quietly(list, () => list.replaceChildren(...children));
}

/** Runs `change` on a live region with the region silenced, then makes it live again. */
export function quietly(list: HTMLElement, change: () => void): void {
  // Remember the original politeness once: two redraws in a row must not leave the region "off".
  list.dataset.live ??= list.getAttribute('aria-live') ?? 'polite';
  const politeness = list.dataset.live;
  list.setAttribute('aria-live', 'off');
  change();
  setTimeout(() => list.setAttribute('aria-live', politeness), 100);
}

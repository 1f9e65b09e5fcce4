// A tiny element builder. Text always goes in as text nodes, never as HTML, so whatever the
// server or a caller sends (SMS bodies, names) cannot inject markup.

/**
 * h('button', { type: 'button', class: 'x', onclick: fn }, 'label', child)
 * Attributes starting with "on" become listeners; false/null/undefined attributes are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Shows an error message in a role="alert" element (or hides it when `error` is null). */
export function showError(element, error) {
  element.textContent = error ? (error.message ?? String(error)) : '';
  element.hidden = !error;
}

/**
 * Redraws a whole aria-live list without making screen readers read every item again: the
 * region is silenced for the redraw (language change, full reload), then live again.
 */
export function redrawQuietly(list, children) {
  quietly(list, () => list.replaceChildren(...children));
}

/** Runs `change` on a live region with the region silenced, then makes it live again. */
export function quietly(list, change) {
  // Remember the original politeness once: two redraws in a row must not leave the region "off".
  list.dataset.live ??= list.getAttribute('aria-live') ?? 'polite';
  list.setAttribute('aria-live', 'off');
  change();
  setTimeout(() => list.setAttribute('aria-live', list.dataset.live), 100);
}

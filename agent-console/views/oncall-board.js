// Placeholder until this screen lands: shows nothing but its heading.
import { h } from '../dom.js';
import { t } from '../i18n.js';

let root = null;

export const oncallView = {
  id: 'oncall',
  label: 'nav.oncall',
  start(ctx) {
    root = ctx.root;
    this.render();
  },
  render() {
    root?.replaceChildren(h('h2', { class: 'card' }, t('nav.oncall')));
  },
  stop() {
    root = null;
  },
};

// Placeholder until this screen lands: shows nothing but its heading.
import { h } from '../dom.js';
import { t } from '../i18n.js';

let root = null;

export const supervisorView = {
  id: 'supervisor',
  label: 'nav.supervisor',
  roles: ['SUPERVISOR', 'ADMIN'],
  start(ctx) {
    root = ctx.root;
    this.render();
  },
  render() {
    root?.replaceChildren(h('h2', { class: 'card' }, t('nav.supervisor')));
  },
  stop() {
    root = null;
  },
};

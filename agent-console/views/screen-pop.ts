// The screen pop: a daytime call offered to this agent (call-bar.ts: answer, hang up, wrap-up)
// or a night call whose case is open
// shows at once who the caller may be, with the identification checklist of DOMAIN.md section 2.
// Contact details, contracts and meters stay masked until the agent has ticked every item the
// caller confirmed: the server checks the list and only then sends them (and audits it).

import type { CaseOpened } from '../../src/cases/case-actions.schemas.js';
import type { CaseSummary } from '../../src/cases/cases.schemas.js';
import type {
  CallerRelation,
  ConfirmItem,
  ContactDetailAdded,
  ContactDetailNotices,
  CustomerDetails,
  CutOffFlagReply,
  IdentificationCandidate,
  IdentificationReply,
} from '../../src/identification/identification.schemas.js';
import type { ScreenPop } from '../../src/ivr/ivr.schemas.js';
import { get, post, request } from '../api.js';
import { h } from '../dom.js';
import { addStrings, getLang, t } from '../i18n.js';
import type { DomainEvent } from '../live.js';
import { type CallOnScreen, callBar, endedText, tickTimers } from './call-bar.js';
import type { ViewContext } from './view.js';

addStrings({
  fr: {
    'pop.title.offered': 'Appel entrant',
    'pop.title.case-opened': 'Appel de nuit traité',
    'pop.line': 'ligne {line}',
    'pop.lineKind.daytime': 'service client',
    'pop.lineKind.out-of-hours': 'urgences hors heures ouvrables',
    'pop.withheld': 'numéro masqué',
    'pop.case': 'Ouvrir le dossier n° {number}',
    'pop.dismiss': 'Fermer',
    'pop.loading': 'Recherche du client…',
    'pop.none':
      'Aucun client ne correspond à ce numéro : demandez la référence client ou le numéro de compteur.',
    'pop.several': '{count} clients partagent ce numéro : demandez le code postal ou la référence.',
    'pop.search': 'Référence client, n° de compteur ou code postal',
    'pop.searchButton': 'Chercher',
    'pop.choose': 'C’est ce client',
    'pop.relation': 'L’appelant est',
    'pop.relation.HOLDER': 'le titulaire',
    'pop.relation.THIRD_PARTY': 'un tiers',
    'pop.relation.UNKNOWN': 'à préciser',
    'pop.checklist': 'À faire confirmer par l’appelant',
    'pop.item.lastName': 'Nom : {value}',
    'pop.item.firstName': 'Prénom : {value}',
    'pop.item.servedAddress': 'Adresse desservie : {value}',
    'pop.item.customerReference': 'Référence client ou n° de compteur',
    'pop.item.extraElement': 'Un élément de plus : e-mail ou téléphone',
    'pop.mandatory': 'obligatoire pour continuer',
    'pop.refused':
      'À refuser par téléphone : {requests}. Seule une demande écrite du titulaire ou d’un notaire est recevable.',
    'pop.request.iban-change': 'changement de coordonnées bancaires (IBAN)',
    'pop.request.account-move': 'déménagement ou résiliation',
    'pop.flag.notEligibleForCutOff': 'non coupable',
    'pop.cutOffToggle': 'Non coupable (assistance médicale) : aucune coupure',
    'pop.detailForm': 'Nouvelle coordonnée donnée par le client',
    'pop.detailKind.MOBILE': 'portable',
    'pop.detailKind.PHONE': 'téléphone fixe',
    'pop.detailKind.EMAIL': 'e-mail',
    'pop.detailValue': 'Numéro ou adresse',
    'pop.noticeGiven': 'J’ai lu la mention au client',
    'pop.detailSave': 'Enregistrer la coordonnée',
    'pop.detailSaved': 'Coordonnée enregistrée, mention tracée.',
    'pop.flag.sensitive': 'client sensible',
    'pop.masked': 'Coordonnées, contrats et compteurs masqués jusqu’à la vérification.',
    'pop.verify': 'Identité vérifiée',
    'pop.verified': 'Identité vérifiée : coordonnées affichées.',
    'pop.phones': 'Téléphones',
    'pop.email': 'E-mail',
    'pop.contracts': 'Contrats',
    'pop.supplyPoints': 'Points de desserte',
    'pop.failing': 'en échec',
    'pop.reference': 'Référence {reference}',
    'pop.openCases': 'Dossiers ouverts de ce client',
    'pop.noOpenCase': 'Aucun dossier ouvert.',
    'pop.attach': 'Rattacher cet appel au n° {number}',
    'pop.newCase': 'Nouveau dossier pour cet appel',
    'pop.filed': 'Appel classé : voir le dossier',
    'pop.callSummary': 'Appel sur la ligne {line}',
    'pop.newSubject': 'Demande par téléphone',
  },
  en: {
    'pop.title.offered': 'Incoming call',
    'pop.title.case-opened': 'Night call handled',
    'pop.line': '{line} line',
    'pop.lineKind.daytime': 'customer service',
    'pop.lineKind.out-of-hours': 'out-of-hours emergency',
    'pop.withheld': 'withheld number',
    'pop.case': 'Open case no. {number}',
    'pop.dismiss': 'Close',
    'pop.loading': 'Looking the customer up…',
    'pop.none': 'No customer has this number: ask for the customer reference or the meter serial.',
    'pop.several': '{count} customers share this number: ask for the postcode or the reference.',
    'pop.search': 'Customer reference, meter serial or postcode',
    'pop.searchButton': 'Search',
    'pop.choose': 'This customer',
    'pop.relation': 'The caller is',
    'pop.relation.HOLDER': 'the account holder',
    'pop.relation.THIRD_PARTY': 'a third party',
    'pop.relation.UNKNOWN': 'not known yet',
    'pop.checklist': 'Have the caller confirm',
    'pop.item.lastName': 'Last name: {value}',
    'pop.item.firstName': 'First name: {value}',
    'pop.item.servedAddress': 'Served address: {value}',
    'pop.item.customerReference': 'Customer reference or meter serial',
    'pop.item.extraElement': 'One more element: e-mail or phone number',
    'pop.mandatory': 'required to go on',
    'pop.refused':
      'Refuse on the phone: {requests}. Only a written request from the account holder or a notary is accepted.',
    'pop.request.iban-change': 'change of bank details (IBAN)',
    'pop.request.account-move': 'move or account closure',
    'pop.flag.notEligibleForCutOff': 'not to be cut off',
    'pop.cutOffToggle': 'Not to be cut off (medical assistance)',
    'pop.detailForm': 'New contact detail given by the customer',
    'pop.detailKind.MOBILE': 'mobile',
    'pop.detailKind.PHONE': 'landline',
    'pop.detailKind.EMAIL': 'e-mail',
    'pop.detailValue': 'Number or address',
    'pop.noticeGiven': 'I read the notice to the customer',
    'pop.detailSave': 'Save the detail',
    'pop.detailSaved': 'Detail saved, notice recorded.',
    'pop.flag.sensitive': 'sensitive customer',
    'pop.masked': 'Contact details, contracts and meters are masked until the identity is verified.',
    'pop.verify': 'Identity verified',
    'pop.verified': 'Identity verified: details shown.',
    'pop.phones': 'Phones',
    'pop.email': 'E-mail',
    'pop.contracts': 'Contracts',
    'pop.supplyPoints': 'Supply points',
    'pop.failing': 'failing',
    'pop.reference': 'Reference {reference}',
    'pop.openCases': 'This customer’s open cases',
    'pop.noOpenCase': 'No open case.',
    'pop.attach': 'Attach this call to no. {number}',
    'pop.newCase': 'New case for this call',
    'pop.filed': 'Call filed: see the case',
    'pop.callSummary': 'Call on the {line} line',
    'pop.newSubject': 'Request by phone',
  },
});

/** What the screen pop is given: a screen's context without the live feed. */
export type ScreenPopContext = Omit<ViewContext, 'emit'>;

/** One call on screen. */
interface Pop {
  data: ScreenPop;
  relation: CallerRelation;
  /** Null until the first lookup has answered. */
  candidates: IdentificationCandidate[] | null;
  chosenId: string | null;
  confirmed: Set<ConfirmItem>;
  /** The details unmasked by the verification. */
  details: CustomerDetails | null;
  error?: string | null;
  loading?: boolean;
  /** The verified customer's open cases, and their id. */
  openCases?: CaseSummary[];
  customerId?: string;
  /** A daytime call offered to this agent: ringing, on the call, in wrap-up. */
  call?: CallOnScreen;
  /** The case the call was filed on (the card then shows the call only). */
  filedOn?: string;
  /** The reference, meter serial or postcode the agent searched. */
  searchedReference?: string;
}

const MAX_POPS = 3;
let ctx: ScreenPopContext | null = null;
/** Newest first. */
let pops: Pop[] = [];
let ticking: ReturnType<typeof setInterval> | null = null;

const callsOnScreen = () => pops.flatMap((p) => (p.call ? [p.call] : []));

/** The call's own events: the offer withdrawn or expired, the agent's state moved by the call. */
function onCallEvent(event: DomainEvent): void {
  if (event.type === 'call.offer-ended') {
    const pop = pops.find((p) => p.call?.offerId === event.data.offerId && p.call?.phase === 'ringing');
    if (pop) dropCall(pop, endedText(event.data.reason as Parameters<typeof endedText>[0]));
    return;
  }
  if (event.type === 'call.caller-said') {
    const call = pops.find((p) => p.data.callSid === event.data.callSid)?.call;
    if (call) call.heard = [...(call.heard ?? []), String(event.data.text)];
    render();
    return;
  }
  if (event.type !== 'agent.state' || event.data.userId !== ctx?.user.id) return;
  const active = pops.find((p) => p.call && p.call.phase !== 'done')?.call;
  if (!active) return;
  if (event.data.state === 'WRAP_UP' && active.phase === 'connected') active.phase = 'wrap-up';
  else if (event.data.state === 'AVAILABLE' && active.phase === 'wrap-up') active.phase = 'done';
  else return;
  render();
}

function dropCall(pop: Pop, text: string): void {
  pops = pops.filter((p) => p !== pop);
  ctx?.notify(text);
  render();
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const screenPops = {
  start(context: ScreenPopContext): void {
    ctx = context;
    pops = [];
    ticking = setInterval(() => tickTimers(callsOnScreen()), 1000);
    render();
  },
  onEvent(event: DomainEvent): void {
    if (!ctx) return;
    onCallEvent(event);
    if (event.type !== 'call.screen-pop') return;
    const data = event.data as ScreenPop;
    const offerId = data.offer?.offerId;
    if (pops.some((p) => p.data.callSid === data.callSid && p.data.reason === data.reason)) {
      // The same call offered again (after a decline elsewhere, or a lost answer): ring again.
      const again = pops.find((p) => p.data.callSid === data.callSid && p.call);
      if (again?.call && data.offer && again.call.offerId !== offerId) {
        again.call = {
          offerId: data.offer.offerId,
          expiresAt: data.offer.expiresAt,
          phase: 'ringing',
          ...(data.callback ? { callback: true } : {}),
        };
        render();
      }
      return;
    }
    const pop: Pop = {
      data,
      relation: 'UNKNOWN',
      candidates: null,
      chosenId: null,
      confirmed: new Set(),
      details: null,
      ...(data.offer
        ? {
            call: {
              offerId: data.offer.offerId,
              expiresAt: data.offer.expiresAt,
              phase: data.offer.autoAccept ? 'connected' : 'ringing',
              ...(data.callback ? { callback: true } : {}),
              ...(data.offer.autoAccept ? { answeredAt: Date.parse(data.at) } : {}),
            },
          }
        : {}),
    };
    pops.unshift(pop);
    pops.length = Math.min(pops.length, MAX_POPS);
    announce(data);
    render();
    void lookUp(pop, { customers: data.customerIds });
  },
  render,
  stop(): void {
    ctx = null;
    pops = [];
    if (ticking) clearInterval(ticking);
    ticking = null;
    render();
  },
};

/** Fetches the candidates with their checklist for the caller's relation. */
async function lookUp(pop: Pop, { customers, reference }: { customers?: string[]; reference?: string }) {
  pop.loading = true;
  pop.error = null;
  render();
  const query = new URLSearchParams({ relation: pop.relation });
  if (reference) query.set('reference', reference);
  if (customers?.length) query.set('customers', customers.join(','));
  else if (!reference && pop.data.callerNumber) query.set('phone', pop.data.callerNumber);
  if (pop.data.referenceGiven) query.set('referenceGiven', 'true');
  try {
    if (!query.has('customers') && !query.has('reference') && !query.has('phone')) pop.candidates = [];
    else pop.candidates = (await get<IdentificationReply>(`/api/identification?${query}`)).candidates;
    const [only] = pop.candidates;
    if (pop.candidates.length === 1 && only) pop.chosenId = only.id;
    else if (!pop.candidates.some((c) => c.id === pop.chosenId)) pop.chosenId = null;
  } catch (err) {
    pop.error = messageOf(err);
  } finally {
    pop.loading = false;
    render();
  }
}

async function verify(pop: Pop, candidate: IdentificationCandidate) {
  pop.error = null;
  try {
    pop.openCases = await get<CaseSummary[]>(`/api/cases?customerId=${encodeURIComponent(candidate.id)}`);
    pop.customerId = candidate.id;
    pop.details = await post<CustomerDetails>('/api/identification/verify', {
      customerId: candidate.id,
      relation: pop.relation,
      referenceGiven: Boolean(pop.data.referenceGiven || pop.searchedReference),
      confirmed: [...pop.confirmed],
      callSid: pop.data.callSid,
    });
  } catch (err) {
    pop.error = messageOf(err);
  }
  render();
  document.getElementById(`pop-result-${pop.data.callSid}`)?.focus();
}

function render(): void {
  const root = document.getElementById('screen-pops');
  if (!root) return;
  // Redrawn from state on every change: keep the keyboard where it was.
  const refocus = focusSelector(root, document.activeElement);
  root.hidden = pops.length === 0;
  root.replaceChildren(...pops.map(popCard));
  if (refocus) root.querySelector<HTMLElement>(refocus)?.focus();
}

/** A selector finding the same control again after a redraw, or null. */
function focusSelector(root: HTMLElement, element: Element | null): string | null {
  if (!(element instanceof HTMLElement) || !root.contains(element)) return null;
  const card = element.closest<HTMLElement>('[data-pop-call]');
  if (!card) return null;
  const scope = `[data-pop-call="${CSS.escape(card.dataset.popCall ?? '')}"]`;
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.dataset.item) return `${scope} [data-item="${element.dataset.item}"]`;
  if (element.dataset.verify) return `${scope} [data-verify]`;
  if (element.dataset.chooseCustomer)
    return `${scope} [data-choose-customer="${element.dataset.chooseCustomer}"]`;
  const named =
    element instanceof HTMLInputElement ||
    element instanceof HTMLButtonElement ||
    element instanceof HTMLSelectElement ||
    element instanceof HTMLTextAreaElement;
  if (named && element.name && element.value)
    return `${scope} [name="${element.name}"][value="${element.value}"]`;
  return null;
}

/** Said once by screen readers when a call pops (the cards themselves are redrawn often). */
function announce(data: ScreenPop) {
  const status = document.getElementById('pop-announce');
  if (status)
    status.textContent = `${t(`pop.title.${data.reason}`)} · ${data.callerNumber ?? t('pop.withheld')}`;
}

function popCard(pop: Pop): HTMLElement {
  const data = pop.data;
  const chosen = pop.candidates?.find((c) => c.id === pop.chosenId) ?? null;
  return h(
    'article',
    { class: 'card screen-pop', dataset: { popCall: data.callSid, popReason: data.reason } },
    h(
      'div',
      { class: 'card-head' },
      h(
        'h2',
        {},
        t(`pop.title.${data.reason}`),
        ' · ',
        t('pop.line', { line: lineName(data) }),
        ' · ',
        data.callerNumber ?? t('pop.withheld'),
      ),
      // A call still ringing, on or in its wrap-up keeps its card: its controls are there.
      pop.call && pop.call.phase !== 'done'
        ? null
        : h(
            'button',
            {
              type: 'button',
              onclick: () => {
                pops = pops.filter((p) => p !== pop);
                render();
              },
            },
            t('pop.dismiss'),
          ),
    ),
    data.caseId
      ? h(
          'p',
          {},
          h(
            'a',
            { href: `#/cases/${data.caseId}`, class: 'pop-case' },
            t('pop.case', { number: data.caseNumber ?? '' }),
          ),
        )
      : null,
    pop.call
      ? callBar(pop.call, {
          changed: render,
          gone: (text) => dropCall(pop, text),
          notify: (text) => ctx?.notify(text),
        })
      : null,
    pop.filedOn
      ? h('p', {}, h('a', { href: `#/cases/${pop.filedOn}`, class: 'pop-case' }, t('pop.filed')))
      : [
          pop.error ? h('p', { class: 'error', role: 'alert' }, pop.error) : null,
          relationChoice(pop),
          pop.loading ? h('p', { class: 'muted' }, t('pop.loading')) : candidatesPart(pop, chosen),
          chosen ? checklistPart(pop, chosen) : null,
        ],
  );
}

const RELATIONS: readonly CallerRelation[] = ['HOLDER', 'THIRD_PARTY', 'UNKNOWN'];

function relationChoice(pop: Pop): HTMLElement {
  const name = `relation-${pop.data.callSid}`;
  return h(
    'fieldset',
    { class: 'relation' },
    h('legend', {}, t('pop.relation')),
    RELATIONS.map((relation) =>
      h(
        'label',
        { class: 'inline' },
        h('input', {
          type: 'radio',
          name,
          value: relation,
          checked: pop.relation === relation,
          onchange: () => {
            pop.relation = relation;
            pop.details = null;
            void lookUp(pop, {
              customers: pop.candidates?.map((c) => c.id) ?? pop.data.customerIds,
              reference: pop.searchedReference,
            });
          },
        }),
        ` ${t(`pop.relation.${relation}`)}`,
      ),
    ),
  );
}

function candidatesPart(pop: Pop, chosen: IdentificationCandidate | null): HTMLElement | null {
  const candidates = pop.candidates ?? [];
  if (candidates.length === 0 || (candidates.length > 1 && !chosen)) {
    const reference = h('input', {
      id: `pop-search-${pop.data.callSid}`,
      name: 'reference',
      maxlength: '40',
    });
    const search = h('form', {
      class: 'row',
      onsubmit: (submit) => {
        submit.preventDefault();
        const value = reference.value.trim();
        if (!value) return;
        pop.searchedReference = value;
        void lookUp(pop, {
          customers: candidates.length > 1 ? candidates.map((c) => c.id) : [],
          reference: value,
        });
      },
    });
    search.append(
      h('label', { for: reference.id }, t('pop.search')),
      reference,
      h('button', { type: 'submit' }, t('pop.searchButton')),
    );
    return h(
      'div',
      {},
      h('p', {}, candidates.length === 0 ? t('pop.none') : t('pop.several', { count: candidates.length })),
      candidates.length > 1
        ? h(
            'ul',
            { class: 'pop-candidates' },
            candidates.map((candidate) =>
              h(
                'li',
                {},
                `${displayName(candidate)} · ${candidate.postcode} ${candidate.city} `,
                h(
                  'button',
                  {
                    type: 'button',
                    dataset: { chooseCustomer: candidate.id },
                    onclick: () => {
                      pop.chosenId = candidate.id;
                      pop.confirmed = new Set();
                      pop.details = null;
                      render();
                    },
                  },
                  t('pop.choose'),
                ),
              ),
            ),
          )
        : null,
      search,
    );
  }
  return null;
}

const lineName = (data: ScreenPop): string => {
  const key = `pop.lineKind.${data.lineKind}`;
  return t(key) === key ? data.line : t(key);
};

const displayName = (c: IdentificationCandidate): string =>
  c.companyName ?? [c.lastName, c.firstName].filter(Boolean).join(' ');

/**
 * [ID-7] A supervisor sets the not-eligible-for-cut-off flag as soon as it is known (medical
 * assistance): a flag only, no reason; audited by the api.
 */
function cutOffFlag(pop: Pop, candidate: IdentificationCandidate): HTMLElement | null {
  const role = ctx?.user.role;
  if (role !== 'SUPERVISOR' && role !== 'ADMIN') return null;
  const id = `pop-cutoff-${pop.data.callSid}-${candidate.id}`;
  const box: HTMLInputElement = h('input', {
    type: 'checkbox',
    id,
    checked: candidate.notEligibleForCutOff,
    onchange: async () => {
      const value = box.checked;
      try {
        await request<CutOffFlagReply>('PUT', `/api/customers/${candidate.id}/not-eligible-for-cut-off`, {
          notEligibleForCutOff: value,
        });
        candidate.notEligibleForCutOff = value;
        pop.error = null;
      } catch (err) {
        box.checked = !value;
        pop.error = messageOf(err);
      }
      render();
    },
  });
  return h('p', { class: 'check' }, box, h('label', { for: id }, ` ${t('pop.cutOffToggle')}`));
}

function checklistPart(pop: Pop, candidate: IdentificationCandidate): HTMLElement {
  const values: Partial<Record<ConfirmItem, string>> = {
    lastName: candidate.lastName,
    firstName: candidate.firstName ?? '—',
    servedAddress: `${candidate.addressLine}, ${candidate.postcode} ${candidate.city}`,
  };
  const { confirm, mandatory, refusedByPhone } = candidate.checklist;
  const complete = confirm.every((item) => pop.confirmed.has(item));
  const id = pop.data.callSid;
  return h(
    'div',
    { class: 'pop-customer' },
    h(
      'p',
      {},
      h('strong', {}, displayName(candidate)),
      ' · ',
      t('pop.reference', { reference: candidate.reference }),
      candidate.notEligibleForCutOff
        ? h('span', { class: 'badge warn' }, t('pop.flag.notEligibleForCutOff'))
        : null,
      candidate.sensitive ? h('span', { class: 'badge warn' }, t('pop.flag.sensitive')) : null,
    ),
    cutOffFlag(pop, candidate),
    h(
      'fieldset',
      { class: 'checklist' },
      h('legend', {}, t('pop.checklist')),
      confirm.map((item) => {
        const box: HTMLInputElement = h('input', {
          type: 'checkbox',
          dataset: { item },
          checked: pop.confirmed.has(item),
          onchange: () => {
            if (box.checked) pop.confirmed.add(item);
            else pop.confirmed.delete(item);
            render();
          },
        });
        return h(
          'label',
          { class: 'check' },
          box,
          ` ${t(`pop.item.${item}`, { value: values[item] ?? '' })}`,
          mandatory.includes(item) ? h('strong', { class: 'mandatory' }, ` (${t('pop.mandatory')})`) : null,
        );
      }),
    ),
    refusedByPhone.length
      ? h(
          'p',
          { class: 'notice refused' },
          t('pop.refused', { requests: refusedByPhone.map((r) => t(`pop.request.${r.request}`)).join(', ') }),
        )
      : null,
    pop.details
      ? [detailsPart(pop, pop.details, id), casesPart(pop, candidate)]
      : h(
          'div',
          {},
          h('p', { class: 'muted', dataset: { masked: 'true' } }, t('pop.masked')),
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              dataset: { verify: id },
              disabled: !complete,
              onclick: () => verify(pop, candidate),
            },
            t('pop.verify'),
          ),
        ),
  );
}

/** The call becomes a contact: on one of the customer's open cases, or on a new case. */
async function fileCall(pop: Pop, candidate: IdentificationCandidate, caseId: string | null) {
  const data = pop.data;
  const contact = {
    channel: 'PHONE',
    direction: 'INBOUND',
    summary: t('pop.callSummary', { line: lineName(data) }),
    callerRelation: pop.relation,
    callSid: data.callSid,
  };
  try {
    let target = caseId;
    if (caseId) await post(`/api/cases/${encodeURIComponent(caseId)}/contacts`, contact);
    else
      target = (
        await post<CaseOpened>('/api/cases', {
          customerId: candidate.id,
          kind: 'REQUEST',
          urgency: 'NORMAL',
          category: 'call',
          subject: t('pop.newSubject'),
          needsIntervention: false,
          contact,
        })
      ).id;
    // Filed during the call or its wrap-up: the call stays on screen until the agent is ready.
    if (pop.call && pop.call.phase !== 'done') pop.filedOn = target ?? undefined;
    else pops = pops.filter((p) => p !== pop);
    render();
    ctx?.navigate(`#/cases/${target}`);
  } catch (err) {
    pop.error = messageOf(err);
    render();
  }
}

function casesPart(pop: Pop, candidate: IdentificationCandidate): HTMLElement | null {
  if (pop.data.caseId || !pop.openCases) return null;
  return h(
    'div',
    { class: 'pop-cases' },
    h('h3', {}, t('pop.openCases')),
    pop.openCases.length === 0
      ? h('p', { class: 'muted' }, t('pop.noOpenCase'))
      : h(
          'ul',
          {},
          pop.openCases.map((kase) =>
            h(
              'li',
              {},
              `${kase.subject} `,
              h(
                'button',
                {
                  type: 'button',
                  dataset: { attachCase: kase.id },
                  onclick: () => fileCall(pop, candidate, kase.id),
                },
                t('pop.attach', { number: kase.number }),
              ),
            ),
          ),
        ),
    h(
      'button',
      {
        type: 'button',
        class: 'primary',
        dataset: { newCase: 'true' },
        onclick: () => fileCall(pop, candidate, null),
      },
      t('pop.newCase'),
    ),
  );
}

function detailsPart(pop: Pop, d: CustomerDetails, id: string): HTMLElement {
  const field = (label: string, value: string) => [h('dt', {}, label), h('dd', {}, value)];
  return h(
    'div',
    { id: `pop-result-${id}`, tabindex: '-1', class: 'pop-details' },
    h('p', { class: 'ok' }, t('pop.verified')),
    h(
      'dl',
      { class: 'fields' },
      field(
        t('pop.phones'),
        d.phones.map((p) => `${p.e164}${p.failing ? ` (${t('pop.failing')})` : ''}`).join(', ') || '—',
      ),
      field(t('pop.email'), d.email ?? '—'),
      field(
        t('pop.contracts'),
        d.contracts
          .map((c) => [c.reference, c.equipment, c.contractualDelay, c.agency].filter(Boolean).join(' · '))
          .join(' ; ') || '—',
      ),
      field(
        t('pop.supplyPoints'),
        d.supplyPoints.map((s) => `${s.reference} · ${s.address} · ${s.meters.join(', ')}`).join(' ; ') ||
          '—',
      ),
    ),
    contactDetailForm(pop, id),
  );
}

/**
 * [ID-6] A phone number, mobile or e-mail given on the phone: the notice to read out comes with the
 * choice, and the detail is sent only once the agent ticks that it was read.
 */
function contactDetailForm(pop: Pop, id: string): HTMLFormElement {
  const kind = h(
    'select',
    { id: `pop-detail-kind-${id}`, name: 'kind' },
    ['MOBILE', 'PHONE', 'EMAIL'].map((value) => h('option', { value }, t(`pop.detailKind.${value}`))),
  );
  const value = h('input', { id: `pop-detail-value-${id}`, name: 'value', required: true, maxlength: '200' });
  const notice = h('p', { class: 'notice legal-notice', role: 'note' });
  const given = h('input', { id: `pop-detail-given-${id}`, type: 'checkbox', required: true });
  const status = h('p', { role: 'status' });
  const loadNotice = async () => {
    try {
      const { notices } = await get<ContactDetailNotices>(
        `/api/notices/contact-details?kind=${kind.value}&locale=${getLang()}`,
      );
      notice.replaceChildren(...notices.map((n) => h('span', { dataset: { notice: n.key } }, n.text, ' ')));
    } catch (err) {
      notice.textContent = messageOf(err);
    }
  };
  kind.addEventListener('change', () => void loadNotice());
  void loadNotice();
  return h(
    'form',
    {
      class: 'pop-contact-detail',
      'aria-label': t('pop.detailForm'),
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await post<ContactDetailAdded>(
            `/api/customers/${encodeURIComponent(pop.customerId ?? '')}/contact-details`,
            { kind: kind.value, value: value.value.trim(), noticeGiven: given.checked },
          );
          status.textContent = t('pop.detailSaved');
          value.value = '';
          given.checked = false;
        } catch (err) {
          status.textContent = messageOf(err);
        }
      },
    },
    h('label', { for: kind.id }, t('pop.detailForm')),
    kind,
    h('label', { for: value.id }, t('pop.detailValue')),
    value,
    notice,
    h('p', { class: 'check' }, given, h('label', { for: given.id }, ` ${t('pop.noticeGiven')}`)),
    h('button', { type: 'submit' }, t('pop.detailSave')),
    status,
  );
}

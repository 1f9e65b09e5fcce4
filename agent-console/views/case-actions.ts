// What an agent does to the open case: qualify it, add a note, attach a new contact, close it.
// Each form posts to the api (src/cases/case-actions.routes.ts); refusals (the comment rule, a
// case closed meanwhile) are shown beside the form, in the chosen language.

import type { CaseDetail, CaseStatus } from '../../src/cases/cases.schemas.js';
import { ApiError, type request as apiRequest } from '../api.js';
import { $, type Child, h } from '../dom.js';
import { addStrings, t } from '../i18n.js';

addStrings({
  fr: {
    'act.heading': 'Traiter le dossier',
    'act.qualify': 'Qualification',
    'act.kind': 'Nature',
    'act.urgency': 'Urgence',
    'act.intervention': 'Intervention terrain ou autre service nécessaire (15 jours ouvrés)',
    'act.mobile': 'Portable pour joindre le client',
    'act.mobileHint': 'Obligatoire pour une intervention terrain ; à défaut, celui du dossier client.',
    'act.save': 'Enregistrer la qualification',
    'act.note': 'Note',
    'act.noteHint':
      'Des faits, sans jugement sur la situation financière, sociale ou le comportement du client.',
    'act.addNote': 'Ajouter la note',
    'act.contact': 'Nouveau contact sur ce dossier',
    'act.channel': 'Canal',
    'act.direction': 'Sens',
    'act.summary': 'Objet du contact',
    'act.callerName': 'Nom de la personne (si ce n’est pas le titulaire)',
    'act.relation': 'Lien avec le client',
    'act.attach': 'Rattacher le contact',
    'act.waiting': 'Attente d’un tiers (accord, autorisation)',
    'act.waitReason': 'Ce qui est attendu, et de qui',
    'act.wait': 'Suspendre l’échéance',
    'act.waitingFor': 'Échéance suspendue : {reason}',
    'act.resume': 'Le tiers a répondu : reprendre',
    'act.sensitive': 'Courrier sensible (équipe dédiée)',
    'sensitive.': 'non',
    'sensitive.LEGAL': 'juridique (avocat, huissier, tribunal)',
    'sensitive.CONSUMER_ASSOCIATION': 'association de consommateurs',
    'sensitive.DATA_PROTECTION': 'CNIL, données personnelles',
    'sensitive.COMPLAINT_THREAT': 'menace de plainte',
    'sensitive.DAMAGE_CLAIM': 'demande d’indemnisation',
    'sensitive.LOCAL_AUTHORITY': 'collectivité, élu',
    'act.answer': 'Répondre par écrit',
    'act.answerChannel': 'Par',
    'act.answerText': 'La réponse (formule d’appel, référence et signature ajoutées)',
    'act.answerRequired':
      'Une réclamation ou un dossier à contacts multiples doit recevoir une réponse écrite avant d’être clos.',
    'act.answerSend': 'Envoyer la réponse',
    'act.noRecipient':
      'Pas de destinataire au dossier : sans adresse e-mail valide, répondez par courrier ; sans client rattaché, rattachez-le d’abord.',
    'act.close': 'Clore le dossier',
    'act.resolution': 'Réponse apportée',
    'act.closeButton': 'Clore',
    'act.done': 'Enregistré.',
    'act.commentRule':
      'Un commentaire ne doit pas porter de jugement sur la situation financière, sociale ou le comportement du client : {words}. Reformulez avec des faits.',
    'act.closedMeanwhile': 'Ce dossier a été clos entre-temps.',
    'channel.PHONE': 'téléphone',
    'channel.SMS': 'SMS',
    'channel.EMAIL': 'e-mail',
    'channel.LETTER': 'courrier',
    'channel.VISIT': 'visite',
    'channel.WEB': 'web',
    'relation.HOLDER': 'titulaire',
    'relation.THIRD_PARTY': 'tiers',
    'relation.UNKNOWN': 'inconnu',
  },
  en: {
    'act.heading': 'Work on the case',
    'act.qualify': 'Qualification',
    'act.kind': 'Type',
    'act.urgency': 'Urgency',
    'act.intervention': 'Field intervention or another department needed (15 working days)',
    'act.mobile': 'Mobile to reach the customer',
    'act.mobileHint': 'Required for a field intervention; otherwise the one on the customer’s record.',
    'act.save': 'Save the qualification',
    'act.note': 'Note',
    'act.noteHint': 'Facts, no judgement on the customer’s finances, social situation or behaviour.',
    'act.addNote': 'Add the note',
    'act.contact': 'New contact about this case',
    'act.channel': 'Channel',
    'act.direction': 'Direction',
    'act.summary': 'What it is about',
    'act.callerName': 'Name of the person (when not the account holder)',
    'act.relation': 'Relation to the customer',
    'act.attach': 'Attach the contact',
    'act.waiting': 'Waiting for a third party (agreement, authorisation)',
    'act.waitReason': 'What is awaited, and from whom',
    'act.wait': 'Pause the deadline',
    'act.waitingFor': 'Deadline paused: {reason}',
    'act.resume': 'The third party answered: resume',
    'act.sensitive': 'Sensitive letter (dedicated team)',
    'sensitive.': 'no',
    'sensitive.LEGAL': 'legal (lawyer, bailiff, court)',
    'sensitive.CONSUMER_ASSOCIATION': 'consumer association',
    'sensitive.DATA_PROTECTION': 'data-protection authority',
    'sensitive.COMPLAINT_THREAT': 'threat of complaint',
    'sensitive.DAMAGE_CLAIM': 'damage claim',
    'sensitive.LOCAL_AUTHORITY': 'local authority, elected official',
    'act.answer': 'Answer in writing',
    'act.answerChannel': 'By',
    'act.answerText': 'The answer (greeting, case reference and signature are added)',
    'act.answerRequired':
      'A complaint or a case with several contacts needs a written answer before it closes.',
    'act.answerSend': 'Send the answer',
    'act.noRecipient':
      'Nobody to send it to: without a working e-mail address, answer by letter; without a customer, attach one first.',
    'act.close': 'Close the case',
    'act.resolution': 'Answer given',
    'act.closeButton': 'Close',
    'act.done': 'Saved.',
    'act.commentRule':
      'A comment must not judge the customer’s finances, social situation or behaviour: {words}. Rephrase it as facts.',
    'act.closedMeanwhile': 'This case was closed meanwhile.',
    'channel.PHONE': 'phone',
    'channel.SMS': 'SMS',
    'channel.EMAIL': 'e-mail',
    'channel.LETTER': 'letter',
    'channel.VISIT': 'visit',
    'channel.WEB': 'web',
    'relation.HOLDER': 'account holder',
    'relation.THIRD_PARTY': 'third party',
    'relation.UNKNOWN': 'unknown',
  },
});

const CLOSED: readonly CaseStatus[] = ['CLOSED', 'CANCELLED'];
/** The last outcome per form, kept across redraws. */
const outcomes = new Map<string, { ok: true } | { error: string }>();

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** The form's control named `name`: the forms are ours, a missing one is a bug. */
function control(form: HTMLFormElement, name: string): Control {
  const found = form.elements.namedItem(name);
  if (
    found instanceof HTMLInputElement ||
    found instanceof HTMLSelectElement ||
    found instanceof HTMLTextAreaElement
  )
    return found;
  throw new Error(`console: no control named ${name}`);
}
const fieldValue = (form: HTMLFormElement, name: string) => control(form, name).value;
const fieldChecked = (form: HTMLFormElement, name: string) => {
  const box = control(form, name);
  return box instanceof HTMLInputElement && box.checked;
};

export interface CaseActionsDeps {
  request: typeof apiRequest;
  /** Loads the case again (after each action, done or refused). */
  reload(): Promise<void>;
}

export function caseActions(detail: CaseDetail, { request, reload }: CaseActionsDeps): HTMLElement | null {
  if (CLOSED.includes(detail.status)) return null;
  const id = encodeURIComponent(detail.id);
  const submit =
    (name: string, method: string, path: string, body: (form: HTMLFormElement) => unknown) =>
    async (event: Event) => {
      event.preventDefault();
      const target = event.target;
      if (!(target instanceof HTMLFormElement)) return;
      const button = $<HTMLButtonElement>('button[type="submit"]', target);
      button.disabled = true;
      try {
        await request(method, path, body(target));
        outcomes.set(name, { ok: true });
        target.reset();
        clearDrafts(name);
      } catch (err) {
        outcomes.set(name, { error: explain(err) });
      } finally {
        button.disabled = false;
      }
      await reload();
    };
  const select = (name: string, label: string, values: readonly string[], selected: string, prefix: string) =>
    labelled(
      name,
      label,
      h(
        'select',
        // A choice made and not yet sent survives the case's redraws, as typed text does.
        { name, id: `act-${name}`, dataset: { draft: name } },
        values.map((value) => h('option', { value, selected: value === selected }, t(`${prefix}.${value}`))),
      ),
    );

  return h(
    'section',
    { class: 'case-actions', 'aria-labelledby': 'act-heading' },
    h('h4', { id: 'act-heading' }, t('act.heading')),
    form(
      'qualify',
      t('act.qualify'),
      submit('qualify', 'PATCH', `/api/cases/${id}`, (f) => ({
        kind: fieldValue(f, 'kind'),
        urgency: fieldValue(f, 'urgency'),
        needsIntervention: fieldChecked(f, 'needsIntervention'),
        ...(fieldValue(f, 'mobile').trim() ? { mobile: fieldValue(f, 'mobile').trim() } : {}),
        sensitive: fieldValue(f, 'sensitive') || null,
      })),
      select('kind', t('act.kind'), ['REQUEST', 'COMPLAINT'], detail.kind, 'kind'),
      select('urgency', t('act.urgency'), ['NORMAL', 'PRIORITY', 'URGENT'], detail.urgency, 'urgency'),
      select(
        'sensitive',
        t('act.sensitive'),
        // Checked against the api's categories: a value the api does not know fails the type-check.
        [
          '',
          'LEGAL',
          'CONSUMER_ASSOCIATION',
          'DATA_PROTECTION',
          'COMPLAINT_THREAT',
          'DAMAGE_CLAIM',
          'LOCAL_AUTHORITY',
        ] satisfies readonly (CaseDetail['sensitive'] | '')[],
        detail.sensitive ?? '',
        'sensitive',
      ),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'needsIntervention', checked: detail.needsIntervention }),
        ` ${t('act.intervention')}`,
      ),
      labelled(
        'mobile',
        t('act.mobile'),
        h('input', {
          name: 'mobile',
          id: 'act-mobile',
          type: 'tel',
          autocomplete: 'off',
          value: detail.interventionMobile ?? '',
        }),
      ),
      h('p', { class: 'hint' }, t('act.mobileHint')),
      h('button', { type: 'submit' }, t('act.save')),
    ),
    form(
      'note',
      t('act.note'),
      submit('note', 'POST', `/api/cases/${id}/notes`, (f) => ({ text: fieldValue(f, 'text').trim() })),
      labelled(
        'text',
        t('act.note'),
        h('textarea', {
          name: 'text',
          id: 'act-text',
          required: true,
          maxlength: '2000',
          dataset: { draft: 'text' },
        }),
      ),
      h('p', { class: 'hint' }, t('act.noteHint')),
      h('button', { type: 'submit' }, t('act.addNote')),
    ),
    form(
      'contact',
      t('act.contact'),
      submit('contact', 'POST', `/api/cases/${id}/contacts`, (f) => ({
        channel: fieldValue(f, 'channel'),
        direction: fieldValue(f, 'direction'),
        summary: fieldValue(f, 'summary').trim(),
        ...(fieldValue(f, 'callerName').trim() ? { callerName: fieldValue(f, 'callerName').trim() } : {}),
        callerRelation: fieldValue(f, 'callerRelation'),
      })),
      select(
        'channel',
        t('act.channel'),
        ['PHONE', 'EMAIL', 'LETTER', 'SMS', 'VISIT', 'WEB'],
        'PHONE',
        'channel',
      ),
      select('direction', t('act.direction'), ['INBOUND', 'OUTBOUND'], 'INBOUND', 'direction'),
      labelled(
        'summary',
        t('act.summary'),
        h('input', {
          name: 'summary',
          id: 'act-summary',
          required: true,
          maxlength: '2000',
          dataset: { draft: 'summary' },
        }),
      ),
      labelled(
        'callerName',
        t('act.callerName'),
        h('input', {
          name: 'callerName',
          id: 'act-callerName',
          maxlength: '200',
          dataset: { draft: 'callerName' },
        }),
      ),
      select('callerRelation', t('act.relation'), ['HOLDER', 'THIRD_PARTY', 'UNKNOWN'], 'HOLDER', 'relation'),
      h('button', { type: 'submit' }, t('act.attach')),
    ),
    detail.waitingSince
      ? form(
          'resume',
          t('act.waiting'),
          submit('resume', 'DELETE', `/api/cases/${id}/waiting`, () => undefined),
          h('p', {}, t('act.waitingFor', { reason: detail.waitingFor ?? '' })),
          h('button', { type: 'submit' }, t('act.resume')),
        )
      : form(
          'wait',
          t('act.waiting'),
          submit('wait', 'POST', `/api/cases/${id}/waiting`, (f) => ({
            reason: fieldValue(f, 'waitReason').trim(),
          })),
          labelled(
            'waitReason',
            t('act.waitReason'),
            h('input', { name: 'waitReason', id: 'act-waitReason', required: true, maxlength: '300' }),
          ),
          h('button', { type: 'submit' }, t('act.wait')),
        ),
    form(
      'answer',
      t('act.answer'),
      submit('answer', 'POST', `/api/cases/${id}/answer`, (f) => ({
        channel: fieldValue(f, 'answerChannel'),
        text: fieldValue(f, 'answerText').trim(),
      })),
      // A draft like the text: a live redraw of the case must not switch a letter back to e-mail.
      labelled(
        'answerChannel',
        t('act.answerChannel'),
        h(
          'select',
          { name: 'answerChannel', id: 'act-answerChannel', dataset: { draft: 'answerChannel' } },
          ['EMAIL', 'LETTER'].map((value) => h('option', { value }, t(`channel.${value}`))),
        ),
      ),
      labelled(
        'answerText',
        t('act.answerText'),
        h('textarea', {
          name: 'answerText',
          id: 'act-answerText',
          required: true,
          maxlength: '4000',
          dataset: { draft: 'answerText' },
        }),
      ),
      detail.kind === 'COMPLAINT' || detail.multiContact
        ? h('p', { class: 'hint' }, t('act.answerRequired'))
        : null,
      h('button', { type: 'submit' }, t('act.answerSend')),
    ),
    form(
      'close',
      t('act.close'),
      submit('close', 'POST', `/api/cases/${id}/close`, (f) => ({
        resolution: fieldValue(f, 'resolution').trim(),
      })),
      labelled(
        'resolution',
        t('act.resolution'),
        h('textarea', {
          name: 'resolution',
          id: 'act-resolution',
          required: true,
          maxlength: '2000',
          dataset: { draft: 'resolution' },
        }),
      ),
      h('button', { type: 'submit', class: 'danger' }, t('act.closeButton')),
    ),
  );
}

function form(name: string, legend: string, onsubmit: (event: Event) => Promise<void>, ...fields: Child[]) {
  const outcome = outcomes.get(name);
  return h(
    'form',
    { class: 'act-form', dataset: { form: name }, onsubmit },
    h('fieldset', {}, h('legend', {}, legend), ...fields),
    outcome && 'error' in outcome ? h('p', { class: 'error', role: 'alert' }, outcome.error) : null,
    outcome && 'ok' in outcome ? h('p', { class: 'ok', role: 'status' }, t('act.done')) : null,
  );
}

function labelled(name: string, label: string, field: Control) {
  return [h('label', { for: `act-${name}` }, label), field];
}

/** What a refusal says to the agent, in the chosen language. */
function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.code === 'comment_rule') {
    const words = /: (.*)$/.exec(err.message)?.[1] ?? '';
    return t('act.commentRule', { words });
  }
  if (err.code === 'answer_required') return t('act.answerRequired');
  if (err.code === 'no_recipient') return t('act.noRecipient');
  if (err.status === 409) return t('act.closedMeanwhile');
  return err.message;
}

// ---- drafts: the text the agent is typing survives a redraw of the case ----

const drafts = new Map<string, string>();

function clearDrafts(formName: string) {
  for (const key of [...drafts.keys()]) if (key.startsWith(`${formName}:`)) drafts.delete(key);
}

/** The draftable controls' keys ("form:field") in a drawn case. */
function draftsIn(box: HTMLElement): Array<[string, Control]> {
  return [...box.querySelectorAll<Control>('[data-draft]')].map((node) => [
    `${node.closest<HTMLElement>('[data-form]')?.dataset.form}:${node.dataset.draft}`,
    node,
  ]);
}

/** What the control shows before the user touches it (the case's own value, for a choice). */
const untouched = (node: Control) =>
  node instanceof HTMLSelectElement
    ? ([...node.options].find((option) => option.defaultSelected) ?? node.options[0])?.value
    : node.defaultValue;

caseActions.saveDrafts = (box: HTMLElement): { focused: string | null } => {
  let focused: string | null = null;
  for (const [key, node] of draftsIn(box)) {
    // Only what the user changed: an untouched choice shows the case's value after a redraw,
    // even when someone else has just changed it.
    if (node.value !== untouched(node)) drafts.set(key, node.value);
    else drafts.delete(key);
    if (node === document.activeElement) focused = key;
  }
  return { focused };
};

caseActions.restoreDrafts = (box: HTMLElement, { focused }: { focused: string | null }): boolean => {
  let refocused = false;
  for (const [key, node] of draftsIn(box)) {
    const draft = drafts.get(key);
    if (draft !== undefined) node.value = draft;
    if (key === focused) {
      node.focus();
      refocused = true;
    }
  }
  return refocused;
};

/** A new case selected: forget the previous case's drafts and outcomes. */
caseActions.reset = () => {
  drafts.clear();
  outcomes.clear();
};

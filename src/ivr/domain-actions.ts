import type { FrenchCalendar } from '../calendar/french-calendar.js';
import { isOpen } from '../calendar/opening-hours.js';
import { identificationChecklist } from '../identification/checklist.js';
import { postalAddress } from '../identification/customer-identity.js';
import { findByReference, identifyByNumber, statusOf } from '../identification/identify.js';
import type { PhoneIndex } from '../identification/phone-index.js';
import type { RouteRequest, RouteResult } from '../oncall/route-on-call.action.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { ActionName, ActionOutcome } from './actions.js';
import { openCallCase } from './call-cases.js';
import type { CallState } from './call-state.js';
import { currentContract } from './current-contract.js';
import { announceCall, screenPopOf } from './screen-pop.js';
import type { ServiceLine } from './service-lines.js';

// The domain actions behind a flow's `action` steps. Each reads the call state and returns an
// outcome (the flow goes on by it) and what it learnt. They never speak to the caller: prompts
// stay in the flow.

export interface ActionContext {
  state: CallState;
  line: ServiceLine;
  now: Date;
}

export interface ActionResult<O extends string = string> {
  outcome: O;
  vars?: Record<string, string>;
  customerIds?: string[];
  caseId?: string;
}

export type DomainActions = {
  [A in ActionName]: (context: ActionContext) => Promise<ActionResult<ActionOutcome<A>>>;
};

export interface DomainActionDeps {
  db: Db;
  phoneIndex: PhoneIndex;
  events: EventBus;
  calendar: FrenchCalendar;
  referencePrefixes: readonly string[];
  routeOnCall(request: RouteRequest): Promise<RouteResult>;
  logger: Logger;
}

export function createDomainActions({
  db,
  phoneIndex,
  events,
  calendar,
  referencePrefixes,
  routeOnCall,
  logger,
}: DomainActionDeps): DomainActions {
  return {
    async 'identify-caller'({ state }) {
      const found = await identifyByNumber(phoneIndex, state.from);
      return { outcome: found.status, customerIds: found.customerIds };
    },

    // What the caller keyed (saved as `reference`): a customer reference or meter serial, or,
    // to tell apart the customers sharing the calling number, their postcode.
    async 'lookup-reference'({ state }) {
      const typed = state.vars.reference ?? '';
      const among = state.customerIds.length > 1 ? state.customerIds : [];
      const customerIds = await findByReference(db, typed, referencePrefixes, among);
      const outcome = statusOf(customerIds);
      if (outcome === 'none') return { outcome: 'not-found' };
      return {
        outcome: outcome === 'one' ? 'found' : 'several',
        customerIds,
        vars: { referenceGiven: 'yes' },
      };
    },

    async 'check-eligibility'({ state, now }) {
      const customerId = state.customerIds.length === 1 ? state.customerIds[0] : undefined;
      if (!customerId) return { outcome: 'not-under-contract', vars: { contractualDelay: '' } };
      const contract = await currentContract(db, customerId, now);
      if (!contract) return { outcome: 'not-under-contract', vars: { contractualDelay: '' } };
      const vars = {
        agencyId: contract.agencyId,
        contractId: contract.id,
        contractualDelay: contract.contractualDelay ?? '',
        // [ON-4] The address the contract serves, read back for the caller to confirm.
        servedAddress: postalAddress(contract),
      };
      return { outcome: contract.outOfHoursCoverage ? 'eligible' : 'not-covered', vars };
    },

    // One case per call, whatever the number of times the step runs: the call's contact (its
    // provider id is the CallSid) points at it.
    async 'open-case'({ state, line, now }) {
      const customerId = state.customerIds.length === 1 ? state.customerIds[0]! : null;
      const emergency = state.vars.emergency === 'yes';
      const category = line.kind === 'out-of-hours' ? 'out-of-hours' : 'call';
      // What whoever calls back must still have the caller confirm (the IVR only heard a number).
      const received = (serviceContract: boolean) => ({
        line: line.name,
        path: state.path,
        facts: callerInputs(state),
        toConfirm: identificationChecklist({
          relation: 'UNKNOWN',
          serviceContract,
          referenceGiven: state.vars.referenceGiven === 'yes',
        }),
      });
      const opened = await openCallCase(db, {
        callSid: state.callSid,
        startedAt: new Date(state.startedAt),
        at: now,
        category,
        urgent: emergency,
        subject: emergency ? 'Urgence signalée par téléphone' : 'Demande par téléphone',
        description: describeCall(state),
        detailsToCheck: state.vars.addressConfirmed === 'no',
        customerId,
        agencyId: state.vars.agencyId ?? null,
        received: { withServiceContract: received(true), withoutServiceContract: received(false) },
        contactDetails: { line: line.name, from: state.from, candidates: state.customerIds },
      });
      const result = {
        outcome: 'opened' as const,
        caseId: opened.id,
        vars: { caseNumber: String(opened.number) },
      };
      if (!opened.created) return result;
      // The night call is in the case store: the console pops it with who the caller may be,
      // once the caller has their answer. A pop not shown must not send the caller to a fallback.
      const agencyId = state.vars.agencyId ?? null;
      void Promise.all([
        events.publish({
          type: 'case.opened',
          data: { caseId: opened.id, number: opened.number, category, customerId, urgent: emergency },
        }),
        announceCall(events, screenPopOf(state, line, 'case-opened', now, opened), agencyId),
      ]).catch((err: unknown) => logger.warn({ err, callSid: state.callSid }, 'case opening not published'));
      return result;
    },

    async 'check-opening-hours'({ line, now }) {
      return { outcome: line.openingHours && isOpen(line.openingHours, now, calendar) ? 'open' : 'closed' };
    },

    async 'route-on-call'({ state }) {
      if (!state.caseId) throw new Error('route-on-call needs the case opened by open-case first');
      return routeOnCall({
        caseId: state.caseId,
        contractId: state.vars.contractId ?? null,
        emergency: state.vars.emergency === 'yes',
        locale: state.locale,
      });
    },
  };
}

/** What the call established (caller inputs and action results), minus internal ids. */
// What the call state holds from the records, not from the caller.
const ON_FILE = new Set(['servedAddress', 'contractualDelay', 'routing']);
// Said in a sentence of its own in the description [ON-4].
const ADDRESS_CHECK = new Set(['addressConfirmed', 'addressCorrection']);

function callerInputs(state: CallState): Record<string, string> {
  return Object.fromEntries(
    Object.entries(state.vars).filter(([name]) => !name.endsWith('Id') && !ON_FILE.has(name)),
  );
}

function describeCall(state: CallState): string {
  const told = Object.entries(callerInputs(state))
    .filter(([name, value]) => value !== '' && !ADDRESS_CHECK.has(name))
    .map(([name, value]) => `${name}: ${value}`);
  const sentences = [told.length > 0 ? `Saisi par l'appelant : ${told.join(', ')}.` : 'Appel sans saisie.'];
  const { addressConfirmed, addressCorrection, servedAddress } = state.vars;
  if (addressConfirmed === 'yes') sentences.push(`Adresse confirmée par l'appelant : ${servedAddress}.`);
  if (addressConfirmed === 'no')
    sentences.push(
      `Coordonnées à vérifier : l'appelant ne confirme pas l'adresse ${servedAddress}` +
        (addressCorrection ? ` et indique « ${addressCorrection} ».` : ' et n’a rien précisé.'),
    );
  return sentences.join(' ');
}

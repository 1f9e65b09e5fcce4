// What a human must still have the caller confirm before acting on a customer record
// (DOMAIN.md section 2). The IVR never discloses or changes anything on its own: it passes this
// list to the agent or technician, and the console shows it on the screen pop.

export type CallerRelation = 'HOLDER' | 'THIRD_PARTY' | 'UNKNOWN';

export type ConfirmItem =
  | 'lastName'
  | 'firstName'
  | 'servedAddress'
  /** Customer number or meter serial. */
  | 'customerReference'
  /** E-mail or phone number on file. */
  | 'extraElement';

export type PhoneRequest = 'iban-change' | 'account-move';

export interface Checklist {
  confirm: ConfirmItem[];
  /** Items without which the call must not go on. */
  mandatory: ConfirmItem[];
  /** Requests never processed by phone for this caller, with the reason to give. */
  refusedByPhone: Array<{ request: PhoneRequest; reason: 'written-request-from-holder-or-notary' }>;
}

export interface ChecklistContext {
  relation: CallerRelation;
  /** The customer holds a service (maintenance) contract. */
  serviceContract: boolean;
  /** The caller gave the customer reference (keyed in the IVR or told to the agent). */
  referenceGiven: boolean;
}

export function identificationChecklist(context: ChecklistContext): Checklist {
  const confirm: ConfirmItem[] = ['lastName', 'firstName', 'servedAddress'];
  const mandatory: ConfirmItem[] = [];
  // Until the agent knows who is on the line, the third-party rules apply.
  const mayBeThirdParty = context.relation !== 'HOLDER';
  if (mayBeThirdParty && !context.referenceGiven) {
    confirm.push('customerReference');
    if (context.relation === 'THIRD_PARTY') mandatory.push('customerReference');
  }
  if (context.serviceContract && !context.referenceGiven) confirm.push('extraElement');
  const refusedByPhone: Checklist['refusedByPhone'] = mayBeThirdParty
    ? [
        { request: 'iban-change', reason: 'written-request-from-holder-or-notary' },
        { request: 'account-move', reason: 'written-request-from-holder-or-notary' },
      ]
    : [];
  return { confirm, mandatory, refusedByPhone };
}

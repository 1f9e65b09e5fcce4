import { describe, expect, it } from 'vitest';
import { identificationChecklist } from '../../src/identification/checklist.js';

describe('identification checklist (DOMAIN.md section 2)', () => {
  it('[ID-1] always has the caller confirm last name, first name and served address', () => {
    const list = identificationChecklist({
      relation: 'HOLDER',
      serviceContract: false,
      referenceGiven: true,
    });
    expect(list).toEqual({
      confirm: ['lastName', 'firstName', 'servedAddress'],
      mandatory: [],
      refusedByPhone: [],
    });
  });

  it('[ID-2] [ID-4] makes the customer reference mandatory for a third party, and refuses IBAN changes and account moves', () => {
    const list = identificationChecklist({
      relation: 'THIRD_PARTY',
      serviceContract: false,
      referenceGiven: false,
    });
    expect(list.confirm).toContain('customerReference');
    expect(list.mandatory).toEqual(['customerReference']);
    expect(list.refusedByPhone).toEqual([
      { request: 'iban-change', reason: 'written-request-from-holder-or-notary' },
      { request: 'account-move', reason: 'written-request-from-holder-or-notary' },
    ]);
  });

  it('[ID-4] still refuses IBAN changes by a third party who gave the reference', () => {
    const list = identificationChecklist({
      relation: 'THIRD_PARTY',
      serviceContract: false,
      referenceGiven: true,
    });
    expect(list.confirm).not.toContain('customerReference');
    expect(list.refusedByPhone.map((r) => r.request)).toEqual(['iban-change', 'account-move']);
  });

  it('[ID-3] asks one extra element of a service-contract customer without reference', () => {
    expect(
      identificationChecklist({ relation: 'HOLDER', serviceContract: true, referenceGiven: false }).confirm,
    ).toEqual(['lastName', 'firstName', 'servedAddress', 'extraElement']);
    expect(
      identificationChecklist({ relation: 'HOLDER', serviceContract: true, referenceGiven: true }).confirm,
    ).not.toContain('extraElement');
  });

  it('applies the third-party rules until the caller is known to be the holder', () => {
    const list = identificationChecklist({
      relation: 'UNKNOWN',
      serviceContract: false,
      referenceGiven: false,
    });
    expect(list.confirm).toContain('customerReference');
    expect(list.mandatory).toEqual([]);
    expect(list.refusedByPhone).toHaveLength(2);
  });
});

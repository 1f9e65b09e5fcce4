// [CS-7] What GET /api/billing/holds answers as JSON (?format=json, the default): one row per
// account on hold, named as the billing system's CSV file drop names its columns.
import { type Static, Type } from '@sinclair/typebox';
import { OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const BillingHoldKind = OneOf(['DIRECT_DEBIT_SUSPENDED', 'DUNNING_BLOCKED']);

export const BillingHoldRow = Type.Object({
  /** The customer's account reference in the billing system. */
  customer_ref: Type.String(),
  hold: BillingHoldKind,
  since: Timestamp,
  case_number: Type.Integer(),
  case_category: Type.String(),
});
export type BillingHoldRow = Static<typeof BillingHoldRow>;

export const BillingHoldList = Type.Array(BillingHoldRow);
export type BillingHoldList = Static<typeof BillingHoldList>;

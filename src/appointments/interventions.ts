// [AP-1] [AP-5] The interventions an appointment is booked for, and when the customer must be
// there: the seed's list (index dispute, swapped meters, accuracy check, sanitation survey inside
// the home, field quote) and any meter that is not accessible.

export const INTERVENTION_TYPES = {
  'index-dispute': { presenceRequired: true },
  'swapped-meters': { presenceRequired: true },
  'meter-accuracy-check': { presenceRequired: true },
  'sanitation-survey': { presenceRequired: true },
  'field-quote': { presenceRequired: true },
  /** Presence strongly advised (an index dispute at removal is avoided), not mandatory. */
  'meter-replacement': { presenceRequired: false },
  'meter-reading': { presenceRequired: false },
  'leak-check': { presenceRequired: false },
  other: { presenceRequired: false },
} as const satisfies Record<string, { presenceRequired: boolean }>;

export type InterventionType = keyof typeof INTERVENTION_TYPES;

// "garage accessible", "palier accessible": places of this kind are not accessible until the
// customer has confirmed it (the seed's 5.1.6.1).
const DOUBTFUL_PLACES =
  /\b(garage|box|cave|cellier|sous-sol|sous sol|palier|local|cour|jardin|cellar|basement|landing|yard|garden)\b/i;

/** Whether the meter counts as accessible: as said, unless its place is doubtful and not confirmed. */
export function meterAccessible(input: {
  meterLocation: string;
  meterAccessible: boolean;
  accessibilityConfirmed?: boolean;
}): boolean {
  if (!input.meterAccessible) return false;
  return input.accessibilityConfirmed === true || !DOUBTFUL_PLACES.test(input.meterLocation);
}

/** [AP-5] The customer must be there: the intervention requires it, the meter is not accessible, or the agent said so. */
export function presenceRequired(type: InterventionType, accessible: boolean, asked?: boolean): boolean {
  return asked === true || !accessible || INTERVENTION_TYPES[type].presenceRequired;
}

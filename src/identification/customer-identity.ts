/** A customer as people name and find them: reference, names, served address (a Prisma select). */
export const CUSTOMER_IDENTITY = {
  reference: true,
  lastName: true,
  firstName: true,
  companyName: true,
  addressLine: true,
  postcode: true,
  city: true,
} as const;

/** "12 rue Haute, 69001 Lyon": an address as letters, SMS and the IVR give it. */
export function postalAddress(place: { addressLine: string; postcode: string; city: string }): string {
  return `${place.addressLine}, ${place.postcode} ${place.city}`;
}

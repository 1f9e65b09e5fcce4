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

/** How letters and e-mails greet the customer: the company's name, else first and last names. */
export function customerName(customer: {
  companyName: string | null;
  firstName: string | null;
  lastName: string;
}): string {
  return customer.companyName ?? [customer.firstName, customer.lastName].filter(Boolean).join(' ');
}

/** "12 rue Haute, 69001 Lyon": an address as letters, SMS and the IVR give it. */
export function postalAddress(place: { addressLine: string; postcode: string; city: string }): string {
  return `${place.addressLine}, ${place.postcode} ${place.city}`;
}

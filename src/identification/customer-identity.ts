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

// Late-payment interest and compensation: the statutory rules as data and the claim of one invoice.
export * from './claim.js';
export * from './rules.js';
export * from './reference-rate-input.js';

// The pure decision core: aging, send windows, caps, pauses and the dunning decision.
export * from './aging.js';
export { addDays, daysBetween, localDateOf, type IsoDate, type LocalTime } from './dates.js';
export * from './decide.js';
export * from './decision.js';
export * from './domain.js';
export * from './money.js';
export * from './policy.js';
export * from './rules.js';
export { isWindowOpen, nextOpening, windowFor, type CustomerWindow } from './send-window.js';

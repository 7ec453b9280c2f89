import { expect } from 'vitest';
import { DeliveryError } from '../../../src/channels/delivery-error.js';

/** The DeliveryError a send fails with; fails the test if it succeeds or throws anything else. */
export async function deliveryFailure(sending: Promise<unknown>): Promise<DeliveryError> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

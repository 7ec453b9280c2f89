import type { z } from 'zod';

/** The actor's role does not allow the action. */
export class PermissionDenied extends Error {
  override readonly name = 'PermissionDenied';
  constructor(
    readonly action: string,
    readonly role: string,
  ) {
    super(`${action} is not allowed for role ${role}`);
  }
}

/** The input of an action failed validation; `fields` names each bad field. */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';
  constructor(
    readonly action: string,
    readonly fields: Array<{ field: string; message: string }>,
  ) {
    super(`${action}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
  }

  static fromZod(action: string, error: z.ZodError): InvalidInput {
    return new InvalidInput(
      action,
      error.issues.map((issue) => ({ field: issue.path.join('.') || '(input)', message: issue.message })),
    );
  }
}

/** A customer, user, invoice, hold, … the action names does not exist. */
export class NotFound extends Error {
  override readonly name = 'NotFound';
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} not found`);
  }
}

/** The action does not apply to the current state (e.g. releasing a hold that is not placed). */
export class InvalidTransition extends Error {
  override readonly name = 'InvalidTransition';
  constructor(
    readonly action: string,
    detail: string,
  ) {
    super(`${action}: ${detail}`);
  }
}

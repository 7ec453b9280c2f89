/** A template that cannot be loaded or rendered, named by its file so a business can fix it. */
export class TemplateError extends Error {
  constructor(
    /** Absolute path of the file at fault (shipped or override). */
    readonly file: string,
    /** What is wrong, in one sentence. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'TemplateError';
  }
}

/** Wraps anything thrown while handling `file` as a TemplateError, keeping one already named. */
export function asTemplateError(file: string, error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  return new TemplateError(file, error instanceof Error ? error.message : String(error));
}

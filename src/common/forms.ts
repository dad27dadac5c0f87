import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { FormInvalidError } from './domain-error';

/** Field values to show again after a failed submit. Passwords are never echoed back. */
export function keptValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body ?? {})) {
    if (key === '_csrf' || /password/i.test(key)) continue;
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}

/**
 * Renders a form page: first view, or again after FormInvalidError with a 400, the field
 * errors and what the user typed.
 */
export function renderForm(
  req: Request,
  res: Response,
  view: string,
  context: Record<string, unknown>,
  error?: FormInvalidError,
): void {
  if (error) res.status(400);
  res.render(view, {
    ...context,
    csrfToken: csrfToken(req),
    values: { ...((context.values as Record<string, string>) ?? {}), ...(error ? keptValues(req.body) : {}) },
    errors: error?.fields ?? {},
    hasErrors: !!error,
  });
}

/** Only same-site paths may be redirect targets after login. */
export function safeNext(next: unknown, fallback = '/dashboard'): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : fallback;
}

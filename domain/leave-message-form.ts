import type { z } from 'zod';
import type { leaveMessageFieldSchema } from './flow';
import type { LeaveMessageRequest } from './session-commands';

export type LeaveMessageField = z.output<typeof leaveMessageFieldSchema>;

/**
 * The flow's leave-message form decides which contact fields the shopper is
 * asked for and which of them must be filled. A message missing a required
 * one is refused (naming the field) before anything is written; fields the
 * form does not show are still taken, as API clients may know more.
 * Returns the problem as `contact.<field>: is required`, or undefined.
 */
export function missingRequiredField(
  form: readonly LeaveMessageField[],
  request: Pick<LeaveMessageRequest, 'contact'>,
): string | undefined {
  const missing = form.find((field) => field.required && !request.contact[field.name]);
  return missing ? `contact.${missing.name}: is required` : undefined;
}

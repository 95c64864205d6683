/**
 * A request the caller may not make, with a stable code and a message meant
 * for them. Transports turn it into an error ack or a 4xx; anything else is
 * an internal error and is never shown verbatim.
 */
export class Refusal extends Error {
  constructor(
    readonly code:
      'invalid_payload' | 'not_found' | 'forbidden' | 'session_closed' | 'rate_limited',
    message: string,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

/** The supervisor refuses a request (unknown id, a join before close, …): the message is for the user. */
export class SupervisorError extends Error {
  override name = 'SupervisorError';
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

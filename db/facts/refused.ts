import { Errors } from '../../domain/messages';

/**
 * A fact write refused for a reason no retry can change (the account, draft or call task does not
 * exist; the input names a step the policy lacks). Activities turn it into a non-retryable failure the
 * workflow reports to the person who acted; the API maps its code to an HTTP answer.
 */
export class FactsRefused extends Error {
  override readonly name = 'FactsRefused';
  constructor(
    readonly code: Errors,
    message: string,
  ) {
    super(message);
  }
}

export { Errors };

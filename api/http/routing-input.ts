import { RoutingInputError } from '../../routing/decide';
import { AppError } from '../errors';

/** The routing module refuses bad references (unknown group, self-overflow) before writing: a 422 naming the field. */
export async function routingInput<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof RoutingInputError)) throw error;
    throw new AppError(422, 'invalid_reference', error.message, {
      fields: [{ path: error.field.replace(/^(agent|group)\./, ''), message: error.message }],
    });
  }
}

import { connectRedis, type RedisClient } from '../../runtime/connections';
import { testStack } from './stack';

export function testRedis(): Promise<RedisClient> {
  return connectRedis(testStack.redisUrl, () => undefined);
}

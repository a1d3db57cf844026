/** How alarms, their constructs and the models in warnings are named: short, stable, derived from the config. */
import type { ModelConfig } from '../../lambda/core/config';

export { shortHash, slug } from '../../lambda/core/alarm-catalog';

/** `models[2] (support-bot, us.anthropic…)`: how warnings name a model. */
export function modelRef(m: Pick<ModelConfig, 'modelId' | 'displayName'>, i: number): string {
  return `models[${i}] (${m.displayName ? `${m.displayName}, ` : ''}${m.modelId})`;
}

/** How alarms, their constructs and the models in warnings are named: short, stable, derived from the config. */
import { createHash } from 'node:crypto';
import type { ModelConfig } from '../../lambda/core/config';

/** 8 hex characters of SHA-256: stable per input, short enough for alarm names and logical ids. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A name part from the display name or the model id (an ARN's last segment): letters, digits, `.`, `_`, `-`. */
export function slug(model: Pick<ModelConfig, 'modelId' | 'displayName'>): string {
  const base = model.displayName ?? (model.modelId.startsWith('arn:') ? (model.modelId.split('/').pop() ?? model.modelId) : model.modelId);
  const s = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s === '' ? 'model' : s;
}

/** `models[2] (support-bot, us.anthropic…)`: how warnings name a model. */
export function modelRef(m: Pick<ModelConfig, 'modelId' | 'displayName'>, i: number): string {
  return `models[${i}] (${m.displayName ? `${m.displayName}, ` : ''}${m.modelId})`;
}

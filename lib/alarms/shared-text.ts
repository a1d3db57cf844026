/**
 * Literal runs shared by many alarm descriptions, stored once in template Mappings: with 3 alarms per model,
 * descriptions would otherwise be the bulk of the template.
 */
import { CfnMapping, Lazy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MAPPING_ATTRIBUTES_MAX } from './limits';
import { shortHash } from './names';

/**
 * Literal runs shared by many descriptions (a family's causes and checks, the dashboard URL, a head repeated across
 * models with the same settings and prices), stored once in a template Mapping and referenced with `Fn::FindInMap`:
 * CloudFormation puts the full text in each alarm, the template holds it once.
 *
 * Two phases: {@link register} returns a lazy string; {@link finalize} (once every description is registered) interns
 * each run of at least MIN_LENGTH characters that occurs more than once.
 */
export class SharedText {
  /** Shorter runs stay inline (a reference costs about 45 characters). */
  static readonly MIN_LENGTH = 48;
  private readonly texts: string[][] = [];
  private refs?: Map<string, string>;

  constructor(
    private readonly scope: Construct,
    private readonly id: string,
  ) {}

  /** The concatenation of `segments`; runs never span two segments (split where models differ, e.g. at the subject). */
  register(segments: readonly string[]): string {
    const parts = segments.flatMap((seg) => seg.split(/(\$\{Token\[[^\]]*\]\})/)).filter((p) => p !== '');
    const index = this.texts.push(parts) - 1;
    return Lazy.string({ produce: () => this.render(index) });
  }

  /** The runs {@link finalize} will store: at least MIN_LENGTH characters, in more than one place. */
  sharedRuns(): string[] {
    const counts = new Map<string, number>();
    for (const parts of this.texts)
      for (const p of parts) if (!isToken(p) && p.length >= SharedText.MIN_LENGTH) counts.set(p, (counts.get(p) ?? 0) + 1);
    return [...counts].filter(([, c]) => c > 1).map(([p]) => p);
  }

  /** Mappings that `runs` shared texts take: CloudFormation allows 200 attributes (top-level keys) per mapping. */
  static mappingsFor(runs: number): number {
    return Math.ceil(runs / MAPPING_ATTRIBUTES_MAX);
  }

  finalize(): void {
    const shared = this.sharedRuns();
    this.refs = new Map();
    const base = `Runbooks${shortHash(`${this.scope.node.path}/${this.id}`).slice(0, 6)}`;
    for (let m = 0; m < SharedText.mappingsFor(shared.length); m++) {
      // lazy: false says the references are wanted (the values are what the template should hold once).
      const mapping = new CfnMapping(this.scope, m === 0 ? this.id : `${this.id}${m + 1}`, { lazy: false });
      // Short logical ids (descriptions refer to them several times each), stable: Runbooks<hash>, then …2, …3.
      mapping.overrideLogicalId(m === 0 ? base : `${base}${m + 1}`);
      // Keys are numbered across mappings, t0 … t199 in the first, t200 … in the second.
      for (let i = m * MAPPING_ATTRIBUTES_MAX; i < Math.min(shared.length, (m + 1) * MAPPING_ATTRIBUTES_MAX); i++) {
        mapping.setValue(`t${i}`, 'text', shared[i]);
        this.refs.set(shared[i], mapping.findInMap(`t${i}`, 'text'));
      }
    }
  }

  private render(index: number): string {
    if (!this.refs) throw new Error('SharedText.finalize() was not called');
    return this.texts[index].map((p) => this.refs!.get(p) ?? p).join('');
  }
}

function isToken(part: string): boolean {
  return /^\$\{Token\[[^\]]*\]\}$/.test(part);
}

/**
 * CloudWatch cross-account observability (OAM) for many accounts: the sink in the monitoring account, which the
 * target accounts of its region may link to, and each target's link, sharing metrics only: our namespace's and
 * AWS/Bedrock's (the monitoring account's report and fleet digest price the raw token Sums).
 * OAM is regional: a link reaches a sink of its own region, and it shares what is sent after it exists (no history).
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as oam from 'aws-cdk-lib/aws-oam';
import { Construct } from 'constructs';
import { BEDROCK_NAMESPACE } from '../lambda/core/contract';

/** The resource type a link shares: metrics only (no logs, traces or Application Insights). */
export const SHARED_RESOURCE_TYPES = ['AWS::CloudWatch::Metric'] as const;

export interface ObservabilitySinkProps {
  /** The accounts that may link to the sink (the targets of its region). */
  readonly sourceAccounts: readonly string[];
  /** @default 'prompt-cache' */
  readonly sinkName?: string;
}

/** The monitoring account's sink of one region, with the policy naming who may link and what they may share. */
export class ObservabilitySink extends Construct {
  readonly sink: oam.CfnSink;

  constructor(scope: Construct, id: string, props: ObservabilitySinkProps) {
    super(scope, id);
    this.sink = new oam.CfnSink(this, 'Sink', {
      name: props.sinkName ?? 'prompt-cache',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [...props.sourceAccounts].sort() },
            Action: ['oam:CreateLink', 'oam:UpdateLink'],
            Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'oam:ResourceTypes': [...SHARED_RESOURCE_TYPES] } },
          },
        ],
      },
    });
    new CfnOutput(this, 'SinkArn', {
      description: 'Set monitoring.sinks.<region> to this ARN, then deploy the targets of this region (their links)',
      value: this.sink.attrArn,
    });
  }
}

export interface ObservabilityLinkProps {
  /** The sink's ARN (the roll-up's `SinkArn` output for this region). */
  readonly sinkArn: string;
  /** The custom namespace the link shares (with AWS/Bedrock, and nothing else). */
  readonly namespace: string;
}

/**
 * A target account's link to the monitoring account's sink: metrics of our namespace and of AWS/Bedrock only (OAM's
 * metric filter, `Namespace IN ('a', 'b')`, as AWS's documentation of MetricConfiguration gives it; the emulator has no
 * OAM).
 */
export class ObservabilityLink extends Construct {
  readonly link: oam.CfnLink;

  constructor(scope: Construct, id: string, props: ObservabilityLinkProps) {
    super(scope, id);
    this.link = new oam.CfnLink(this, 'Link', {
      sinkIdentifier: props.sinkArn,
      resourceTypes: [...SHARED_RESOURCE_TYPES],
      // The account's name as the monitoring account's console labels it.
      labelTemplate: '$AccountName',
      linkConfiguration: { metricConfiguration: { filter: `Namespace IN ('${props.namespace}', '${BEDROCK_NAMESPACE}')` } },
    });
  }
}

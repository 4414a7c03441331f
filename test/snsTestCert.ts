// A throwaway X.509 certificate standing in for Amazon SNS's signing certificate (made with the
// openssl CLI, which node:crypto cannot replace: it parses certificates but does not issue them),
// and a signer that builds SNS messages the way SNS does (string to sign per
// docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
import { execFileSync } from 'node:child_process';
import { type KeyObject, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnsMessage } from '../src/providers/sns/verify.js';
import { tempDir } from './helpers.js';

export interface TestCert {
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
}

export function makeCert(commonName = 'sns.amazonaws.com', altNames?: string): TestCert {
  const dir = tempDir('mailtally-sns-');
  try {
    const keyPath = join(dir.path, 'key.pem');
    const certPath = join(dir.path, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3', '-subj', `/CN=${commonName}`,
      ...(altNames ? ['-addext', `subjectAltName=${altNames}`] : []),
    ], { stdio: 'ignore' });
    const keyPem = readFileSync(keyPath, 'utf8');
    return { certPem: readFileSync(certPath, 'utf8'), keyPem, privateKey: createPrivateKey(keyPem) };
  } finally {
    dir.cleanup();
  }
}

export const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-events';

// Written from AWS's documentation, independently of src/: notifications sign Message, MessageId,
// Subject (when present), Timestamp, TopicArn, Type; subscription control messages sign Message,
// MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type — each as `name\nvalue\n`.
function awsStringToSign(m: SnsMessage): string {
  const fields = m.Type === 'Notification'
    ? ['Message', 'MessageId', ...(m.Subject ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${String((m as unknown as Record<string, unknown>)[f])}\n`).join('');
}

type Unsigned = Omit<SnsMessage, 'Signature' | 'SignatureVersion' | 'SigningCertURL'> & Partial<SnsMessage>;

/** Signs as SNS does; SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA. */
export function signSns(message: Unsigned, cert: TestCert, version: '1' | '2' = '1', certUrl = CERT_URL): SnsMessage {
  const full = { ...message, SignatureVersion: version, SigningCertURL: certUrl, Signature: '' } as SnsMessage;
  full.Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(awsStringToSign(full)), cert.privateKey).toString('base64');
  return full;
}

export function notification(record: unknown, messageId = '19ba9823-d7f2-53c1-860e-cb10e0d13dfc', timestamp = '2024-06-01T12:00:00.000Z'): Unsigned {
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: TOPIC_ARN,
    Subject: 'Amazon SES Email Event Notification',
    Message: typeof record === 'string' ? record : `${JSON.stringify(record)}\n`,
    Timestamp: timestamp,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ses-events:2bcfbf39',
  };
}

/** SubscriptionConfirmation as in docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html. */
export function subscriptionConfirmation(subscribeUrl = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-events&Token=2336412f37'): Unsigned {
  return {
    Type: 'SubscriptionConfirmation',
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token: '2336412f37',
    TopicArn: TOPIC_ARN,
    Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:ses-events.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
    SubscribeURL: subscribeUrl,
    Timestamp: '2024-06-01T12:00:00.000Z',
  };
}

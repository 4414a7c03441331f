// Amazon SES event records, from AWS's own samples:
// - "Examples of event data that Amazon SES publishes to Amazon SNS"
//   (docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html; archived as
//   awsdocs/amazon-ses-developer-guide doc-source/event-publishing-retrieving-sns-examples.md):
//   Bounce, Complaint, Delivery, Send, Reject, Open, Click, Rendering Failure, DeliveryDelay —
//   copied with the long `headers`/`commonHeaders` trimmed (nothing reads them).
// - the Subscription record's fields from "Contents of event data that Amazon SES publishes to
//   Amazon SNS" (…/event-publishing-retrieving-sns-contents.html, "Subscription object").
// - the identity-notification bounce naming several recipients from "Amazon SNS notification
//   examples for Amazon SES" (…/notification-examples.html#notification-examples-bounce).
// Variants (other bounce subtypes, not-spam, OnAccountSuppressionList) change only the fields the
// contents page documents for them.

const MESSAGE_ID = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000';
const TAGS = {
  'ses:configuration-set': ['ConfigSet'],
  'ses:source-ip': ['192.0.2.0'],
  'ses:from-domain': ['example.com'],
  'ses:caller-identity': ['ses_user'],
  myCustomTag1: ['myCustomTagValue1'],
  myCustomTag2: ['myCustomTagValue2'],
};

const mail = (timestamp: string, destination = ['recipient@example.com'], tags: Record<string, string[]> = TAGS) => ({
  timestamp,
  source: 'Sender Name <sender@example.com>',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
  sendingAccountId: '123456789012',
  messageId: MESSAGE_ID,
  destination,
  headersTruncated: false,
  tags,
});

export const bounce = (bounceType: string, bounceSubType: string) => ({
  eventType: 'Bounce',
  bounce: {
    bounceType,
    bounceSubType,
    bouncedRecipients: [{ emailAddress: 'recipient@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    reportingMTA: 'dsn; mta.example.com',
  },
  mail: mail('2017-08-05T00:40:02.012Z'),
});

export const complaint = (extra: Record<string, unknown> = {}) => ({
  eventType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2017-08-05T00:41:02.669Z',
    ...extra,
  },
  mail: mail('2017-08-05T00:40:01.123Z'),
});

export const delivery = {
  eventType: 'Delivery',
  mail: mail('2016-10-19T23:20:52.240Z', ['recipient@example.com'], { ...TAGS, 'ses:outgoing-ip': ['192.0.2.0'] }),
  delivery: {
    timestamp: '2016-10-19T23:21:04.133Z',
    processingTimeMillis: 11893,
    recipients: ['recipient@example.com'],
    smtpResponse: '250 2.6.0 Message received',
    reportingMTA: 'mta.example.com',
  },
};

export const send = { eventType: 'Send', mail: mail('2016-10-14T05:02:16.645Z'), send: {} };

export const reject = { eventType: 'Reject', mail: mail('2016-10-14T17:38:15.211Z', ['sender@example.com']), reject: { reason: 'Bad content' } };

export const open = (destination = ['recipient@example.com']) => ({
  eventType: 'Open',
  mail: mail('2017-08-09T21:59:49.927Z', destination, { myCustomTag1: ['myCustomValue1'], myCustomTag2: ['myCustomValue2'], 'ses:configuration-set': ['ConfigSet'] }),
  open: {
    ipAddress: '192.0.2.1',
    timestamp: '2017-08-09T22:00:19.652Z',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60',
  },
});

export const click = {
  eventType: 'Click',
  click: {
    ipAddress: '192.0.2.1',
    link: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html',
    linkTags: { samplekey0: ['samplevalue0'], samplekey1: ['samplevalue1'] },
    timestamp: '2017-08-09T23:51:25.570Z',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
  },
  mail: mail('2017-08-09T23:50:05.795Z', ['recipient@example.com'], { myCustomTag1: ['myCustomValue1'], myCustomTag2: ['myCustomValue2'] }),
};

export const renderingFailure = {
  eventType: 'Rendering Failure',
  mail: mail('2018-01-22T18:43:06.197Z', ['recipient@example.com'], { 'ses:configuration-set': ['ConfigSet'] }),
  failure: { errorMessage: "Attribute 'attributeName' is not present in the rendering data.", templateName: 'MyTemplate' },
};

export const deliveryDelay = {
  eventType: 'DeliveryDelay',
  mail: mail('2020-06-16T00:15:40.641Z', ['recipient@example.com'], { 'ses:configuration-set': ['ConfigSet'] }),
  deliveryDelay: {
    timestamp: '2020-06-16T00:25:40.095Z',
    delayType: 'TransientCommunicationFailure',
    expirationTime: '2020-06-16T00:25:40.914Z',
    delayedRecipients: [{ emailAddress: 'recipient@example.com', status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host' }],
  },
};

export const subscription = (unsubscribeAll: boolean, topicStatus: 'OptIn' | 'OptOut') => ({
  eventType: 'Subscription',
  mail: mail('2022-01-12T01:00:14.340Z', ['recipient@example.com'], { 'ses:configuration-set': ['ConfigSet'] }),
  subscription: {
    contactList: 'ContactListName',
    timestamp: '2022-01-12T01:00:17.910Z',
    source: 'UnsubscribeHeader',
    newTopicPreferences: { unsubscribeAll, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: topicStatus }] },
    oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: 'OptIn' }] },
  },
});

/** Identity notification (no eventType, no tags): one record naming two of three recipients. */
export const identityBounce = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    reportingMTA: 'dns; email.example.com',
    bouncedRecipients: [
      { emailAddress: 'jane@example.com', status: '5.1.1', action: 'failed', diagnosticCode: 'smtp; 550 5.1.1 <jane@example.com>... User unknown' },
      { emailAddress: 'Richard@Example.com', status: '5.1.1', action: 'failed' },
    ],
    bounceSubType: 'General',
    timestamp: '2016-01-27T14:59:44.101Z',
    feedbackId: '00000138111222aa-44455566-cccc-cccc-cccc-ddddaaaa068a-000000',
    remoteMtaIp: '127.0.2.0',
  },
  mail: {
    timestamp: '2016-01-27T14:59:38.237Z',
    source: 'john@example.com',
    sourceArn: 'arn:aws:ses:us-west-2:888888888888:identity/example.com',
    sourceIp: '127.0.3.0',
    sendingAccountId: '123456789012',
    messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
    destination: ['jane@example.com', 'mary@example.com', 'Richard@Example.com'],
  },
};

/** EventBridge envelope (docs.aws.amazon.com/ses/latest/dg/monitoring-eventbridge.html): `detail` is the SES record. */
export const eventBridge = (detailType: string, detail: unknown, id = 'a9b2e5c8-8d8c-4c41-9d8a-6b2f4c1e0f11') => ({
  version: '0',
  id,
  'detail-type': detailType,
  source: 'aws.ses',
  account: '123456789012',
  time: '2017-08-05T00:41:03Z',
  region: 'us-east-1',
  resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/ConfigSet'],
  detail,
});

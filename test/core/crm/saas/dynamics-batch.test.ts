import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundaryOf, buildBatchBody, parseBatchResponse } from '../../../../nodes/core/crm/saas/dynamics-batch';

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/** The change-set response of "Execute batch operations using the Web API" (Microsoft Learn, Dataverse), verbatim in shape. */
const CHANGESET_RESPONSE = crlf(`--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f
Content-Type: multipart/mixed; boundary=changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15

--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 1

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: https://org.crm.dynamics.com/api/data/v9.2/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)
OData-EntityId: https://org.crm.dynamics.com/api/data/v9.2/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)


--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 2

HTTP/1.1 204 No Content
OData-Version: 4.0
OData-EntityId: https://org.crm.dynamics.com/api/data/v9.2/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)


--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15--
--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 200 OK
Content-Type: application/json; odata.metadata=minimal; odata.streaming=true
OData-Version: 4.0

{
  "@odata.context": "https://org.crm.dynamics.com/api/data/v9.2/$metadata#tasks(subject)",
  "value": [
    { "@odata.etag": "W/\\"77181173\\"", "subject": "Task 1 in batch", "activityid": "e73ffc82-e292-ed11-aad1-000d3a9933c9" }
  ]
}
--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f--
`);

/** The continue-on-error response of the same page: the failed request's error, then the others. */
const CONTINUE_ON_ERROR_RESPONSE = crlf(`--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 400 Bad Request
REQ_ID: de4c5227-4a28-4ebd-8ced-3392ece1697b
Content-Type: application/json; odata.metadata=minimal
OData-Version: 4.0

{"error":{"code":"0x80044331","message":"A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'."}}
--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: https://org.crm.dynamics.com/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)
OData-EntityId: https://org.crm.dynamics.com/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)


--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139--
`);

describe('Dataverse $batch bodies', () => {
  it('reads a response with a change set: every response in order, headers and JSON bodies', () => {
    const parts = parseBatchResponse(CHANGESET_RESPONSE, 'multipart/mixed; boundary=batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f');
    assert.deepEqual(parts.map((p) => p.status), [204, 204, 200]);
    assert.equal(parts[1]!.headers['odata-entityid'], 'https://org.crm.dynamics.com/api/data/v9.2/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)');
    assert.equal(parts[0]!.body, undefined);
    assert.equal((parts[2]!.body as { value: { subject: string }[] }).value[0]!.subject, 'Task 1 in batch');
  });

  it('reads a continue-on-error response: the failed request keeps its code and message', () => {
    const parts = parseBatchResponse(CONTINUE_ON_ERROR_RESPONSE, undefined);
    assert.deepEqual(parts.map((p) => p.status), [400, 204]);
    assert.deepEqual(parts[0]!.body, {
      error: { code: '0x80044331', message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'." },
    });
    assert.equal(parts[0]!.headers.req_id, 'de4c5227-4a28-4ebd-8ced-3392ece1697b');
  });

  it('writes each operation as an application/http part with CRLF lines and a closing delimiter', () => {
    const body = buildBatchBody('batch_1', [
      { method: 'PATCH', url: "https://org.crm.dynamics.com/api/data/v9.2/contacts(terminalcrm_externalid='cus_1')", headers: { prefer: 'return=representation' }, body: { firstname: 'Ana' } },
    ]);
    assert.equal(
      body,
      [
        '--batch_1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        "PATCH https://org.crm.dynamics.com/api/data/v9.2/contacts(terminalcrm_externalid='cus_1') HTTP/1.1",
        'Content-Type: application/json; type=entry',
        'prefer: return=representation',
        '',
        '{"firstname":"Ana"}',
        '--batch_1--',
        '',
      ].join('\r\n'),
    );
    assert.equal(boundaryOf('multipart/mixed; boundary="batch_1"'), 'batch_1');
  });
});

import { issueCardNumber } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { openDatabase, startLoyaltyApi, tokenFor } from '../../../test/support/apps';

// A test Visa number and the same spaced: refused, and found nowhere afterwards.
const PAN = '4111111111111111';
const SPACED_PAN = '4111 1111 1111 1111';

describe('loyalty-api audience lists', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const marketer = tokenFor('marketer', `marketer-${randomUUID()}`);

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** A household enrolled as a shopper enrols, with its digital card. */
  async function enrol() {
    const token = tokenFor('shopper', `idp|${randomUUID()}`);
    const response = await http()
      .post('/v1/me/enrolment')
      .set(bearer(token))
      .send({ givenName: 'Ann', familyName: 'Lee', email: `ann+${randomUUID()}@example.com` })
      .expect(201);
    return {
      token,
      householdId: response.body.householdId as string,
      cardNumber: response.body.cards[0].cardNumber as string,
    };
  }

  /** A well-formed card number of ours that no household holds. */
  const unknownCard = () =>
    issueCardNumber('98', Array.from({ length: 14 }, () => randomInt(10)).join(''));

  function createList(token = marketer) {
    return http()
      .post('/v1/audience-lists')
      .set(bearer(token))
      .send({ name: `List ${randomUUID()}`, description: 'Invited to the reopening' });
  }

  const newList = async () => (await createList().expect(201)).body as { id: string };

  const upload = (id: string, csv: string, token = marketer, contentType = 'text/csv') =>
    http()
      .put(`/v1/audience-lists/${id}/members`)
      .set(bearer(token))
      .set('Content-Type', contentType)
      .send(csv);

  async function membersOf(id: string): Promise<string[]> {
    const rows: { household_id: string }[] = await db.query(
      `SELECT household_id FROM loyalty.audience_list_members WHERE list_id = $1 ORDER BY household_id`,
      [id],
    );
    return rows.map((r) => r.household_id);
  }

  const auditOf = async (id: string) =>
    (await db.query(
      `SELECT actor, action, details FROM loyalty.audit_log
        WHERE entity = 'audience_list' AND entity_id = $1 ORDER BY id`,
      [id],
    )) as { actor: string; action: string; details: Record<string, unknown> }[];

  const sorted = (ids: string[]) => [...ids].sort();

  describe('lists', () => {
    it('creates a list without members, reads it back and in the list, audited', async () => {
      const created = await createList().expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: expect.stringMatching(/^List /),
        description: 'Invited to the reopening',
        status: 'active',
        memberCount: 0,
        version: 0,
        createdBy: expect.stringMatching(/^marketer-/),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const { id } = created.body;
      const fetched = await http()
        .get(`/v1/audience-lists/${id}`)
        .set(bearer(marketer))
        .expect(200);
      expect(fetched.body).toEqual(created.body);
      const all = await http().get('/v1/audience-lists').set(bearer(marketer)).expect(200);
      expect(all.body.lists).toContainEqual(created.body);
      expect(await auditOf(id)).toEqual([
        { actor: created.body.createdBy, action: 'audience-list.created', details: {} },
      ]);
    });

    it('refuses a list without a name, with an unknown field, or a name with control characters', async () => {
      for (const body of [{}, { name: '' }, { name: 'a', extra: 1 }, { name: 'a\u0000b' }]) {
        const response = await http()
          .post('/v1/audience-lists')
          .set(bearer(marketer))
          .send(body)
          .expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('answers 404 for an unknown list and 400 for an id that is no UUID', async () => {
      const unknown = randomUUID();
      for (const req of [
        http().get(`/v1/audience-lists/${unknown}`).set(bearer(marketer)),
        http().delete(`/v1/audience-lists/${unknown}`).set(bearer(marketer)),
        upload(unknown, 'card_number\n'),
      ])
        expect((await req.expect(404)).body.code).toBe('LIST_NOT_FOUND');
      for (const req of [
        http().get('/v1/audience-lists/not-a-uuid').set(bearer(marketer)),
        http().delete('/v1/audience-lists/not-a-uuid').set(bearer(marketer)),
        upload('not-a-uuid', 'card_number\n'),
      ]) {
        const response = await req.expect(400);
        expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(response.body.errors[0].field).toBe('id');
      }
    });
  });

  describe('uploading members', () => {
    it('takes card numbers under a header, with CRLF and blank lines, and resolves them to households', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const { id } = await newList();
      const csv = `card_number\r\n${a.cardNumber}\r\n\r\n  ${b.cardNumber} \r\n\r\n`;
      const response = await upload(id, csv).expect(200);
      expect(response.body).toEqual({ version: 1, memberCount: 2, duplicates: 0 });
      expect(await membersOf(id)).toEqual(sorted([a.householdId, b.householdId]));
      const list = await http().get(`/v1/audience-lists/${id}`).set(bearer(marketer)).expect(200);
      expect(list.body).toMatchObject({ version: 1, memberCount: 2, status: 'active' });
    });

    it('takes household ids under a household_id header (any case, quoted, with a byte order mark)', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const { id } = await newList();
      const csv = `\uFEFF"household_id"\n${a.householdId.toUpperCase()}\n"${b.householdId}"\n`;
      expect((await upload(id, csv).expect(200)).body).toEqual({
        version: 1,
        memberCount: 2,
        duplicates: 0,
      });
      expect(await membersOf(id)).toEqual(sorted([a.householdId, b.householdId]));
    });

    it('judges each line on its own without a header, and counts a household named twice once', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const { id } = await newList();
      const csv = [a.cardNumber, b.householdId, a.householdId, a.cardNumber, b.householdId].join(
        '\n',
      );
      expect((await upload(id, csv).expect(200)).body).toEqual({
        version: 1,
        memberCount: 2,
        duplicates: 3,
      });
      expect(await membersOf(id)).toEqual(sorted([a.householdId, b.householdId]));
    });

    it('takes an erased household off every list it is on, each with a new version', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const [first, second, other] = [await newList(), await newList(), await newList()];
      await upload(first.id, `${a.householdId}\n${b.householdId}\n`).expect(200);
      await upload(second.id, `${a.householdId}\n`).expect(200);
      await upload(other.id, `${b.householdId}\n`).expect(200);

      await http().delete('/v1/me').set(bearer(a.token)).expect(200);

      expect(await membersOf(first.id)).toEqual([b.householdId]);
      expect(await membersOf(second.id)).toEqual([]);
      const read = async (id: string) =>
        (await http().get(`/v1/audience-lists/${id}`).set(bearer(marketer)).expect(200)).body;
      expect(await read(first.id)).toMatchObject({ version: 2, memberCount: 1 });
      expect(await read(second.id)).toMatchObject({ version: 2, memberCount: 0 });
      expect(await read(other.id)).toMatchObject({ version: 1, memberCount: 1 });
      expect((await auditOf(first.id)).map((e) => [e.action, e.details])).toContainEqual([
        'audience-list.member-erased',
        {},
      ]);
      // The hash moved with the members: uploading who is left changes nothing.
      expect((await upload(first.id, `${b.householdId}\n`).expect(200)).body).toEqual({
        version: 2,
        memberCount: 1,
        duplicates: 0,
      });
    });

    it('replaces the whole membership with a new version, and audits counts only', async () => {
      const [a, b, c] = [await enrol(), await enrol(), await enrol()];
      const { id } = await newList();
      await upload(id, `${a.cardNumber}\n${b.cardNumber}\n`).expect(200);
      const replaced = await upload(id, `${c.householdId}\n${c.cardNumber}\n`).expect(200);
      expect(replaced.body).toEqual({ version: 2, memberCount: 1, duplicates: 1 });
      expect(await membersOf(id)).toEqual([c.householdId]);
      const audit = await auditOf(id);
      expect(audit.map((e) => e.action)).toEqual([
        'audience-list.created',
        'audience-list.members-replaced',
        'audience-list.members-replaced',
      ]);
      expect(audit[2].details).toEqual({
        version: 2,
        memberCount: 1,
        previousMemberCount: 2,
        lines: 2,
        cardLines: 1,
        duplicates: 1,
      });
      const text = JSON.stringify(audit);
      for (const value of [a, b, c].flatMap((h) => [h.cardNumber, h.householdId]))
        expect(text).not.toContain(value);
    });

    it('answers an identical retry, or the same households written otherwise, with the same version', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const { id } = await newList();
      const csv = `card_number\n${a.cardNumber}\n${b.cardNumber}\n`;
      const first = await upload(id, csv).expect(200);
      expect((await upload(id, csv).expect(200)).body).toEqual(first.body);
      const reordered = await upload(
        id,
        `${b.householdId}\r\n${a.cardNumber}\r\n${a.cardNumber}`,
      ).expect(200);
      expect(reordered.body).toEqual({ version: 1, memberCount: 2, duplicates: 1 });
      expect((await auditOf(id)).length).toBe(2);
      // An empty upload (a header only) empties the list: a change, then the same again is none.
      expect((await upload(id, 'household_id\r\n').expect(200)).body).toEqual({
        version: 2,
        memberCount: 0,
        duplicates: 0,
      });
      expect((await upload(id, 'card_number').expect(200)).body).toMatchObject({ version: 2 });
      expect(await membersOf(id)).toEqual([]);
    });

    it('gives five identical uploads at once one version', async () => {
      const [a, b] = [await enrol(), await enrol()];
      const { id } = await newList();
      const csv = `${a.cardNumber}\n${b.cardNumber}\n`;
      const answers = await Promise.all(Array.from({ length: 5 }, () => upload(id, csv)));
      expect(answers.map((r) => [r.status, r.body])).toEqual(
        Array(5).fill([200, { version: 1, memberCount: 2, duplicates: 0 }]),
      );
      expect((await auditOf(id)).length).toBe(2);
    });
  });

  describe('refused lines', () => {
    let list: { id: string };
    let kept: { householdId: string; cardNumber: string };

    beforeAll(async () => {
      kept = await enrol();
      list = await newList();
      await upload(list.id, kept.cardNumber).expect(200);
    });

    /** Uploads `good` lines around one bad line (line 3) and expects only that line refused. */
    async function expectRefused(bad: string, rule: string, header = 'card_number') {
      const csv = `${header}\n${kept.cardNumber}\n${bad}\n${kept.cardNumber}\n`;
      const headerFor = header === 'household_id' ? kept.householdId : kept.cardNumber;
      const response = await upload(list.id, csv.replaceAll(kept.cardNumber, headerFor)).expect(
        400,
      );
      expect(response.body).toEqual({
        statusCode: 400,
        code: 'INVALID_MEMBERS',
        message: '1 line breaks its rule; nothing was stored',
        field: 'body',
        violations: [{ line: 3, rule, message: expect.any(String) }],
        violationCount: 1,
      });
      if (bad.trim() !== '') expect(JSON.stringify(response.body)).not.toContain(bad.trim());
      expect(await membersOf(list.id)).toEqual([kept.householdId]);
      const current = await http()
        .get(`/v1/audience-lists/${list.id}`)
        .set(bearer(marketer))
        .expect(200);
      expect(current.body).toMatchObject({ version: 1, memberCount: 1 });
    }

    it.each([
      ['text', 'not a card', 'malformed'],
      ['too few digits', '12345', 'malformed'],
      ['a wrong check digit', '9800000000009062', 'malformed'],
      ['two values on a line', '9800000000009061,9800000000009079', 'malformed'],
      ['a header after the first line', 'household_id', 'malformed'],
    ])('refuses %s', async (_name, bad, rule) => {
      await expectRefused(bad, rule, '');
    });

    it('refuses a household id under the card_number header and digits under household_id', async () => {
      await expectRefused(randomUUID(), 'malformed');
      await expectRefused(unknownCard(), 'malformed', 'household_id');
    });

    it('refuses a card number no household holds', async () => {
      await expectRefused(unknownCard(), 'unknown-card');
    });

    it('refuses a card that is not active (here: reported lost)', async () => {
      const lost = await enrol();
      await http().post(`/v1/me/cards/${lost.cardNumber}/lost`).set(bearer(lost.token)).expect(200);
      await expectRefused(lost.cardNumber, 'card-not-active');
    });

    it('refuses an unknown household id', async () => {
      await expectRefused(randomUUID(), 'unknown-household', 'household_id');
    });

    it("refuses an erased household's id, and its card as unknown", async () => {
      const erased = await enrol();
      await http().delete('/v1/me').set(bearer(erased.token)).expect(200);
      await expectRefused(erased.householdId, 'household-erased', 'household_id');
      await expectRefused(erased.cardNumber, 'unknown-card');
    });

    it('refuses a household merged into another', async () => {
      const [target, source] = [await enrol(), await enrol()];
      await http()
        .post(`/v1/support/households/${target.householdId}/merges`)
        .set(bearer(tokenFor('support')))
        .send({ sourceHouseholdId: source.householdId, reason: 'Two accounts of one couple' })
        .expect(201);
      await expectRefused(source.householdId, 'household-merged', 'household_id');
    });

    it('refuses a payment card number, however written, and keeps it nowhere', async () => {
      for (const header of ['card_number', ''])
        for (const pan of [PAN, SPACED_PAN, `"${PAN}"`])
          await expectRefused(pan, 'payment-card', header);
      const response = await upload(list.id, `${PAN}\n${SPACED_PAN}\n`).expect(400);
      expect(JSON.stringify(response.body)).not.toContain('4111');
      // Seven digits of it, plain or grouped: a random UUID of another test holds `4111` now and
      // then, never `4111111` or a space.
      const [found] = await db.query(
        `SELECT (SELECT count(*)::int FROM loyalty.audit_log
                  WHERE details::text ~ '4111 ?111' OR entity_id ~ '4111 ?111') AS audited,
                (SELECT count(*)::int FROM loyalty.audience_list_members
                  WHERE household_id::text ~ '4111 ?111') AS members,
                (SELECT count(*)::int FROM loyalty.audience_lists
                  WHERE name ~ '4111 ?111' OR description ~ '4111 ?111') AS lists`,
      );
      expect(found).toEqual({ audited: 0, members: 0, lists: 0 });
    });

    it('names every bad line in order, at most 50, and counts them all', async () => {
      const lines = [kept.cardNumber, ...Array.from({ length: 60 }, () => unknownCard()), 'x'];
      const response = await upload(list.id, lines.join('\r\n')).expect(400);
      expect(response.body.violationCount).toBe(61);
      expect(response.body.violations).toHaveLength(50);
      expect(response.body.violations.map((v: { line: number }) => v.line)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 2),
      );
      expect(response.body.violations[0]).toEqual({
        line: 2,
        rule: 'unknown-card',
        message: 'No such card (or it was erased)',
      });
      expect(await membersOf(list.id)).toEqual([kept.householdId]);
    });
  });

  describe('bounds', () => {
    it('refuses more than 500,000 lines of members (413 TOO_MANY_LINES)', async () => {
      const { id } = await newList();
      const csv = `card_number\n${'9800000000009061\n'.repeat(500_001)}`;
      const response = await upload(id, csv).expect(413);
      expect(response.body.code).toBe('TOO_MANY_LINES');
      expect(await membersOf(id)).toEqual([]);
    });

    it('refuses a body over 24 MiB (413 PAYLOAD_TOO_LARGE)', async () => {
      const { id } = await newList();
      const response = await upload(id, '\n'.repeat(24 * 1024 * 1024 + 1)).expect(413);
      expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('takes text/csv with a charset, and refuses other media types (415) and no body (400)', async () => {
      const household = await enrol();
      const { id } = await newList();
      await upload(id, household.cardNumber, marketer, 'text/csv; charset=utf-8').expect(200);
      for (const contentType of ['application/json', 'text/plain']) {
        const response = await upload(id, '"x"', marketer, contentType).expect(415);
        expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
      expect((await upload(id, '').expect(400)).body.code).toBe('BODY_REQUIRED');
    });
  });

  describe('deletion', () => {
    it('deletes a list: members gone, readable as deleted, no uploads; deleting again changes nothing', async () => {
      const household = await enrol();
      const { id } = await newList();
      await upload(id, household.cardNumber).expect(200);
      const deleted = await http()
        .delete(`/v1/audience-lists/${id}`)
        .set(bearer(marketer))
        .expect(200);
      expect(deleted.body).toMatchObject({ id, status: 'deleted', memberCount: 0, version: 2 });
      expect(await membersOf(id)).toEqual([]);
      const fetched = await http()
        .get(`/v1/audience-lists/${id}`)
        .set(bearer(marketer))
        .expect(200);
      expect(fetched.body).toEqual(deleted.body);
      const again = await http()
        .delete(`/v1/audience-lists/${id}`)
        .set(bearer(marketer))
        .expect(200);
      expect(again.body).toEqual(deleted.body);
      expect((await upload(id, household.cardNumber).expect(409)).body.code).toBe('LIST_DELETED');
      expect((await auditOf(id)).map((e) => [e.action, e.details])).toEqual([
        ['audience-list.created', {}],
        [
          'audience-list.members-replaced',
          {
            version: 1,
            memberCount: 1,
            previousMemberCount: 0,
            lines: 1,
            cardLines: 1,
            duplicates: 0,
          },
        ],
        ['audience-list.deleted', { version: 2, previousMemberCount: 1 }],
      ]);
    });
  });

  describe('access', () => {
    it('lets an admin manage lists', async () => {
      const household = await enrol();
      const created = await createList(tokenFor('admin', 'admin-9')).expect(201);
      await upload(created.body.id, household.householdId, tokenFor('admin', 'admin-9')).expect(
        200,
      );
    });

    it.each(['support', 'shopper', 'finance'] as const)(
      'refuses the %s role on every route, changing nothing',
      async (role) => {
        const household = await enrol();
        const { id } = await newList();
        const token = tokenFor(role);
        const routes = [
          http().post('/v1/audience-lists').send({ name: 'x' }),
          http().get('/v1/audience-lists'),
          http().get(`/v1/audience-lists/${id}`),
          http()
            .put(`/v1/audience-lists/${id}/members`)
            .set('Content-Type', 'text/csv')
            .send(household.cardNumber),
          http().delete(`/v1/audience-lists/${id}`),
        ];
        for (const req of routes) await req.set(bearer(token)).expect(403);
        expect(await membersOf(id)).toEqual([]);
        expect((await auditOf(id)).length).toBe(1);
      },
    );

    it('refuses a request without a token', async () => {
      await http().get('/v1/audience-lists').expect(401);
    });
  });
});

-- Hand-written, no schema change: a chat turn in one round trip when the instance knows the chat
-- (prisma/chat-turn.ts keeps, per chat it answered, the flow state and the sender it committed).
-- The commit then also checks the sender: `chat_actor_key` is a digest of what `findActor` reads
-- (the person, active, name, language, and each live membership with its unit), taken by the read
-- and compared by the commit, so a turn computed for a sender whose roles changed meanwhile is
-- refused ('stale') and computed again. The held-message count is no longer read (nothing used it).
CREATE FUNCTION "chat_actor_key"(p_channel text, p_user text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT md5(COALESCE(string_agg(concat_ws('|', p."id", p."fullName", p."locale", m."id", m."role",
      u."id", u."code", u."name", u."kind"), ',' ORDER BY m."id"), ''))
    FROM "ChannelIdentity" ci
    JOIN "Person" p ON p."id" = ci."personId" AND p."active" = true
    LEFT JOIN "Membership" m ON m."personId" = p."id" AND m."revokedAt" IS NULL
    LEFT JOIN "Unit" u ON u."id" = m."unitId"
    WHERE ci."channel" = p_channel AND ci."externalUserId" = p_user
$$;

DROP FUNCTION "chat_turn_commit"(text, text, text, text, timestamp(3), boolean, text, integer, text, text,
  timestamp(3), text, text, integer, text, text, timestamp(3), boolean, text, timestamp(3), text[], text[],
  text[], integer[]);

CREATE FUNCTION "chat_turn_commit"(
  p_lock text,
  p_channel text,
  p_chat_id text,
  p_external_id text,
  p_at timestamp(3),
  -- The sender, and `chat_actor_key` of them as the turn saw them.
  p_sender text,
  p_actor_key text,
  -- The flow state the turn read (p_had false: there was none).
  p_had boolean,
  p_had_flow text,
  p_had_version integer,
  p_had_step text,
  p_had_data text,
  p_had_expires timestamp(3),
  -- What the turn leaves: 'keep', 'save' (the values below) or 'delete'.
  p_write text,
  p_flow text,
  p_version integer,
  p_step text,
  p_data text,
  p_expires timestamp(3),
  p_release_held boolean,
  -- The sender's last contact is noted when older than p_touch_before (null: not touched).
  p_touch_before timestamp(3),
  -- The replies, in order.
  p_payloads text[],
  p_keys text[],
  p_purposes text[],
  p_person_ids integer[]
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  cur "FlowState"%ROWTYPE;
BEGIN
  IF p_lock IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(current_setting('search_path') || ':' || p_lock, 0));
  END IF;
  -- Read after the lock: in READ COMMITTED each statement of a function sees what committed before it.
  SELECT * INTO cur FROM "FlowState" WHERE "channel" = p_channel AND "chatId" = p_chat_id;
  IF FOUND <> p_had OR (FOUND AND (
    cur."flow" IS DISTINCT FROM p_had_flow OR cur."version" IS DISTINCT FROM p_had_version
    OR cur."step" IS DISTINCT FROM p_had_step OR cur."data" IS DISTINCT FROM p_had_data
    OR cur."expiresAt" IS DISTINCT FROM p_had_expires)) THEN
    RETURN 'stale';
  END IF;
  IF "chat_actor_key"(p_channel, p_sender) IS DISTINCT FROM p_actor_key THEN
    RETURN 'stale';
  END IF;
  INSERT INTO "InboundSeen" ("channel", "externalId", "receivedAt") VALUES (p_channel, p_external_id, p_at)
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN 'duplicate';
  END IF;
  IF p_release_held THEN
    UPDATE "Outbox" SET "status" = 'pending', "nextAttemptAt" = p_at
      WHERE "channel" = p_channel AND "chatId" = p_chat_id AND "status" = 'held';
  END IF;
  IF p_touch_before IS NOT NULL THEN
    UPDATE "ChannelIdentity" SET "lastInteractionAt" = p_at
      WHERE "channel" = p_channel AND "externalUserId" = p_sender
        AND ("lastInteractionAt" IS NULL OR "lastInteractionAt" < p_touch_before);
  END IF;
  IF p_write = 'save' THEN
    INSERT INTO "FlowState" ("channel", "chatId", "flow", "step", "version", "data", "expiresAt", "updatedAt")
      VALUES (p_channel, p_chat_id, p_flow, p_step, p_version, p_data, p_expires, p_at)
      ON CONFLICT ("channel", "chatId") DO UPDATE SET "flow" = EXCLUDED."flow", "step" = EXCLUDED."step",
        "version" = EXCLUDED."version", "data" = EXCLUDED."data", "expiresAt" = EXCLUDED."expiresAt",
        "updatedAt" = EXCLUDED."updatedAt";
  ELSIF p_write = 'delete' THEN
    DELETE FROM "FlowState" WHERE "channel" = p_channel AND "chatId" = p_chat_id;
  END IF;
  INSERT INTO "Outbox" ("channel", "chatId", "payload", "idempotencyKey", "status", "attempts",
      "nextAttemptAt", "createdAt", "purpose", "personId")
    SELECT p_channel, p_chat_id, r.payload, r.key, 'pending', 0, p_at, p_at, r.purpose, r.person_id
      FROM unnest(p_payloads, p_keys, p_purposes, p_person_ids) WITH ORDINALITY AS r(payload, key, purpose, person_id, n)
      ORDER BY r.n
    ON CONFLICT ("idempotencyKey") DO NOTHING;
  RETURN 'ok';
END
$$;

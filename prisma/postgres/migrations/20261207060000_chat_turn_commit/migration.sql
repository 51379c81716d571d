-- Hand-written, no schema change: one chat turn (a report answer, the common case) written in one
-- statement. The store reads what a turn needs in one statement (the sender, the chat's flow state,
-- whether the update was seen), runs the turn in memory, and then calls this function, which —
-- in the statement's own transaction — takes the chat's lock (the same key and hash as
-- `SqlDb.lock`, so it waits for, and is waited for by, the turn of another instance in a full
-- transaction), checks that the chat's flow state is still the one the turn read, marks the update
-- seen, and writes what the turn did: held messages released, the sender's last contact, the flow
-- state and the replies. Two round trips per answer instead of about ten (docs/benchmark.md).
--
-- Nothing is written unless every check passes: 'stale' (the state changed since it was read)
-- and 'duplicate' (the update was handled meanwhile) return before the first write, and the store
-- then runs the turn again in a full transaction. No `SET search_path`: the tables and the lock key
-- resolve through the caller's search path, as every other statement of the session does.
CREATE FUNCTION "chat_turn_commit"(
  p_lock text,
  p_channel text,
  p_chat_id text,
  p_external_id text,
  p_at timestamp(3),
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
  -- The sender whose last contact is noted when older than p_touch_before (null: none).
  p_touch_user text,
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
  INSERT INTO "InboundSeen" ("channel", "externalId", "receivedAt") VALUES (p_channel, p_external_id, p_at)
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN 'duplicate';
  END IF;
  IF p_release_held THEN
    UPDATE "Outbox" SET "status" = 'pending', "nextAttemptAt" = p_at
      WHERE "channel" = p_channel AND "chatId" = p_chat_id AND "status" = 'held';
  END IF;
  IF p_touch_user IS NOT NULL THEN
    UPDATE "ChannelIdentity" SET "lastInteractionAt" = p_at
      WHERE "channel" = p_channel AND "externalUserId" = p_touch_user
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

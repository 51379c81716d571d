-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    "startsOn" TEXT NOT NULL,
    "endsOn" TEXT NOT NULL,
    "monthlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "quarterlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "finalDueOn" TEXT NOT NULL,
    "normNewBuild" BIGINT NOT NULL,
    "normRepair" BIGINT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Unit" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "parentId" INTEGER,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitSuccession" (
    "id" SERIAL NOT NULL,
    "predecessorId" INTEGER NOT NULL,
    "successorId" INTEGER NOT NULL,
    "effectiveOn" TEXT NOT NULL,

    CONSTRAINT "UnitSuccession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" SERIAL NOT NULL,
    "fullName" TEXT NOT NULL,
    "phone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'vi',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChannelIdentity" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "displayName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastInteractionAt" TIMESTAMP(3),

    CONSTRAINT "ChannelIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invite" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "fullName" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "usedByPersonId" INTEGER,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Invite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Throttle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "blockedUntil" TIMESTAMP(3),

    CONSTRAINT "Throttle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ReportingPeriod" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "startsOn" TEXT NOT NULL,
    "endsOn" TEXT NOT NULL,
    "opensOn" TEXT NOT NULL,
    "dueOn" TEXT NOT NULL,

    CONSTRAINT "ReportingPeriod_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" SERIAL NOT NULL,
    "ref" TEXT NOT NULL,
    "periodId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "approvedNew" INTEGER NOT NULL,
    "approvedRepair" INTEGER NOT NULL,
    "startedNew" INTEGER NOT NULL,
    "startedRepair" INTEGER NOT NULL,
    "completedNew" INTEGER NOT NULL,
    "completedRepair" INTEGER NOT NULL,
    "handedOverNew" INTEGER NOT NULL,
    "handedOverRepair" INTEGER NOT NULL,
    "moneyReceived" BIGINT NOT NULL,
    "moneyPaid" BIGINT NOT NULL,
    "labourDays" INTEGER NOT NULL,
    "difficulties" TEXT NOT NULL,
    "proposals" TEXT NOT NULL,
    "decreaseReason" TEXT,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "registryReason" TEXT,
    "late" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowState" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "flow" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundSeen" (
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InboundSeen_pkey" PRIMARY KEY ("channel","externalId")
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "claimedAt" TIMESTAMP(3),
    "claimedBy" TEXT,
    "sentAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'reply',
    "personId" INTEGER,

    CONSTRAINT "Outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "processedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ZaloToken" (
    "id" INTEGER NOT NULL,
    "accessToken" TEXT NOT NULL,
    "refreshToken" TEXT NOT NULL,
    "accessExpiresAt" TIMESTAMP(3) NOT NULL,
    "refreshedAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "deadSince" TIMESTAMP(3),
    "lastError" TEXT,

    CONSTRAINT "ZaloToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" TEXT,
    "after" TEXT,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Household" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "village" TEXT NOT NULL,
    "headName" TEXT NOT NULL,
    "headNameKey" TEXT NOT NULL,
    "birthYear" INTEGER,
    "idNumberHash" TEXT,
    "idNumberLast4" TEXT,
    "category" TEXT NOT NULL,
    "need" TEXT NOT NULL,
    "foundationDurable" BOOLEAN NOT NULL,
    "frameDurable" BOOLEAN NOT NULL,
    "roofDurable" BOOLEAN NOT NULL,
    "area" DOUBLE PRECISION,
    "members" INTEGER NOT NULL,
    "landLegal" BOOLEAN NOT NULL,
    "landUndisputed" BOOLEAN NOT NULL,
    "outsideLandslideZone" BOOLEAN NOT NULL,
    "confirmedByCommune" BOOLEAN NOT NULL,
    "eligible" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'proposed',
    "supportedBefore" TEXT,
    "overrideReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Household_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HouseholdEvent" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT,
    "note" TEXT,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "personId" INTEGER,
    "channel" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HouseholdEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NarrativeReport" (
    "id" SERIAL NOT NULL,
    "ref" TEXT NOT NULL,
    "periodId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "answers" TEXT NOT NULL,
    "late" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NarrativeReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pledge" (
    "id" SERIAL NOT NULL,
    "ref" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "donorKind" TEXT NOT NULL,
    "donorName" TEXT NOT NULL,
    "donorPhone" TEXT,
    "personId" INTEGER,
    "orgUnitId" INTEGER,
    "fundUnitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT,
    "quantity" DOUBLE PRECISION,
    "quantityUnit" TEXT,
    "amount" BIGINT NOT NULL,
    "householdId" INTEGER,
    "targetUnitId" INTEGER,
    "dueOn" TEXT,
    "publicName" BOOLEAN NOT NULL DEFAULT false,
    "channel" TEXT,
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Pledge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FundEntry" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "toUnitId" INTEGER,
    "amount" BIGINT NOT NULL,
    "pledgeId" INTEGER,
    "householdId" INTEGER,
    "need" TEXT,
    "overrideReason" TEXT,
    "overpayment" BOOLEAN NOT NULL DEFAULT false,
    "reversesId" INTEGER,
    "reason" TEXT,
    "documentRef" TEXT,
    "note" TEXT,
    "occurredOn" TEXT NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FundEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeadershipGroup" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "title" TEXT,
    "unitId" INTEGER NOT NULL,
    "digests" TEXT NOT NULL DEFAULT '["weekly","deadline","semiannual"]',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedBy" INTEGER,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "confirmedBy" INTEGER,
    "confirmedAt" TIMESTAMP(3),

    CONSTRAINT "LeadershipGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReminderPause" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "periodId" INTEGER,
    "until" TEXT,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReminderPause_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" SERIAL NOT NULL,
    "ref" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "personId" INTEGER,
    "name" TEXT,
    "unitId" INTEGER NOT NULL,
    "topic" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'received',
    "answer" TEXT,
    "handledBy" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_code_key" ON "Campaign"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_key" ON "Unit"("code");

-- CreateIndex
CREATE INDEX "Unit_parentId_idx" ON "Unit"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "UnitSuccession_predecessorId_successorId_key" ON "UnitSuccession"("predecessorId", "successorId");

-- CreateIndex
CREATE INDEX "Membership_unitId_idx" ON "Membership"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_personId_unitId_role_key" ON "Membership"("personId", "unitId", "role");

-- CreateIndex
CREATE INDEX "ChannelIdentity_personId_idx" ON "ChannelIdentity"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelIdentity_channel_externalUserId_key" ON "ChannelIdentity"("channel", "externalUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Invite_code_key" ON "Invite"("code");

-- CreateIndex
CREATE INDEX "ReportingPeriod_dueOn_idx" ON "ReportingPeriod"("dueOn");

-- CreateIndex
CREATE UNIQUE INDEX "ReportingPeriod_campaignId_code_key" ON "ReportingPeriod"("campaignId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Report_ref_key" ON "Report"("ref");

-- CreateIndex
CREATE INDEX "Report_unitId_submittedAt_idx" ON "Report"("unitId", "submittedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Report_periodId_unitId_revision_key" ON "Report"("periodId", "unitId", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "FlowState_channel_chatId_key" ON "FlowState"("channel", "chatId");

-- CreateIndex
CREATE INDEX "InboundSeen_receivedAt_idx" ON "InboundSeen"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_idempotencyKey_key" ON "Outbox"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Outbox_status_nextAttemptAt_idx" ON "Outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Outbox_channel_chatId_status_idx" ON "Outbox"("channel", "chatId", "status");

-- CreateIndex
CREATE INDEX "Outbox_purpose_personId_createdAt_idx" ON "Outbox"("purpose", "personId", "createdAt");

-- CreateIndex
CREATE INDEX "InboundEvent_processedAt_idx" ON "InboundEvent"("processedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_channel_externalId_key" ON "InboundEvent"("channel", "externalId");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- CreateIndex
CREATE INDEX "Household_campaignId_headNameKey_idx" ON "Household"("campaignId", "headNameKey");

-- CreateIndex
CREATE INDEX "Household_unitId_status_idx" ON "Household"("unitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Household_campaignId_code_key" ON "Household"("campaignId", "code");

-- CreateIndex
CREATE INDEX "HouseholdEvent_householdId_at_idx" ON "HouseholdEvent"("householdId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "NarrativeReport_ref_key" ON "NarrativeReport"("ref");

-- CreateIndex
CREATE UNIQUE INDEX "NarrativeReport_periodId_unitId_revision_key" ON "NarrativeReport"("periodId", "unitId", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "Pledge_ref_key" ON "Pledge"("ref");

-- CreateIndex
CREATE INDEX "Pledge_campaignId_fundUnitId_idx" ON "Pledge"("campaignId", "fundUnitId");

-- CreateIndex
CREATE INDEX "Pledge_orgUnitId_idx" ON "Pledge"("orgUnitId");

-- CreateIndex
CREATE INDEX "Pledge_personId_idx" ON "Pledge"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "FundEntry_reversesId_key" ON "FundEntry"("reversesId");

-- CreateIndex
CREATE INDEX "FundEntry_campaignId_levelUnitId_idx" ON "FundEntry"("campaignId", "levelUnitId");

-- CreateIndex
CREATE INDEX "FundEntry_toUnitId_idx" ON "FundEntry"("toUnitId");

-- CreateIndex
CREATE INDEX "FundEntry_householdId_idx" ON "FundEntry"("householdId");

-- CreateIndex
CREATE INDEX "FundEntry_pledgeId_idx" ON "FundEntry"("pledgeId");

-- CreateIndex
CREATE UNIQUE INDEX "LeadershipGroup_channel_chatId_key" ON "LeadershipGroup"("channel", "chatId");

-- CreateIndex
CREATE INDEX "ReminderPause_personId_idx" ON "ReminderPause"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "Feedback_ref_key" ON "Feedback"("ref");

-- CreateIndex
CREATE INDEX "Feedback_channel_chatId_createdAt_idx" ON "Feedback"("channel", "chatId", "createdAt");

-- CreateIndex
CREATE INDEX "Feedback_unitId_status_idx" ON "Feedback"("unitId", "status");

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitSuccession" ADD CONSTRAINT "UnitSuccession_predecessorId_fkey" FOREIGN KEY ("predecessorId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitSuccession" ADD CONSTRAINT "UnitSuccession_successorId_fkey" FOREIGN KEY ("successorId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelIdentity" ADD CONSTRAINT "ChannelIdentity_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invite" ADD CONSTRAINT "Invite_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportingPeriod" ADD CONSTRAINT "ReportingPeriod_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_periodId_fkey" FOREIGN KEY ("periodId") REFERENCES "ReportingPeriod"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Household" ADD CONSTRAINT "Household_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HouseholdEvent" ADD CONSTRAINT "HouseholdEvent_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written (as the SQLite triggers of 20261128072220_pledges_fund_ledger): the fund ledger is
-- append-only; a correction is a reversal entry.
CREATE FUNCTION "FundEntry_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'FundEntry rows are never changed: record a reversal';
  END IF;
  RAISE EXCEPTION 'FundEntry rows are never deleted: record a reversal';
END
$$;

CREATE TRIGGER "FundEntry_no_update" BEFORE UPDATE ON "FundEntry"
  FOR EACH ROW EXECUTE FUNCTION "FundEntry_append_only"();

CREATE TRIGGER "FundEntry_no_delete" BEFORE DELETE ON "FundEntry"
  FOR EACH ROW EXECUTE FUNCTION "FundEntry_append_only"();

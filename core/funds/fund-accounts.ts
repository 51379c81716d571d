import type { Campaign } from '../campaigns/campaign.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import type { FundAccount } from '../campaigns/definition.ts';
import type { Text } from '../flows/flow.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';

/**
 * The bank accounts of the "Vì người nghèo" fund levels, as the campaign's definition gives them
 * (issue 15 §1): a donor who pledged money reads where to transfer it (vietqr.ts), and `/congkhai`
 * lists them.
 * A campaign without a definition, or a level it gives no account, shows none.
 */

/** The account of the fund of this level (a unit id), if the campaign defines one. */
export async function fundAccountOf(
  tx: Tx,
  campaign: Campaign | number,
  levelUnitId: number,
): Promise<FundAccount | undefined> {
  const rules = await campaignRules(tx, campaign);
  if (!rules.defined) {
    return undefined;
  }
  const unit = await tx.units.findById(levelUnitId);
  return unit === undefined ? undefined : rules.fundAccount(unit.code);
}

/** The account's params; `level` is the unit's name, shown as its place ("thành phố Bắc Kạn"). */
export function accountParams(level: string, account: FundAccount) {
  return {
    level: placeInSentence(level),
    bank: account.bank,
    account: account.accountNumber,
    holder: account.accountName,
  };
}

/**
 * Every account the campaign defines, named by its level, under a heading (a donor needs them
 * before any money came in); none when it defines none.
 */
export async function fundAccountLines(tx: Tx, campaign: Campaign): Promise<Text[]> {
  const { fundAccounts } = await campaignRules(tx, campaign);
  if (fundAccounts.length === 0) {
    return [];
  }
  const lines: Text[] = [{ key: 'fund.public.accounts' }];
  for (const account of fundAccounts) {
    const level = (await tx.units.findByCode(account.unit))?.name ?? account.unit;
    lines.push({ key: 'fund.public.account', params: accountParams(level, account) });
  }
  return lines;
}

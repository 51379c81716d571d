import type { vi } from './catalog-vi.ts';

/** English copy, key for key with the Vietnamese catalog (for trainers and documentation). */
export const en: Record<keyof typeof vi, string> = {
  'common.yes': 'Yes',
  'common.no': 'No',

  'welcome.stranger':
    'Hello! This is the reporting assistant of the Fatherland Front committee for the temporary-housing campaign.\n' +
    'To begin, please send the INVITE CODE (8 characters, e.g. ABCD-EFGH) you received from your MTTQ officer.',
  'welcome.back': 'Welcome back, {name}!',
  'invite.welcome': '✅ You are registered as {role} of {unit}.',
  'invite.unknown':
    '❌ This invite code is not correct. Please check each character (e.g. ABCD-EFGH) and send it again.',
  'invite.malformed': '❌ An invite code has 8 letters and digits, e.g. ABCD-EFGH. Please send it again.',
  'invite.used': '❌ This invite code has already been used. Each code works once; please ask for a new one.',
  'invite.expired': '❌ This invite code has expired. Please ask your MTTQ officer for a new one.',
  'invite.revoked': '❌ This invite code was revoked. Please ask your MTTQ officer for a new one.',
  'invite.already_yours': 'You already registered with this code ({unit}). No need to send it again.',
  'invite.throttled': '⛔ Too many wrong codes. For safety, please try again in {minutes} minutes.',

  'role.admin': 'administrator',
  'role.leader': 'leader',
  'role.unit_officer': 'reporting officer',
  'role.org_leader': 'member organisation leader',
  'role.fund_officer': 'fund officer',
  'role.donor': 'donor',
  'role.citizen': 'citizen',

  'menu.title': '📋 Menu',
  'menu.prompt': 'Please choose below:',
  'menu.resume': '▶️ Continue: {title}',
  'menu.report': '📝 Monthly progress report',
  'menu.report_unit': '📝 Monthly report – {unit}',
  'menu.whoami': '👤 About me',
  'menu.help': '❓ Help',
  'whoami.title': 'Name: {name}',
  'whoami.role': '• {role} – {unit}',
  'help.general':
    'How to use:\n' +
    '• Press a button or type your answer and send it.\n' +
    '• Amounts can be typed as 60tr, 60 triệu, 1,5 tỷ, 1.500.000.\n' +
    '• /menu – the menu\n' +
    '• /cancel – cancel what you are doing (nothing is saved)\n' +
    '• /help – help for the current question\n' +
    'Before sending you always see a summary and can change any answer.',
  'help.in_flow':
    'Please answer the question below. Send /cancel to stop (nothing is saved), /menu for the menu.',
  'command.unknown': 'There is no such command. ',
  'idle.unknown_text': 'Sorry, I did not understand.',
  'idle.unsupported': 'I cannot handle this kind of message yet.',

  'flow.cancelled': 'Cancelled. Nothing was saved.',
  'flow.nothing_to_cancel': 'There is nothing in progress.',
  'flow.nothing_to_resume': 'There is nothing in progress.',
  'flow.expired':
    '⌛ The unfinished "{title}" expired (no answer for a long time) and was discarded; nothing was saved.',
  'flow.outdated':
    'The bot was updated, so the unfinished task was discarded; nothing was saved. Please start again.',
  'flow.stale_button': 'That button belongs to an earlier question. Please answer the current one:',
  'flow.expected_text': 'This question needs a typed answer or a button.',
  'flow.current_value': '(Current value: {value})',
  'flow.none': 'None',
  'flow.photo_received': '1 photo received',
  'flow.summary.title': '📄 Review the {title}',
  'flow.summary.ask':
    'Please check. If it is right, press "Send report"; to correct something, press "Change an item".',
  'flow.summary.confirm': '✅ Send report',
  'flow.summary.edit': '✏️ Change an item',
  'flow.summary.cancel': '❌ Cancel',
  'flow.confirm.unclear': 'Please press a button: Send report, Change an item or Cancel.',
  'flow.edit.ask': 'Which item do you want to change? (press a button or type its number)',
  'flow.edit.back': '↩︎ Back to the review',
  'flow.edit.unclear': 'There is no such item. Please choose one from the list.',

  'hint.integer': 'Type a whole number, e.g. 12',
  'hint.money': 'Type an amount, e.g. 60tr, 1,5 tỷ or 1.500.000',
  'hint.yesno': 'Press Yes or No',
  'hint.date': 'Type a date, e.g. 15/3 or 15/03/2025',
  'hint.choice': 'Press a button or type its number',
  'hint.text': 'Type your answer (at most {max} characters)',
  'hint.photo': 'Send a photo',
  'hint.photo_optional': 'Send a photo, or press "None"',
  'hint.text_optional': 'Type your answer, or press "None"',

  'error.empty': 'You did not type anything.',
  'error.not_number': 'The answer must be a number (e.g. 12).',
  'error.not_integer': 'This must be a whole number, without decimals (e.g. 12).',
  'error.negative': 'The number cannot be negative.',
  'error.too_large': 'This number is larger than allowed (at most {max}). Please check it.',
  'error.too_small': 'This number is smaller than allowed (at least {min}).',
  'error.not_money': 'I could not read the amount. Type e.g. 60tr, 60 triệu, 1,5 tỷ or 1.500.000.',
  'error.invalid_date': 'This date does not exist. Please check it.',
  'error.not_date': 'I could not read the date. Type e.g. 15/3 or 15/03/2025.',
  'error.not_yes_no': 'Please answer Yes or No.',
  'error.not_choice': 'There is no such option. Press a button or type its number.',
  'error.expected_photo': 'This question needs a photo. Tap the photo icon to send one, or answer "None".',
  'error.too_long': 'This is too long (at most {max} characters). Please shorten it.',

  'report.title': 'monthly progress report',
  'report.refused.not_officer': 'Reporting is for the assigned ward and commune officers.',
  'report.refused.no_campaign': 'No campaign is running at the moment.',
  'report.refused.no_period': 'No reporting period is open yet. The bot will remind you when one opens.',
  'report.previous': ' (last period: {value})',
  'report.registry': ' (household list: {value})',
  'report.ask.period':
    'Which period are you reporting for? (⏰: overdue; ✔︎: already sent, sending again makes a revision)',
  'report.ask.approvedNew':
    '1/14. Households approved for NEW BUILD support (cumulative){previous}{registry}?',
  'report.ask.approvedRepair':
    '2/14. Households approved for REPAIR support (cumulative){previous}{registry}?',
  'report.ask.startedNew': '3/14. NEW houses started{previous}{registry}?',
  'report.ask.startedRepair': '4/14. REPAIRS started{previous}{registry}?',
  'report.ask.completedNew': '5/14. NEW houses completed{previous}{registry}?',
  'report.ask.completedRepair': '6/14. REPAIRS completed{previous}{registry}?',
  'report.ask.handedOverNew': '7/14. NEW houses handed over{previous}{registry}?',
  'report.ask.handedOverRepair': '8/14. REPAIRED houses handed over{previous}{registry}?',
  'report.ask.moneyReceived': '9/14. Total money received by the unit (cumulative, đồng){previous}?',
  'report.ask.moneyPaid': '10/14. Total money paid out to households (cumulative, đồng){previous}?',
  'report.ask.labourDays': '11/14. Labour days mobilised (cumulative){previous}?',
  'report.ask.difficulties': '12/14. Difficulties (if any)?',
  'report.ask.proposals': '13/14. Proposals (if any)?',
  'report.ask.photo':
    '14/14. A photo of the works (if any): send one photo of a house being built or finished, or press "None".',
  'report.ask.registryReason':
    'Some figures differ from the household list: {fields}. Please give the reason (e.g. the list is not up to date).',
  'report.ask.decreaseReason':
    'Some figures are lower than last period: {fields}. Please give the reason (e.g. the list was reviewed).',
  'report.field.period': 'Period',
  'report.field.approvedNew': 'Approved – new build',
  'report.field.approvedRepair': 'Approved – repair',
  'report.field.startedNew': 'Started – new build',
  'report.field.startedRepair': 'Started – repair',
  'report.field.completedNew': 'Completed – new build',
  'report.field.completedRepair': 'Completed – repair',
  'report.field.handedOverNew': 'Handed over – new build',
  'report.field.handedOverRepair': 'Handed over – repair',
  'report.field.moneyReceived': 'Money received',
  'report.field.moneyPaid': 'Money paid to households',
  'report.field.labourDays': 'Labour days',
  'report.field.difficulties': 'Difficulties',
  'report.field.proposals': 'Proposals',
  'report.field.photo': 'Photo',
  'report.field.registryReason': 'Reason for differing from the list',
  'report.field.decreaseReason': 'Reason for the decrease',
  'report.rule.exceeds': '"{field}" cannot be more than "{other}" ({limit}).',
  'report.rule.below': '"{field}" cannot be less than "{other}" already entered ({limit}).',
  'report.rule.paid_above_received': 'Money paid cannot exceed money received ({received}).',
  'report.rule.received_below_paid': 'Money received cannot be less than money paid ({paid}).',
  'report.summary.unit': 'Unit: {unit}',
  'report.summary.period': 'Period: {period} (due before {due})',
  'report.summary.period_late': 'Period: {period} (due before {due} – overdue)',
  'report.receipt': '✅ Report for {period} of {unit} received.\nReference: {ref}\nReceived at: {at}',
  'report.receipt.on_time': 'The report was sent on time. Thank you!',
  'report.receipt.late': '⏰ The report is recorded as late.',
  'report.receipt.revision': 'This is revision {revision}; earlier versions are kept.',
  'household.search.title': 'find a household',
  'household.search.ask':
    'Type the head of household (with or without diacritics), the household code or the village:',
  'household.search.none': 'No household of your unit matches "{query}".',
  'household.search.found': '{count} households found. Please choose one:',
  'household.card': '🏠 {name} (code {code})\nVillage: {village}\nNeed: {need}\nStatus: {status}\n{eligible}',
  'household.eligible': 'Eligible for support',
  'household.not_eligible': '⚠️ Not eligible under the criteria',
  'household.supported_before': '⚠️ Already supported by: {programme}',
  'household.status.title': 'household status change',
  'household.status.header': 'Household: {name} (code {code})\nChange: {from} → {to}',
  'household.field.photo': 'Evidence photo',
  'household.field.note': 'Note',
  'household.ask.photo': 'Please send one photo of the house as evidence for "{to}":',
  'household.ask.note': 'Any note (optional)?',
  'household.status.done': '✅ Household {name} moved to "{to}".',
  'household.refused.not_officer': 'This is for the assigned ward and commune officers.',
  'household.refused.not_found': 'This household is not in your unit.',
  'household.refused.changed':
    'The household is "{status}" and cannot be moved that way. Please open it again.',
  'household.refused.changed_meanwhile':
    'Someone else just changed this household; nothing was saved. Please open it again.',
  'household.refused.ineligible':
    'The household is not eligible; only an admin may approve it, with a reason.',
  'menu.households': '🏠 Households',
};

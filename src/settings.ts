import { type AlertsModuleSettings, readAlertsSettings } from './alerts/alerts.settings.js';
import { type CasesModuleSettings, readCasesSettings } from './cases/cases.settings.js';
import { type IvrModuleSettings, readIvrSettings } from './ivr/ivr.settings.js';
import { type MessagingModuleSettings, readMessagingSettings } from './messaging/messaging.settings.js';
import { type OnCallModuleSettings, readOnCallSettings } from './oncall/oncall.settings.js';
import { type PlatformSettings, readPlatformSettings } from './platform/config.js';
import { type Env, readSettings } from './platform/settings-reader.js';

// Every setting of the service: the platform's, then each capability's own section. Every problem
// of every section is reported at once, at start-up (README, "Settings").

export type Settings = PlatformSettings &
  IvrModuleSettings &
  MessagingModuleSettings &
  OnCallModuleSettings &
  AlertsModuleSettings &
  CasesModuleSettings;

export function loadSettings(env: Env = process.env, argv: string[] = process.argv): Settings {
  return readSettings(env, (read, problems) => {
    const platform = readPlatformSettings(read, argv, problems);
    return {
      ...platform,
      ...readIvrSettings(read),
      ...readMessagingSettings(read, platform),
      ...readOnCallSettings(read),
      ...readAlertsSettings(read),
      ...readCasesSettings(read),
    };
  });
}

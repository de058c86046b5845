/* The settings module: keys and checks, reading, the all-or-nothing save. */

export { KEYS, keySpec, type KeySpec, type SettingValue } from "./keys.js";
export { CheckError } from "./checks.js";
export { SettingsError, readSetting } from "./read.js";
export { Settings, type SaveResult } from "./settings.js";
export { uaConfigFrom, localPortFrom, rtpPortFrom } from "./ua-config.js";
export { doorSettingsFrom, type DoorSettings } from "./door.js";

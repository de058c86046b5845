/* Kept for existing imports: the SIP settings are read in config/ua-config.ts. */

export { uaConfigFrom, localPortFrom, rtpPortFrom, SettingsError } from "../config/ua-config.js";

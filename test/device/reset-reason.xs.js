/*
 * modules/device/reset-reason.js (plain JavaScript, run as it is) on the XS test host, over a
 * model of the SDK's `resetReason` (sdk/resetReason.js; KLINGEL_XS_EMBEDDED=test/device/sdk):
 * the name /diag, /health and the start-up event give the last reset. A hung firmware that the
 * task watchdog restarted says so in plain words, not as the SDK's "Task WDT"; every reason
 * ESP-IDF 5.x gives has a name of its own, where the SDK's table ends at SDIO and calls the
 * rest (a reset over the S3's USB port among them) "Invalid". Prints "ok - …" / "not ok - …"
 * lines and "N passed, N failed".
 */
import resetReason from "../../modules/device/reset-reason.js";
import { esp } from "resetReason";
import { check, summary } from "./xs-checks.js";

function nameOf(code) {
	esp.reason = code;
	return resetReason();
}

const hung = nameOf(6);
check(typeof hung === "string" && /task watchdog/.test(hung) && /hung/.test(hung), "a task watchdog reset says the firmware hung and restarted itself", JSON.stringify(hung));
const core = nameOf(5);
check(typeof core === "string" && /interrupt watchdog/.test(core) && /hung/.test(core), "an interrupt watchdog reset says so in words", JSON.stringify(core));

// ESP-IDF 5.x's esp_reset_reason_t: ESP_RST_UNKNOWN (0) to ESP_RST_CPU_LOCKUP (15).
const names = [];
for (let code = 0; code <= 15; code++) names.push(nameOf(code));
const unclear = names.filter((name) => typeof name !== "string" || !name || /WDT|Invalid/.test(name));
check(unclear.length === 0, "every reason ESP-IDF gives is named in words", JSON.stringify(unclear));
check(new Set(names).size === names.length, "no two reasons share a name", JSON.stringify(names));
check(/USB/.test(names[11] ?? ""), "a reset over the USB port is named", JSON.stringify(names[11]));

const later = nameOf(16);
check(typeof later === "string" && /16/.test(later), "a reason a later ESP-IDF adds is given by its number", JSON.stringify(later));

summary();

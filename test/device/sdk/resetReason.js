/*
 * A model of the Moddable SDK's `resetReason` for the ESP32 (SDK 8.2.3,
 * build/devices/esp32/modules/resetReason), for the XS test host (KLINGEL_XS_EMBEDDED). Like the
 * SDK: the reason is ESP-IDF's esp_reset_reason() value with the SDK's name for it, from a table
 * that stops at SDIO (10); any later value is "Invalid". The test plays the chip: `esp.reason`
 * is what esp_reset_reason() gives.
 */

export const esp = { reason: 1 };

const reasons = ["Unknown", "Power-On", "External Pin", "Software", "Panic", "Interrupt WDT", "Task WDT", "Other WDT", "Deep Sleep", "Brownout", "SDIO"];

export default function getResetReason() {
	const reason = esp.reason;
	let string = "Invalid";
	if (reason >= 0 && reason < reasons.length) string = reasons[reason];
	return { reason, string };
}

/* The SDK's Linux simulator has no reset reason: the same shape as the ESP32's (modules/device/reset-reason.js). */
export default function resetReason(): string {
	return "unknown";
}

/* The SDK's Linux simulator has no reset reason: the same shape as the ESP32's `resetReason`. */
export default function resetReason(): { reason: number; string: string } {
	return { reason: 0, string: "Unknown" };
}

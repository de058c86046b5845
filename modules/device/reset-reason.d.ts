/** Why the chip last started, in words ("power-on", "task watchdog: the firmware hung and restarted itself", …). */
export default function resetReason(): string;

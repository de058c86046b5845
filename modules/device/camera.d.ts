import type { CameraFactory, Clock } from "../ports.js";

export interface DeviceCameraOptions {
	width: number;
	height: number;
	clock: Clock;
}

/** JPEG frames from the board's camera through the SDK's `embedded:io/image/in/camera`. */
export function deviceCamera(settings: DeviceCameraOptions): CameraFactory;

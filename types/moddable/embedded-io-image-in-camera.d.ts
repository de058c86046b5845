/*
 * The camera (Moddable: modules/io/imagein/camera, a draft of ECMA-419's ImageIn). The sensor
 * picks the frame size closest to the one asked for; `width` and `height` tell which it took.
 */
declare module "embedded:io/image/in/camera" {
	/** A frame of format "buffer/disposable": the driver's own buffer, returned to it by close(). */
	export interface DisposableFrame extends ArrayBuffer {
		close(): void;
	}

	export interface CameraOptions {
		width?: number;
		height?: number;
		/** "jpeg" (sensors that encode, e.g. the OV2640), or a commodetto Bitmap format number. */
		imageType?: "jpeg" | number;
		format?: "buffer" | "buffer/disposable";
		/** Called when a frame is ready: read() takes it. */
		onReadable?: (this: Camera, count: number) => void;
	}

	export default class Camera {
		constructor(options: CameraOptions);
		/** The next frame, or undefined when none is ready. */
		read(): DisposableFrame | undefined;
		start(): void;
		stop(): void;
		close(): void;
		readonly width: number;
		readonly height: number;
		readonly imageType: string | number;
		format: string;
	}
}

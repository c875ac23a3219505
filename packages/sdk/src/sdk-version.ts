/** Sent to the coordinator in RegisterWorker.sdk_version. Keep in step with package.json. */
export const SDK_VERSION = "0.1.0";

/** Absolute path of the built console (index.html and assets/); it exists once the package is built. */
export declare const consoleAssetsDir: string;

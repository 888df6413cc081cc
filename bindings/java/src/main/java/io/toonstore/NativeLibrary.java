package io.toonstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Loads the JNI library {@code toonstore_jni} once per class loader.
 *
 * <p>Order: a library of that name on {@code java.library.path} wins (so a
 * user can override the bundled one); otherwise the copy inside the jar at
 * {@code native/<os>-<arch>/} is extracted to a fresh temporary directory
 * (under the system property {@code toonstore.native.tmpdir}, default
 * {@code java.io.tmpdir}) and loaded from there.
 */
final class NativeLibrary {
    static final String NAME = "toonstore_jni";

    private static boolean loaded;

    private NativeLibrary() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            System.loadLibrary(NAME);
            loaded = true;
            return;
        } catch (UnsatisfiedLinkError notOnPath) {
            // Not on java.library.path: use the copy in the jar.
        }
        String file = System.mapLibraryName(NAME);
        String resource = "/native/" + platform() + "/" + file;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("ToonStore: no " + file + " on java.library.path ("
                        + System.getProperty("java.library.path") + ") and no " + resource
                        + " in the jar: this platform (" + platform() + ") has no bundled native library");
            }
            String tmp = System.getProperty("toonstore.native.tmpdir", System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(Paths.get(tmp), "toonstore-jni");
            Path lib = dir.resolve(file);
            Files.copy(in, lib);
            System.load(lib.toAbsolutePath().toString());
            // Once loaded the mapping keeps the code; on systems that cannot
            // delete a loaded library the files go at exit instead.
            try {
                Files.delete(lib);
                Files.delete(dir);
            } catch (IOException stillInUse) {
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            }
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "ToonStore: could not extract " + resource + ": " + e);
            error.initCause(e);
            throw error;
        }
        loaded = true;
    }

    /** The jar's directory name for this platform, e.g. {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "osx"
                : os.startsWith("windows") ? "windows"
                : os.replaceAll("[^a-z0-9]", "");
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
        return osName + "-" + archName;
    }
}

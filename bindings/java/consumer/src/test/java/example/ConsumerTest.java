package example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toonstore.ToonStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses the installed artifact: the native library comes out of its jar. */
class ConsumerTest {
    @TempDir
    Path tmp;

    @Test
    void openPutGetScan() {
        String jar = ToonStore.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(jar.endsWith("toonstore-1.0.0.jar"), "loaded from the installed jar: " + jar);
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            long a = db.put("users[1]{id,name}: 1,Alice".getBytes(StandardCharsets.UTF_8));
            long b = db.put("users[1]{id,name}: 2,Bob".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("users[1]{id,name}: 2,Bob".getBytes(StandardCharsets.UTF_8), db.get(b));
            assertTrue(db.delete(a));
            assertNull(db.get(a));
            List<Long> ids = new ArrayList<>();
            try (ToonStore.Scan scan = db.scan()) {
                for (ToonStore.Row row : scan) {
                    ids.add(row.id());
                }
            }
            assertEquals(List.of(b), ids);
        }
    }
}
